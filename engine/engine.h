#pragma once

#include "engine_idempotency.h"
#include "events.h"
#include "id_pair_set.h"
#include "order_book.h"
#include "portfolio.h"
#include "risk_tracker.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bourse {

// A new order as a client enters it. Fields that do not apply to the type are ignored.
//
// The side sits alone in its eight bytes. A caller typically stores it as one byte just
// before submit() reads it. Next to another one-byte field, the compiler may read both with
// one wider load, and the processor stalls because it cannot serve that load from two pending
// stores.
struct NewOrder {
    OrderId id{}; // zero: the engine assigns the next free id
    Side side = Side::Buy;
    Price limit{}; // Limit and StopLimit
    Quantity quantity{};
    OrderType type = OrderType::Limit;
    TimeInForce timeInForce = TimeInForce::Gtc;
    Liquidity liquidity = Liquidity::Any;
    SelfTradePrevention selfTradePrevention = SelfTradePrevention::AccountDefault;
    InstrumentId instrument{}; // zero: the engine's primary instrument
    AccountId account{};
    ClientOrderId clientOrderId{}; // zero: none
    Price stopPrice{};             // Stop and StopLimit
    Quantity displayQuantity{};    // an iceberg's slice size; zero shows the whole quantity
    Price protectionPrice{};       // Market and Stop: worst fill price; zero for none
    Timestamp expiry{};            // Gtd: the order expires once a command's time reaches it
};

// A change to a live order. The quantity is the new remaining quantity, iceberg reserve
// included. A smaller one at the same price keeps the order's place in its queue. A larger one
// or a new price loses it, and a new price that crosses the book trades.
struct ReplaceOrder {
    OrderId id{};
    Price limit{}; // new limit price, zero keeps it; a Stop order has none (InvalidPrice)
    Quantity quantity{};
    // New stop price of a parked stop order, zero keeps it; any other order has none
    // (InvalidStopPrice).
    Price stopPrice{};
};

// The scope of a mass cancel. A zero id matches every account or instrument.
struct MassCancel {
    AccountId account{};
    InstrumentId instrument{};
};

// Outcome of applying one replayed exchange message to the book.
enum class ApplyResult : std::uint8_t {
    Applied = 0,
    UnknownOrder,      // the message names an order the book does not hold
    DuplicateOrderId,  // an add reuses the id of a live order
    ExceedsRemaining,  // a cancel or execution larger than what the order has left
    InvalidQuantity,   // zero, negative or above kMaximumQuantity
    InvalidPrice,      // zero, negative or above kMaximumPrice
    UnknownInstrument, // the engine has no primary instrument to apply the message to
};

std::string_view nameOf(ApplyResult result);

// Outcome of restoring one recorded event. On anything but Restored the engine is unchanged.
enum class RestoreResult : std::uint8_t {
    Restored = 0,
    OutOfSequence,       // the sequence number does not follow the last one restored
    WrongInstrument,     // the event names an instrument the engine does not have
    UnknownOrder,        // the event changes an order the engine does not hold
    DuplicateOrderId,    // the event adds an order whose id is live already
    QuantityMismatch,    // the quantities in the event do not follow from the state
    InvalidPrice,        // an added order's price is outside what the engine accepts
    DuplicateInstrument, // an instrument definition reuses the id of a known instrument
    InvalidInstrument,   // an instrument definition the engine would reject
    WrongOrderState,     // the order is not parked, resting or entering as the event needs
    InvalidAccount,      // an account opening the portfolio rejects (a duplicate, bad settings)
    FillMismatch,        // a posted fill whose fee, P&L, cash or position differs from the state
    InvalidRiskLimits,   // limits or a kill switch for an account that is not open, or bad values
};

std::string_view nameOf(RestoreResult result);

// Whether the first order with a client order id was accepted or rejected.
enum class ClientOrderOutcome : std::uint8_t { Accepted = 0, Rejected = 1 };

// The answer the engine gave the first command that carried an (account, client order id).
struct ClientOrderAnswer {
    OrderId id; // the order's id, or for a rejection the id the order would have had
    ClientOrderOutcome outcome = ClientOrderOutcome::Accepted;
    RejectReason reason{};       // why it was rejected; meaningless for an acceptance
    SequenceNumber sequence = 0; // the OrderAccepted or OrderRejected that answered it
};

