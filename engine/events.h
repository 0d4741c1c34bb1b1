#pragma once

#include "account_settings.h"
#include "risk_types.h"
#include "types.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace bourse {

// The kind of an order. Stop orders wait, parked outside the book, until a trade at or through
// their stop price triggers them. Then they enter as market (Stop) or limit (StopLimit) orders.
enum class OrderType : std::uint8_t { Limit = 0, Market = 1, Stop = 2, StopLimit = 3 };

// How long an order may rest. Ioc and Fok never rest: Ioc cancels what does not fill at
// once, Fok fills in full at once or does nothing at all.
enum class TimeInForce : std::uint8_t {
    Gtc = 0, // good till cancelled
    Day = 1, // expires when the instrument's trading session closes
    Gtd = 2, // expires at the order's expiry time
    Ioc = 3, // immediate or cancel
    Fok = 4, // fill or kill
};

// Whether an order may take liquidity. A post-only order that would take is rejected, never
// repriced, so a maker can rely on the price it rests at.
enum class Liquidity : std::uint8_t { Any = 0, PostOnly = 1 };

// The action taken when an order would trade with a resting order of the same account.
enum class SelfTradePrevention : std::uint8_t {
    AccountDefault = 0,     // use the mode configured for the account (CancelNewest if none)
    CancelNewest = 1,       // cancel the rest of the incoming order
    CancelOldest = 2,       // cancel the resting order and keep matching
    CancelBoth = 3,         // cancel both orders
    DecrementAndCancel = 4, // reduce both by the smaller size; cancel the one that reaches zero
};

// The reason an order or a command was rejected. Every rejection carries exactly one reason.
// The numbers are stored in journals: never reuse one.
enum class RejectReason : std::uint8_t {
    UnknownOrder = 1,            // cancel or change of an order that is not live
    DuplicateOrderId = 2,        // a new order reuses the id of a live order
    InvalidQuantity = 3,         // zero, negative or above kMaximumQuantity
    InvalidPrice = 4,            // zero, negative, above kMaximumPrice, or a limit on a Stop order
    NoLiquidity = 5,             // a market order met an empty opposite side
    TradingHalted = 6,           // the instrument is halted
    UnknownInstrument = 7,       // no instrument has the id
    PriceNotOnTick = 8,          // a price that is not a multiple of the tick size
    QuantityNotOnLot = 9,        // a quantity that is not a multiple of the lot size
    OutsidePriceBand = 10,       // a limit or stop price too far from the reference price
    BelowMinimumQuantity = 11,   // under the instrument's minimum order size
    AboveMaximumQuantity = 12,   // over the instrument's maximum order size
    DuplicateClientOrderId = 13, // the account used this client order id for another order
    InstrumentClosed = 14,       // the instrument's session is closed
    WouldTakeLiquidity = 15,     // a post-only order that would trade on arrival
    InvalidDisplayQuantity = 16, // an iceberg display size that is zero or above the size
    InvalidExpiry = 17,          // a GTD order without an expiry in the future
    InvalidTimeInForce = 18,     // a combination the engine does not accept (market GTD...)
    NotAllowedInAuction = 19,    // an order that cannot wait for an auction (IOC, FOK, market)
    InvalidStopPrice = 20,       // zero, off tick, already triggered, or for a non-stop order
    DuplicateInstrument = 21,    // an instrument definition that reuses an id
    InvalidInstrument = 22,      // an instrument definition with a bad tick, lot or band
    InvalidStatusChange = 23,    // a trading status change the session cannot make
    DuplicateAccount = 24,       // an account opening that reuses the id of an open account
    InvalidAccount = 25,         // an account with id zero, a bad scale, fee or balance
    RiskLimit = 26,              // a pre-trade risk check failed; a RiskRejected states which
    KillSwitchEngaged = 27,      // the account's or the global kill switch stops new orders
    InvalidRiskLimits = 28,      // a negative limit, or an order rate above the maximum
};

