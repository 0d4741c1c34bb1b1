#pragma once

// A remote terminal's picture of one published stream, rebuilt only from its events: the
// events of a snapshot (docs/protocol.md, "SnapshotRequest and SnapshotPart"), then the live
// events that follow it. Each apply() checks that the event fits the state. An event that does
// not fit, such as a trade of an unknown order, returns false with the reason, because the
// picture is then wrong and the stream needs a new snapshot.
//
// One thread uses a replica. StreamSynchronizer owns them.

#include "engine.h"
#include "events.h"
#include "protocol.h"

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::net {

// A published stream: an instrument's market data or an account's execution reports.
struct StreamKey {
    StreamKind kind = StreamKind::Instrument;
    std::uint32_t id = 0;

    auto operator<=>(const StreamKey &) const = default;
};

std::string describe(StreamKey key); // "instrument 3", "account 1000"

// The most recent trade of an instrument. A snapshot carries only its price.
struct LastTrade {
    Price price;
    Quantity quantity;
    Timestamp time;
};

// One instrument's definition, status, book by level and by order, and last trade, from the
// market-data events of docs/protocol.md. The book is an Engine(InstrumentId) fed with the
// replay calls (applyAdd, applyReduce, applyExecution, applyDelete, applyStatus). It runs the
// server's own OrderBook code, so levels and queues come out as the server's do. Those calls
// reject an unknown order or a quantity above what an order has, as a check on the stream.
class InstrumentReplica {
public:
    explicit InstrumentReplica(InstrumentId instrument);
    InstrumentReplica(InstrumentReplica &&) noexcept;
    InstrumentReplica &operator=(InstrumentReplica &&) noexcept;
    ~InstrumentReplica();

    // Applies one event of the instrument's stream. Returns false, with mismatch() set, when the
    // event does not fit the state; the state is then not to be trusted.
    bool apply(const Event &event);

    InstrumentId id() const { return m_id; }
    // Set by InstrumentAdded; nullopt before it.
    const std::optional<InstrumentDefinition> &definition() const { return m_definition; }
    TradingStatus status() const { return m_book->status(); }
    const OrderBook &book() const { return m_book->book(); }
    // The price levels of a side, best first.
    std::vector<LevelSummary> levels(Side side) const;
    // A resting order (price, side and displayed quantity), or nullptr.
    const Order *findOrder(OrderId id) const { return m_book->findOrder(id); }
    std::size_t orderCount() const { return m_book->liveOrderCount(); }
    TopOfBook topOfBook() const;
    const std::optional<LastTrade> &lastTrade() const { return m_lastTrade; }
    const std::string &mismatch() const { return m_mismatch; }

private:
    // An order whose shown quantity just reached zero, which an OrderRefilled may show again.
    struct Emptied {
        OrderId id;
        Side side = Side::Buy;
        Price price;
    };

    bool fail(const Event &event, std::string reason);
    bool applyAdded(const Event &event, const OrderAdded &added);
    bool applyCancelled(const Event &event, const OrderCancelled &cancelled);
    bool applyReduced(const Event &event, const OrderReduced &reduced);
    bool applyTrade(const Event &event, const Trade &trade);
    bool takeFromResting(const Event &event, OrderId id, Quantity quantity);
    bool applyReplaced(const Event &event, const OrderReplaced &replaced);
    bool applyRefilled(const Event &event, const OrderRefilled &refilled);
    bool checkTop(const Event &event, const TopOfBook &top);
    bool checkDepth(const DepthLevel &level) const;
    void noteEmptied(const Order &order);

    InstrumentId m_id;
    std::unique_ptr<Engine> m_book;
    std::optional<InstrumentDefinition> m_definition;
    std::optional<LastTrade> m_lastTrade;
    std::vector<Emptied> m_emptied; // the few most recent, newest last
    std::string m_mismatch;
};

// The state of a working order: matching between its acceptance and its place, resting in
// the book, or parked outside it while a stop order waits.
enum class WorkingState : std::uint8_t { Entering, Resting, Parked };

// A working order of an account, as its execution reports describe it.
struct WorkingOrder {
    OrderAccepted accepted; // the order as entered
    InstrumentId instrument;
    WorkingState state = WorkingState::Entering;
    Price price;        // the limit it rests at, after replaces
    Price stopPrice;    // of a parked stop order, after replaces
    Quantity remaining; // what is left, an iceberg's reserve included
};

// An account's position in one instrument, from its FillPosted events.
struct PositionView {
    Quantity position; // positive long, negative short
    // The average entry price in price units, rounded half to even. A snapshot states it
    // rounded, so after a snapshot the exact average behind it may be off by up to half a price
    // unit, until the position closes or reverses.
    Price averagePrice;
    Money realizedProfitAndLoss; // summed since the position was first traded
    Money feesPaid;
    // The basis of the average: the open quantity's cost in 10^-9 of price units times
    // quantity units, and that quantity (unsigned).
    detail::Int128 basisCost = 0;
    std::int64_t basisQuantity = 0;
};

// An account's terms, working orders, positions, cash, limits, kill switch, and its recent
// fills and rejections, from the account's execution reports. The stream must carry the events
// of the account's orders (OrderAccepted, OrderRejected, OrderAdded, OrderParked, StopTriggered,
// OrderCancelled, OrderReduced, OrderReplaced, OrderRefilled, and each Trade that names the
// account) and of its money (FillPosted, AccountOpened, RiskLimitsSet, KillSwitchChanged,
// RiskRejected, RiskAlert).
// NOTE: a stream without OrderAdded, OrderCancelled and the rest leaves orders working here
// after they rested or left, and the replica cannot notice it.
class AccountReplica {
public:
    // How many fills, rejections and risk rejections the replica keeps, newest last.
    static constexpr std::size_t kRecentLimit = 64;

    explicit AccountReplica(AccountId account);

    // As InstrumentReplica::apply().
    bool apply(const Event &event);

    AccountId id() const { return m_id; }
    const std::optional<AccountOpened> &terms() const { return m_terms; }
    Money cash() const { return m_cash; }
    const std::map<OrderId, WorkingOrder> &workingOrders() const { return m_orders; }
    const std::map<InstrumentId, PositionView> &positions() const { return m_positions; }
    // Default limits (instrument zero) and per-instrument overrides, as RiskLimitsSet states.
    const std::map<InstrumentId, RiskLimitsSet> &riskLimits() const { return m_limits; }
    KillSwitchScope killSwitch() const { return m_killSwitch; }
    KillSwitchScope globalKillSwitch() const { return m_globalKillSwitch; }
    const std::vector<FillPosted> &recentFills() const { return m_fills; }
    const std::vector<OrderRejected> &recentRejections() const { return m_rejections; }
    const std::vector<RiskRejected> &recentRiskRejections() const { return m_riskRejections; }
    const std::string &mismatch() const { return m_mismatch; }

private:
    bool fail(const Event &event, std::string reason);
    WorkingOrder *findOrder(const Event &event, OrderId id);
    bool applyAccepted(const Event &event, const OrderAccepted &accepted);
    bool applyCancelled(const Event &event, const OrderCancelled &cancelled);
    bool applyReduced(const Event &event, const OrderReduced &reduced);
    bool applyReplaced(const Event &event, const OrderReplaced &replaced);
    bool applyTrade(const Event &event, const Trade &trade);
    bool takeFilled(const Event &event, OrderId id, Quantity quantity);
    bool applyFill(const Event &event, const FillPosted &fill);
    bool applyState(const Event &event, OrderId id, WorkingState from, WorkingState to);

    AccountId m_id;
    std::optional<AccountOpened> m_terms;
    Money m_cash;
    std::map<OrderId, WorkingOrder> m_orders;
    std::map<InstrumentId, PositionView> m_positions;
    std::map<InstrumentId, RiskLimitsSet> m_limits;
    KillSwitchScope m_killSwitch = KillSwitchScope::None;
    KillSwitchScope m_globalKillSwitch = KillSwitchScope::None;
    std::vector<FillPosted> m_fills;
    std::vector<OrderRejected> m_rejections;
    std::vector<RiskRejected> m_riskRejections;
    std::string m_mismatch;
};

} // namespace bourse::net
