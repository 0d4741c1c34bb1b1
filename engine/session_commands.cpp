// The trader's commands on the engine thread: orders, kill switches, limits, pre-trade checks
// and book queries, which Session queues from any thread.

#include "session_runner.h"

#include "risk_checks.h"
#include "session_market.h"

#include <algorithm>
#include <utility>

namespace bourse::session {

void Runner::applyCommands()
{
    m_controls.takeCommands(m_takenCommands);
    if (m_takenCommands.empty()) {
        return;
    }
    // Every command of a batch takes the wall-clock time as simulated commands do, so time in
    // the engine moves forwards across both sources.
    const Timestamp time = commandTime();
    for (TraderCommand &command : m_takenCommands) {
        std::visit([this, time](auto &payload) { apply(payload, time); }, command);
        // The engine ends the context with each command it runs. This also ends it for a
        // command without an onCommandEnd, so the builder never keeps a pointer to it.
        if (TraderViewBuilder *view = traderView()) {
            view->beginCommand(TraderViewBuilder::Command::None);
        }
    }
    m_takenCommands.clear();
    // The replayed engine publishes nothing for the trader's commands against it, and a paused
    // replay no other events, so the view that shows them goes out now.
    if (m_fills) {
        m_publishNow = true;
    }
}

AccountId Runner::defaultAccount() const
{
    return traderAccounts().front().settings.id;
}

void Runner::apply(NewOrder &order, Timestamp time)
{
    if (order.account.value() == 0) {
        order.account = defaultAccount();
    }
    TraderViewBuilder *view = traderView();
    const auto begin = [view, &order] {
        view->beginCommand(TraderViewBuilder::Command::Submit, &order);
    };
    if (!m_fills) {
        begin();
        m_engine->submit(order, time);
        return;
    }
    if (m_fills->submit(order, time, begin) == ReplayFills::Entry::Unsupported) {
        view->rejectRequest(order, "rejected: stop orders cannot trade against a replay", time);
    }
}

void Runner::apply(const CancelCommand &command, Timestamp time)
{
    traderView()->beginCommand(TraderViewBuilder::Command::Amend);
    tradingEngine().cancel(command.id, time);
}

void Runner::apply(const ReplaceOrder &replace, Timestamp time)
{
    TraderViewBuilder *view = traderView();
    const auto begin = [view] { view->beginCommand(TraderViewBuilder::Command::Amend); };
    if (m_fills) {
        m_fills->replace(replace, time, begin);
        return;
    }
    begin();
    m_engine->replace(replace, time);
}

// The simulated market's orders have no account, and a mass cancel of account zero matches
// every account, so a trader's "cancel all" is one mass cancel per trader account.
void Runner::apply(const MassCancel &scope, Timestamp time)
{
    if (scope.account.value() != 0) {
        traderView()->beginCommand(TraderViewBuilder::Command::Amend);
        tradingEngine().massCancel(scope, time);
        return;
    }
    for (const TraderAccount &account : traderAccounts()) {
        traderView()->beginCommand(TraderViewBuilder::Command::Amend);
        tradingEngine().massCancel(MassCancel{account.settings.id, scope.instrument}, time);
    }
}

void Runner::apply(const KillSwitchCommand &command, Timestamp time)
{
    traderView()->beginCommand(TraderViewBuilder::Command::Settings);
    if (command.reset) {
        tradingEngine().resetKillSwitch(command.account, time);
    } else {
        tradingEngine().engageKillSwitch(command.account, command.scope, time);
    }
}

void Runner::apply(const LimitsCommand &command, Timestamp time)
{
    traderView()->beginCommand(TraderViewBuilder::Command::Settings);
    tradingEngine().setRiskLimits(command.account, command.limits, time);
}

void Runner::apply(CheckCommand &command, Timestamp time)
{
    NewOrder &order = command.order;
    if (order.account.value() == 0 && traderView()) {
        order.account = defaultAccount();
    }
    Session::CheckAnswer answer;
    answer.check = tradingEngine().checkOrder(order, time);
    if (answer.check.reason) {
        const RejectReason reason = *answer.check.reason;
        const bool risk =
            reason == RejectReason::RiskLimit || reason == RejectReason::KillSwitchEngaged;
        answer.text = risk && !answer.check.risk.passed() ? describe(answer.check.risk)
                                                          : describeRejection(reason);
    }
    command.answer.set_value(std::move(answer));
}

void Runner::apply(BookCommand &command, Timestamp)
{
    BookDepth depth;
    depth.lastSequence = m_engine->lastSequence();
    depth.stateHash = m_engine->stateHash();
    const InstrumentId instrument =
        command.instrument.value() != 0 ? command.instrument : m_engine->instrument();
    depth.instrument = instrument;
    if (const OrderBook *book = m_engine->book(instrument)) {
        for (const Side side : {Side::Buy, Side::Sell}) {
            std::vector<LevelSummary> &levels = side == Side::Buy ? depth.bids : depth.asks;
            const std::size_t count = std::min(command.levels, book->levelCount(side));
            levels.reserve(count);
            for (std::size_t index = 0; index < count; ++index) {
                levels.push_back(book->level(side, index));
            }
        }
    }
    command.answer.set_value(std::move(depth));
}

} // namespace bourse::session
