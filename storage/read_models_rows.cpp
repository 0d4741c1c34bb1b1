#include "read_models_rows.h"

#include "read_models_support.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace bourse::storage::views {

namespace {

// Reads the columns of one result row, and keeps a description of the first value that breaks
// the table's rules.
class Columns {
public:
    explicit Columns(sqlite3_stmt *statement)
        : m_statement(statement)
    {
    }

    bool isNull(int column) const
    {
        return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
    }

    // A NOT NULL integer column.
    std::int64_t integer(int column)
    {
        const std::optional<std::int64_t> value = integerAt(m_statement, column);
        if (!value) {
            fail(column, "is not an integer");
        }
        return value.value_or(0);
    }

    std::optional<std::int64_t> optionalInteger(int column)
    {
        if (isNull(column)) {
            return std::nullopt;
        }
        return integer(column);
    }

    // A NOT NULL integer from 0 to `maximum`.
    std::uint64_t unsignedInteger(int column, std::uint64_t maximum)
    {
        const std::int64_t value = integer(column);
        if (value < 0 || static_cast<std::uint64_t>(value) > maximum) {
            fail(column, "is out of range");
            return 0;
        }
        return static_cast<std::uint64_t>(value);
    }

    SequenceNumber sequence(int column)
    {
        return unsignedInteger(column, std::numeric_limits<std::int64_t>::max());
    }

    // Order and client order ids are unsigned 64-bit values that the projection stores in
    // SQLite's signed integers bit for bit, so those of 2^63 and above read back negative. A
    // replay gives such ids to the quantity it recovers from a book snapshot.
    std::uint64_t identifier(int column) { return static_cast<std::uint64_t>(integer(column)); }

    OrderId orderId(int column) { return OrderId{identifier(column)}; }

    AccountId account(int column)
    {
        return AccountId{static_cast<std::uint32_t>(
            unsignedInteger(column, std::numeric_limits<std::uint32_t>::max()))};
    }

    InstrumentId instrument(int column)
    {
        return InstrumentId{static_cast<std::uint32_t>(
            unsignedInteger(column, std::numeric_limits<std::uint32_t>::max()))};
    }

    // A text column holding one of the names `parse` reads. NULL gives nothing.
    template <typename Value>
    std::optional<Value> optionalName(int column, std::optional<Value> (*parse)(std::string_view))
    {
        if (isNull(column)) {
            return std::nullopt;
        }
        const std::optional<Value> value = parse(textAt(m_statement, column));
        if (!value) {
            fail(column, "is not a known name");
        }
        return value;
    }

    // A NOT NULL text column holding one of the names `parse` reads.
    template <typename Value>
    Value name(int column, std::optional<Value> (*parse)(std::string_view))
    {
        if (isNull(column)) {
            fail(column, "is NULL");
            return Value{};
        }
        return optionalName(column, parse).value_or(Value{});
    }

    std::string text(int column) { return std::string(textAt(m_statement, column)); }

    // "damaged views file: <row>: <column> is not an integer; ..." for the first bad value.
    std::optional<Problem> problem(const std::string &row) const
    {
        if (!m_problem) {
            return std::nullopt;
        }
        return damagedRow(row, *m_problem);
    }

    void fail(int column, const char *description)
    {
        if (!m_problem) {
            m_problem = std::string(sqlite3_column_name(m_statement, column)) + " " + description;
        }
    }

private:
    sqlite3_stmt *m_statement;
    std::optional<std::string> m_problem;
};

std::string keyText(sqlite3_stmt *statement, int column)
{
    return std::to_string(sqlite3_column_int64(statement, column));
}

std::optional<OrderRowState> parseRowState(std::string_view name)
{
    const std::optional<OrderState> state = parseOrderState(name);
    if (!state) {
        return std::nullopt;
    }
    switch (*state) {
    case OrderState::Working:
        return OrderRowState::Working;
    case OrderState::Parked:
        return OrderRowState::Parked;
    case OrderState::Filled:
        return OrderRowState::Filled;
    case OrderState::Cancelled:
        return OrderRowState::Cancelled;
    case OrderState::Rejected:
        return OrderRowState::Rejected;
    }
    return std::nullopt;
}

// The names the projection writes in fills.liquidity and trades.kind.
std::optional<FillLiquidity> parseLiquidity(std::string_view name)
{
    if (name == "maker") {
        return FillLiquidity::Maker;
    }
    if (name == "taker") {
        return FillLiquidity::Taker;
    }
    return std::nullopt;
}

std::optional<TradeKind> parseTradeKind(std::string_view name)
{
    if (name == "continuous") {
        return TradeKind::Continuous;
    }
    if (name == "auction") {
        return TradeKind::Auction;
    }
    return std::nullopt;
}

template <typename Strong>
std::optional<Strong> optionalOf(std::optional<std::int64_t> value)
{
    return value ? std::optional<Strong>(Strong{*value}) : std::nullopt;
}

} // namespace

