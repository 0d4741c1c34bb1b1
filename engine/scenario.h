#pragma once

// Scenarios: plain-text files of engine commands and expectations, one per line, that a trader
// or a trainer can read and write. docs/scenarios.md describes the language. A short example:
//
//     instrument ABC tick 0.01 lot 1
//     sell ABC 100 @ 12.51 as A
//     buy ABC 150 @ 12.52 ioc as B
//     expect trade ABC 100 @ 12.51 maker A taker B buy
//     expect cancelled B 50 unfilled
//
// parseScenario reads the whole text first and converts every price and size to integer units
// of its instrument, so a malformed file stops before anything runs. runScenario drives a fresh
// Engine with the commands and checks the expectations.

#include "engine.h"
#include "event_text.h"
#include "money.h"

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bourse::scenario {

// A place in a scenario file. Both numbers count from 1, and 0 means "the whole file".
struct Location {
    std::size_t line = 0;
    std::size_t column = 0;
};

struct ParseError {
    std::string file;
    Location location;
    std::string message;

    // "file:line:column: error: message"
    std::string toString() const;
};

struct AddInstrumentCommand {
    InstrumentDefinition definition;
};

struct ConfigureAccountCommand {
    AccountConfigured configuration;
};

// Opens a portfolio account, after setting its defaults when the line names a self-trade
// prevention mode.
struct OpenAccountCommand {
    AccountSettings settings;
    Money openingBalance;
    std::optional<AccountConfigured> configuration;
};

struct SubmitCommand {
    NewOrder order;
};

struct CancelCommand {
    OrderId id;
};

// Fields left empty keep the order's current value when the command runs.
struct ReplaceCommand {
    OrderId id;
    std::optional<Quantity> quantity;
    std::optional<Price> limit;
    std::optional<Price> stopPrice;
};

struct MassCancelCommand {
    MassCancel scope;
};

struct StatusCommand {
    InstrumentId instrument;
    TradingStatus status;
};

// Moves the scenario clock to `time` and lets the engine expire GTD orders.
struct ClockCommand {
    Timestamp time;
};

// Replaces the engine with a fresh one loaded from the old one's snapshot, as a restart from a
// snapshot does.
struct RestartCommand {};

// The next event of the command before it must match every field of the pattern. Fields the
// pattern leaves out are not compared.
struct ExpectEventCommand {
    EventDescription pattern;
};

// The command before it produced no events beyond the ones already expected, apart from order
// acceptances, which expectations may leave out.
struct ExpectNoMoreEventsCommand {};

struct ExpectedLevel {
    Price price;
    Quantity quantity;
    std::optional<std::vector<OrderId>> queue; // front to back, or not compared when empty
};

// A side without a value is not compared, and an empty vector means the side must be empty.
struct ExpectBookCommand {
    InstrumentId instrument;
    std::optional<std::vector<ExpectedLevel>> bids;
    std::optional<std::vector<ExpectedLevel>> asks;
};

enum class OrderState : std::uint8_t {
    Resting, // in the book
    Parked,  // a stop order waiting outside the book
    Gone,    // not live
};

struct ExpectOrderCommand {
    OrderId id;
    OrderState state = OrderState::Resting;
    std::optional<Quantity> displayed; // the quantity the book shows, an iceberg's current slice
    std::optional<Price> price;
    std::optional<Quantity> reserve;
    std::optional<Price> stopPrice;
};

// Whether events that no expectation names fail a command that has expectations.
enum class ExpectationMode : std::uint8_t {
    Strict,  // every event must be expected, order acceptances excepted
    Lenient, // expectations match in order, other events between them are skipped
};

struct ExpectationModeCommand {
    ExpectationMode mode = ExpectationMode::Strict;
};

// An account's cash balance and the fees it paid over all its positions, in money units. A
// value left empty is not compared.
struct ExpectAccountCommand {
    AccountId account;
    std::optional<Money> cash;
    std::optional<Money> fees;
};

// An account's position in an instrument: its quantity (positive long, negative short), and
// optionally its average entry price as decimal text, its realized P&L, and its unrealized P&L
// if it closed at `mark`. An account that never traded the instrument has a flat position.
struct ExpectPositionCommand {
    AccountId account;
    InstrumentId instrument;
    Quantity quantity;
    std::optional<std::string> average;
    std::optional<Money> realized;
    std::optional<Money> unrealized;
    Price mark; // with unrealized
};

// Sets an account's default limits, or with an instrument the limits `overridden` marks.
struct RiskLimitsCommand {
    AccountId account;
    InstrumentId instrument; // zero: the account's defaults
    RiskLimits limits;
    std::uint16_t overridden = 0;
};

// Engages a kill switch, or resets it when scope is None. Account zero is every account.
struct KillSwitchCommand {
    AccountId account;
    KillSwitchScope scope = KillSwitchScope::None;
};

// Prints the book of an instrument in the text output.
struct ShowBookCommand {
    InstrumentId instrument;
};

using Action =
    std::variant<AddInstrumentCommand, ConfigureAccountCommand, SubmitCommand, CancelCommand,
                 ReplaceCommand, MassCancelCommand, StatusCommand, ClockCommand, RestartCommand,
                 ExpectEventCommand, ExpectNoMoreEventsCommand, ExpectBookCommand,
                 ExpectOrderCommand, ExpectationModeCommand, ShowBookCommand, OpenAccountCommand,
                 ExpectAccountCommand, ExpectPositionCommand, RiskLimitsCommand, KillSwitchCommand>;

// Whether an action sends something to the engine, so that the expectations after it check
// its events, or only checks or prints.
bool drivesEngine(const Action &action);

struct Command {
    Location location;
    std::string text; // the line as written, without its comment
    Timestamp time;   // the scenario clock when the command runs
    Action action;
};

struct Scenario {
    std::string fileName;
    std::vector<Command> commands;
    EventNames names; // labels, accounts and instruments as the file names them
};

struct ParseResult {
    Scenario scenario;
    std::vector<ParseError> errors; // empty when the scenario may run

    bool ok() const { return errors.empty(); }
};

// Parses a whole scenario. Errors name the line and column. Parsing goes on after an error, to
// report up to kMaximumParseErrors at once, but a scenario with errors must not run.
ParseResult parseScenario(std::string_view text, const std::string &fileName);
// Reads and parses a file. A file that cannot be read gives one error at line 0.
ParseResult loadScenario(const std::string &path);

inline constexpr std::size_t kMaximumParseErrors = 20;

// Numbers of scenario text convert exactly, as money.h describes.
using bourse::DecimalError;
using bourse::DecimalValue;
using bourse::parseDecimal;

// A time of day, H:MM, HH:MM, HH:MM:SS or HH:MM:SS.fraction with up to 9 decimals, in
// nanoseconds since midnight, or nothing for anything else. Hours run to 99, for scenarios longer
// than a day.
std::optional<Timestamp> parseTime(std::string_view text);

enum class DurationError : std::uint8_t {
    None = 0,
    NotADuration,        // not digits[.digits] followed by a unit
    FinerThanNanosecond, // not a whole number of nanoseconds, such as 0.5ns
    OutOfRange,          // more nanoseconds than fit in an int64 (about 2562047 hours)
};

struct DurationValue {
    std::int64_t nanoseconds = 0;
    DurationError error = DurationError::None;
};

// Converts a duration such as 10s, 250ms, 1.5s, 2min or 10000000000ns to nanoseconds, exactly:
// the number is scaled by its unit, never through a binary float. The units are h, min (or m),
// s, ms, us and ns.
DurationValue parseDuration(std::string_view text);

enum class OutputFormat : std::uint8_t { Text, Json };

// The engine a journal was restarted into, or why the restart failed.
struct JournalRestart {
    std::unique_ptr<Engine> engine; // null when the restart failed
    std::string message;            // what the restart loaded, or why it failed
};

// The journal of a scenario run: it makes the engine's events durable, and the run prints the
// events of a command only once they are. The engine library declares it so that it need not
// depend on storage, and `bourse-engine run --journal` implements it. The runner calls it on its
// own thread, which owns the engine.
class RunJournal {
public:
    virtual ~RunJournal() = default;

    // Starts journaling `engine`, the run's fresh engine, before its first command.
    virtual void attach(Engine &engine) = 0;

    // Blocks until every event up to `sequence` is committed. The runner ends a batch
    // (Engine::endBatch) before it calls this, so every such event has been handed over. Returns
    // false when they never will be committed because the journal failed, and failure() then
    // returns the reason.
    virtual bool awaitDurable(SequenceNumber sequence) = 0;

    // Closes the journal of `engine`, rebuilds an engine from it as a restart of the process
    // does, and journals the rebuilt engine from then on. Fails when the journal fails or the
    // rebuilt engine's state hash differs from `engine`'s. After a failure no engine is journaled.
    virtual JournalRestart restart(Engine &engine) = 0;

    // Stores the engine's final state and closes the journal. Returns false when the journal
    // failed.
    virtual bool finish() = 0;

    // The journal's first error, naming its file; empty while it works.
    virtual std::string failure() const = 0;
};

struct RunOptions {
    OutputFormat format = OutputFormat::Text;
    // Not owned. Null runs without a journal and prints each command's events at once.
    RunJournal *journal = nullptr;
    // With a journal, the commands sent before the run waits for the journal to commit their
    // events: 0 or 1 waits after every command, and more let one commit cover several commands.
    std::size_t maximumUnacknowledgedCommands = 256;
};

// The reason a run ended.
enum class RunEnd : std::uint8_t {
    Completed,     // every command ran
    JournalFailed, // the journal failed, or a restart from it did, and the run stopped there
};

struct RunSummary {
    std::size_t commands = 0;
    std::size_t events = 0;
    std::size_t expectations = 0;
    std::size_t failures = 0; // failed expectations and restarts, and a failed journal
    RunEnd end = RunEnd::Completed;
    SequenceNumber lastSequence = 0; // the engine's when the run ended
    std::uint64_t stateHash = 0;     // the engine's stateHash() when the run ended

    bool passed() const { return failures == 0; }
};

// Runs a parsed scenario on a fresh engine. Events go to `output` as text lines or JSON objects.
// Failed expectations go to `diagnostics` as "file:line:column: error: ..." with what was
// expected and what came. The run goes on after a failed expectation, so one run reports all of
// them.
//
// With a journal, what the run writes about a command (its events, its failed expectations,
// `show book` after it) is held back until the journal has committed the command's events. The
// run sends up to options.maximumUnacknowledgedCommands commands, then waits for one commit
// that covers them all. It also waits before a restart, which rebuilds the engine from the
// journal, and at the end. When the journal fails, the run reports it to `diagnostics` and
// stops, and writes nothing about the commands whose events were not committed.
RunSummary runScenario(const Scenario &scenario, const RunOptions &options, std::ostream &output,
                       std::ostream &diagnostics);

} // namespace bourse::scenario