// The snapshot format version that snapshot() writes and the newest that loadSnapshot() reads.
inline constexpr std::uint16_t kSnapshotFormatVersion = 3;

// The result of checkOrder(): the reason the order would be rejected, if any, and the risk
// decision. A risk rejection has reason RiskLimit or KillSwitchEngaged and the rule in `risk`.
struct OrderCheck {
    std::optional<RejectReason> reason;
    RiskDecision risk;

    bool passes() const { return !reason.has_value(); }
};

// The distance of a kill switch's closing order's protection price from the reference price,
// unless the instrument's own price band is narrower. It is wide enough to cross a normal spread
// and narrow enough that a thin book cannot fill the order at any price.
inline constexpr std::int64_t kClosingProtectionBasisPoints = 500;

// The reason loadSnapshot() rejected a snapshot.
enum class SnapshotErrorKind : std::uint8_t {
    Truncated,              // the bytes end before the snapshot does
    TrailingBytes,          // bytes follow the end of the snapshot
    BadMagic,               // the bytes are not an engine snapshot
    UnsupportedVersion,     // a format version this build does not read
    ChecksumMismatch,       // the content does not match its checksum: the snapshot is damaged
    FieldOutOfRange,        // a value the engine cannot hold, such as an unknown enum value
    DuplicateInstrument,    // two instruments with one id
    DuplicateOrderId,       // two live orders with one id
    DuplicateClientOrderId, // two records for one (account, client order id)
    UnknownInstrument,      // an order of an instrument the snapshot does not define
    Inconsistent,           // values that contradict each other, such as two entering orders
    StateHashMismatch,      // the loaded state's hash differs from the one recorded with it
    TargetNotEmpty,         // the engine to load into is not a fresh Engine()
};

std::string_view nameOf(SnapshotErrorKind kind);

// A snapshot that did not load: the kind of problem, where it is and a message for people.
struct SnapshotError {
    SnapshotErrorKind kind = SnapshotErrorKind::Truncated;
    std::size_t offset = 0; // the byte of the snapshot where the problem was found
    std::string message;    // what is wrong, with the values involved
};

// The CRC-64/XZ checksum of the bytes (ECMA-182 polynomial, reflected, initial value and final
// xor all ones), which seals a snapshot. The check value of "123456789" is 995dc9bbdf1939fa.
std::uint64_t crc64(std::span<const std::uint8_t> bytes);

namespace engine_detail {
struct InstrumentState; // engine_state.h
class SnapshotWriter;   // engine_snapshot.cpp
class SnapshotReader;   // engine_snapshot.cpp
} // namespace engine_detail

// The matching engine for many instruments: it validates and matches orders, applies
// replayed market data, numbers every resulting event and hands it to its handlers in order.
// The same commands in the same order produce the same events, byte for byte. Every public
// command, whatever its outcome, ends with one onCommandEnd() to every handler after its
// events.
//
// A handler that reads the engine while an event is published sees the state after that
// event, the state restore() rebuilds from the events up to it.
//
// Single writer: every call must come from the one thread that owns the engine. Handlers run
// synchronously on that thread.
class Engine {
public:
    // An engine with no instruments.
    Engine();
    // An engine with one instrument of tick 1 and lot 1 that is trading, set up without an
    // event: the form replay and single-book callers use. That instrument is the primary one.
    explicit Engine(InstrumentId instrument);
    ~Engine();

    // Handlers are called in the order they were added; the engine does not own them.
    void addHandler(EventHandler *handler);
    void removeHandler(EventHandler *handler);

    // Tells every handler that a batch of work ended; the owner calls it before it waits.
    void endBatch();

    // Adds an instrument (InstrumentAdded) or rejects the definition (OrderRejected with
    // DuplicateInstrument or InvalidInstrument). The first instrument becomes the primary one.
    void addInstrument(const InstrumentDefinition &definition, Timestamp time);
    // Sets an account's defaults (AccountConfigured), replacing earlier ones.
    void configureAccount(const AccountConfigured &configuration, Timestamp time);
    // Opens a portfolio account (AccountOpened), or rejects it (OrderRejected with
    // DuplicateAccount, or InvalidAccount for settings or a balance the portfolio rejects).
    // From then on, each trade between orders posts a fill to the account of each side that is
    // open, and publishes FillPosted right after the Trade.
    void openAccount(const AccountSettings &settings, Money openingBalance, Timestamp time);