// instrument, symbol, currency, price_decimals, quantity_decimals, tick_size, lot_size, status
std::optional<Problem> decodeRow(sqlite3_stmt *statement, InstrumentRow &row)
{
    Columns columns(statement);
    row.instrument = columns.instrument(0);
    row.symbol = columns.text(1);
    row.currency = columns.text(2);
    for (const int column : {3, 4}) {
        const std::optional<std::int64_t> decimals = columns.optionalInteger(column);
        if (decimals && (*decimals < 0 || *decimals > std::numeric_limits<std::uint8_t>::max())) {
            columns.fail(column, "is out of range");
        }
        (column == 3 ? row.priceDecimals : row.quantityDecimals) =
            decimals ? std::optional<int>(static_cast<int>(*decimals)) : std::nullopt;
    }
    row.tickSize = optionalOf<Price>(columns.optionalInteger(5));
    row.lotSize = optionalOf<Quantity>(columns.optionalInteger(6));
    row.status = columns.name(7, &parseTradingStatus);
    return columns.problem("instruments row of instrument " + keyText(statement, 0));
}

// entry_sequence, order_id, account, client_order_id, instrument, side, type, time_in_force,
// limit_price, stop_price, display_quantity, quantity, filled_quantity, remaining_quantity,
// cancelled_quantity, state, reason, accepted_time, updated_time, last_sequence
std::optional<Problem> decodeRow(sqlite3_stmt *statement, OrderRow &row)
{
    Columns columns(statement);
    row.entrySequence = columns.sequence(0);
    row.id = columns.orderId(1);
    row.account = columns.account(2);
    row.clientOrderId = ClientOrderId{columns.isNull(3) ? 0 : columns.identifier(3)};
    row.instrument = columns.instrument(4);
    row.side = columns.optionalName(5, &parseSide);
    row.type = columns.optionalName(6, &parseOrderType);
    row.timeInForce = columns.optionalName(7, &parseTimeInForce);
    row.limitPrice = optionalOf<Price>(columns.optionalInteger(8));
    row.stopPrice = optionalOf<Price>(columns.optionalInteger(9));
    row.displayQuantity = optionalOf<Quantity>(columns.optionalInteger(10));
    row.quantity = optionalOf<Quantity>(columns.optionalInteger(11));
    row.filledQuantity = Quantity{columns.integer(12)};
    row.remainingQuantity = Quantity{columns.integer(13)};
    row.cancelledQuantity = Quantity{columns.integer(14)};
    row.state = columns.name(15, &parseRowState);
    row.reason = columns.text(16);
    row.entryTime = Timestamp{columns.integer(17)};
    row.updatedTime = Timestamp{columns.integer(18)};
    row.lastSequence = columns.sequence(19);

    // Only a rejected order's event lacks the order's terms.
    const bool complete = row.side && row.type && row.timeInForce && row.quantity;
    if (row.state != OrderRowState::Rejected && !complete) {
        columns.fail(15, "is not rejected, but side, type, time_in_force or quantity is NULL");
    }
    return columns.problem("orders row with entry_sequence " + keyText(statement, 0));
}

// trade_sequence, time, order_id, order_entry_sequence, account, instrument, side, price,
// quantity, liquidity
std::optional<Problem> decodeRow(sqlite3_stmt *statement, FillRow &row)
{
    Columns columns(statement);
    row.tradeSequence = columns.sequence(0);
    row.time = Timestamp{columns.integer(1)};
    row.orderId = columns.orderId(2);
    if (!columns.isNull(3)) {
        row.orderEntrySequence = columns.sequence(3);
    }
    row.account = columns.account(4);
    row.instrument = columns.instrument(5);
    row.side = columns.name(6, &parseSide);
    row.price = Price{columns.integer(7)};
    row.quantity = Quantity{columns.integer(8)};
    row.liquidity = columns.name(9, &parseLiquidity);
    return columns.problem("fills row of trade " + keyText(statement, 0));
}