// The reason an order left the book without trading in full. Numbers are stored: never reuse.
enum class CancelReason : std::uint8_t {
    Requested = 1,       // the owner cancelled it
    Unfilled = 2,        // the rest of a market or IOC order that found no more liquidity
    MarketData = 3,      // a replayed exchange message deleted it
    Resynchronized = 4,  // a replay removed quantity that a book snapshot no longer shows
    FillOrKill = 5,      // a FOK order that could not fill in full; nothing traded
    SelfTrade = 6,       // self-trade prevention removed it
    Expired = 7,         // a DAY order at the session close or a GTD order at its expiry
    MassCancel = 8,      // a mass cancel by account or instrument removed it
    ProtectionLimit = 9, // the rest of a market order beyond its protection price
    KillSwitch = 10,     // a kill switch that cancels working orders removed it
};

// The source of a resting order.
enum class OrderOrigin : std::uint8_t {
    OrderEntry = 0, // submitted through the engine and matched by it
    MarketData = 1, // added by a replayed exchange message
    Recovered = 2,  // quantity the replay took from a book snapshot, as no message describes it
};

// The trading status of one instrument. Orders may be entered while PreOpen and Halted, and rest
// without matching until the auction that opens trading uncrosses the book.
enum class TradingStatus : std::uint8_t {
    Trading = 0, // open: continuous matching
    Halted = 1,
    QuoteOnly = 2, // replayed data only: quotes change, nothing trades
    PreOpen = 3,
    Closed = 4,
};

// Whether a replace kept the order's place in its queue.
enum class QueuePriority : std::uint8_t { Kept = 0, Lost = 1 };

// A tradable instrument. Prices are integers in units of 10^-priceDecimals and quantities in
// units of 10^-quantityDecimals. An order's price must be a multiple of tickSize and its
// quantity a multiple of lotSize. Fixed-size text keeps events trivially copyable.
struct InstrumentDefinition {
    InstrumentId id;
    std::array<char, 16> symbol{}; // zero padded
    std::array<char, 4> currency{};
    std::uint8_t priceDecimals = 0;
    std::uint8_t quantityDecimals = 0;
    Price tickSize{1};
    Quantity lotSize{1};
    Quantity minimumQuantity{1};
    Quantity maximumQuantity = kMaximumQuantity;
    std::int64_t multiplier = 1; // currency units per price unit and quantity unit
    // Largest distance of a limit or stop price from the reference price, in basis points of
    // the reference; zero disables the band.
    std::uint32_t priceBandBasisPoints = 0;
    Price referencePrice; // zero: no reference yet (the first trade sets it)
    TradingStatus initialStatus = TradingStatus::Trading;
};

// An instrument joined the engine.
struct InstrumentAdded {
    InstrumentDefinition definition;
};

// Defaults that apply to every order of an account that does not override them.
struct AccountConfigured {
    AccountId account;
    SelfTradePrevention selfTradePrevention = SelfTradePrevention::CancelNewest;
};

// An order passed validation. Trades, an OrderAdded or an OrderParked may follow.
struct OrderAccepted {
    OrderId id;
    Side side;
    OrderType type;
    Price limit; // meaningful for Limit and StopLimit orders
    Quantity quantity;
    AccountId account;
    ClientOrderId clientOrderId;
    TimeInForce timeInForce = TimeInForce::Gtc;
    Liquidity liquidity = Liquidity::Any;
    SelfTradePrevention selfTradePrevention = SelfTradePrevention::AccountDefault;
    Price stopPrice;          // Stop and StopLimit orders
    Quantity displayQuantity; // iceberg orders; zero shows the whole size
    Price protectionPrice;    // market orders: worst price it may fill at; zero for none
    Timestamp expiry;         // GTD orders
};

// Quantity now rests in the book at the back of its price level. For an iceberg, quantity
// is the displayed part.
struct OrderAdded {
    OrderId id;
    Side side;
    Price price;
    Quantity quantity;
    OrderOrigin origin;
};

struct OrderRejected {
    OrderId id; // the order the command named, or the id the new order would have had
    RejectReason reason;
    ClientOrderId clientOrderId;
    AccountId account;
};

// The whole remaining quantity left the book (or left its parked state, for a stop order).
struct OrderCancelled {
    OrderId id;
    Side side;
    Price price;
    Quantity quantity; // what was cancelled, iceberg reserve included
    CancelReason reason;
};

