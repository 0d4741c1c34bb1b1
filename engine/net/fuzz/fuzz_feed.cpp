// libFuzzer entry point for the feed protocol's decoders (feed_protocol.h), binary and JSON: the
// payload decoder decides the encoding by the first byte, so one target reaches both.
//
// Besides the sanitizers' findings, the target traps when a decoder breaks its contract: an
// accepted batch must encode, in either encoding, to a payload that decodes again to the same
// JSON text, and a rejection must name a field.

#include "feed_protocol.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace bourse::net::feed;

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

void checkRoundTrip(const Batch &batch)
{
    const std::string json = encodeJson(batch);
    std::vector<std::uint8_t> binary;
    encodeBinary(batch, binary);

    Batch again;
    check(!decode(batch.topic, binary, again));
    check(encodeJson(again) == json);
    const std::vector<std::uint8_t> text(json.begin(), json.end());
    if (batch.messages.empty())
        return; // an empty batch encodes as [], which carries no session
    check(!decode(batch.topic, text, again));
    check(encodeJson(again) == json);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Batch batch;
    const auto failed = decode("FUZZ", std::span<const std::uint8_t>(data, size), batch);
    if (failed) {
        check(!failed->field.empty());
        return 0;
    }
    checkRoundTrip(batch);
    return 0;
}
