#pragma once

#include "journal.h"

#include <cstdint>
#include <optional>
#include <string>

namespace bourse::storage {

// The outcome of a full check of a journal.
struct JournalVerification {
    std::uint64_t events = 0;          // events read and found intact
    SequenceNumber lastSequence = 0;   // the last of them
    std::uint64_t lastHash = 0;        // its chain hash
    std::optional<JournalError> error; // the first damage; none when every check passes
    // The sequence of the snapshot the error is about, when the events were found intact.
    std::optional<SequenceNumber> damagedSnapshot;
    // The id of the record the error is about, when the events and snapshots were found intact.
    std::optional<std::int64_t> damagedRecord;
};

// Checks a whole journal as `bourse-engine journal verify` does. Every event's checksum, payload
// and place on the hash chain are checked. So is every snapshot: its checksum, that its chain
// hash is the one of the event it follows, and that it is not past the last event. A snapshot that
// fails is damage like a broken event, because whoever restores from it would rebuild another
// state, and its error names the snapshot's sequence. Every record is checked last: its
// checksum, that the event it follows exists, and that its chain hash is that event's (0 for a
// record before the first event). Its error names the record's id and kind.
JournalVerification verifyJournal(const std::string &path);

} // namespace bourse::storage
