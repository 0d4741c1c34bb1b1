// The scenario runner: commands to a fresh engine, events to text or JSON, expectations checked.

#include "scenario.h"

#include <algorithm>
#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>
#include <utility>

namespace bourse::scenario {

namespace {

// Keeps the engine's state changes. TopOfBook and DepthLevel are market data derived from them,
// which expectations do not name: "expect book" checks the book itself.
class EventCollector : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        if (std::holds_alternative<TopOfBook>(event.payload) ||
            std::holds_alternative<DepthLevel>(event.payload))
            return;
        m_events.push_back(event);
    }

    std::vector<Event> take() { return std::exchange(m_events, {}); }

private:
    std::vector<Event> m_events;
};

// The events of one command that drives the engine, and how far expectations have checked them.
struct EventGroup {
    const Command *command = nullptr;
    std::vector<Event> events;
    std::vector<EventDescription> descriptions;
    std::size_t cursor = 0;
    const Command *lastExpectation = nullptr; // set once an event expectation names the group
    bool failed = false;
};

struct ActualLevel {
    Price price;
    Quantity quantity;
    std::vector<OrderId> queue;
};

// The limit price of an order: the level it rests at, or a parked stop-limit order's limit.
Price limitOf(const Order &order)
{
    if (order.details && order.details->limit.value() != 0)
        return order.details->limit;
    return order.price;
}

bool isAcceptance(const EventDescription &description)
{
    return description.kind == "accepted";
}

// The fields of the pattern that the event does not have or has with another value.
std::vector<std::string> differences(const EventDescription &pattern,
                                     const EventDescription &actual)
{
    std::vector<std::string> found;
    if (pattern.kind != actual.kind) {
        found.push_back("event: expected " + std::string(pattern.kind) + ", got " +
                        std::string(actual.kind));
        return found;
    }
    for (const auto &[key, expected] : pattern.fields) {
        const std::string *value = actual.find(key);
        if (!value)
            found.push_back(key + ": expected " + expected + ", but the event has no " + key);
        else if (*value != expected)
            found.push_back(key + ": expected " + expected + ", got " + *value);
    }
    return found;
}

class Runner {
public:
    Runner(const Scenario &scenario, const RunOptions &options, std::ostream &output,
           std::ostream &diagnostics)
        : m_scenario(scenario)
        , m_options(options)
        , m_output(output)
        , m_diagnostics(diagnostics)
        , m_journal(options.journal)
        , m_engine(std::make_unique<Engine>())
    {
        m_engine->addHandler(&m_collector);
        if (m_journal)
            m_journal->attach(*m_engine);
    }

    // The journal must let go of the engine before the engine is destroyed.
    ~Runner()
    {
        if (m_journal && !m_journalFinished)
            m_journal->finish();
        m_engine->removeHandler(&m_collector);
    }
    Runner(const Runner &) = delete;
    Runner &operator=(const Runner &) = delete;

    RunSummary run()
    {
        for (const Command &command : m_scenario.commands) {
            if (drivesEngine(command.action)) {
                closeGroup();
                execute(command);
                if (m_heldCommands >= m_options.maximumUnacknowledgedCommands)
                    acknowledge();
            } else {
                std::visit([&](const auto &action) { check(command, action); }, command.action);
            }
            if (stopped())
                break;
        }
        if (!stopped()) {
            closeGroup();
            acknowledge();
        }
        m_engine->endBatch();
        finishJournal();
        m_summary.lastSequence = m_engine->lastSequence();
        m_summary.stateHash = m_engine->stateHash();
        printSummary();
        return m_summary;
    }

private:
    const EventNames &names() const { return m_scenario.names; }
    bool text() const { return m_options.format == OutputFormat::Text; }
    bool stopped() const { return m_summary.end != RunEnd::Completed; }