// account, instrument, quantity, open_cost, realized_pnl, trade_count, last_sequence
std::optional<Problem> decodeRow(sqlite3_stmt *statement, PositionRow &row)
{
    Columns columns(statement);
    row.account = columns.account(0);
    row.instrument = columns.instrument(1);
    row.quantity = Quantity{columns.integer(2)};
    row.openCost = columns.integer(3);
    row.realizedPnl = columns.integer(4);
    row.tradeCount = columns.integer(5);
    row.lastSequence = columns.sequence(6);
    return columns.problem("positions row of account " + keyText(statement, 0) + " in instrument " +
                           keyText(statement, 1));
}

// sequence, time, price, quantity, aggressor_side, kind
std::optional<Problem> decodeRow(sqlite3_stmt *statement, TradeRow &row)
{
    Columns columns(statement);
    row.sequence = columns.sequence(0);
    row.time = Timestamp{columns.integer(1)};
    row.price = Price{columns.integer(2)};
    row.quantity = Quantity{columns.integer(3)};
    row.aggressor = columns.name(4, &parseSide);
    row.kind = columns.name(5, &parseTradeKind);
    return columns.problem("trades row with sequence " + keyText(statement, 0));
}

// start_time, open, high, low, close, volume, trade_count
std::optional<Problem> decodeRow(sqlite3_stmt *statement, BarRow &row)
{
    Columns columns(statement);
    row.start = Timestamp{columns.integer(0)};
    row.open = Price{columns.integer(1)};
    row.high = Price{columns.integer(2)};
    row.low = Price{columns.integer(3)};
    row.close = Price{columns.integer(4)};
    row.volume = Quantity{columns.integer(5)};
    row.tradeCount = columns.integer(6);
    return columns.problem("bars row with start_time " + keyText(statement, 0));
}

// account, currency, money_decimals, type, maker_fee_rate, taker_fee_rate, fee_per_unit,
// minimum_fee, opening_balance, cash_balance, fees_paid, realized_pnl, fill_count,
// opened_sequence, opened_time, last_sequence
std::optional<Problem> decodeRow(sqlite3_stmt *statement, AccountRow &row)
{
    Columns columns(statement);
    row.account = columns.account(0);
    row.currency = columns.text(1);
    row.moneyDecimals = static_cast<int>(columns.unsignedInteger(2, kMaximumDecimals));
    row.type = columns.name(3, &parseAccountType);
    row.fees.maker = FeeRate{columns.integer(4)};
    row.fees.taker = FeeRate{columns.integer(5)};
    row.fees.perUnit = Money{columns.integer(6)};
    row.fees.minimum = Money{columns.integer(7)};
    row.openingBalance = Money{columns.integer(8)};
    row.cashBalance = Money{columns.integer(9)};
    row.feesPaid = Money{columns.integer(10)};
    row.realizedProfitAndLoss = Money{columns.integer(11)};
    row.fillCount = columns.integer(12);
    row.openedSequence = columns.sequence(13);
    row.openedTime = Timestamp{columns.integer(14)};
    row.lastSequence = columns.sequence(15);
    return columns.problem("accounts row of account " + keyText(statement, 0));
}

// account, instrument, quantity, realized_pnl, fees_paid, fill_count, last_price, last_sequence
std::optional<Problem> decodeRow(sqlite3_stmt *statement, AccountPositionRow &row)
{
    Columns columns(statement);
    row.account = columns.account(0);
    row.instrument = columns.instrument(1);
    row.quantity = Quantity{columns.integer(2)};
    row.realizedProfitAndLoss = Money{columns.integer(3)};
    row.feesPaid = Money{columns.integer(4)};
    row.fillCount = columns.integer(5);
    row.lastPrice = Price{columns.integer(6)};
    row.lastSequence = columns.sequence(7);
    return columns.problem("account_positions row of account " + keyText(statement, 0) +
                           " in instrument " + keyText(statement, 1));
}

