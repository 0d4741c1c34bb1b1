#pragma once

#include "read_models_schema.h"
#include "read_models_support.h"
#include "sqlite_support.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bourse::storage::views {

// Applies events to the tables of a views file. Rows that many events change (open orders,
// positions with their lots, the newest bar of each time frame, accounts and their positions)
// are kept in memory and written by flush(), so that an order accepted and cancelled between
// two commits is written once. Trades, fills, auctions, instrument changes and the risk events
// are written as they come. Risk limits are kept in memory as well, because an account's
// defaults fill in the fields its instrument rows do not override.
//
// apply() and flush() run inside a transaction the caller opened, and flush() must run before
// the caller commits. After a failed call the caller must roll back and discard the
// projection, because the memory no longer matches the file.
class Projection {
public:
    explicit Projection(sqlite3 *database);
    ~Projection();

    Projection(const Projection &) = delete;
    Projection &operator=(const Projection &) = delete;

    // Prepares the statements and loads what later events need: open orders, positions with
    // their open lots, the instruments whose auction is uncrossing, accounts with their
    // positions, and risk limits.
    std::optional<Problem> load();

    // Forgets every row kept in memory, for tables that were just recreated empty.
    void clear();

    // Applies one event. TopOfBook, DepthLevel and AccountConfigured change no table.
    std::optional<Problem> apply(const Event &event);

    // Writes the rows kept in memory that changed since the last flush.
    std::optional<Problem> flush();

    // An order row. Fields a rejected order's event does not carry are empty.
    struct OrderRow {
        SequenceNumber entrySequence = 0;
        OrderId id;
        InstrumentId instrument;
        AccountId account;
        ClientOrderId clientOrderId;
        std::optional<Side> side;
        std::optional<OrderType> type;
        std::optional<TimeInForce> timeInForce;
        std::optional<Price> limit;
        std::optional<Price> stop;
        std::optional<Quantity> display;
        std::optional<Quantity> quantity;
        Quantity filled;
        Quantity remaining;
        Quantity cancelled;
        OrderState state = OrderState::Working;
        std::string_view reason; // empty for none
        Timestamp acceptedTime;
        Timestamp updatedTime;
        SequenceNumber lastSequence = 0;
        bool dirty = false;
    };

    // One open lot of a position. The quantity has the sign of the position.
    struct Lot {
        std::int64_t number = 0;
        SequenceNumber openedSequence = 0;
        std::int64_t price = 0;
        std::int64_t quantity = 0;
    };

    struct Position {
        AccountId account;
        InstrumentId instrument;
        std::int64_t quantity = 0;
        std::int64_t openCost = 0;
        std::int64_t realizedPnl = 0;
        std::int64_t tradeCount = 0;
        SequenceNumber lastSequence = 0;
        std::deque<Lot> lots; // oldest first
        std::int64_t nextLot = 1;
        std::int64_t lastWrittenLot = 0; // lots above it are not in the file yet
        bool dirty = false;
    };

    struct Bar {
        std::int64_t start = 0;
        std::int64_t open = 0;
        std::int64_t high = 0;
        std::int64_t low = 0;
        std::int64_t close = 0;
        std::int64_t volume = 0;
        std::int64_t tradeCount = 0;
        bool dirty = false;
    };

    // The totals of a portfolio account that its fills change. The settings and the opening
    // balance are written once, by AccountOpened.
    struct Account {
        AccountId account;
        std::int64_t cashBalance = 0;
        std::int64_t feesPaid = 0;
        std::int64_t realizedPnl = 0;
        std::int64_t fillCount = 0;
        SequenceNumber lastSequence = 0;
        bool dirty = false;
    };

    // An account's position in one instrument, from its posted fills.
    struct AccountPosition {
        AccountId account;
        InstrumentId instrument;
        std::int64_t quantity = 0;
        std::int64_t realizedPnl = 0;
        std::int64_t feesPaid = 0;
        std::int64_t fillCount = 0;
        std::int64_t lastPrice = 0;
        SequenceNumber lastSequence = 0;
        bool dirty = false;
    };

    // A row of risk_limits: an account's defaults (instrument 0), or the limits in effect in one
    // instrument, whose fields marked in `overridden` are the instrument's own.
    struct LimitsRow {
        RiskLimits limits;
        std::uint16_t overridden = 0;
    };

private:
    struct Statements;

    std::optional<Problem> prepareStatements();
    std::optional<Problem> loadOpenOrders();
    std::optional<Problem> loadPositions();
    std::optional<Problem> loadLots();
    std::optional<Problem> loadUncrossing();
    std::optional<Problem> loadAccounts();
    std::optional<Problem> loadAccountPositions();
    std::optional<Problem> loadRiskLimits();

