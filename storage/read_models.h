#pragma once

#include "events.h"
#include "journal.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace bourse::storage {

// Read models: projections of the event stream into plain SQLite tables, in a file of their
// own beside the journal, for anyone to query with the sqlite3 shell or another SQLite tool.
// They are derived data: dropped and rebuilt from the journal at any time.
//
// Tables (the `about` table of the file describes every column and its unit):
//   orders         one row per order accepted or rejected, with its current state
//   fills          one row per side of each trade that names an order
//   trades         the tape: one row per trade
//   positions      per account and instrument: signed quantity, cost of the open lots,
//                  realized P&L (FIFO), fill count, and a derived average price
//   position_lots  the open lots behind each position, oldest first
//   bars           OHLCV per instrument and time frame (1 s, 1 min, 5 min, 1 h)
//   auctions       one row per auction uncrossing
//   instruments    definitions and current status; price_decimals and quantity_decimals
//                  scale the integer prices and quantities of every table
//   accounts       portfolio accounts: settings, cash balance, fees paid and realized P&L;
//                  money_decimals scales the money columns of the account's rows
//   account_positions  per account and instrument, from the posted fills: quantity, realized
//                  P&L (weighted average cost), fees, fill count and last fill price
//   risk_limits    per account, the default limits (instrument 0) and the limits in effect in
//                  each instrument it overrides, with the overridden fields
//   kill_switches  the current scope of each account's switch and of the global one (account 0)
//   risk_rejections  one row per pre-trade risk rejection, with its values and explanation
//   risk_alerts    one row per crossing of 80% or 100% of a limit's use
//   projection     format version, the journal's identity, the last projected sequence number
//                  and the journal's chain hash there
// Prices and quantities stay integers in the journal's units; times are nanoseconds.
// ReadModelReader (read_model_queries.h) reads the tables into plain structs.

// The views file of a journal: the journal's path with "-views" appended, as in
// "day.journal" -> "day.journal-views". SQLite's own files for it then end in
// "-views-wal" and "-views-shm".
std::string viewsPathFor(const std::string &journalPath);

enum class ReadModelErrorKind : std::uint8_t {
    OpenFailed,         // the views file cannot be opened or created
    NotReadModels,      // not an SQLite database, or one of another application
    UnsupportedFormat,  // written in a newer read-model format than this build reads
    ViewsDamaged,       // a views file with tables or metadata missing or malformed
    DatabaseCorrupt,    // SQLite found the file's pages malformed
    SqliteFailed,       // an SQLite call failed; the message is SQLite's
    JournalFailed,      // the journal cannot be opened or read; file and sequence are the journal's
    SequenceOutOfOrder, // a live event that does not follow the last projected one
    InconsistentEvent,  // an event that does not fit the projected state, or overflows a column
    ConcurrentWriter,   // another writer changed the views file since this one last committed
    WriterClosed,       // an event handed over after close()
};

struct ReadModelError {
    ReadModelErrorKind kind = ReadModelErrorKind::SqliteFailed;
    std::string file;
    SequenceNumber sequence = 0; // the event concerned; 0 when the error is about the whole file
    std::string what;

    // "<file>: sequence <n>: <what>", without the sequence part when it is 0.
    std::string toString() const;
};

// The reason a catch-up dropped the projection and started again from the journal's first
// event.
enum class RebuildReason : std::uint8_t {
    None = 0,
    Requested,         // rebuildReadModels() or ReadModelWriter::rebuild() asked for it
    OlderFormat,       // the views file was written in an older read-model format
    DifferentJournal,  // the journal's first event has another chain hash than the projected one
    JournalShorter,    // the journal ends before the last projected sequence number
    ChainHashMismatch, // the journal's chain hash at the last projected event differs
};

std::string_view nameOf(RebuildReason reason);

struct CatchUpResult {
    SequenceNumber lastSequence = 0; // the last projected event afterwards
    std::uint64_t lastHash = 0;      // the journal's chain hash at lastSequence
    std::uint64_t eventsProjected = 0;
    RebuildReason rebuildReason = RebuildReason::None;
    std::string rebuildDetail; // the sequence numbers and hashes that differed, when rebuilt
    std::optional<ReadModelError> error;
};

struct ReadModelOptions {
    // Events per transaction. Large transactions spread the cost of a commit over many events,
    // and a reader of the views file reads the projection as of the last commit.
    std::size_t eventsPerTransaction = 50'000;

    // At the end of a live batch (onBatchEnd), pending events are committed once the last
    // commit is at least this old, which bounds how stale the views are when the flow is too
    // slow to fill a transaction.
    std::chrono::milliseconds commitInterval{250};

    // When set and true, a catch-up stops before its next event, commits what it projected and
    // returns without an error, so an owner that is shutting down need not wait for a long
    // rebuild. The next catch-up goes on from there.
    const std::atomic<bool> *stopRequested = nullptr;
};

// Projects events into a views file, live as an EventHandler, from a journal with catchUp(),
// or both: catch up first, then add the writer to the engine.
//
// Every transaction also records the last projected sequence number and the journal's chain
// hash there, so the file always contains a projection of a prefix of the journal. The chain hash
// of a live event is computed as the journal writer computes it (the event's encoded payload,
// checksum and the previous hash), so live projection and catch-up leave the same metadata.
//
// The first error stops the writer: it projects nothing after it, and rolls back the
// transaction in progress, so the file keeps the projection as of the last commit.
//
// Single thread: every call must come from one thread, normally the engine thread when live.
// The views file is opened in WAL mode, so other processes may read it meanwhile. Only one
// writer may write to a views file at a time. A second one fails with ConcurrentWriter when it
// begins its next transaction after the first one committed.
//
// NOTE: projecting a simulator flow costs about 2 microseconds of processor time per event,
// mostly SQLite inserts (measured with SQLite 3.40 on a shared two-core AMD EPYC machine),
// several times what the engine and the journal writer spend. On the engine thread the writer
// thus limits a flow to roughly half a million events a second; a faster flow is better
// projected by catchUp() on another thread.
class ReadModelWriter final : public EventHandler {
public:
    struct Opened {
        std::unique_ptr<ReadModelWriter> writer; // null when error is set
        std::optional<ReadModelError> error;
    };