    // Pre-trade risk (engine_risk.cpp). Every order of an open account meets the checks of
    // risk_checks.h before it is accepted. A rejection publishes a RiskRejected with the
    // decision, then the OrderRejected (RiskLimit, or KillSwitchEngaged). After each command, a
    // limit whose use crossed 80% or 100%, up or down, publishes a RiskAlert.
    //
    // Replaces an account's default limits (RiskLimitsSet), or rejects the command: InvalidAccount
    // for an account that is not open, InvalidRiskLimits for a negative limit or an order rate
    // above kMaximumOrdersPerSecond.
    void setRiskLimits(AccountId account, const RiskLimits &limits, Timestamp time);
    // Replaces the account's limits for one instrument: the fields `overridden` marks (bits of
    // RiskLimitField) take their value from `limits`, the others follow the defaults. Rejects as
    // setRiskLimits() does, and UnknownInstrument.
    void setRiskOverrides(AccountId account, InstrumentId instrument, const RiskLimits &limits,
                          std::uint16_t overridden, Timestamp time);
    // Engages a kill switch (KillSwitchChanged) on one account, or on every open account for
    // account zero. An engaged switch only escalates. CancelAll and Flatten cancel the covered
    // accounts' live orders (CancelReason::KillSwitch), by id; Flatten then sends, for each
    // nonzero position, a market order that closes it with a protection price
    // kClosingProtectionBasisPoints (or the instrument's narrower band) from the reference.
    // Engaging again repeats the cancels and closing orders, which retries what a thin book left.
    // Rejects InvalidAccount for an account that is not open or when none is, and
    // InvalidRiskLimits for scope None.
    void engageKillSwitch(AccountId account, KillSwitchScope scope, Timestamp time);
    // Releases a kill switch (KillSwitchChanged with scope None); InvalidAccount as above. The
    // global switch and an account's own switch are separate: each needs its own reset.
    void resetKillSwitch(AccountId account, Timestamp time);

    // Drops from the order-rate windows of every account the order times later than `time`. It
    // exists for an engine whose clock its owner moved back on purpose, such as the trader's
    // engine of a replay after a seek back (ReplayFills::follow()). Without it, the rate check
    // counts orders at times the clock has not reached, until it passes them by a second again.
    // It publishes nothing, so restore() from the engine's events keeps the later times: call
    // it only on an engine that no journal records. snapshot() and stateHash() take the windows
    // as they are after it.
    void forgetOrderRateTimesAfter(Timestamp time);

    // Returns the outcome submit() would give the order now, without placing it or publishing
    // anything: the first validation reason, or the risk decision.
    OrderCheck checkOrder(const NewOrder &order, Timestamp time) const;
    // An account's kill switches, day P&L and drawdown, exposures and limit utilization.
    RiskMonitor riskMonitor(AccountId account, Timestamp time) const;
    const RiskTracker &risk() const { return m_risk; }

    // Order entry, matched with price-time priority. Each fill is priced at the maker's price.
    // An order that fails a check is rejected with its reason (OrderRejected); one that passes
    // is accepted (OrderAccepted), then trades, rests, parks or is cancelled. Returns the
    // order's id: the assigned one, above every id seen so far, when the order named none.
    // Every command first expires the GTD orders whose expiry its time has reached.
    //
    // A client order id (nonzero) names one command of its account for the engine's whole
    // life, and the engine records the answer to the first command that carries it (see
    // clientOrderAnswer()). A later order with the same account and client order id is a repeat:
    // - The same content as an accepted first order, or any content after a rejected one, gets
    //   the first answer: submit() returns the first order's id, publishes nothing and changes
    //   nothing, not even the expiry of due GTD orders. A rejection answers every repeat because
    //   OrderRejected does not record the command, so restore() could not compare the content.
    // - Other content is rejected as DuplicateClientOrderId, which changes nothing else.
    // The content is every field as OrderAccepted states it, the instrument included and the
    // order id excluded: the id is part of the answer.
    OrderId submit(const NewOrder &order, Timestamp time);
    // Cancels a live order in any state, an iceberg's reserve included, or rejects the
    // command as UnknownOrder.
    void cancel(OrderId id, Timestamp time);
    // Changes a live order (OrderReplaced), or rejects the command: UnknownOrder for an order
    // that is not live, InvalidPrice or InvalidStopPrice for a price the order cannot have, or
    // the reason new values like these would get on a new order. Prices the replace keeps are
    // not checked again, so a band that moved since does not reject a size change.
    void replace(const ReplaceOrder &replace, Timestamp time);
    // Cancels every live order that matches the scope, parked stops included, by ascending
    // id; returns how many.
    std::size_t massCancel(const MassCancel &scope, Timestamp time);

