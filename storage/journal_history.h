#pragma once

#include "journal.h"
#include "trader_history.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::storage {

namespace format {
struct StoredEvent;
}

// A journal read from its last event back, one chunk at a time, for readers of an EventHistory
// such as readTraderHistory(), which need the newest events and not the whole journal.
//
// Every event is checked as JournalReader checks it: its checksum, its payload, and its hash
// against the hash of the event before it, which is the last one of the next older chunk, read
// ahead for that. The last event must be the one the metadata records. The first failed check
// stops the reading with an error that names the file and the sequence number, and the chunks
// returned before it passed every check.
//
// A chunk ends where a command ended, so each run that readOlder() returns is a chunk. A
// journal in format version 1 has no chunks: each of its rows is a run of its own.
// NOTE: a command of a version 1 journal may therefore span two runs.
//
// It reads one snapshot of the file in one read transaction, which it keeps open until it is
// destroyed or has read the first event. A writer may append meanwhile, but a checkpoint cannot
// pass the snapshot, so destroy it once done. The calls belong to one thread at a time.
class JournalHistory final : public EventHistory {
public:
    struct Opened {
        std::unique_ptr<JournalHistory> history; // null when error is set
        std::optional<JournalError> error;
    };

    // Opens the journal at `path` and reads its metadata, as JournalReader::open() does.
    static Opened open(const std::string &path, ReaderAccess access = ReaderAccess::Shared);

    ~JournalHistory() override;
    JournalHistory(const JournalHistory &) = delete;
    JournalHistory &operator=(const JournalHistory &) = delete;

    bool readOlder(std::vector<Event> &events) override;
    std::string error() const override;

    // The error that stopped the reading, if any.
    const std::optional<JournalError> &journalError() const;

private:
    struct State;
    explicit JournalHistory(std::unique_ptr<State> state);

    bool fetchRun(std::vector<format::StoredEvent> &run);
    bool fetchChunk(std::vector<format::StoredEvent> &run);
    bool fetchVersion1Row(std::vector<format::StoredEvent> &run);
    bool checkNewest();
    void fail(JournalErrorKind kind, SequenceNumber sequence, std::string what);
    void finish();

    std::unique_ptr<State> m_state;
};

} // namespace bourse::storage
