#pragma once

#include "engine.h"
#include "events.h"
#include "market_view.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bourse {

// Follows the trader's orders, fills and risk notices through the engine's events, and fills
// MarketView::trader with them and with the positions and risk the engine holds. It runs on the
// engine thread. An event of another account costs a dispatch on its type, and an event that
// names an order without its account one hash lookup while the trader has working orders, so
// the simulated market pays little for it.
class TraderViewBuilder : public EventHandler {
public:
    static constexpr std::size_t kFinishedOrdersKept = 500;
    static constexpr std::size_t kFillsKept = 500;
    static constexpr std::size_t kNoticesKept = 200;

    // The kind of trader command the engine runs, which decides what a rejection is about.
    enum class Command : std::uint8_t {
        None,     // the market's own flow, or the engine acting by itself
        Submit,   // a new order: a rejection is that order's
        Amend,    // a cancel or replace: a rejection leaves the order as it was
        Settings, // a kill switch or limits command: a rejection is a notice
    };

    // `accounts` are the trader's, the default first; the engine must outlive the builder.
    TraderViewBuilder(const Engine &engine, std::vector<AccountId> accounts);
    // A copy of `other`'s orders, fills and notices that follows `engine` from now on: the
    // trader's engine of a replay's branch, loaded from a snapshot of the engine `other`
    // follows. Call it between commands.
    TraderViewBuilder(const TraderViewBuilder &other, const Engine &engine);

    // Replays the events of the trader's accounts from before a restart, oldest first, as
    // readTraderHistory() collects them from the journal. Call it before adoptEngineState(). The
    // orders, fills and notices are then as a builder that saw those events live left them,
    // except where a journal lacks the command that an OrderRejected rejects. A rejected new
    // order then shows none of its request (OwnOrder::requestKnown). A new order that reuses the
    // id of a working order is taken for a rejected replace unless its reason is
    // DuplicateOrderId.
    void restore(const std::vector<Event> &events);

    // Takes over the state the engine has already, as after a restart: the live orders and the
    // account-wide limits of the trader's accounts. A live order that restore() rebuilt keeps
    // what its events recorded, such as its entry time. Any other live order was entered before the
    // restored events, so it shows a zero entry time and its remaining quantity as its quantity.
    // Orders that restore() left working but the engine does not have are dropped.
    void adoptEngineState();

    // Names the trader command that runs next, until the engine ends it (onCommandEnd). For a
    // submit, `order` is what the trader asked, which a rejection shows; it must stay valid
    // until then.
    void beginCommand(Command command, const NewOrder *order = nullptr);

    void onEvent(const Event &event) override;
    void onCommandEnd() override;

    // Fills the view: orders, fills and notices as the events left them, and the accounts'
    // positions and risk read from the engine at `now`, which the risk monitor measures the
    // order rate and the trading day at.
    void fill(TraderView &view, Timestamp now) const;

    bool isTraderAccount(AccountId account) const;

    // Marks every order, fill and position that fill() lists as simulated, as for the trader's
    // orders against a replay, which a fill model fills.
    void setSimulated(bool simulated) { m_simulated = simulated; }

    // Lists an order that never reached the engine as rejected with `text`, a sentence for the
    // trader, such as for a stop order, which trading against a replay does not take.
    void rejectRequest(const NewOrder &order, std::string text, Timestamp time);

private:
    struct Working {
        OwnOrder order;
        SequenceNumber accepted = 0; // orders the view lists oldest first by this
    };

    void on(const Event &event, const OrderAccepted &accepted);
    void on(const Event &event, const OrderRejected &rejected);
    void on(const Event &event, const RiskRejected &rejected);
    void on(const Event &event, const OrderAdded &added);
    void on(const Event &event, const OrderParked &parked);
    void on(const Event &event, const StopTriggered &triggered);
    void on(const Event &event, const Trade &trade);
    void on(const Event &event, const FillPosted &posted);
    void on(const Event &event, const OrderCancelled &cancelled);
    void on(const Event &event, const OrderReduced &reduced);
    void on(const Event &event, const OrderReplaced &replaced);
    void on(const Event &event, const KillSwitchChanged &changed);
    void on(const Event &event, const RiskAlert &alert);
    void on(const Event &event, const RiskLimitsSet &set);
    template <typename Other>
    void on(const Event &, const Other &)
    {
    }

    Command inferredCommand(const OrderRejected &rejected);
    std::string rejectionText(const Event &event, const OrderRejected &rejected);
    Working *findWorking(OrderId id);
    void applyFill(const Event &event, OrderId id, Quantity quantity);
    void finish(OrderId id, OwnOrderState state, std::string reason, const Event &event);
    void rejectOrder(const Event &event, const OrderRejected &rejected, std::string text);
    void addNotice(const Event &event, AccountId account, OrderId order, RiskRule rule,
                   std::string text);
    std::string symbolOf(InstrumentId instrument) const;
    std::string accountName(AccountId account) const;
    void fillPositions(TraderView &view) const;

    const Engine &m_engine;
    std::vector<AccountId> m_accounts;
    std::vector<RiskLimits> m_limits; // in the order of m_accounts

    std::unordered_map<std::uint64_t, Working> m_working; // by order id
    std::deque<OwnOrder> m_finished;                      // newest first
    std::deque<OwnFill> m_fills;                          // newest first
    std::deque<RiskNotice> m_notices;                     // newest first

    Command m_command = Command::None;
    const NewOrder *m_request = nullptr;
    bool m_restoring = false; // in restore(), which infers the command of each rejection
    bool m_simulated = false;
    // The text of the risk rejection that the OrderRejected of the same order follows.
    OrderId m_riskRejectedOrder;
    SequenceNumber m_riskRejectedSequence = 0;
    std::string m_riskRejectedText;
    // The latest trade of a trader's order, which the FillPosted events after it belong to.
    SequenceNumber m_tradeSequence = 0;
    OrderId m_tradeMaker;
    OrderId m_tradeTaker;
};

// Whether a rejection is of a kill switch or limits command: it names no order, and its reason
// is one those commands give. An invalid account opening gives such a rejection too, but the
// trader's accounts are valid.
bool rejectsSettings(const OrderRejected &rejected);

// Returns a sentence for the trader on why an order left without filling, such as
// "cancelled by the kill switch".
std::string describeCancel(CancelReason reason);

// Returns a sentence for the trader on why an order or command was rejected, such as
// "rejected: price not a multiple of the tick size". A risk rejection has describe()'s
// sentence instead.
std::string describeRejection(RejectReason reason);

// Returns the trader's working order as its OrderAccepted states it, entered at the event's time.
OwnOrder acceptedOrder(const Event &event, const OrderAccepted &accepted);

// Copies what a new order requests (side, type, time in force, prices and quantity) into an
// order of the trader's list. The remaining quantity is left as it is.
void copyRequest(OwnOrder &own, const NewOrder &request);

// Returns the risk notice of a rejection, with the rule, the inputs and the limit, such as
// "rejected: position limit, would be 1,200 long against a limit of 1,000".
std::string describeRiskRejection(const RiskRejected &rejected);

// Returns the risk notice of an alert, such as "warning: long position in ABC at 83% of the
// limit". An empty `symbol` leaves out the instrument, as for an account-wide limit.
std::string describeRiskAlert(const RiskAlert &alert, std::string_view symbol);

} // namespace bourse