    // Moves an instrument to a new trading status. Trading, from any other status, runs the
    // auction that uncrosses the book; Closed expires the instrument's DAY orders.
    void setTradingStatus(InstrumentId instrument, TradingStatus status, Timestamp time);
    // The clock moved on: GTD orders whose expiry has come are cancelled as Expired.
    void advanceTime(Timestamp time);

    // Replayed exchange messages for the primary instrument: the exchange already matched, so
    // these change the book as stated and never match, and applyStatus() runs no auction. On
    // anything but Applied the book is left unchanged and no event is published. They do not
    // expire GTD orders, because a failed message must change nothing.
    ApplyResult applyAdd(OrderId id, Side side, Price price, Quantity quantity, Timestamp time,
                         OrderOrigin origin = OrderOrigin::MarketData);
    ApplyResult applyReduce(OrderId id, Quantity quantity, Timestamp time);
    ApplyResult applyDelete(OrderId id, Timestamp time,
                            CancelReason reason = CancelReason::MarketData);
    ApplyResult applyExecution(OrderId id, Quantity quantity, Timestamp time);
    // A trade against liquidity the book does not show (hidden order, cross).
    void applyUnseenTrade(Side aggressor, Price price, Quantity quantity, Timestamp time);
    void applyStatus(TradingStatus status, Timestamp time);

    // Rebuilds state from a recorded event, for recovery from a journal: instruments,
    // accounts, orders with all their attributes, parked stops, iceberg reserves, statuses, last
    // trade prices and the answers to client order ids (from OrderAccepted and OrderRejected).
    // Events must come in sequence order starting at lastSequence() + 1.
    // After event N, stateHash() equals the original engine's when it published event N. An
    // event that does not follow, or does not fit the state, changes nothing and returns the
    // reason. Nothing is published.
    RestoreResult restore(const Event &event);

    // The primary instrument's book and status; an empty book and Closed while the engine has
    // no instrument.
    const OrderBook &book() const;
    InstrumentId instrument() const { return m_instrument; }
    TradingStatus status() const;

    // nullptr for an unknown instrument; id zero names the primary instrument.
    const OrderBook *book(InstrumentId instrument) const;
    const InstrumentDefinition *definition(InstrumentId instrument) const;
    std::optional<TradingStatus> status(InstrumentId instrument) const;
    std::vector<InstrumentId> instruments() const;

    // A live order (resting or parked), or nullptr; never a neighbour.
    const Order *findOrder(OrderId id) const;
    std::size_t liveOrderCount() const;
    // Calls function(const Order &) for every live order, resting or parked, in no set order.
    // A parked stop keeps its Stop or StopLimit type until it triggers.
    template <typename Function>
    void forEachLiveOrder(Function function) const
    {
        m_orders.forEach([&](const Order *order) { function(*order); });
    }
    // The price of the instrument's last trade or auction; zero before the first, or for an
    // unknown instrument.
    Price lastTradePrice(InstrumentId instrument) const;

    // Bytes the engine holds for orders, levels, parked stops and indexes, for memory figures;
    // allocated capacity, not only what is in use.
    std::size_t memoryBytes() const;
    SequenceNumber lastSequence() const { return m_sequence; }
    std::uint64_t tradeCount() const { return m_tradeCount; }

    // The accounts opened with openAccount(), with their cash and positions.
    const Portfolio &portfolio() const { return m_portfolio; }
    // The fills of open accounts that the portfolio rejected (insufficient cash in a cash
    // account, an amount out of range), so that no FillPosted was published for them. Counted
    // since the engine was created or loaded; not part of the state.
    std::uint64_t unpostedFillCount() const { return m_unpostedFills; }

    // Hash of the whole state: every instrument's definition, status, last trade price, book
    // and parked stops, the primary instrument, every live order with its attributes (iceberg
    // reserves included), account settings, the recorded client order ids, the next id to
    // assign, the trade count and the last sequence number. Once an account is open, it also
    // covers the portfolio's accounts and positions.
    std::uint64_t stateHash() const;