    // Where the run writes about the last command: `output` and `diagnostics`, or buffers that
    // acknowledge() writes out once the journal has committed the command's events. A stopped
    // run releases nothing, so the failure that stopped it goes to `diagnostics` at once.
    std::ostream &answers() { return m_heldCommands > 0 ? m_heldOutput : m_output; }
    std::ostream &complaints()
    {
        return m_heldCommands > 0 && !stopped() ? m_heldDiagnostics : m_diagnostics;
    }

    // Waits until the journal has committed every event so far, then writes what was held back.
    // Returns false, after stopping the run, when the journal failed.
    bool acknowledge()
    {
        if (stopped())
            return false;
        if (m_heldCommands == 0)
            return true;
        m_engine->endBatch();
        if (!m_journal->awaitDurable(m_engine->lastSequence())) {
            stopOnJournalFailure(m_firstHeld->location,
                                 "the journal failed, so the run stops and prints nothing about "
                                 "this line or the lines after it: " +
                                     m_journal->failure());
            return false;
        }
        m_output << m_heldOutput.str();
        m_output.flush();
        m_diagnostics << m_heldDiagnostics.str();
        m_heldOutput.str({});
        m_heldDiagnostics.str({});
        m_heldCommands = 0;
        m_firstHeld = nullptr;
        return true;
    }

    // Stores the final state in the journal and closes it, after a failure too.
    void finishJournal()
    {
        if (!m_journal)
            return;
        m_journalFinished = true;
        if (!m_journal->finish() && !stopped())
            stopOnJournalFailure({},
                                 "the journal failed when the run ended: " + m_journal->failure());
    }

    void stopOnJournalFailure(Location location, const std::string &message)
    {
        m_summary.end = RunEnd::JournalFailed;
        ++m_summary.failures;
        m_diagnostics << ParseError{m_scenario.fileName, location, message}.toString() << "\n";
    }

    void execute(const Command &command)
    {
        ++m_summary.commands;
        std::visit([&](const auto &action) { apply(action, command.time); }, command.action);

        m_group = EventGroup{};
        m_group.command = &command;
        m_group.events = m_collector.take();
        for (const Event &event : m_group.events)
            m_group.descriptions.push_back(describeEvent(event, names()));
        m_summary.events += m_group.events.size();
        if (m_journal && m_heldCommands++ == 0)
            m_firstHeld = &command;
        printGroup();
        if (!m_restartNote.empty() && text())
            answers() << "    " << m_restartNote << "\n";
        m_restartNote.clear();
        if (!m_restartFailure.empty())
            fail(command, std::exchange(m_restartFailure, {}));
    }

    void apply(const AddInstrumentCommand &command, Timestamp time)
    {
        m_engine->addInstrument(command.definition, time);
    }
    void apply(const ConfigureAccountCommand &command, Timestamp time)
    {
        m_engine->configureAccount(command.configuration, time);
    }
    void apply(const OpenAccountCommand &command, Timestamp time)
    {
        if (command.configuration)
            m_engine->configureAccount(*command.configuration, time);
        m_engine->openAccount(command.settings, command.openingBalance, time);
    }
    void apply(const RiskLimitsCommand &command, Timestamp time)
    {
        m_engine->setRiskOverrides(command.account, command.instrument, command.limits,
                                   command.overridden, time);
    }
    void apply(const KillSwitchCommand &command, Timestamp time)
    {
        if (command.scope == KillSwitchScope::None)
            m_engine->resetKillSwitch(command.account, time);
        else
            m_engine->engageKillSwitch(command.account, command.scope, time);
    }
    void apply(const SubmitCommand &command, Timestamp time)
    {
        m_engine->submit(command.order, time);
    }
    void apply(const CancelCommand &command, Timestamp time) { m_engine->cancel(command.id, time); }
    void apply(const ReplaceCommand &command, Timestamp time)
    {
        // Omitted fields keep the order's current values. An order that is not live is sent as
        // written, for the engine to reject.
        ReplaceOrder replace{command.id, command.limit.value_or(Price{0}),
                             command.quantity.value_or(Quantity{0}),
                             command.stopPrice.value_or(Price{0})};
        if (const Order *order = m_engine->findOrder(command.id)) {
            if (!command.limit)
                replace.limit = limitOf(*order);
            if (!command.quantity)
                replace.quantity = order->remaining + order->reserve();
        }
        m_engine->replace(replace, time);
    }
    void apply(const MassCancelCommand &command, Timestamp time)
    {
        m_engine->massCancel(command.scope, time);
    }
    void apply(const StatusCommand &command, Timestamp time)
    {
        m_engine->setTradingStatus(command.instrument, command.status, time);
    }
    void apply(const ClockCommand &command, Timestamp) { m_engine->advanceTime(command.time); }
    void apply(const RestartCommand &, Timestamp)
    {
        if (m_journal)
            restartFromJournal();
        else
            restartFromSnapshot();
    }

