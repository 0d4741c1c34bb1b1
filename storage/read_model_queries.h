#pragma once

#include "events.h"
#include "read_models.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::storage {

// Queries for readers of a views file (see read_models.h): the rows a terminal shows, as plain
// values. Prices and quantities are integers in the journal's units, which an instrument's
// price and quantity decimals scale, and money is in units of its account's money decimals;
// times are nanoseconds, as in the engine's events.

// The state of a row of the orders table. Working and Parked orders are live.
enum class OrderRowState : std::uint8_t {
    Working,   // in the book, or matching
    Parked,    // a stop order waiting for its trigger
    Filled,    // done: traded in full
    Cancelled, // done: cancelled, expired or removed, possibly after partial fills
    Rejected,  // never accepted
};

// The side of a trade an order was on: the resting order (maker) or the incoming one (taker).
enum class FillLiquidity : std::uint8_t { Maker, Taker };

// Whether a trade came from continuous matching or from an auction uncrossing.
enum class TradeKind : std::uint8_t { Continuous, Auction };

// The time frames of the bars table; the value is the frame's length in seconds.
enum class BarFrame : std::uint16_t {
    OneSecond = 1,
    OneMinute = 60,
    FiveMinutes = 300,
    OneHour = 3600,
};

// An instrument's definition and status. The definition fields are empty for an instrument that
// joined without an InstrumentAdded event, as the book of a replay does.
struct InstrumentRow {
    InstrumentId instrument;
    std::string symbol;
    std::string currency;
    std::optional<int> priceDecimals; // a price p means p * 10^-priceDecimals
    std::optional<int> quantityDecimals;
    std::optional<Price> tickSize;
    std::optional<Quantity> lotSize;
    TradingStatus status = TradingStatus::Trading;
};

// An order in its current state. The fields that an OrderRejected event does not carry (side,
// type, time in force, prices, quantity) are empty for a rejected order.
struct OrderRow {
    SequenceNumber entrySequence = 0; // the OrderAccepted or OrderRejected event
    OrderId id;
    AccountId account;           // 0 for an order entered without an account
    ClientOrderId clientOrderId; // 0 when the client gave none
    InstrumentId instrument;
    std::optional<Side> side;
    std::optional<OrderType> type;
    std::optional<TimeInForce> timeInForce;
    std::optional<Price> limitPrice;         // Limit and StopLimit orders
    std::optional<Price> stopPrice;          // Stop and StopLimit orders
    std::optional<Quantity> displayQuantity; // an iceberg's slice
    std::optional<Quantity> quantity;        // filled + remaining + cancelled
    Quantity filledQuantity;
    Quantity remainingQuantity; // still live, an iceberg's reserve included; 0 once done
    Quantity cancelledQuantity;
    OrderRowState state = OrderRowState::Working;
    // The CancelReason of a cancelled order or the RejectReason of a rejected one, as the
    // enumerator's name ("Requested", "InvalidQuantity"); empty otherwise.
    std::string reason;
    Timestamp entryTime;   // time of the entry event
    Timestamp updatedTime; // time of the last event that changed the order
    SequenceNumber lastSequence = 0;
};

// One side of a trade that names its order.
struct FillRow {
    SequenceNumber tradeSequence = 0; // the Trade event
    Timestamp time;
    OrderId orderId;
    // The order's OrderRow::entrySequence; empty when the order is not in the orders table, as
    // for a replayed exchange order.
    std::optional<SequenceNumber> orderEntrySequence;
    AccountId account;
    InstrumentId instrument;
    Side side = Side::Buy; // the order's side
    Price price;
    Quantity quantity;
    FillLiquidity liquidity = FillLiquidity::Maker;
};

// A position of one account in one instrument, its lots closed first in, first out.
struct PositionRow {
    AccountId account;
    InstrumentId instrument;
    Quantity quantity; // positive long, negative short
    // Sum of price * quantity over the open lots, in price units x quantity units, with the
    // sign of quantity.
    std::int64_t openCost = 0;
    // Sum over closed quantity of (sell price - buy price) * quantity, in price units x
    // quantity units, without the instrument's multiplier.
    std::int64_t realizedPnl = 0;
    std::int64_t tradeCount = 0;     // fills of the account in the instrument
    SequenceNumber lastSequence = 0; // the last Trade event that changed the position
};

// A trade of the tape. The price is the resting order's price.
struct TradeRow {
    SequenceNumber sequence = 0;
    Timestamp time;
    Price price;
    Quantity quantity;
    Side aggressor = Side::Buy; // in an auction, the side of the later of the two orders
    TradeKind kind = TradeKind::Continuous;
};

// An OHLCV bar covering start <= time < start + its frame. A frame without trades has no bar.
struct BarRow {
    Timestamp start; // a multiple of the frame
    Price open;      // the first trade in journal order
    Price high;
    Price low;
    Price close; // the last trade in journal order
    Quantity volume;
    std::int64_t tradeCount = 0;
};