// Part of an order was cancelled. A resting order keeps its place in the queue; an incoming
// order that self-trade prevention decremented goes on matching with what is left.
struct OrderReduced {
    OrderId id;
    Side side;
    Price price;
    Quantity reducedBy;
    Quantity remaining;
};

// A fill. The price is always the resting (maker) order's price. A maker id of zero marks a
// trade against liquidity the book does not show (a hidden order or an exchange cross).
// During an auction both sides rested; the aggressor is the side of the later order.
struct Trade {
    OrderId maker;
    OrderId taker; // zero when the aggressor is unknown, as in replayed exchange data
    Side aggressor;
    Price price;
    Quantity quantity;
    Quantity makerRemaining; // displayed quantity the maker has left in the book
    AccountId makerAccount;
    AccountId takerAccount;
};

struct TradingStatusChanged {
    TradingStatus status;
};

// A replace changed a live order. With QueuePriority::Lost the order left its queue and, if
// it does not trade first, an OrderAdded at the back of its new level follows.
struct OrderReplaced {
    OrderId id;
    Side side;
    Price previousPrice;
    Price price;       // new limit price
    Quantity quantity; // new remaining quantity, iceberg reserve included
    Price stopPrice;   // new stop price of a parked stop order, otherwise zero
    QueuePriority priority;
};

// A stop or stop-limit order waits outside the book for its stop price.
struct OrderParked {
    OrderId id;
    Side side;
    Price stopPrice;
    Quantity quantity;
};

// A trade reached a parked order's stop price. It now enters as a market or limit order:
// trades, an OrderAdded or an OrderCancelled follow.
struct StopTriggered {
    OrderId id;
    Price lastTradePrice; // the price of the trade that reached the stop price
};

// An iceberg showed its next slice from the hidden reserve; the slice joins the back of the
// queue at the order's price.
struct OrderRefilled {
    OrderId id;
    Side side;
    Price price;
    Quantity displayed;
    Quantity reserve; // still hidden after this slice
};

// An auction found the price that maximizes executed volume; its trades follow.
struct AuctionUncrossed {
    Price price;
    Quantity volume;
};

// Best bid and offer after a command changed them; derived from the events before it.
// A zero quantity means that side is empty.
struct TopOfBook {
    Price bidPrice;
    Quantity bidQuantity;
    Price askPrice;
    Quantity askQuantity;
};

// A price level's new totals after a command changed it; derived market data. A level that
// emptied has zero quantity and zero orders.
struct DepthLevel {
    Side side;
    Price price;
    Quantity quantity;
    std::uint32_t orderCount = 0;
};

// A portfolio account opened. Fills of its orders are posted to it from then on.
struct AccountOpened {
    AccountSettings settings;
    Money openingBalance; // units of 10^-settings.moneyDecimals of settings.currency
};

// One side of a trade posted to the account of that side, right after the Trade event. The
// money amounts are in units of 10^-moneyDecimals of the account.
struct FillPosted {
    SequenceNumber tradeSequence = 0; // the sequence number of the Trade event
    AccountId account;
    InstrumentId instrument;
    Side side = Side::Buy;
    LiquidityRole role = LiquidityRole::Taker;
    Price price;
    Quantity quantity;
    Money fee;                   // positive when charged, negative for a rebate
    Money realizedProfitAndLoss; // on the quantity this fill closed
    Money cashBalance;           // the account's balance after the fill
    Quantity position;           // the account's position in the instrument after the fill
};

// An account's risk limits changed. With the event's instrument zero, `limits` replaces the
// account's defaults in full. With an instrument, the fields that `overridden` marks (bits of
// RiskLimitField) override the defaults for that instrument, and the other fields do not apply.
struct RiskLimitsSet {
    AccountId account;
    RiskLimits limits;
    std::uint16_t overridden = 0;
};

// A kill switch was engaged, escalated or reset (scope None). Account zero is the global switch,
// which covers every open account. The cancels and closing orders it causes follow as events.
struct KillSwitchChanged {
    AccountId account;
    KillSwitchScope scope = KillSwitchScope::None;
};