    // The old engine goes on when its snapshot does not load, so the run can report the rest.
    void restartFromSnapshot()
    {
        const std::vector<std::uint8_t> snapshot = m_engine->snapshot();
        auto restarted = std::make_unique<Engine>();
        if (const auto error = Engine::loadSnapshot(snapshot, *restarted)) {
            m_restartFailure = "restart failed: the engine's snapshot of " +
                               std::to_string(snapshot.size()) +
                               " bytes did not load: " + error->message;
            return;
        }
        replaceEngine(std::move(restarted));
        m_restartNote = "restarted from a snapshot of " + std::to_string(snapshot.size()) +
                        " bytes after event " + std::to_string(m_engine->lastSequence());
    }

    // Every event before the restart is committed and printed first. A failed restart leaves
    // no engine that the journal records, so the run stops.
    void restartFromJournal()
    {
        if (!acknowledge())
            return;
        JournalRestart restarted = m_journal->restart(*m_engine);
        if (!restarted.engine) {
            m_restartFailure = "restart failed, so the run stops: " + restarted.message;
            m_summary.end = RunEnd::JournalFailed;
            return;
        }
        replaceEngine(std::move(restarted.engine));
        m_restartNote = std::move(restarted.message);
    }

    void replaceEngine(std::unique_ptr<Engine> restarted)
    {
        m_engine->removeHandler(&m_collector);
        m_engine = std::move(restarted);
        m_engine->addHandler(&m_collector);
    }
    template <typename Check>
    void apply(const Check &, Timestamp)
    {
    }

    template <typename Other>
    void check(const Command &, const Other &)
    {
    }

    void check(const Command &, const ExpectationModeCommand &mode) { m_mode = mode.mode; }

    void check(const Command &, const ShowBookCommand &show)
    {
        if (!text())
            return;
        const OrderBook *book = m_engine->book(show.instrument);
        std::ostream &out = answers();
        out << "    book " << names().symbol(show.instrument);
        if (!book) {
            out << " (no such instrument in the engine)\n";
            return;
        }
        out << " bids " << formatLevels(actualLevels(*book, Side::Buy), show.instrument)
            << " | asks " << formatLevels(actualLevels(*book, Side::Sell), show.instrument) << "\n";
    }

    void check(const Command &command, const ExpectEventCommand &expectation)
    {
        ++m_summary.expectations;
        m_group.lastExpectation = &command;
        if (m_group.failed)
            return;

        const EventDescription &pattern = expectation.pattern;
        const std::size_t start = m_group.cursor;
        while (m_group.cursor < m_group.descriptions.size()) {
            const EventDescription &actual = m_group.descriptions[m_group.cursor];
            if (differences(pattern, actual).empty()) {
                ++m_group.cursor;
                return;
            }
            const bool skippable = m_mode == ExpectationMode::Lenient ||
                                   (isAcceptance(actual) && !isAcceptance(pattern));
            if (!skippable)
                break;
            ++m_group.cursor;
        }
        reportMissingEvent(command, pattern, start);
    }

