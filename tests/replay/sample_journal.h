#pragma once

#include "engine.h"
#include "journal.h"
#include "journaled_run.h"
#include "session_market.h"
#include "simulator_set.h"

#include <cstdint>
#include <optional>
#include <string>

namespace bourse::replay::testing {

// The first market time of a sample journal: 2023-11-14 22:13:20 UTC, as Unix nanoseconds.
inline constexpr std::int64_t kSampleJournalStart = 1'700'000'000'000'000'000;
// The market time between two commands of a sample journal.
inline constexpr std::int64_t kSampleJournalStep = 1'000'000; // 1 ms

// Writes a journal of a simulated market like the terminal's: the five default instruments,
// the trader's accounts, and the synthetic flow, with one trader order every `traderEvery`
// commands: an IOC limit order of the default account at the best price of the other side,
// buying twice as often as selling, so that positions build up. Commands are kSampleJournalStep
// apart in market time. It stops after the command that reaches `events` events, and takes a
// snapshot every `snapshotEvery` events and at the end. Returns the error that stopped the
// journal, if any.
inline std::optional<storage::JournalError>
writeSampleJournal(const std::string &path, std::uint64_t events, std::uint64_t snapshotEvery,
                   std::uint64_t traderEvery = 40, std::uint64_t seed = 7)
{
    storage::JournalWriterOptions options;
    options.synchronous = storage::SynchronousMode::Normal;
    storage::JournalWriter::Created created = storage::JournalWriter::create(path, options);
    if (!created.writer)
        return created.error;

    Engine engine;
    app::JournaledRun run(std::move(created.writer), engine, snapshotEvery);
    engine.addHandler(&run);
    Timestamp time{kSampleJournalStart};
    const auto instruments = session::defaultInstruments();
    session::setUpMarket(engine, instruments, time);
    SimulatorSet simulators(seed, session::simulatorMembers(engine, instruments), engine);
    simulators.prime(engine, time);

    const AccountId trader = session::traderAccounts().front().settings.id;
    const InstrumentId traded = engine.instruments().front();
    for (std::uint64_t command = 1; engine.lastSequence() < events; ++command) {
        time = Timestamp{time.value() + kSampleJournalStep};
        if (command % traderEvery != 0) {
            simulators.step(engine, time);
            engine.endBatch();
            continue;
        }
        const OrderBook &book = *engine.book(traded);
        const Side side = command % (3 * traderEvery) == 0 ? Side::Sell : Side::Buy;
        const Side opposite = side == Side::Buy ? Side::Sell : Side::Buy;
        if (book.levelCount(opposite) == 0)
            continue;
        NewOrder order;
        order.side = side;
        order.type = OrderType::Limit;
        order.timeInForce = TimeInForce::Ioc;
        order.limit = book.level(opposite, 0).price;
        order.quantity = engine.definition(traded)->lotSize;
        order.instrument = traded;
        order.account = trader;
        engine.submit(order, time);
    }
    return run.finish();
}

} // namespace bourse::replay::testing