    // The recorded answer to the first order of an account that carried a client order id, or
    // nothing when no order carried that pair. Records are kept for the engine's whole life,
    // so a sender can read the answer again after a reconnect or a restart.
    std::optional<ClientOrderAnswer> clientOrderAnswer(AccountId account,
                                                       ClientOrderId clientOrderId) const;
    // The number of recorded (account, client order id) pairs; it never shrinks.
    std::size_t clientOrderCount() const;

    // Writes the whole state in the snapshot format: little-endian and versioned, with the state
    // hash and a CRC-64 checksum at the end, as engine_snapshot.cpp describes. Loading it gives
    // an engine whose stateHash() is this one's and that answers every later command and
    // restores every later event as this one does. Take it between commands, or after any event
    // restore() accepted. From a handler while a command runs it is the state that restore()
    // rebuilds up to that event, or empty when an order is in the middle of matching then.
    std::vector<std::uint8_t> snapshot() const;
    // Loads a snapshot into `target`, which must be a fresh Engine() (it may have handlers), and
    // publishes nothing. On error it returns the first problem found and leaves the target as it
    // was. Problems are truncated or trailing bytes, a bad magic, a version this build does not
    // read, a checksum mismatch, a value out of range and a duplicate. A loaded state whose hash
    // differs from the one recorded in the snapshot is an error too.
    static std::optional<SnapshotError> loadSnapshot(std::span<const std::uint8_t> snapshot,
                                                     Engine &target);

private:
    using InstrumentState = engine_detail::InstrumentState;

    // The prices an incoming order traded at; stop orders trigger from this range.
    struct TradeRange {
        Price low;
        Price high;
        bool traded = false;
    };
    // A GTD order's place in the expiry heap. Entries of orders that left are skipped when
    // they come up, so leaving costs nothing here.
    struct ExpiryEntry {
        Timestamp expiry;
        OrderId id;

        friend bool operator>(const ExpiryEntry &a, const ExpiryEntry &b)
        {
            return a.expiry != b.expiry ? a.expiry > b.expiry : a.id > b.id;
        }
    };
    struct TriggeredStop {
        Order *order;
        SequenceNumber priority; // the sequence number that parked it
        Price tradePrice;        // the price of the first trade that reached its stop price
    };
    // A copy of one resting order's quantities, for the fill-or-kill dry run.
    struct DryRunOrder {
        Quantity shown;
        Quantity reserve;
        Quantity display;
        bool sameAccount = false;
    };
    // The outcome of taking quantity off a resting order's shown part.
    enum class Taken : std::uint8_t {
        Reduced, // the order still shows quantity in its place
        Emptied, // an iceberg showing nothing, out of the book until its next slice
        Removed, // nothing left: the order is gone
    };

    template <typename Payload>
    void publish(InstrumentId instrument, Timestamp time, const Payload &payload);
    // Publish a payload built in the event's own storage, from its fields in declaration order
    // or by fill() writing them one by one (see engine_state.h for why).
    template <typename Payload, typename... Fields>
    void publishNew(InstrumentId instrument, Timestamp time, Fields... fields);
    template <typename Payload, typename Fill>
    void publishFilled(InstrumentId instrument, Timestamp time, Fill fill);
    // Hands a numbered event to every handler.
    void deliver(const Event &event);
    void endCommand();
    void reject(InstrumentId named, Timestamp time, const OrderRejected &rejected);
    // Posts the fills of a trade just published to the open accounts of its sides.
    void postFills(InstrumentId instrument, Timestamp time, const Trade &trade);

    InstrumentState *findInstrument(InstrumentId id);
    const InstrumentState *findInstrument(InstrumentId id) const;
    InstrumentState &addInstrumentState(const InstrumentDefinition &definition);
    Order *createOrder(const OrderAccepted &accepted, InstrumentId instrument);
    void destroyOrder(Order *order);
    bool isPostOnly(const Order &order) const;
    SelfTradePrevention selfTradeMode(const Order &order) const;
    void setAccount(const AccountConfigured &configuration);
    Taken takeShown(InstrumentState &instrument, Order &order, Quantity quantity);
    Quantity showNextSlice(InstrumentState &instrument, Order &order);
    void refill(InstrumentState &instrument, Order &order, Timestamp time);
    void trackExpiry(const Order &order);