    void check(const Command &command, const ExpectNoMoreEventsCommand &)
    {
        ++m_summary.expectations;
        m_group.lastExpectation = &command;
        if (!m_group.failed)
            checkNoMoreEvents(command);
        m_group.cursor = m_group.descriptions.size();
    }

    void check(const Command &command, const ExpectBookCommand &expectation)
    {
        ++m_summary.expectations;
        const OrderBook *book = m_engine->book(expectation.instrument);
        if (!book) {
            fail(command, "book " + names().symbol(expectation.instrument) +
                              " not found: the engine has no such instrument");
            return;
        }
        std::string report;
        compareSide(*book, Side::Buy, expectation.bids, expectation.instrument, report);
        compareSide(*book, Side::Sell, expectation.asks, expectation.instrument, report);
        if (!report.empty())
            fail(command, "book " + names().symbol(expectation.instrument) + " differs\n" + report);
    }

    void check(const Command &command, const ExpectOrderCommand &expectation)
    {
        ++m_summary.expectations;
        const Order *order = m_engine->findOrder(expectation.id);
        const std::string expected = describeExpectedOrder(expectation);
        const std::string actual = describeActualOrder(order);
        if (!orderMatches(order, expectation))
            fail(command, "order " + names().orderLabel(expectation.id) + " differs\n" +
                              "  expected: " + expected + "\n  got:      " + actual);
    }

    void check(const Command &command, const ExpectAccountCommand &expectation)
    {
        ++m_summary.expectations;
        const Account *account = m_engine->portfolio().account(expectation.account);
        const std::string name = names().accountName(expectation.account);
        if (!account) {
            fail(command, "account " + name + " is not open in the engine");
            return;
        }
        const int decimals = account->settings.moneyDecimals;
        std::string expected;
        std::string actual;
        if (expectation.cash) {
            expected += " cash " + formatDecimal(expectation.cash->value(), decimals);
            actual += " cash " + formatDecimal(account->balance.value(), decimals);
        }
        if (expectation.fees) {
            expected += " fees " + formatDecimal(expectation.fees->value(), decimals);
            actual += " fees " + formatDecimal(feesPaid(expectation.account).value(), decimals);
        }
        if (expected != actual)
            fail(command,
                 "account " + name + " differs\n  expected:" + expected + "\n  got:     " + actual);
    }

    Money feesPaid(AccountId account) const
    {
        std::int64_t total = 0;
        for (const PositionRecord &record : m_engine->portfolio().state().positions) {
            if (record.account == account)
                total += record.position.feesPaid.value();
        }
        return Money{total};
    }

