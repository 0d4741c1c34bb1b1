#pragma once

#include "engine.h"
#include "lobster.h"
#include "replay_feed.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace bourse::lobster {

// The first row where the book differed from the orderbook file, with both sides in full.
struct Mismatch {
    std::size_t row = 0; // 1-based, the same as the line in both files
    BookRow expected;
    BookRow actual;
};

struct ReplaySummary {
    std::size_t messages = 0;
    std::size_t trades = 0; // execution messages (types 4, 5 and 6): the exchange's trades
    // Trade events of the engine. One execution can fill several orders of the book, when
    // the replay split the quantity it recovered at a price, so this can exceed trades.
    std::size_t fills = 0;
    std::size_t checkedRows = 0;
    std::size_t checkedLevels = 0; // levels compared per row
    std::size_t mismatches = 0;
    std::optional<Mismatch> firstMismatch;
    std::size_t recoveredLevels = 0;     // levels set from the orderbook file, see Replay
    std::size_t unexplainedMessages = 0; // messages naming quantity the book did not hold
    std::chrono::nanoseconds elapsed{0};

    double messagesPerSecond() const;
};

// Replays a LOBSTER message file through an Engine, one message a step, and, given the
// orderbook file, checks the top levels after every message.
//
// The messages decide the book wherever they describe it. The orderbook file is used only for
// what no message describes: the book before the first message, and a level that comes up into
// the top levels from beyond them, where its size may have changed unseen. Such quantity enters
// the book as orders of origin Recovered, so the journal records it like any other change.
class Replay {
public:
    struct Options {
        std::string messagePath;
        std::string orderbookPath; // empty: no check, no recovery
        std::size_t levels = 0;    // levels to check; 0 means every level of the file
    };

    explicit Replay(Engine &engine);
    ~Replay();
    Replay(const Replay &) = delete;
    Replay &operator=(const Replay &) = delete;

    std::optional<InputError> open(const Options &options);

    enum class Step { Applied, Finished, Failed };

    // Applies the next message and checks its orderbook row. Failed means the input is
    // malformed or the files disagree in length; error() names the file, the line and the problem.
    Step step();

    // Time of the next message, for pacing; nothing at the end.
    std::optional<Timestamp> nextTime() const;

    const ReplaySummary &summary() const { return m_summary; }
    const std::optional<InputError> &error() const { return m_error; }

private:
    Step finish();
    std::optional<InputError> openOrderbook(const std::string &path, std::size_t levels);
    void updateCounters();
    void seed(const Message &first);
    bool check(const Message &message);
    void resynchronize(const BookRow &row, Timestamp time);
    void removeHiddenLevels(Side side, Price boundary, const std::vector<BookRow::Level> &shown,
                            bool full, Timestamp time);
    void setLevel(Side side, Price price, Quantity target, Timestamp time);
    void compare(const BookRow &row);

    struct State;
    std::unique_ptr<State> m_state;
    Engine &m_engine;
    ReplaySummary m_summary;
    std::optional<InputError> m_error;
};

// Opens a LOBSTER day as a ReplayFeed on `engine`, an Engine(InstrumentId) of one book, checked
// against its orderbook file when `options` names one. Returns null and sets `error`, naming
// the file and the line, when a file cannot be read.
std::unique_ptr<ReplayFeed> openLobsterFeed(const Replay::Options &options, Engine &engine,
                                            std::string &error);

} // namespace bourse::lobster