    // Whether an order meets the risk checks: every order entered through submit(), or the
    // engine's own closing orders, which the kill switch sends and which only reduce positions.
    enum class RiskGate : std::uint8_t { Checked, Bypassed };

    // Order entry (engine_orders.cpp).
    OrderId enterOrder(const NewOrder &request, Timestamp time, RiskGate gate);
    [[gnu::noinline]] void enterGeneral(const NewOrder &request, InstrumentState *instrument,
                                        OrderId id, Timestamp time, RiskGate gate);
    bool submitPlainLimit(InstrumentState &instrument, const NewOrder &order, OrderId id,
                          Timestamp time);
    std::optional<RejectReason> validate(const InstrumentState *instrument, const NewOrder &order,
                                         Timestamp time) const;
    std::optional<RejectReason> validateReplace(const InstrumentState &instrument,
                                                const Order &order, const ReplaceOrder &replace,
                                                Price price, Price stopPrice) const;
    void cancelOrder(Order *order, CancelReason reason, Timestamp time);
    void replaceResting(InstrumentState &instrument, Order *order, Price price, Quantity quantity,
                        Timestamp time);
    void replaceParked(InstrumentState &instrument, Order *order, Price price, Price stopPrice,
                       Quantity quantity, Timestamp time);
    void expireDue(Timestamp time)
    {
        if (!m_expiries.empty() && m_expiries.front().expiry <= time)
            expireOrders(time);
    }
    void expireOrders(Timestamp time);

    // Continuous matching and stops (engine_matching.cpp).
    TradeRange enter(InstrumentState &instrument, Order *order, Timestamp time);
    bool match(InstrumentState &instrument, Order &taker, Price bound, Timestamp time,
               TradeRange &range);
    bool preventSelfTrade(InstrumentState &instrument, Order &taker, Order &maker, Timestamp time);
    bool decrement(InstrumentState &instrument, Order &order, Quantity quantity, bool resting,
                   Timestamp time);
    void cancelEntering(Order *order, CancelReason reason, Timestamp time);
    void cancelResting(InstrumentState &instrument, Order *order, CancelReason reason,
                       Timestamp time);
    bool canFillCompletely(const InstrumentState &instrument, const Order &order, Price bound);
    void rest(InstrumentState &instrument, Order *order, Timestamp time);
    void recordTrade(InstrumentState &instrument, Price price, TradeRange &range);
    void park(InstrumentState &instrument, Order *order, Timestamp time);
    void insertParked(InstrumentState &instrument, Order *order, SequenceNumber priority);
    void removeParked(InstrumentState &instrument, const Order *order);
    void runTriggeredStops(InstrumentState &instrument, TradeRange range, Timestamp time);
    void collectTriggered(InstrumentState &instrument, TradeRange range);
    Price triggeringPrice(Side side, Price stopPrice, TradeRange range) const;

    // Pre-trade risk (engine_risk.cpp).
    void rejectForRisk(const OrderAccepted &order, InstrumentId instrument,
                       const RiskDecision &decision, Timestamp time);
    bool replacePassesRisk(const Order &order, Price price, Price stopPrice, Quantity quantity,
                           Timestamp time);
    void publishRiskAlerts();
    void cancelForKillSwitch(AccountId account, Timestamp time);
    void closePositions(AccountId account, Timestamp time);
    std::optional<RejectReason> checkKillSwitchTarget(AccountId account) const;

    // Trading status and auctions (engine_auction.cpp).
    TradeRange uncross(InstrumentState &instrument, Timestamp time);
    bool uncrossOnce(InstrumentState &instrument, Timestamp time, TradeRange &range);
    void expireDayOrders(InstrumentState &instrument, Timestamp time);

    // Idempotent client order ids (engine_idempotency.cpp).
    std::optional<OrderId> answerIfRepeat(const NewOrder &request, Timestamp time);
    OrderId answerRepeat(const ClientOrderRecord &record, const NewOrder &request, Timestamp time);
    void recordAnswer(AccountId account, ClientOrderId clientOrderId, OrderId id,
                      std::uint64_t fingerprint, std::uint8_t reason);
    void recordAccepted(const NewOrder &request, OrderId id, InstrumentId instrument);
    std::uint64_t requestFingerprint(const NewOrder &request) const;
    RestoreResult restoreRejected(const OrderRejected &rejected);

