#include "read_models_projection.h"

#include "read_models_support.h"

#include <iterator>
#include <string>
#include <variant>

namespace bourse::storage::views {

namespace {

bool hasLimit(OrderType type)
{
    return type == OrderType::Limit || type == OrderType::StopLimit;
}

bool isStop(OrderType type)
{
    return type == OrderType::Stop || type == OrderType::StopLimit;
}

std::string orderName(OrderId id)
{
    return "order " + std::to_string(id.value());
}

// The columns loadOpenOrders() selects, in order.
constexpr const char *kOpenOrderColumns[] = {"entry_sequence",
                                             "order_id",
                                             "instrument",
                                             "account",
                                             "client_order_id",
                                             "side",
                                             "type",
                                             "time_in_force",
                                             "limit_price",
                                             "stop_price",
                                             "display_quantity",
                                             "quantity",
                                             "filled_quantity",
                                             "remaining_quantity",
                                             "cancelled_quantity",
                                             "state",
                                             "accepted_time",
                                             "updated_time",
                                             "last_sequence"};
constexpr int kOpenOrderColumnCount = std::size(kOpenOrderColumns);

// Reads the current result row of loadOpenOrders(). Returns what is malformed, if anything.
std::optional<std::string> readOrderRow(sqlite3_stmt *select, Projection::OrderRow &row)
{
    std::int64_t values[kOpenOrderColumnCount] = {};
    bool present[kOpenOrderColumnCount] = {};
    for (int column = 0; column < kOpenOrderColumnCount; ++column) {
        const std::optional<std::int64_t> value = integerAt(select, column);
        present[column] = value.has_value();
        values[column] = value.value_or(0);
    }
    for (const int required : {0, 1, 2, 3, 11, 12, 13, 14, 16, 17, 18}) {
        if (!present[required]) {
            return std::string(kOpenOrderColumns[required]) + " is not an integer";
        }
    }

    row.entrySequence = static_cast<SequenceNumber>(values[0]);
    row.id = OrderId{static_cast<std::uint64_t>(values[1])};
    row.instrument = InstrumentId{static_cast<std::uint32_t>(values[2])};
    row.account = AccountId{static_cast<std::uint32_t>(values[3])};
    row.clientOrderId = ClientOrderId{static_cast<std::uint64_t>(values[4])};
    row.side = parseSide(textAt(select, 5));
    row.type = parseOrderType(textAt(select, 6));
    row.timeInForce = parseTimeInForce(textAt(select, 7));
    if (!row.side || !row.type || !row.timeInForce) {
        return std::string("side, type or time_in_force is not a known name");
    }
    if (present[8]) {
        row.limit = Price{values[8]};
    }
    if (present[9]) {
        row.stop = Price{values[9]};
    }
    if (present[10]) {
        row.display = Quantity{values[10]};
    }
    row.quantity = Quantity{values[11]};
    row.filled = Quantity{values[12]};
    row.remaining = Quantity{values[13]};
    row.cancelled = Quantity{values[14]};
    const std::optional<OrderState> state = parseOrderState(textAt(select, 15));
    if (!state) {
        return std::string("state is not a known name");
    }
    row.state = *state;
    row.acceptedTime = Timestamp{values[16]};
    row.updatedTime = Timestamp{values[17]};
    row.lastSequence = static_cast<SequenceNumber>(values[18]);
    return std::nullopt;
}

} // namespace

Projection::Projection(sqlite3 *database)
    : m_database(database)
{
}

Projection::~Projection() = default;

std::optional<Problem> Projection::prepareStatements()
{
    struct Entry {
        StatementHandle Statements::*member;
        const char *sql;
    };
    static constexpr Entry kEntries[] = {
        {&Statements::replaceOrder,
         "INSERT OR REPLACE INTO orders (entry_sequence, order_id, instrument, account, "
         "client_order_id, side, type, time_in_force, limit_price, stop_price, display_quantity, "
         "quantity, filled_quantity, remaining_quantity, cancelled_quantity, state, reason, "
         "accepted_time, updated_time, last_sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
         "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"},
        {&Statements::insertTrade,
         "INSERT INTO trades (sequence, time, instrument, price, quantity, aggressor_side, "
         "maker_order_id, taker_order_id, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
        {&Statements::insertFill,
         "INSERT INTO fills (trade_sequence, liquidity, time, instrument, order_id, "
         "order_entry_sequence, account, side, price, quantity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
         "?7, ?8, ?9, ?10)"},
        {&Statements::replacePosition,
         "INSERT OR REPLACE INTO positions (account, instrument, quantity, open_cost, "
         "realized_pnl, trade_count, last_sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&Statements::deleteClosedLots,
         "DELETE FROM position_lots WHERE account = ?1 AND instrument = ?2 AND lot < ?3"},
        {&Statements::replaceLot,
         "INSERT OR REPLACE INTO position_lots (account, instrument, lot, opened_sequence, price, "
         "quantity) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&Statements::selectBar,
         "SELECT open, high, low, close, volume, trade_count FROM bars WHERE instrument = ?1 AND "
         "frame_seconds = ?2 AND start_time = ?3"},
        {&Statements::replaceBar,
         "INSERT OR REPLACE INTO bars (instrument, frame_seconds, start_time, open, high, low, "
         "close, volume, trade_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
        {&Statements::upsertInstrument,
         "INSERT INTO instruments (instrument, symbol, currency, price_decimals, "
         "quantity_decimals, tick_size, lot_size, minimum_quantity, maximum_quantity, "
         "multiplier, price_band_basis_points, reference_price, status, added_sequence, "
         "status_time, status_sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
         "?12, ?13, ?14, ?15, ?14) ON CONFLICT (instrument) DO UPDATE SET symbol = ?2, "
         "currency = ?3, price_decimals = ?4, quantity_decimals = ?5, tick_size = ?6, "
         "lot_size = ?7, minimum_quantity = ?8, maximum_quantity = ?9, multiplier = ?10, "
         "price_band_basis_points = ?11, reference_price = ?12, status = ?13, "
         "added_sequence = ?14, status_time = ?15, status_sequence = ?14"},
        {&Statements::upsertStatus,
         "INSERT INTO instruments (instrument, status, status_time, status_sequence) VALUES "
         "(?1, ?2, ?3, ?4) ON CONFLICT (instrument) DO UPDATE SET status = ?2, "
         "status_time = ?3, status_sequence = ?4"},
        {&Statements::insertAuction,
         "INSERT INTO auctions (sequence, time, instrument, price, volume) VALUES (?1, ?2, ?3, "
         "?4, ?5)"},
        {&Statements::insertAccount,
         "INSERT INTO accounts (account, currency, money_decimals, type, maker_fee_rate, "
         "taker_fee_rate, fee_per_unit, minimum_fee, opening_balance, cash_balance, fees_paid, "
         "realized_pnl, fill_count, opened_sequence, opened_time, last_sequence) VALUES (?1, ?2, "
         "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 0, 0, 0, ?10, ?11, ?10)"},
        {&Statements::updateAccount,
         "UPDATE accounts SET cash_balance = ?2, fees_paid = ?3, realized_pnl = ?4, "
         "fill_count = ?5, last_sequence = ?6 WHERE account = ?1"},
        {&Statements::replaceAccountPosition,
         "INSERT OR REPLACE INTO account_positions (account, instrument, quantity, realized_pnl, "
         "fees_paid, fill_count, last_price, last_sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
         "?8)"},
        {&Statements::replaceLimits,
         "INSERT OR REPLACE INTO risk_limits (account, instrument, maximum_order_quantity, "
         "maximum_order_notional, maximum_long_position, maximum_short_position, "
         "price_band_basis_points, maximum_open_orders, maximum_orders_per_second, "
         "daily_loss_limit, margin_buying_power, overridden, updated_time, last_sequence) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"},
        {&Statements::deleteLimits,
         "DELETE FROM risk_limits WHERE account = ?1 AND instrument = ?2"},
        {&Statements::replaceKillSwitch,
         "INSERT OR REPLACE INTO kill_switches (account, scope, changed_time, changed_sequence) "
         "VALUES (?1, ?2, ?3, ?4)"},
        {&Statements::insertRiskRejection,
         "INSERT INTO risk_rejections (sequence, time, instrument, order_id, account, "
         "client_order_id, rule, scope, kill_switch, unit, decimals, side, current_value, "
         "working_value, order_value, would_be, limit_value, description) VALUES (?1, ?2, ?3, "
         "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"},
        {&Statements::insertRiskAlert,
         "INSERT INTO risk_alerts (sequence, time, account, instrument, rule, scope, level, "
         "use_value, limit_value, basis_points) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
         "?10)"},
    };

    m_statements = std::make_unique<Statements>();
    for (const Entry &entry : kEntries) {
        int resultCode = SQLITE_OK;
        (*m_statements).*entry.member = prepareStatement(m_database, entry.sql, resultCode);
        if (!((*m_statements).*entry.member)) {
            // A table of the current format whose columns differ was changed by hand.
            return Problem{ReadModelErrorKind::ViewsDamaged,
                           "damaged views file: a statement does not fit its tables (" +
                               describeSqliteError(m_database, resultCode) +
                               "); delete the file to rebuild it from the journal"};
        }
    }
    return std::nullopt;
}

std::optional<Problem> Projection::load()
{
    clear();
    if (auto problem = prepareStatements()) {
        return problem;
    }
    if (auto problem = loadOpenOrders()) {
        return problem;
    }
    if (auto problem = loadPositions()) {
        return problem;
    }
    if (auto problem = loadLots()) {
        return problem;
    }
    if (auto problem = loadUncrossing()) {
        return problem;
    }
    if (auto problem = loadAccounts()) {
        return problem;
    }
    if (auto problem = loadAccountPositions()) {
        return problem;
    }
    return loadRiskLimits();
}

void Projection::clear()
{
    m_openOrders.clear();
    m_finishedOrders.clear();
    m_positions.clear();
    m_bars.clear();
    m_uncrossing.clear();
    m_accounts.clear();
    m_accountPositions.clear();
    m_riskLimits.clear();
}

// ---- Loading -------------------------------------------------------------------------------

std::optional<Problem> Projection::loadOpenOrders()
{
    int resultCode = SQLITE_OK;
    const StatementHandle select = prepareStatement(
        m_database,
        "SELECT entry_sequence, order_id, instrument, account, client_order_id, side, type, "
        "time_in_force, limit_price, stop_price, display_quantity, quantity, filled_quantity, "
        "remaining_quantity, cancelled_quantity, state, accepted_time, updated_time, "
        "last_sequence FROM orders WHERE state = 'working' OR state = 'parked'",
        resultCode);
    if (!select) {
        return sqliteProblem(m_database, resultCode, "failed to read the open orders");
    }
    while ((resultCode = sqlite3_step(select.get())) == SQLITE_ROW) {
        OrderRow row;
        if (auto what = readOrderRow(select.get(), row)) {
            return damagedRow("orders row with entry_sequence " +
                                  std::to_string(sqlite3_column_int64(select.get(), 0)),
                              *what);
        }
        const auto [existing, inserted] = m_openOrders.emplace(row.id.value(), row);
        if (!inserted) {
            return damagedRow("orders row with entry_sequence " + std::to_string(row.entrySequence),
                              orderName(row.id) + " is open in the row with entry_sequence " +
                                  std::to_string(existing->second.entrySequence) + " too");
        }
    }
    if (resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to read the open orders");
    }
    return std::nullopt;
}

// ---- Events --------------------------------------------------------------------------------

std::optional<Problem> Projection::apply(const Event &event)
{
    return std::visit([&](const auto &payload) { return applyPayload(event, payload); },
                      event.payload);
}

Projection::OrderRow *Projection::findOpenOrder(OrderId id)
{
    const auto found = m_openOrders.find(id.value());
    return found != m_openOrders.end() ? &found->second : nullptr;
}

void Projection::touch(OrderRow &row, const Event &event)
{
    row.updatedTime = event.time;
    row.lastSequence = event.sequence;
    row.dirty = true;
}

// Moves a row that reached its final state out of the open orders, so that its id may be
// used again.
void Projection::finish(OrderRow &row)
{
    const std::uint64_t id = row.id.value();
    m_finishedOrders.push_back(std::move(row));
    m_openOrders.erase(id);
}

std::optional<Problem> Projection::applyPayload(const Event &event, const OrderAccepted &accepted)
{
    if (const OrderRow *live = findOpenOrder(accepted.id)) {
        return inconsistent(orderName(accepted.id) +
                            " is accepted while the order with entry_sequence " +
                            std::to_string(live->entrySequence) + " with that id is open");
    }
    OrderRow row;
    row.entrySequence = event.sequence;
    row.id = accepted.id;
    row.instrument = event.instrument;
    row.account = accepted.account;
    row.clientOrderId = accepted.clientOrderId;
    row.side = accepted.side;
    row.type = accepted.type;
    row.timeInForce = accepted.timeInForce;
    if (hasLimit(accepted.type)) {
        row.limit = accepted.limit;
    }
    if (isStop(accepted.type)) {
        row.stop = accepted.stopPrice;
    }
    if (accepted.displayQuantity.value() > 0) {
        row.display = accepted.displayQuantity;
    }
    row.quantity = accepted.quantity;
    row.remaining = accepted.quantity;
    row.acceptedTime = event.time;
    touch(row, event);
    m_openOrders.emplace(accepted.id.value(), std::move(row));
    return std::nullopt;
}

// OrderRejected does not say which command it rejects. A rejection that names an open order,
// with its account and client order id, is taken as a rejected replace, which leaves the order
// unchanged, unless its reason is DuplicateOrderId, which only a new order gets. A cancel or
// replace of an order that is not open (UnknownOrder) and a rejection without an order id (an
// instrument definition, a status change, a mass cancel) are not orders either. Every other
// rejection is a new order.
// NOTE: a new order that reuses the id, account and client order id of an open order and fails
// a check other than the duplicate id is taken for a rejected replace and gets no row.
std::optional<Problem> Projection::applyPayload(const Event &event, const OrderRejected &rejected)
{
    if (rejected.id.value() == 0 || rejected.reason == RejectReason::UnknownOrder) {
        return std::nullopt;
    }
    const OrderRow *live = findOpenOrder(rejected.id);
    if (live && rejected.reason != RejectReason::DuplicateOrderId &&
        live->account == rejected.account && live->clientOrderId == rejected.clientOrderId) {
        return std::nullopt;
    }

    OrderRow row;
    row.entrySequence = event.sequence;
    row.id = rejected.id;
    row.instrument = event.instrument;
    row.account = rejected.account;
    row.clientOrderId = rejected.clientOrderId;
    row.state = OrderState::Rejected;
    row.reason = enumeratorName(rejected.reason);
    row.acceptedTime = event.time;
    touch(row, event);
    m_finishedOrders.push_back(std::move(row));
    return std::nullopt;
}

// Orders a replayed exchange message added are not in the orders table, so events about an
// order that is not open change no order row.
std::optional<Problem> Projection::applyPayload(const Event &event, const OrderAdded &added)
{
    if (OrderRow *row = findOpenOrder(added.id)) {
        row->state = OrderState::Working;
        touch(*row, event);
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const OrderParked &parked)
{
    if (OrderRow *row = findOpenOrder(parked.id)) {
        row->state = OrderState::Parked;
        touch(*row, event);
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const StopTriggered &triggered)
{
    if (OrderRow *row = findOpenOrder(triggered.id)) {
        row->state = OrderState::Working;
        touch(*row, event);
    }
    return std::nullopt;
}

// A refill moves quantity from an iceberg's reserve to its shown part: the remaining quantity,
// which includes the reserve, stays.
std::optional<Problem> Projection::applyPayload(const Event &event, const OrderRefilled &refilled)
{
    if (OrderRow *row = findOpenOrder(refilled.id)) {
        touch(*row, event);
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const OrderReduced &reduced)
{
    OrderRow *row = findOpenOrder(reduced.id);
    if (!row) {
        return std::nullopt;
    }
    if (reduced.reducedBy > row->remaining) {
        return inconsistent(orderName(reduced.id) + " is reduced by " +
                            std::to_string(reduced.reducedBy.value()) + " but has " +
                            std::to_string(row->remaining.value()) + " remaining");
    }
    row->remaining -= reduced.reducedBy;
    row->cancelled += reduced.reducedBy;
    touch(*row, event);
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const OrderCancelled &cancelled)
{
    OrderRow *row = findOpenOrder(cancelled.id);
    if (!row) {
        return std::nullopt;
    }
    if (cancelled.quantity != row->remaining) {
        return inconsistent(orderName(cancelled.id) + " is cancelled with " +
                            std::to_string(cancelled.quantity.value()) + " but has " +
                            std::to_string(row->remaining.value()) + " remaining");
    }
    row->cancelled += cancelled.quantity;
    row->remaining = Quantity{0};
    row->state = OrderState::Cancelled;
    row->reason = enumeratorName(cancelled.reason);
    touch(*row, event);
    finish(*row);
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const OrderReplaced &replaced)
{
    OrderRow *row = findOpenOrder(replaced.id);
    if (!row) {
        return std::nullopt;
    }
    row->remaining = replaced.quantity;
    row->quantity = row->filled + row->cancelled + row->remaining;
    if (row->type && hasLimit(*row->type)) {
        row->limit = replaced.price;
    }
    if (replaced.stopPrice.value() != 0) {
        row->stop = replaced.stopPrice;
    }
    touch(*row, event);
    return std::nullopt;
}

std::optional<Problem> Projection::fillOrder(OrderRow &row, Quantity quantity, const Event &event)
{
    if (quantity > row.remaining) {
        return inconsistent(orderName(row.id) + " trades " + std::to_string(quantity.value()) +
                            " but has " + std::to_string(row.remaining.value()) + " remaining");
    }
    row.filled += quantity;
    row.remaining -= quantity;
    touch(row, event);
    if (row.remaining.value() == 0) {
        row.state = OrderState::Filled;
        finish(row);
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &, const AccountConfigured &)
{
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &, const TopOfBook &)
{
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &, const DepthLevel &)
{
    return std::nullopt;
}

// ---- Writing -------------------------------------------------------------------------------

std::optional<Problem> Projection::flush()
{
    for (const OrderRow &row : m_finishedOrders) {
        if (auto problem = writeOrder(row)) {
            return problem;
        }
    }
    m_finishedOrders.clear();

    for (auto &[id, row] : m_openOrders) {
        if (row.dirty) {
            if (auto problem = writeOrder(row)) {
                return problem;
            }
            row.dirty = false;
        }
    }
    for (auto &[key, position] : m_positions) {
        if (position.dirty) {
            if (auto problem = writePosition(position)) {
                return problem;
            }
            position.dirty = false;
        }
    }
    for (auto &[key, account] : m_accounts) {
        if (account.dirty) {
            if (auto problem = writeAccount(account)) {
                return problem;
            }
            account.dirty = false;
        }
    }
    for (auto &[key, position] : m_accountPositions) {
        if (position.dirty) {
            if (auto problem = writeAccountPosition(position)) {
                return problem;
            }
            position.dirty = false;
        }
    }
    for (auto &[key, bar] : m_bars) {
        if (bar.dirty) {
            const auto instrument = InstrumentId{static_cast<std::uint32_t>(key >> 8)};
            if (auto problem = writeBar(instrument, key & 0xff, bar)) {
                return problem;
            }
            bar.dirty = false;
        }
    }
    return std::nullopt;
}

std::optional<Problem> Projection::writeOrder(const OrderRow &row)
{
    sqlite3_stmt *replace = m_statements->replaceOrder.get();
    sqlite3_bind_int64(replace, 1, asInteger(row.entrySequence));
    sqlite3_bind_int64(replace, 2, asInteger(row.id.value()));
    sqlite3_bind_int64(replace, 3, row.instrument.value());
    sqlite3_bind_int64(replace, 4, row.account.value());
    bindOptional(replace, 5, row.clientOrderId.value() != 0, asInteger(row.clientOrderId.value()));
    bindName(replace, 6, row.side ? enumeratorName(*row.side) : "");
    bindName(replace, 7, row.type ? enumeratorName(*row.type) : "");
    bindName(replace, 8, row.timeInForce ? enumeratorName(*row.timeInForce) : "");
    bindOptional(replace, 9, row.limit.has_value(), row.limit.value_or(Price{}).value());
    bindOptional(replace, 10, row.stop.has_value(), row.stop.value_or(Price{}).value());
    bindOptional(replace, 11, row.display.has_value(), row.display.value_or(Quantity{}).value());
    bindOptional(replace, 12, row.quantity.has_value(), row.quantity.value_or(Quantity{}).value());
    sqlite3_bind_int64(replace, 13, row.filled.value());
    sqlite3_bind_int64(replace, 14, row.remaining.value());
    sqlite3_bind_int64(replace, 15, row.cancelled.value());
    bindName(replace, 16, stateName(row.state));
    bindName(replace, 17, row.reason);
    sqlite3_bind_int64(replace, 18, row.acceptedTime.value());
    sqlite3_bind_int64(replace, 19, row.updatedTime.value());
    sqlite3_bind_int64(replace, 20, asInteger(row.lastSequence));
    if (const int resultCode = stepOnce(replace); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode,
                             "failed to write the row of " + orderName(row.id));
    }
    return std::nullopt;
}

} // namespace bourse::storage::views