    void check(const Command &command, const ExpectPositionCommand &expectation)
    {
        ++m_summary.expectations;
        const Portfolio &portfolio = m_engine->portfolio();
        const Account *account = portfolio.account(expectation.account);
        const std::string name =
            names().accountName(expectation.account) + " " + names().symbol(expectation.instrument);
        if (!account) {
            fail(command, "position " + name + ": the account is not open in the engine");
            return;
        }
        const InstrumentDefinition &instrument = names().instrument(expectation.instrument);
        const int decimals = account->settings.moneyDecimals;
        const Position flat{};
        const Position *found = portfolio.position(expectation.account, expectation.instrument);
        const Position &position = found ? *found : flat;

        std::string expected = formatQuantity(expectation.quantity, instrument);
        std::string actual = formatQuantity(position.quantity, instrument);
        if (expectation.average) {
            // Compared as numbers, so "90" matches an average of 90.00.
            const int written = decimalsOf(*expectation.average);
            const int extra = std::max(0, written - int{instrument.priceDecimals});
            const AveragePrice average = averagePrice(position);
            const DecimalValue wanted =
                parseDecimal(*expectation.average, instrument.priceDecimals + extra);
            const Checked<std::int64_t> rounded = roundAveragePrice(average, extra);
            const bool same =
                rounded.ok() && wanted.error == DecimalError::None && wanted.units == rounded.value;
            expected += " average " + *expectation.average;
            actual += " average " +
                      (same ? *expectation.average
                            : toDecimalText(average, instrument.priceDecimals, extra).toString());
        }
        if (expectation.realized) {
            expected += " realized " + formatDecimal(expectation.realized->value(), decimals);
            actual +=
                " realized " + formatDecimal(position.realizedProfitAndLoss.value(), decimals);
        }
        if (expectation.unrealized) {
            const MoneyResult unrealized = portfolio.unrealizedProfitAndLoss(
                expectation.account, expectation.instrument, expectation.mark);
            const std::string at = " at " + formatPrice(expectation.mark, instrument);
            expected +=
                " unrealized " + formatDecimal(expectation.unrealized->value(), decimals) + at;
            actual += " unrealized " +
                      (unrealized.result == PortfolioResult::Ok
                           ? formatDecimal(unrealized.value.value(), decimals)
                           : std::string(nameOf(unrealized.result))) +
                      at;
        }
        if (expected != actual)
            fail(command, "position " + name + " differs\n  expected: " + expected +
                              "\n  got:      " + actual);
    }

    // The number of decimal places of decimal text.
    static int decimalsOf(std::string_view text)
    {
        const std::size_t point = text.find('.');
        return point == std::string_view::npos ? 0 : static_cast<int>(text.size() - point - 1);
    }

    // Strict groups must have expected every event but acceptances when the next command comes.
    void closeGroup()
    {
        if (m_group.lastExpectation && !m_group.failed && m_mode == ExpectationMode::Strict)
            checkNoMoreEvents(*m_group.lastExpectation);
    }

    void checkNoMoreEvents(const Command &command)
    {
        std::string unexpected;
        for (std::size_t i = m_group.cursor; i < m_group.descriptions.size(); ++i) {
            if (!isAcceptance(m_group.descriptions[i]))
                unexpected += "    " + formatText(m_group.descriptions[i]) + "\n";
        }
        if (unexpected.empty())
            return;
        m_group.failed = true;
        fail(command, "unexpected events: " + sourceOfGroup() + " also produced\n" + unexpected +
                          "  every event of a command must be expected, its acceptance excepted; "
                          "add 'expect' lines for these events");
    }

    void reportMissingEvent(const Command &command, const EventDescription &pattern,
                            std::size_t start)
    {
        m_group.failed = true;
        std::string message = "expected event not found\n  expected: " + formatText(pattern);
        if (m_group.cursor < m_group.descriptions.size()) {
            const EventDescription &actual = m_group.descriptions[m_group.cursor];
            message.append("\n  got:      ").append(formatText(actual));
            for (const std::string &difference : differences(pattern, actual))
                message.append("\n            ").append(difference);
        } else {
            message.append("\n  got:      no ").append(start > 0 ? "more " : "");
            message.append("events from ").append(sourceOfGroup());
        }
        message.append("\n").append(listGroup());
        fail(command, message);
    }

    std::string sourceOfGroup() const
    {
        if (!m_group.command)
            return "the start of the scenario";
        return std::string("line ") + std::to_string(m_group.command->location.line) + " (" +
               m_group.command->text + ")";
    }

    std::string listGroup() const
    {
        std::string list = "  events of " + sourceOfGroup() + ":";
        if (m_group.descriptions.empty())
            return list + " none";
        for (std::size_t i = 0; i < m_group.descriptions.size(); ++i) {
            list += "\n  " + std::string(i == m_group.cursor ? "> " : "  ") +
                    formatText(m_group.descriptions[i]);
        }
        return list;
    }