// A portfolio account: its settings, and the totals of the fills posted to it. Money is in
// units of 10^-moneyDecimals of the account's currency.
struct AccountRow {
    AccountId account;
    std::string currency;
    int moneyDecimals = 0;
    AccountType type = AccountType::Cash;
    AccountFees fees;
    Money openingBalance;
    Money cashBalance; // after the last posted fill
    Money feesPaid;    // sum of the posted fees; rebates are negative
    Money realizedProfitAndLoss;
    std::int64_t fillCount = 0;
    SequenceNumber openedSequence = 0; // the AccountOpened event
    Timestamp openedTime;
    SequenceNumber lastSequence = 0; // the AccountOpened or the last FillPosted event
};

// The portfolio's position of an account in one instrument, from the fills posted to it. Its
// realized P&L is by weighted average cost, in the account's money, where PositionRow's is
// first in, first out and in price units x quantity units.
struct AccountPositionRow {
    AccountId account;
    InstrumentId instrument;
    Quantity quantity;           // positive long, negative short
    Money realizedProfitAndLoss; // before fees
    Money feesPaid;
    std::int64_t fillCount = 0;
    Price lastPrice;                 // of the last posted fill
    SequenceNumber lastSequence = 0; // the last FillPosted event
};

// An account's pre-trade risk limits: its defaults (instrument 0), or the limits in effect in
// one instrument, whose fields marked in `overridden` (bits of RiskLimitField) are the
// instrument's own and whose other fields are the defaults. Zero disables a limit.
struct RiskLimitsRow {
    AccountId account;
    InstrumentId instrument; // 0 for the account's defaults
    RiskLimits limits;
    std::uint16_t overridden = 0;
    Timestamp updatedTime;
    // The last RiskLimitsSet that changed the row: its own, or the account's defaults.
    SequenceNumber lastSequence = 0;

    bool isOverridden(RiskLimitField field) const
    {
        return (overridden & static_cast<std::uint16_t>(field)) != 0;
    }
};

// A kill switch that a KillSwitchChanged named, with its current scope; None once reset.
struct KillSwitchRow {
    AccountId account; // 0 for the global switch, which covers every account
    KillSwitchScope scope = KillSwitchScope::None;
    Timestamp changedTime;
    SequenceNumber changedSequence = 0; // the last KillSwitchChanged of the switch
};

// An order or a replace that a pre-trade risk check rejected, with the values that decided, as
// risk_checks.h's RiskDecision lists them per rule, and describe()'s sentence for a trader.
struct RiskRejectionRow {
    SequenceNumber sequence = 0; // the RiskRejected event; the OrderRejected follows it
    Timestamp time;
    InstrumentId instrument;
    OrderId orderId;
    AccountId account;
    ClientOrderId clientOrderId; // 0 when the client gave none
    RiskRule rule = RiskRule::None;
    LimitScope scope = LimitScope::None;
    KillSwitchScope killSwitch = KillSwitchScope::None;
    RiskUnit unit = RiskUnit::None;
    int decimals = 0; // of the values in Quantity, Money and Price units
    Side side = Side::Buy;
    std::int64_t current = 0;
    std::int64_t working = 0;
    std::int64_t order = 0;
    std::int64_t wouldBe = 0;
    std::int64_t limit = 0;
    std::string description;
};

// A limit's use crossed 80% or 100%, up or down.
struct RiskAlertRow {
    SequenceNumber sequence = 0; // the RiskAlert event
    Timestamp time;
    AccountId account;
    InstrumentId instrument; // 0 for an account-wide limit
    RiskRule rule = RiskRule::None;
    LimitScope scope = LimitScope::None;
    RiskAlertLevel level = RiskAlertLevel::Normal; // the level reached
    std::int64_t use = 0;                          // in the rule's unit
    std::int64_t limit = 0;
    std::int64_t basisPoints = 0; // use / limit, rounded down; 10000 is 100%
};

// The trades and bars of one instrument, oldest first.
struct InstrumentMarket {
    InstrumentId instrument;
    std::vector<TradeRow> trades;
    std::vector<BarRow> bars;
};

// The rows ReadModelReader::read() returns: the lists of every account, and the markets of the
// instruments named. A limit of 0 skips that list.
struct ReadModelQuery {
    std::size_t workingOrders = 1'000;
    std::size_t finishedOrders = 200;
    std::size_t fills = 500;

    // The instruments whose latest trades and bars are returned, each in one InstrumentMarket.
    std::vector<InstrumentId> instruments;
    std::size_t trades = 500;
    BarFrame barFrame = BarFrame::OneMinute;
    std::size_t bars = 500;

    std::size_t riskRejections = 200;
    std::size_t riskAlerts = 200;
};

