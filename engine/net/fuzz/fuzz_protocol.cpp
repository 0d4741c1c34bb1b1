// libFuzzer entry point for the protocol decoder. The first byte selects what the input is:
// - a topic kind ('H', 'I' or 'A'): a published message, five topic bytes and then the message;
// - kFixLengthMode: a message whose header's payloadSize is set to the bytes that follow the
//   header before decoding, so that mutations which add or remove bytes reach the payload
//   instead of failing the size check of the header;
// - anything else: one message of an order-entry or snapshot link.
//
// Besides the sanitizers' findings, the target traps when the decoder breaks its contract: an
// accepted message must encode to one that decodes again to the same encoding, and an error
// must name a field at an offset inside the input.

#include "protocol.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace {

using namespace bourse::net;

constexpr std::uint8_t kFixLengthMode = 'L';

bool startsWithTopic(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < kTopicSize)
        return false;
    const auto kind = static_cast<StreamKind>(bytes[0]);
    return kind == StreamKind::Heartbeat || kind == StreamKind::Instrument ||
           kind == StreamKind::Account;
}

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

void checkAccepted(const Message &message)
{
    static std::vector<std::uint8_t> first;
    static std::vector<std::uint8_t> second;
    static Message again;

    check(encodeMessage(message, first));
    check(!decodeMessage(first, again).has_value());
    check(encodeMessage(again, second));
    check(first == second);
}

// `input` is all the fuzzer's bytes, `bytes` the message frame among them.
void checkRejected(const DecodeError &error, std::span<const std::uint8_t> input,
                   std::span<const std::uint8_t> bytes)
{
    check(!error.field.empty());
    check(!error.detail.empty());
    check(error.offset <= input.size());

    static std::vector<std::uint8_t> buffer;
    static Message reply;
    Message message;
    message.header.sequence = 1;
    message.body = errorReplyFor(error, bytes);
    check(encodeMessage(message, buffer));
    check(!decodeMessage(buffer, reply).has_value());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // One Message for every input, as a receiver keeps one, so that the reuse of a batch's
    // event vector is fuzzed too.
    static Message message;
    const std::span<const std::uint8_t> input(data, size);

    std::optional<DecodeError> error;
    std::span<const std::uint8_t> bytes = input;
    std::vector<std::uint8_t> fixed; // exactly sized, so that AddressSanitizer reports overreads
    if (size > 0 && data[0] == kFixLengthMode) {
        fixed.assign(input.begin() + 1, input.end());
        fixed.shrink_to_fit();
        if (fixed.size() >= kHeaderSize) {
            const auto payloadSize = static_cast<std::uint32_t>(fixed.size() - kHeaderSize);
            for (std::size_t i = 0; i < 4; ++i)
                fixed[16 + i] = static_cast<std::uint8_t>(payloadSize >> (8 * i));
        }
        bytes = fixed;
        error = decodeMessage(bytes, message);
    } else if (startsWithTopic(input)) {
        bytes = input.subspan(kTopicSize);
        error = decodePublished(input.first(kTopicSize), bytes, message);
    } else {
        error = decodeMessage(input, message);
    }

    if (error) {
        check(std::holds_alternative<std::monostate>(message.body));
        checkRejected(*error, input, bytes);
    } else {
        checkAccepted(message);
    }
    return 0;
}