    void fail(const Command &command, const std::string &message)
    {
        ++m_summary.failures;
        complaints() << m_scenario.fileName << ":" << command.location.line << ":"
                     << command.location.column << ": error: " << message << "\n";
    }

    std::vector<ActualLevel> actualLevels(const OrderBook &book, Side side) const
    {
        std::vector<ActualLevel> levels;
        for (std::size_t depth = 0; depth < book.levelCount(side); ++depth) {
            const LevelSummary summary = book.level(side, depth);
            ActualLevel level{summary.price, summary.quantity, {}};
            for (const Order *order : book.ordersAt(side, summary.price))
                level.queue.push_back(order->id);
            levels.push_back(std::move(level));
        }
        return levels;
    }

    std::string formatLevel(Price price, Quantity quantity, const std::vector<OrderId> *queue,
                            InstrumentId instrument) const
    {
        const InstrumentDefinition &definition = names().instrument(instrument);
        std::string text =
            formatPrice(price, definition) + "x" + formatQuantity(quantity, definition);
        if (!queue)
            return text;
        text += " [";
        for (std::size_t i = 0; i < queue->size(); ++i)
            text.append(i ? " " : "").append(names().orderLabel((*queue)[i]));
        return text + "]";
    }

    std::string formatLevels(const std::vector<ActualLevel> &levels, InstrumentId instrument) const
    {
        if (levels.empty())
            return "none";
        std::string text;
        for (const ActualLevel &level : levels)
            text += (text.empty() ? "" : ", ") +
                    formatLevel(level.price, level.quantity, &level.queue, instrument);
        return text;
    }

    std::string formatExpectedLevels(const std::vector<ExpectedLevel> &levels,
                                     InstrumentId instrument) const
    {
        if (levels.empty())
            return "none";
        std::string text;
        for (const ExpectedLevel &level : levels) {
            const std::vector<OrderId> *queue = level.queue ? &*level.queue : nullptr;
            text += (text.empty() ? "" : ", ") +
                    formatLevel(level.price, level.quantity, queue, instrument);
        }
        return text;
    }

    static bool levelsMatch(const std::vector<ActualLevel> &actual,
                            const std::vector<ExpectedLevel> &expected)
    {
        if (actual.size() != expected.size())
            return false;
        for (std::size_t i = 0; i < actual.size(); ++i) {
            if (actual[i].price != expected[i].price || actual[i].quantity != expected[i].quantity)
                return false;
            if (expected[i].queue && *expected[i].queue != actual[i].queue)
                return false;
        }
        return true;
    }

    void compareSide(const OrderBook &book, Side side,
                     const std::optional<std::vector<ExpectedLevel>> &expected,
                     InstrumentId instrument, std::string &report) const
    {
        if (!expected)
            return;
        const std::vector<ActualLevel> actual = actualLevels(book, side);
        if (levelsMatch(actual, *expected))
            return;
        const std::string name = side == Side::Buy ? "bids" : "asks";
        report += std::string(report.empty() ? "" : "\n") + "  expected " + name + ": " +
                  formatExpectedLevels(*expected, instrument) + "\n  actual " + name + ":   " +
                  formatLevels(actual, instrument);
    }

    bool isResting(const Order &order) const
    {
        const OrderBook *book = m_engine->book(order.instrument);
        if (!book)
            return false;
        const auto queue = book->ordersAt(order.side, order.price);
        return std::find(queue.begin(), queue.end(), &order) != queue.end();
    }

    bool orderMatches(const Order *order, const ExpectOrderCommand &expected) const
    {
        if (!order)
            return expected.state == OrderState::Gone;
        const OrderState state = isResting(*order) ? OrderState::Resting : OrderState::Parked;
        return state == expected.state &&
               (!expected.displayed || *expected.displayed == order->remaining) &&
               (!expected.price || *expected.price == limitOf(*order)) &&
               (!expected.reserve || *expected.reserve == order->reserve()) &&
               (!expected.stopPrice || *expected.stopPrice == order->stopPrice());
    }