    // Snapshots (engine_snapshot.cpp).
    using SnapshotWriter = engine_detail::SnapshotWriter;
    using SnapshotReader = engine_detail::SnapshotReader;
    void writeInstrument(SnapshotWriter &writer, const InstrumentState &instrument) const;
    std::size_t writeOffBookOrders(SnapshotWriter &writer, std::size_t placed) const;
    void writeClientOrders(SnapshotWriter &writer) const;
    void writePortfolio(SnapshotWriter &writer) const;
    void loadState(SnapshotReader &reader, std::uint16_t version);
    void loadPortfolio(SnapshotReader &reader);
    void loadInstrument(SnapshotReader &reader);
    Order *loadOrder(SnapshotReader &reader, InstrumentId instrument);
    void loadOffBookOrders(SnapshotReader &reader);
    void loadAccounts(SnapshotReader &reader);
    void loadClientOrders(SnapshotReader &reader);
    void writeRisk(SnapshotWriter &writer) const;
    void loadRisk(SnapshotReader &reader, std::uint16_t version);
    void clearState();

    // Recovery (engine_restore.cpp).
    RestoreResult restorePayload(const Event &event);
    RestoreResult restoreInstrument(const InstrumentAdded &added);
    RestoreResult restoreAccepted(const Event &event, const OrderAccepted &accepted);
    RestoreResult restoreAdded(const Event &event, const OrderAdded &added);
    RestoreResult restoreCancelled(const OrderCancelled &cancelled);
    RestoreResult restoreReduced(const OrderReduced &reduced);
    RestoreResult restoreTrade(const Event &event, const Trade &trade);
    RestoreResult restoreStatus(const Event &event, const TradingStatusChanged &changed);
    RestoreResult restoreReplaced(const Event &event, const OrderReplaced &replaced);
    RestoreResult restoreParked(const Event &event, const OrderParked &parked);
    RestoreResult restoreTriggered(const StopTriggered &triggered);
    RestoreResult restoreRefilled(const OrderRefilled &refilled);
    RestoreResult restoreAccountOpened(const AccountOpened &opened);
    RestoreResult restoreFillPosted(const Event &event, const FillPosted &posted);
    RestoreResult restoreRisk(const Event &event);

    std::vector<std::unique_ptr<InstrumentState>> m_instrumentStates; // in the order added
    // Instrument id -> index in m_instrumentStates plus one, for ids below a bound; larger
    // ids are looked up by a search.
    std::vector<std::uint32_t> m_instrumentSlots;
    InstrumentId m_instrument; // the primary instrument, zero while there is none
    InstrumentState *m_primary = nullptr;
    OrderBook m_emptyBook; // what book() returns on an engine without instruments

    OrderStore m_orders;
    ClientOrderTable m_clientOrders;           // the answer to every command with a client order id
    IdPairSet m_postOnlyOrders;                // (0, order id) of every live post-only order
    std::vector<AccountConfigured> m_accounts; // sorted by account
    std::vector<ExpiryEntry> m_expiries;       // a min-heap on (expiry, id)
    std::uint64_t m_highestOrderId = 0;        // assigned ids continue from here

    std::vector<TriggeredStop> m_triggered; // stops waiting to enter, first to enter first
    std::size_t m_nextTriggered = 0;
    // The prices, in trade order without repeats, of the trades since the entering order or the
    // auction began, kept while its instrument has parked stops: they tell which trade reached a
    // stop price.
    std::vector<Price> m_tradePrices;
    std::vector<DryRunOrder> m_dryRun;
    // While restoring: the order between its acceptance (or trigger, or a replace that lost
    // priority) and the event that rests, parks, cancels or fills it.
    Order *m_entering = nullptr;

    std::vector<EventHandler *> m_handlers;
    // The only registered handler, or nullptr unless exactly one is registered. deliver() and
    // endCommand() call it without the loop.
    EventHandler *m_onlyHandler = nullptr;
    SequenceNumber m_sequence = 0;
    std::uint64_t m_tradeCount = 0;

    // Every instrument of the engine is added to the portfolio as it is added to the engine.
    Portfolio m_portfolio;
    std::size_t m_openAccounts = 0; // zero skips the fill posting and the risk state
    std::uint64_t m_unpostedFills = 0;
    RiskTracker m_risk{m_portfolio};
    std::vector<std::pair<InstrumentId, RiskAlert>> m_alerts; // reused after each command
};

} // namespace bourse
