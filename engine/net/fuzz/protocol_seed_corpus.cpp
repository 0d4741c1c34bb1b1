// Writes one valid message of every type into the folder given as the first argument, each in
// its own file, as the seed corpus of fuzz_protocol. Each is also written with the byte 'L' in
// front, which fuzz_protocol reads as "fix the payload size", and a published type with its
// topic in front, the form fuzz_protocol reads as published.

#include "protocol.h"

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace bourse;
using namespace bourse::net;

std::vector<Event> sampleEvents(InstrumentId instrument)
{
    return {
        Event{1, Timestamp{10}, instrument,
              OrderAdded{OrderId{1}, Side::Buy, Price{100}, Quantity{5}, OrderOrigin::OrderEntry}},
        Event{2, Timestamp{11}, instrument,
              Trade{OrderId{1}, OrderId{2}, Side::Sell, Price{100}, Quantity{2}, Quantity{3},
                    AccountId{1}, AccountId{2}}},
        Event{3, Timestamp{12}, instrument,
              TopOfBook{Price{100}, Quantity{3}, Price{101}, Quantity{4}}},
        Event{4, Timestamp{13}, instrument,
              OrderRejected{OrderId{3}, RejectReason::RiskLimit, ClientOrderId{9}, AccountId{2}}},
    };
}

Message message(Body body, std::uint32_t streamId = 0, std::uint64_t sequence = 1,
                std::uint16_t flags = 0)
{
    Message result;
    result.header.streamId = streamId;
    result.header.sequence = sequence;
    result.header.flags = flags;
    result.body = std::move(body);
    return result;
}

std::vector<Message> samples()
{
    NewOrder order;
    order.clientOrderId = ClientOrderId{42};
    order.account = AccountId{3};
    order.instrument = InstrumentId{1};
    order.type = OrderType::StopLimit;
    order.limit = Price{10050};
    order.stopPrice = Price{10040};
    order.quantity = Quantity{100};

    ErrorReply error;
    error.code = ProtocolError::InvalidEnum;
    error.messageType = 16;
    error.sequence = 7;
    error.offset = 36;
    error.field = {'s', 'i', 'd', 'e'};

    return {
        message(Hello{}),
        message(Welcome{kProtocolVersion, 1000, 77}),
        message(Heartbeat{Timestamp{1'765'000'000'000'000'000}, 1000, 77}, 0, 0),
        message(order),
        message(CancelOrder{ClientOrderId{43}, AccountId{3}, OrderId{17}}),
        message(ReplaceCommand{ClientOrderId{44}, AccountId{3},
                               ReplaceOrder{OrderId{17}, Price{10060}, Quantity{50}, Price{}}}),
        message(MassCancelCommand{ClientOrderId{45}, MassCancel{AccountId{3}, InstrumentId{}}}),
        message(KillSwitchCommand{ClientOrderId{46}, AccountId{3}, KillSwitchScope::CancelAll}),
        message(CommandAccepted{MessageType::NewOrder, ClientOrderId{42}, AccountId{3}, OrderId{17},
                                900, 0}),
        message(CommandRejected{MessageType::CancelOrder, ClientOrderId{43}, AccountId{3},
                                OrderId{17}, 901, RejectReason::UnknownOrder}),
        message(error),
        message(MarketDataBatch{sampleEvents(InstrumentId{1})}, 1, 12),
        message(ExecutionReportBatch{sampleEvents(InstrumentId{1})}, 2, 5),
        message(SnapshotRequest{StreamKind::Instrument, 1}),
        message(SnapshotPart{StreamKind::Instrument, 1, 12, 4, sampleEvents(InstrumentId{1})}, 0, 1,
                kLastPartFlag),
    };
}

std::optional<Topic> topicFor(const Message &message)
{
    switch (message.header.type) {
    case MessageType::MarketDataBatch:
        return topicOf(StreamKind::Instrument, message.header.streamId);
    case MessageType::ExecutionReportBatch:
        return topicOf(StreamKind::Account, message.header.streamId);
    case MessageType::Heartbeat:
        return topicOf(StreamKind::Heartbeat, 0);
    default:
        return std::nullopt;
    }
}

bool writeFile(const std::string &path, const std::vector<std::uint8_t> &bytes)
{
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char *>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(file);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: protocol_seed_corpus FOLDER\n");
        return 2;
    }
    const std::string folder = argv[1];
    std::vector<std::uint8_t> bytes;
    int index = 0;
    for (Message &sample : samples()) {
        encodeMessage(sample, bytes);
        sample.header.type = *typeOf(sample.body);
        const std::string name =
            folder + "/" + std::to_string(index++) + "-" + std::string(nameOf(sample.header.type));
        if (!writeFile(name, bytes)) {
            std::fprintf(stderr, "cannot write %s\n", name.c_str());
            return 1;
        }
        std::vector<std::uint8_t> fixLength = bytes;
        fixLength.insert(fixLength.begin(), std::uint8_t{'L'});
        if (!writeFile(name + "-fix-length", fixLength)) {
            std::fprintf(stderr, "cannot write %s-fix-length\n", name.c_str());
            return 1;
        }
        if (const std::optional<Topic> topic = topicFor(sample)) {
            bytes.insert(bytes.begin(), topic->begin(), topic->end());
            if (!writeFile(name + "-published", bytes)) {
                std::fprintf(stderr, "cannot write %s-published\n", name.c_str());
                return 1;
            }
        }
    }

    // A packed batch decodes to the MarketDataBatch body, so the writer makes its bytes.
    BatchWriter writer(bytes);
    writer.beginPackedMarketData(InstrumentId{1}, 12);
    for (const Event &event : sampleEvents(InstrumentId{1}))
        writer.append(event);
    writer.finish();
    const std::string name = folder + "/" + std::to_string(index) + "-PackedMarketDataBatch";
    const Topic topic = topicOf(StreamKind::Instrument, 1);
    std::vector<std::uint8_t> published(topic.begin(), topic.end());
    published.insert(published.end(), bytes.begin(), bytes.end());
    if (!writeFile(name, bytes) || !writeFile(name + "-published", published)) {
        std::fprintf(stderr, "cannot write %s\n", name.c_str());
        return 1;
    }
    return 0;
}