    std::optional<Problem> applyPayload(const Event &event, const OrderAccepted &accepted);
    std::optional<Problem> applyPayload(const Event &event, const OrderRejected &rejected);
    std::optional<Problem> applyPayload(const Event &event, const OrderAdded &added);
    std::optional<Problem> applyPayload(const Event &event, const OrderParked &parked);
    std::optional<Problem> applyPayload(const Event &event, const StopTriggered &triggered);
    std::optional<Problem> applyPayload(const Event &event, const OrderRefilled &refilled);
    std::optional<Problem> applyPayload(const Event &event, const OrderReduced &reduced);
    std::optional<Problem> applyPayload(const Event &event, const OrderCancelled &cancelled);
    std::optional<Problem> applyPayload(const Event &event, const OrderReplaced &replaced);
    std::optional<Problem> applyPayload(const Event &event, const Trade &trade);
    std::optional<Problem> applyPayload(const Event &event, const InstrumentAdded &added);
    std::optional<Problem> applyPayload(const Event &event, const TradingStatusChanged &changed);
    std::optional<Problem> applyPayload(const Event &event, const AuctionUncrossed &auction);
    std::optional<Problem> applyPayload(const Event &event, const AccountConfigured &configured);
    std::optional<Problem> applyPayload(const Event &event, const TopOfBook &top);
    std::optional<Problem> applyPayload(const Event &event, const DepthLevel &level);
    std::optional<Problem> applyPayload(const Event &event, const AccountOpened &opened);
    std::optional<Problem> applyPayload(const Event &event, const FillPosted &fill);
    std::optional<Problem> applyPayload(const Event &event, const RiskLimitsSet &changed);
    std::optional<Problem> applyPayload(const Event &event, const KillSwitchChanged &changed);
    std::optional<Problem> applyPayload(const Event &event, const RiskRejected &rejected);
    std::optional<Problem> applyPayload(const Event &event, const RiskAlert &alert);

    OrderRow *findOpenOrder(OrderId id);
    void touch(OrderRow &row, const Event &event);
    void finish(OrderRow &row);
    std::optional<Problem> fillOrder(OrderRow &row, Quantity quantity, const Event &event);
    std::optional<Problem> insertFill(const Event &event, const Trade &trade, bool maker,
                                      const OrderRow *row);
    std::optional<Problem> applyFill(AccountId account, InstrumentId instrument, Side side,
                                     Price price, Quantity quantity, SequenceNumber sequence);
    std::optional<Problem> applyBars(InstrumentId instrument, Timestamp time, Price price,
                                     Quantity quantity);
    std::optional<Problem> loadBar(InstrumentId instrument, std::size_t frame, std::int64_t start,
                                   Bar &bar);

    std::optional<Problem> writeOrder(const OrderRow &row);
    std::optional<Problem> writePosition(Position &position);
    std::optional<Problem> writeBar(InstrumentId instrument, std::size_t frame, const Bar &bar);
    std::optional<Problem> writeAccount(const Account &account);
    std::optional<Problem> writeAccountPosition(const AccountPosition &position);
    std::optional<Problem> writeLimits(const Event &event, AccountId account,
                                       InstrumentId instrument, const LimitsRow &row);

    sqlite3 *m_database;
    std::unique_ptr<Statements> m_statements;

    std::unordered_map<std::uint64_t, OrderRow> m_openOrders; // by order id
    std::vector<OrderRow> m_finishedOrders;                   // done since the last flush
    std::unordered_map<std::uint64_t, Position> m_positions;  // by account and instrument
    std::unordered_map<std::uint64_t, Bar> m_bars;            // by instrument and time frame
    std::unordered_map<std::uint32_t, bool> m_uncrossing;     // by instrument
    std::unordered_map<std::uint32_t, Account> m_accounts;    // by account
    std::unordered_map<std::uint64_t, AccountPosition> m_accountPositions; // by account, instrument
    // By account and instrument, so that an account's rows are adjacent, its defaults first.
    std::map<std::uint64_t, LimitsRow> m_riskLimits;
};

// The prepared statements of a Projection, shared by the files that implement it.
struct Projection::Statements {
    StatementHandle replaceOrder;
    StatementHandle insertTrade;
    StatementHandle insertFill;
    StatementHandle replacePosition;
    StatementHandle deleteClosedLots;
    StatementHandle replaceLot;
    StatementHandle selectBar;
    StatementHandle replaceBar;
    StatementHandle upsertInstrument;
    StatementHandle upsertStatus;
    StatementHandle insertAuction;
    StatementHandle insertAccount;
    StatementHandle updateAccount;
    StatementHandle replaceAccountPosition;
    StatementHandle replaceLimits;
    StatementHandle deleteLimits;
    StatementHandle replaceKillSwitch;
    StatementHandle insertRiskRejection;
    StatementHandle insertRiskAlert;
};

} // namespace bourse::storage::views