    std::string describeExpectedOrder(const ExpectOrderCommand &expected) const
    {
        static constexpr std::string_view kStates[] = {"resting", "parked", "gone"};
        std::string text(kStates[static_cast<std::size_t>(expected.state)]);
        const auto instrument = [&]() -> const InstrumentDefinition & {
            const Order *order = m_engine->findOrder(expected.id);
            return names().instrument(order ? order->instrument : InstrumentId{});
        };
        if (expected.displayed)
            text.append(" ").append(formatQuantity(*expected.displayed, instrument()));
        if (expected.price)
            text.append(" @ ").append(formatPrice(*expected.price, instrument()));
        if (expected.reserve)
            text.append(" reserve ").append(formatQuantity(*expected.reserve, instrument()));
        if (expected.stopPrice)
            text.append(" stop ").append(formatPrice(*expected.stopPrice, instrument()));
        return text;
    }

    std::string describeActualOrder(const Order *order) const
    {
        if (!order)
            return "gone";
        const InstrumentDefinition &definition = names().instrument(order->instrument);
        std::string text = isResting(*order) ? "resting" : "parked";
        text.append(" ").append(formatQuantity(order->remaining, definition));
        text.append(" @ ").append(formatPrice(limitOf(*order), definition));
        text.append(" reserve ").append(formatQuantity(order->reserve(), definition));
        if (order->stopPrice().value() != 0)
            text.append(" stop ").append(formatPrice(order->stopPrice(), definition));
        return text;
    }

    void printGroup()
    {
        const Command &command = *m_group.command;
        std::ostream &out = answers();
        if (text())
            out << "line " << command.location.line << ": " << command.text << "\n";
        for (std::size_t i = 0; i < m_group.events.size(); ++i) {
            const Event &event = m_group.events[i];
            const EventDescription &description = m_group.descriptions[i];
            if (text()) {
                out << std::setw(8) << event.sequence << " " << formatTime(event.time) << " "
                    << formatText(description) << "\n";
            } else {
                out << "{\"line\":" << command.location.line << ",\"sequence\":" << event.sequence
                    << ",\"time\":" << jsonQuoted(formatTime(event.time))
                    << ",\"time_ns\":" << event.time.value() << ","
                    << formatJsonMembers(description) << "}\n";
            }
        }
    }

    void printSummary()
    {
        // A run the journal stopped prints nothing more to `output`.
        std::ostream &out = text() && !stopped() ? m_output : m_diagnostics;
        out << m_scenario.fileName << ": " << (m_summary.passed() ? "passed" : "FAILED") << ", "
            << m_summary.expectations << " expectations, " << m_summary.failures << " failures, "
            << m_summary.commands << " commands, " << m_summary.events << " events\n";
    }

    const Scenario &m_scenario;
    const RunOptions &m_options;
    std::ostream &m_output;
    std::ostream &m_diagnostics;
    RunJournal *m_journal;
    bool m_journalFinished = false;
    std::unique_ptr<Engine> m_engine;
    EventCollector m_collector;
    std::string m_restartNote;    // what the last restart loaded, until it is printed
    std::string m_restartFailure; // why the last restart failed, until it is reported
    // With a journal: what the run wrote about the commands whose events are not yet committed.
    std::ostringstream m_heldOutput;
    std::ostringstream m_heldDiagnostics;
    std::size_t m_heldCommands = 0;
    const Command *m_firstHeld = nullptr; // the first of the held commands
    EventGroup m_group;
    ExpectationMode m_mode = ExpectationMode::Strict;
    RunSummary m_summary;
};

} // namespace

RunSummary runScenario(const Scenario &scenario, const RunOptions &options, std::ostream &output,
                       std::ostream &diagnostics)
{
    return Runner(scenario, options, output, diagnostics).run();
}

} // namespace bourse::scenario