// A pre-trade risk check rejected an order or a replace: the rule, the origin of the limit and
// the values that decided, as risk_checks.h's RiskDecision lists them per rule. The
// OrderRejected of the same command follows.
struct RiskRejected {
    OrderId id;
    AccountId account;
    ClientOrderId clientOrderId;
    RiskRule rule = RiskRule::None;
    LimitScope scope = LimitScope::None;
    KillSwitchScope killSwitch = KillSwitchScope::None;
    RiskUnit unit = RiskUnit::None;
    std::uint8_t decimals = 0; // of the values in `unit`
    Side side = Side::Buy;
    std::int64_t current = 0;
    std::int64_t working = 0;
    std::int64_t order = 0;
    std::int64_t wouldBe = 0;
    std::int64_t limit = 0;
};

// A limit's use crossed an alert threshold (80% or 100%) up or down. The event's instrument is
// the limit's instrument, or zero for an account-wide limit.
struct RiskAlert {
    AccountId account;
    RiskRule rule = RiskRule::None;
    LimitScope scope = LimitScope::None;
    RiskAlertLevel level = RiskAlertLevel::Normal; // the level reached
    std::int64_t use = 0;                          // in the rule's unit
    std::int64_t limit = 0;
    std::int64_t basisPoints = 0; // use / limit, rounded down; 10000 is 100%
};

using EventPayload =
    std::variant<OrderAccepted, OrderAdded, OrderRejected, OrderCancelled, OrderReduced, Trade,
                 TradingStatusChanged, InstrumentAdded, AccountConfigured, OrderReplaced,
                 OrderParked, StopTriggered, OrderRefilled, AuctionUncrossed, TopOfBook, DepthLevel,
                 AccountOpened, FillPosted, RiskLimitsSet, KillSwitchChanged, RiskRejected,
                 RiskAlert>;

// Stable numbers for the payload kinds, used by the journal and the wire. Never reuse one.
enum class EventType : std::uint8_t {
    OrderAccepted = 1,
    OrderAdded = 2,
    OrderRejected = 3,
    OrderCancelled = 4,
    OrderReduced = 5,
    Trade = 6,
    TradingStatusChanged = 7,
    InstrumentAdded = 8,
    AccountConfigured = 9,
    OrderReplaced = 10,
    OrderParked = 11,
    StopTriggered = 12,
    OrderRefilled = 13,
    AuctionUncrossed = 14,
    TopOfBook = 15,
    DepthLevel = 16,
    AccountOpened = 17,
    FillPosted = 18,
    RiskLimitsSet = 19,
    KillSwitchChanged = 20,
    RiskRejected = 21,
    RiskAlert = 22,
};

// Whether an event records a change of engine state (journaled, restored) or is market data
// derived from such events (TopOfBook, DepthLevel), which is rebuilt rather than stored.
bool isStateChange(EventType type);

struct Event {
    SequenceNumber sequence = 0;
    Timestamp time;
    InstrumentId instrument;
    EventPayload payload;
};

EventType typeOf(const EventPayload &payload);
std::string_view nameOf(EventType type);
std::string_view nameOf(RejectReason reason);
std::string_view nameOf(CancelReason reason);
std::string_view nameOf(OrderType type);
std::string_view nameOf(TimeInForce timeInForce);
std::string_view nameOf(SelfTradePrevention mode);
std::string_view nameOf(TradingStatus status);
std::string_view nameOf(QueuePriority priority);
std::string_view nameOf(LiquidityRole role);

// Receives the engine's events on the engine thread, in sequence order. An implementation
// must not block: a slow consumer copies what it needs and catches up elsewhere.
class EventHandler {
public:
    virtual ~EventHandler() = default;
    virtual void onEvent(const Event &event) = 0;

    // Called after the last event of each command, so that derived market data can publish
    // one consistent state per command instead of every step of a sweep.
    virtual void onCommandEnd() {}

    // Called after a batch of events, when the engine's owner is about to wait for more work.
    // A handler that buffers, such as the journal writer, commits here.
    virtual void onBatchEnd() {}

    // The reason this handler stopped doing its work, such as a journal that can no longer write;
    // empty while it works. The engine's owner reads it after each batch and reports it.
    virtual std::string failure() const { return {}; }
};

} // namespace bourse