// account, instrument, maximum_order_quantity, maximum_order_notional, maximum_long_position,
// maximum_short_position, price_band_basis_points, maximum_open_orders,
// maximum_orders_per_second, daily_loss_limit, margin_buying_power, overridden, updated_time,
// last_sequence
std::optional<Problem> decodeRow(sqlite3_stmt *statement, RiskLimitsRow &row)
{
    Columns columns(statement);
    row.account = columns.account(0);
    row.instrument = columns.instrument(1);
    row.limits.maximumOrderQuantity = Quantity{columns.integer(2)};
    row.limits.maximumOrderNotional = Money{columns.integer(3)};
    row.limits.maximumLongPosition = Quantity{columns.integer(4)};
    row.limits.maximumShortPosition = Quantity{columns.integer(5)};
    row.limits.priceBandBasisPoints = columns.integer(6);
    row.limits.maximumOpenOrders = columns.integer(7);
    row.limits.maximumOrdersPerSecond = columns.integer(8);
    row.limits.dailyLossLimit = Money{columns.integer(9)};
    row.limits.marginBuyingPower = Money{columns.integer(10)};
    row.overridden =
        static_cast<std::uint16_t>(columns.unsignedInteger(11, kOverridableRiskLimitFields));
    row.updatedTime = Timestamp{columns.integer(12)};
    row.lastSequence = columns.sequence(13);
    if (row.instrument.value() == 0 && row.overridden != 0) {
        columns.fail(11, "is not 0 in the account's defaults");
    }
    return columns.problem("risk_limits row of account " + keyText(statement, 0) +
                           " in instrument " + keyText(statement, 1));
}

// account, scope, changed_time, changed_sequence
std::optional<Problem> decodeRow(sqlite3_stmt *statement, KillSwitchRow &row)
{
    Columns columns(statement);
    row.account = columns.account(0);
    row.scope = columns.name(1, &parseKillSwitchScope);
    row.changedTime = Timestamp{columns.integer(2)};
    row.changedSequence = columns.sequence(3);
    return columns.problem("kill_switches row of account " + keyText(statement, 0));
}

// sequence, time, instrument, order_id, account, client_order_id, rule, scope, kill_switch,
// unit, decimals, side, current_value, working_value, order_value, would_be, limit_value,
// description
std::optional<Problem> decodeRow(sqlite3_stmt *statement, RiskRejectionRow &row)
{
    Columns columns(statement);
    row.sequence = columns.sequence(0);
    row.time = Timestamp{columns.integer(1)};
    row.instrument = columns.instrument(2);
    row.orderId = columns.orderId(3);
    row.account = columns.account(4);
    row.clientOrderId = ClientOrderId{columns.isNull(5) ? 0 : columns.identifier(5)};
    row.rule = columns.name(6, &parseRiskRule);
    row.scope = columns.name(7, &parseLimitScope);
    row.killSwitch = columns.name(8, &parseKillSwitchScope);
    row.unit = columns.name(9, &parseRiskUnit);
    row.decimals = static_cast<int>(columns.unsignedInteger(10, kMaximumDecimals));
    row.side = columns.name(11, &parseSide);
    row.current = columns.integer(12);
    row.working = columns.integer(13);
    row.order = columns.integer(14);
    row.wouldBe = columns.integer(15);
    row.limit = columns.integer(16);
    if (columns.isNull(17)) {
        columns.fail(17, "is NULL");
    }
    row.description = columns.text(17);
    return columns.problem("risk_rejections row with sequence " + keyText(statement, 0));
}

// sequence, time, account, instrument, rule, scope, level, use_value, limit_value, basis_points
std::optional<Problem> decodeRow(sqlite3_stmt *statement, RiskAlertRow &row)
{
    Columns columns(statement);
    row.sequence = columns.sequence(0);
    row.time = Timestamp{columns.integer(1)};
    row.account = columns.account(2);
    row.instrument = columns.instrument(3);
    row.rule = columns.name(4, &parseRiskRule);
    row.scope = columns.name(5, &parseLimitScope);
    row.level = columns.name(6, &parseRiskAlertLevel);
    row.use = columns.integer(7);
    row.limit = columns.integer(8);
    row.basisPoints = columns.integer(9);
    return columns.problem("risk_alerts row with sequence " + keyText(statement, 0));
}

} // namespace bourse::storage::views
