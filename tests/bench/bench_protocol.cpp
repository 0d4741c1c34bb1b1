// Measures the wire protocol's encoder and decoder on market-data batches. Prints, for several
// batch sizes, the median over runs of events per second and batches per second.
//
//   bench_protocol [EVENTS_PER_RUN]
//
// The workload: a repeating cycle of OrderAdded, Trade, OrderCancelled and TopOfBook events of
// one instrument (28, 51, 28 and 34 bytes in the event codec, 22 more per record), packed into
// batches of 1, 16, 64 and 256 events. Encoding is BatchWriter into one reused buffer; decoding
// is decodeMessage into one reused Message, every field validated. No ZeroMQ is involved.

#include "protocol.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace bourse;
using namespace bourse::net;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kRuns = 7;

Event eventAt(std::size_t index)
{
    const auto id = OrderId{1000 + index};
    const Timestamp time{34'200'000'000'000 + static_cast<std::int64_t>(index) * 1'000};
    const InstrumentId instrument{1};
    const SequenceNumber sequence = index + 1;
    const Price price{10'000 + static_cast<std::int64_t>(index % 50)};
    switch (index % 4) {
    case 0:
        return Event{sequence, time, instrument,
                     OrderAdded{id, Side::Buy, price, Quantity{100}, OrderOrigin::OrderEntry}};
    case 1:
        return Event{sequence, time, instrument,
                     Trade{id, OrderId{id.value() + 1}, Side::Sell, price, Quantity{40},
                           Quantity{60}, AccountId{2}, AccountId{3}}};
    case 2:
        return Event{sequence, time, instrument,
                     OrderCancelled{id, Side::Buy, price, Quantity{60}, CancelReason::Requested}};
    default:
        return Event{sequence, time, instrument,
                     TopOfBook{price, Quantity{500}, Price{price.value() + 1}, Quantity{700}}};
    }
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

struct Rates {
    double encodedEventsPerSecond = 0;
    double decodedEventsPerSecond = 0;
    std::size_t bytesPerBatch = 0;
};

Rates measure(const std::vector<Event> &events, std::size_t batchSize)
{
    const std::size_t batches = events.size() / batchSize;
    std::vector<std::uint8_t> buffer;
    std::vector<std::vector<std::uint8_t>> encoded(batches);
    std::vector<double> encodeRates;
    std::vector<double> decodeRates;
    Rates rates;

    for (int run = 0; run < kRuns; ++run) {
        BatchWriter writer(buffer);
        const auto start = Clock::now();
        for (std::size_t b = 0; b < batches; ++b) {
            writer.beginMarketData(InstrumentId{1}, b + 1);
            for (std::size_t i = b * batchSize; i < (b + 1) * batchSize; ++i)
                writer.append(events[i]);
            const std::span<const std::uint8_t> bytes = writer.finish();
            if (run == 0)
                encoded[b].assign(bytes.begin(), bytes.end());
        }
        const std::chrono::duration<double> seconds = Clock::now() - start;
        encodeRates.push_back(static_cast<double>(batches * batchSize) / seconds.count());
    }
    rates.bytesPerBatch = encoded.front().size();

    Message message;
    for (int run = 0; run < kRuns; ++run) {
        std::size_t decodedEvents = 0;
        const auto start = Clock::now();
        for (const std::vector<std::uint8_t> &bytes : encoded) {
            if (decodeMessage(bytes, message)) {
                std::fprintf(stderr, "bench_protocol: a batch failed to decode\n");
                std::exit(1);
            }
            decodedEvents += std::get<MarketDataBatch>(message.body).events.size();
        }
        const std::chrono::duration<double> seconds = Clock::now() - start;
        decodeRates.push_back(static_cast<double>(decodedEvents) / seconds.count());
    }

    rates.encodedEventsPerSecond = median(encodeRates);
    rates.decodedEventsPerSecond = median(decodeRates);
    return rates;
}

} // namespace

int main(int argc, char **argv)
{
    const std::size_t eventCount = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'048'576;
    if (eventCount < 256) {
        std::fprintf(stderr, "usage: bench_protocol [EVENTS_PER_RUN], at least 256\n");
        return 2;
    }
    std::vector<Event> events;
    events.reserve(eventCount);
    for (std::size_t i = 0; i < eventCount; ++i)
        events.push_back(eventAt(i));

    std::printf("%zu events per run, median of %d runs\n", eventCount, kRuns);
    std::printf("%8s %12s %16s %16s %16s\n", "batch", "bytes/batch", "encode events/s",
                "decode events/s", "decode batches/s");
    for (const std::size_t batchSize : {1u, 16u, 64u, 256u}) {
        const Rates rates = measure(events, batchSize);
        std::printf("%8zu %12zu %16.0f %16.0f %16.0f\n", batchSize, rates.bytesPerBatch,
                    rates.encodedEventsPerSecond, rates.decodedEventsPerSecond,
                    rates.decodedEventsPerSecond / static_cast<double>(batchSize));
    }
    return 0;
}