// The projection as of one commit of its writer. Every list is read in one read transaction,
// so they all describe the same prefix of the journal.
struct ReadModelSnapshot {
    SequenceNumber lastSequence = 0; // the last projected event; 0 when nothing is projected
    std::uint64_t lastHash = 0;      // the journal's chain hash there; 0 when nothing is projected
    std::vector<InstrumentRow> instruments; // by instrument id
    std::vector<OrderRow> workingOrders;    // Working and Parked, newest entry first
    std::vector<OrderRow> finishedOrders;   // Filled, Cancelled and Rejected, newest first
    std::vector<FillRow> fills;             // newest trade first, its taker before its maker
    std::vector<PositionRow> positions;     // by account, then instrument
    std::vector<InstrumentMarket> markets;  // in the order of ReadModelQuery::instruments
    std::vector<AccountRow> accounts;       // by account id
    // Account positions and risk limits by account, then instrument, so an account's default
    // limits come first. Kill switches by account, so the global switch comes first.
    std::vector<AccountPositionRow> accountPositions;
    std::vector<RiskLimitsRow> riskLimits;
    std::vector<KillSwitchRow> killSwitches;
    std::vector<RiskRejectionRow> riskRejections; // newest first
    std::vector<RiskAlertRow> riskAlerts;         // newest first
    // Set when the read failed; the lists are then empty.
    std::optional<ReadModelError> error;
};

// A read-only connection to a views file, which a ReadModelWriter in this or another process may
// write to meanwhile. The file is in WAL mode, so a read transaction reads the projection as of
// the writer's last commit, and neither waits for the writer nor delays it. Queries use the
// tables' keys and indexes, so their cost grows with the rows they return, not with the tables.
// Positions and instruments are read whole, though, and the working orders are sorted in full
// before the limit applies, which costs little while they stay few.
//
// Every call checks the file first, because a writer may rebuild it between two calls. A file
// without tables, as a views file before its writer created them, reads as a projection of no
// events. Errors name the file: OpenFailed (missing file, not a regular file), NotReadModels,
// UnsupportedFormat (a newer format, or an older one that the next catch-up rebuilds),
// ViewsDamaged (a table, column or value that the projection cannot have written),
// DatabaseCorrupt, SqliteFailed.
//
// A reader belongs to one thread at a time. Several readers may read one file at once.
// A read-only connection cannot remove the -wal and -shm files of the views file, so when a
// reader is the last connection to close, they stay until a writer opens and closes the file.
class ReadModelReader {
public:
    struct Opened {
        std::unique_ptr<ReadModelReader> reader; // null when error is set
        std::optional<ReadModelError> error;
    };

    // Opens the views file at `path` read-only and checks that it is a views file this build
    // reads.
    static Opened open(const std::string &path);

    ~ReadModelReader();
    ReadModelReader(const ReadModelReader &) = delete;
    ReadModelReader &operator=(const ReadModelReader &) = delete;

    // Reads every list of `query` in one read transaction.
    ReadModelSnapshot read(const ReadModelQuery &query);

    // Each reads one list in a read transaction of its own, so two calls may read different
    // commits. On an error they return an empty list and set `error`.
    SequenceNumber lastSequence(std::optional<ReadModelError> &error);
    std::vector<InstrumentRow> instruments(std::optional<ReadModelError> &error);
    std::vector<OrderRow> workingOrders(std::size_t limit, std::optional<ReadModelError> &error);
    std::vector<OrderRow> finishedOrders(std::size_t limit, std::optional<ReadModelError> &error);
    std::vector<FillRow> fills(std::size_t limit, std::optional<ReadModelError> &error);
    std::vector<PositionRow> positions(std::optional<ReadModelError> &error);
    std::vector<TradeRow> trades(InstrumentId instrument, std::size_t limit,
                                 std::optional<ReadModelError> &error);
    std::vector<BarRow> bars(InstrumentId instrument, BarFrame frame, std::size_t limit,
                             std::optional<ReadModelError> &error);
    std::vector<AccountRow> accounts(std::optional<ReadModelError> &error);
    std::vector<AccountPositionRow> accountPositions(std::optional<ReadModelError> &error);
    std::vector<RiskLimitsRow> riskLimits(std::optional<ReadModelError> &error);
    std::vector<KillSwitchRow> killSwitches(std::optional<ReadModelError> &error);
    std::vector<RiskRejectionRow> riskRejections(std::size_t limit,
                                                 std::optional<ReadModelError> &error);
    std::vector<RiskAlertRow> riskAlerts(std::size_t limit, std::optional<ReadModelError> &error);

    const std::string &path() const;

private:
    struct State;
    explicit ReadModelReader(std::unique_ptr<State> state);

    std::unique_ptr<State> m_state;
};

} // namespace bourse::storage
