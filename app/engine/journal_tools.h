#pragma once

// bourse-engine journal inspect and export: events of a journal as readable lines, JSON or CSV,
// read through storage::JournalReader and chosen by sequence range, type, instrument and order.

#include "event_text.h"
#include "events.h"
#include "journal.h"

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bourse::cli {

// Each takes the arguments after its action name and returns the process exit status.
int runJournalInspectCommand(const std::vector<std::string> &arguments);
// bourse-engine journal records FILE: the records the journal keeps beside its events, such as
// the training scenario a run played (journal_records.cpp).
int runJournalRecordsCommand(const std::vector<std::string> &arguments);
int runJournalExportCommand(const std::vector<std::string> &arguments);

namespace journal_tools {

// The events a command shows: every condition that is set must hold.
struct EventFilter {
    SequenceNumber from = 1;
    SequenceNumber to = std::numeric_limits<SequenceNumber>::max();
    std::bitset<256> types; // by EventType value; with none set, every type matches
    std::optional<InstrumentId> instrument;
    std::optional<OrderId> order;       // the order an event changes, or a trade's maker or taker
    std::optional<std::uint64_t> limit; // the maximum number of events shown

    bool matches(const Event &event) const;
};

enum class ExportFormat : std::uint8_t { Csv, Json };

// The command line of inspect or export. Options the action does not take are rejected.
struct ToolArguments {
    std::string path;
    EventFilter filter;
    bool json = false; // inspect: one JSON object per line
    std::optional<ExportFormat> format;
    std::string output; // export: empty writes to standard output
    bool force = false; // export: replace an existing output file
    bool help = false;
};

enum class ToolAction : std::uint8_t { Inspect, Export };

// Parses the arguments after the action name. Returns nothing after printing a message that
// names the invalid argument to standard error.
std::optional<ToolArguments> parseToolArguments(ToolAction action,
                                                const std::vector<std::string> &arguments);

// The event types in EventType order, and their nameOf() names.
const std::vector<EventType> &allEventTypes();
std::vector<std::string> eventTypeNames();

// Words separated by ", " in lines of at most 88 characters, each line indented by `indent`
// spaces and ended with a newline, for usage texts.
std::string wrapList(const std::vector<std::string> &words, std::size_t indent);

// Instrument definitions from the InstrumentAdded events read so far, so that prices and
// quantities of later events can be shown in their instrument's decimals.
class KnownInstruments {
public:
    // Records the definition an InstrumentAdded event carries. Other events change nothing.
    void observe(const Event &event);

    // nullptr while no InstrumentAdded has defined the instrument.
    const InstrumentDefinition *find(InstrumentId id) const;

    // The names event_text uses for readable lines, with the known instruments added.
    const EventNames &names() const { return m_names; }

private:
    std::unordered_map<std::uint32_t, InstrumentDefinition> m_definitions;
    EventNames m_names;
};

// The outcome of reading a journal: how far the chain was verified and which events matched.
struct ReadSummary {
    SequenceNumber lastRead = 0; // the last event the reader returned, verified
    std::uint64_t matched = 0;
    SequenceNumber firstMatched = 0;
    SequenceNumber lastMatched = 0;
    std::optional<storage::JournalError> error;
};

// Reads events in sequence order and hands those the filter matches to `emit`, which returns
// false to stop after a failed write. Reading ends after the filter's last sequence or limit,
// after `stopAfter`, at the end of the journal, or at the first damaged row.
template <typename Emit>
ReadSummary readJournal(storage::JournalReader &reader, const EventFilter &filter,
                        KnownInstruments &instruments, Emit &&emit,
                        SequenceNumber stopAfter = std::numeric_limits<SequenceNumber>::max())
{
    ReadSummary summary;
    const SequenceNumber last = std::min(filter.to, stopAfter);
    const std::uint64_t limit = filter.limit.value_or(std::numeric_limits<std::uint64_t>::max());
    while (summary.matched < limit && reader.lastSequence() < last) {
        const std::optional<Event> event = reader.next();
        if (!event) {
            break;
        }
        instruments.observe(*event);
        if (!filter.matches(*event)) {
            continue;
        }
        if (summary.matched++ == 0) {
            summary.firstMatched = event->sequence;
        }
        summary.lastMatched = event->sequence;
        if (!emit(*event)) {
            break;
        }
    }
    summary.lastRead = reader.lastSequence();
    summary.error = reader.error();
    return summary;
}

// Prints "bourse-engine journal <action>: <error>" to standard error. Returns InputError for a
// file that cannot be opened or is not a journal, CheckFailed for a damaged or unreadable one.
int reportReaderError(ToolAction action, const storage::JournalError &error);

std::string_view actionName(ToolAction action);

// Buffered output to a file descriptor that keeps the first write error.
class OutputBuffer {
public:
    explicit OutputBuffer(int fileDescriptor);

    // Appends, and writes the buffer out once it is full.
    void append(std::string_view text)
    {
        m_buffer.append(text);
        if (m_buffer.size() >= kCapacity) {
            writeOut();
        }
    }
    void appendNumber(std::int64_t value);
    void appendNumber(std::uint64_t value);

    // Writes out what is buffered. Returns false once any write has failed.
    bool flush();

    bool failed() const { return m_errorNumber != 0; }
    int errorNumber() const { return m_errorNumber; }

private:
    // Output goes to the file descriptor in writes of about this size.
    static constexpr std::size_t kCapacity = 1 << 20;

    void writeOut();

    int m_fileDescriptor;
    std::string m_buffer;
    int m_errorNumber = 0;
};

// The columns of a CSV export and the keys of a JSON event, in order: the event's sequence,
// time, instrument and type, then every payload field of every event type. A price or a
// quantity column is followed by its "_decimal" column.
std::vector<std::string> csvColumns();

// Appends one event as a JSON object without a line end. `known` is the definition of the
// event's instrument from this or an earlier InstrumentAdded, or nullptr when there is none.
void appendJsonEvent(OutputBuffer &out, const Event &event, const InstrumentDefinition *known);

// Appends the CSV header row, or one event as a CSV row, each ending with CRLF (RFC 4180).
void appendCsvHeader(OutputBuffer &out);
void appendCsvEvent(OutputBuffer &out, const Event &event, const InstrumentDefinition *known);

} // namespace journal_tools

} // namespace bourse::cli