    // Opens the views file at `path`, creating it when it does not exist or is an empty
    // SQLite database. A file that is not SQLite, a database of another application (another
    // application id, or tables without a views file's id), and a views file of a newer format
    // are errors, and the file is left unchanged. A views file of an older format is emptied,
    // and the next catchUp() rebuilds it with RebuildReason::OlderFormat.
    static Opened open(const std::string &path, const ReadModelOptions &options = {});

    // Commits pending events and closes the file. Errors are dropped here: call close() first
    // to see them.
    ~ReadModelWriter() override;

    ReadModelWriter(const ReadModelWriter &) = delete;
    ReadModelWriter &operator=(const ReadModelWriter &) = delete;

    // Projects a live event. TopOfBook and DepthLevel, which are derived market data, are
    // ignored; every other event must follow the last projected one.
    void onEvent(const Event &event) override;
    void onBatchEnd() override;
    std::string failure() const override; // the writer's first error as text, if any

    // Projects the journal's events after lastSequence(), first checking that the journal is
    // the one projected so far. A reader that has returned no event yet starts after
    // lastSequence() (JournalReader::startAfter). The journal's event there must carry the
    // chain hash the views file records, and every event after it is checked. The events
    // before it are not read, so a catch-up with nothing new reads one chunk of the journal.
    // When that event's hash differs, the journal is read from its first event, whose chain
    // hash distinguishes a different journal from one that differs later. A reader that has
    // returned events up to lastSequence() or fewer reads on from there, checking the chain hashes
    // of the first event and of the event at lastSequence() as it passes them. When the hashes
    // differ, or the journal is shorter, the projection is dropped and rebuilt from the
    // journal's first event, and the result states the reason. When the reader has returned
    // later events, and for a rebuild, a new reader is opened on reader.path(). A rebuild
    // commits the empty tables first, so readers of the file see them fill up.
    //
    // A catch-up of 1,000 new events on a journal of a million takes about 3 ms, and one with
    // nothing new about 0.3 ms (bench_read_models; docs/journal.md gives the machine).
    //
    // NOTE: damage in the journal before lastSequence() goes unseen by a catch-up that starts
    // after it, as it does by a restart from a snapshot. `bourse-engine journal verify` and a
    // rebuild read every event.
    CatchUpResult catchUp(JournalReader &reader);

    // Drops the projection and projects the whole journal, opening a new reader on
    // reader.path() when this one has returned events already.
    CatchUpResult rebuild(JournalReader &reader);

    // Drops every table and creates them empty, in one transaction; pending events are
    // discarded.
    std::optional<ReadModelError> reset();

    // Commits the events projected so far. Returns the writer's first error, if it has one.
    std::optional<ReadModelError> flush();

    // Commits and closes the file. Events handed over later are rejected as WriterClosed.
    std::optional<ReadModelError> close();

    const std::optional<ReadModelError> &error() const;

    // The last projected event, committed or not; 0 when nothing is projected.
    SequenceNumber lastSequence() const;

    // The journal's chain hash at lastSequence(); 0 when nothing is projected.
    std::uint64_t lastHash() const;

    const std::string &path() const;

private:
    struct State;
    explicit ReadModelWriter(std::unique_ptr<State> state);

    void project(const Event &event, std::uint64_t hash);
    bool beginTransaction();
    bool commitTransaction();
    void fail(ReadModelErrorKind kind, SequenceNumber sequence, std::string what);
    // The event at which catchUpFrom() starts a reader that has returned no event yet.
    enum class JournalStart : std::uint8_t {
        AfterProjected, // after lastSequence(), with JournalReader::startAfter
        FirstEvent,     // at the journal's first event, checking it
    };

    CatchUpResult catchUpFrom(JournalReader &reader, RebuildReason rebuildReason,
                              std::string rebuildDetail, JournalStart start);
    CatchUpResult rebuildFrom(const std::string &journalPath, ReaderAccess access,
                              RebuildReason reason, std::string detail);

    std::unique_ptr<State> m_state;
};

// Opens the views file and projects the journal's new events into it, rebuilding when the
// journal is not the one projected so far (see ReadModelWriter::catchUp). An error opening or
// reading the journal leaves the views file as it was, with the events read before committed.
// Opening the views file loads its open orders and positions, and closing it checkpoints its
// WAL when no other connection has the file open, so this costs a few milliseconds more than a
// catch-up with a writer kept open. A thread that catches up again and again keeps a
// ReadModelWriter open instead.
CatchUpResult catchUpReadModels(const std::string &journalPath, const std::string &viewsPath,
                                const ReadModelOptions &options = {});

// Drops the read models and rebuilds them from the whole journal. The views file is opened
// and checked first and the journal opened next, so a file that is not a views file, or a
// journal that cannot be opened, leaves the views file unchanged.
CatchUpResult rebuildReadModels(const std::string &journalPath, const std::string &viewsPath,
                                const ReadModelOptions &options = {});

} // namespace bourse::storage
