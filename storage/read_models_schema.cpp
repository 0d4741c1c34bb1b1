#include "read_models_schema.h"

#include "sqlite_support.h"

#include <cinttypes>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bourse::storage::views {

namespace {

// Columns that contain an engine enum store the enumerator's name, as in 'StopLimit' or
// 'PriceNotOnTick'. The projection's own categories (order state, liquidity, trade kind) are
// lower-case words. The `about` rows below give every column's meaning and unit.
//
// The checks compare with each allowed value in turn: SQLite 3.40 evaluates `x IN (...)` in
// a CHECK through a temporary table on every insert, which took about as long as the rest of
// the projection.
constexpr const char *createTablesSql = R"sql(
CREATE TABLE about (
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (table_name, column_name)
) WITHOUT ROWID;
CREATE TABLE projection (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format_version INTEGER NOT NULL,
    journal_path TEXT,
    journal_first_hash TEXT,
    last_sequence INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    updated_time INTEGER
);
CREATE TABLE instruments (
    instrument INTEGER PRIMARY KEY,
    symbol TEXT,
    currency TEXT,
    price_decimals INTEGER,
    quantity_decimals INTEGER,
    tick_size INTEGER,
    lot_size INTEGER,
    minimum_quantity INTEGER,
    maximum_quantity INTEGER,
    multiplier INTEGER,
    price_band_basis_points INTEGER,
    reference_price INTEGER,
    status TEXT NOT NULL CHECK (status = 'Trading' OR status = 'Halted'
        OR status = 'QuoteOnly' OR status = 'PreOpen' OR status = 'Closed'),
    added_sequence INTEGER,
    status_time INTEGER NOT NULL,
    status_sequence INTEGER NOT NULL
);
CREATE TABLE orders (
    entry_sequence INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    account INTEGER NOT NULL,
    client_order_id INTEGER,
    side TEXT CHECK (side = 'Buy' OR side = 'Sell'),
    type TEXT CHECK (type = 'Limit' OR type = 'Market' OR type = 'Stop'
        OR type = 'StopLimit'),
    time_in_force TEXT CHECK (time_in_force = 'Gtc' OR time_in_force = 'Day'
        OR time_in_force = 'Gtd' OR time_in_force = 'Ioc' OR time_in_force = 'Fok'),
    limit_price INTEGER,
    stop_price INTEGER,
    display_quantity INTEGER,
    quantity INTEGER,
    filled_quantity INTEGER NOT NULL,
    remaining_quantity INTEGER NOT NULL,
    cancelled_quantity INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state = 'working' OR state = 'parked' OR state = 'filled'
        OR state = 'cancelled' OR state = 'rejected'),
    reason TEXT,
    accepted_time INTEGER NOT NULL,
    updated_time INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL
);
CREATE INDEX orders_by_order_id ON orders (order_id);
CREATE INDEX orders_open ON orders (state) WHERE state = 'working' OR state = 'parked';
CREATE TABLE trades (
    sequence INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    price INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    aggressor_side TEXT NOT NULL CHECK (aggressor_side = 'Buy' OR aggressor_side = 'Sell'),
    maker_order_id INTEGER,
    taker_order_id INTEGER,
    kind TEXT NOT NULL CHECK (kind = 'continuous' OR kind = 'auction')
);
CREATE TABLE fills (
    trade_sequence INTEGER NOT NULL,
    liquidity TEXT NOT NULL CHECK (liquidity = 'maker' OR liquidity = 'taker'),
    time INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    order_entry_sequence INTEGER,
    account INTEGER NOT NULL,
    side TEXT NOT NULL CHECK (side = 'Buy' OR side = 'Sell'),
    price INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (trade_sequence, liquidity)
) WITHOUT ROWID;
CREATE INDEX fills_by_order_id ON fills (order_id);
CREATE TABLE positions (
    account INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    open_cost INTEGER NOT NULL,
    realized_pnl INTEGER NOT NULL,
    trade_count INTEGER NOT NULL,
    average_price REAL GENERATED ALWAYS AS
        (CASE WHEN quantity <> 0 THEN CAST(open_cost AS REAL) / quantity END) VIRTUAL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (account, instrument)
) WITHOUT ROWID;
CREATE TABLE position_lots (
    account INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    lot INTEGER NOT NULL,
    opened_sequence INTEGER NOT NULL,
    price INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (account, instrument, lot)
) WITHOUT ROWID;
CREATE TABLE bars (
    instrument INTEGER NOT NULL,
    frame_seconds INTEGER NOT NULL CHECK (frame_seconds = 1 OR frame_seconds = 60
        OR frame_seconds = 300 OR frame_seconds = 3600),
    start_time INTEGER NOT NULL,
    open INTEGER NOT NULL,
    high INTEGER NOT NULL,
    low INTEGER NOT NULL,
    close INTEGER NOT NULL,
    volume INTEGER NOT NULL,
    trade_count INTEGER NOT NULL,
    PRIMARY KEY (instrument, frame_seconds, start_time)
) WITHOUT ROWID;
CREATE TABLE auctions (
    sequence INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    price INTEGER NOT NULL,
    volume INTEGER NOT NULL
);
CREATE TABLE accounts (
    account INTEGER PRIMARY KEY,
    currency TEXT NOT NULL,
    money_decimals INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type = 'Cash' OR type = 'Margin'),
    maker_fee_rate INTEGER NOT NULL,
    taker_fee_rate INTEGER NOT NULL,
    fee_per_unit INTEGER NOT NULL,
    minimum_fee INTEGER NOT NULL,
    opening_balance INTEGER NOT NULL,
    cash_balance INTEGER NOT NULL,
    fees_paid INTEGER NOT NULL,
    realized_pnl INTEGER NOT NULL,
    fill_count INTEGER NOT NULL,
    opened_sequence INTEGER NOT NULL,
    opened_time INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL
);
CREATE TABLE account_positions (
    account INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    realized_pnl INTEGER NOT NULL,
    fees_paid INTEGER NOT NULL,
    fill_count INTEGER NOT NULL,
    last_price INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (account, instrument)
) WITHOUT ROWID;
CREATE TABLE risk_limits (
    account INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    maximum_order_quantity INTEGER NOT NULL,
    maximum_order_notional INTEGER NOT NULL,
    maximum_long_position INTEGER NOT NULL,
    maximum_short_position INTEGER NOT NULL,
    price_band_basis_points INTEGER NOT NULL,
    maximum_open_orders INTEGER NOT NULL,
    maximum_orders_per_second INTEGER NOT NULL,
    daily_loss_limit INTEGER NOT NULL,
    margin_buying_power INTEGER NOT NULL,
    overridden INTEGER NOT NULL,
    updated_time INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (account, instrument)
) WITHOUT ROWID;
CREATE TABLE kill_switches (
    account INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope = 'None' OR scope = 'Pause' OR scope = 'CancelAll'
        OR scope = 'Flatten'),
    changed_time INTEGER NOT NULL,
    changed_sequence INTEGER NOT NULL
);
CREATE TABLE risk_rejections (
    sequence INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    account INTEGER NOT NULL,
    client_order_id INTEGER,
    rule TEXT NOT NULL,
    scope TEXT NOT NULL,
    kill_switch TEXT NOT NULL CHECK (kill_switch = 'None' OR kill_switch = 'Pause'
        OR kill_switch = 'CancelAll' OR kill_switch = 'Flatten'),
    unit TEXT NOT NULL CHECK (unit = 'None' OR unit = 'Quantity' OR unit = 'Money'
        OR unit = 'Price' OR unit = 'Count'),
    decimals INTEGER NOT NULL,
    side TEXT NOT NULL CHECK (side = 'Buy' OR side = 'Sell'),
    current_value INTEGER NOT NULL,
    working_value INTEGER NOT NULL,
    order_value INTEGER NOT NULL,
    would_be INTEGER NOT NULL,
    limit_value INTEGER NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE risk_alerts (
    sequence INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    account INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    rule TEXT NOT NULL,
    scope TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level = 'Normal' OR level = 'Warning' OR level = 'Breach'),
    use_value INTEGER NOT NULL,
    limit_value INTEGER NOT NULL,
    basis_points INTEGER NOT NULL
);
)sql";

// Indexes for ReadModelReader's queries: the trades of one instrument, newest first. They came
// after format 1 had been released, so a writer adds them to a file that lacks them, and a
// build that does not know them keeps them up to date as SQLite maintains any index.
constexpr const char *createQueryIndexesSql = R"sql(
CREATE INDEX IF NOT EXISTS trades_by_instrument ON trades (instrument);
)sql";

// Every table the format has; a views file that lacks one is damaged.
constexpr const char *kTables[] = {
    "about",       "projection",    "instruments",     "orders",
    "trades",      "fills",         "positions",       "position_lots",
    "bars",        "auctions",      "accounts",        "account_positions",
    "risk_limits", "kill_switches", "risk_rejections", "risk_alerts"};

struct ColumnNote {
    const char *table;
    const char *column;
    const char *description;
};

constexpr ColumnNote kAbout[] = {
    {"about", "table_name", "a table of this file"},
    {"about", "column_name", "a column of the table; * for notes on the whole file or table"},
    {"about", "description", "meaning and unit"},
    {"about", "*",
     "Prices are integers in units of 10^-price_decimals and quantities integers in units of "
     "10^-quantity_decimals of the instrument (see instruments). Times are nanoseconds, from "
     "the Unix epoch in live sessions and from midnight in replayed data. Columns that hold an "
     "engine enum contain the C++ enumerator name, such as StopLimit or PriceNotOnTick. Every "
     "table is a projection of the journal's events and is rebuilt from them."},

    {"projection", "*", "one row: what the tables are a projection of"},
    {"projection", "id", "always 1"},
    {"projection", "format_version", "read-model format of this file"},
    {"projection", "journal_path", "the journal the projection last caught up from"},
    {"projection", "journal_first_hash",
     "chain hash of the journal's first event, which identifies the journal"},
    {"projection", "last_sequence", "the last event projected into every table"},
    {"projection", "last_hash",
     "the journal's chain hash at last_sequence, as `bourse-engine journal verify` prints it"},
    {"projection", "updated_time", "wall-clock time of the last commit, ns since the Unix epoch"},

    {"instruments", "*",
     "one row per instrument; the definition columns are NULL for an instrument that joined "
     "without an InstrumentAdded event, as the book of a replay does"},
    {"instruments", "instrument", "instrument id"},
    {"instruments", "symbol", "ticker symbol"},
    {"instruments", "currency", "currency code of prices"},
    {"instruments", "price_decimals", "a price p means p * 10^-price_decimals"},
    {"instruments", "quantity_decimals", "a quantity q means q * 10^-quantity_decimals"},
    {"instruments", "tick_size", "price units; every price is a multiple"},
    {"instruments", "lot_size", "quantity units; every quantity is a multiple"},
    {"instruments", "minimum_quantity", "quantity units: smallest order size"},
    {"instruments", "maximum_quantity", "quantity units: largest order size"},
    {"instruments", "multiplier", "currency units per price unit and quantity unit"},
    {"instruments", "price_band_basis_points",
     "largest distance of a limit or stop price from the reference price, in 1/10000 of it; "
     "0: no band"},
    {"instruments", "reference_price",
     "price units, as defined; NULL when the definition had none"},
    {"instruments", "status", "current TradingStatus"},
    {"instruments", "added_sequence", "the InstrumentAdded event"},
    {"instruments", "status_time", "time of the definition or the last status change"},
    {"instruments", "status_sequence", "event of the definition or the last status change"},

    {"orders", "*", "one row per order accepted or rejected, in its current state"},
    {"orders", "entry_sequence",
     "the OrderAccepted or OrderRejected event; the key, because an order id may be used "
     "again once its order is done, and a rejected order may carry the id of a later order"},
    {"orders", "order_id", "the engine's order id"},
    {"orders", "instrument", "instrument id"},
    {"orders", "account", "account id; 0 for an order entered without one"},
    {"orders", "client_order_id", "NULL when the client gave none"},
    {"orders", "side", "Buy or Sell; NULL for a rejected order, whose event does not carry it"},
    {"orders", "type", "OrderType; NULL for a rejected order"},
    {"orders", "time_in_force", "TimeInForce; NULL for a rejected order"},
    {"orders", "limit_price", "price units; NULL for Market and Stop orders"},
    {"orders", "stop_price", "price units; NULL unless Stop or StopLimit"},
    {"orders", "display_quantity", "iceberg slice in quantity units; NULL shows the whole size"},
    {"orders", "quantity",
     "quantity units: filled + remaining + cancelled quantity, so a replace sets it to the "
     "filled and cancelled quantity plus the new remaining one; NULL for a rejected order"},
    {"orders", "filled_quantity", "quantity units traded"},
    {"orders", "remaining_quantity",
     "quantity units still live, iceberg reserve included; 0 once the order is done"},
    {"orders", "cancelled_quantity", "quantity units cancelled or reduced"},
    {"orders", "state",
     "working (in the book or matching), parked (stop order waiting for its trigger), filled, "
     "cancelled or rejected"},
    {"orders", "reason", "CancelReason of a cancelled order, RejectReason of a rejected one"},
    {"orders", "accepted_time", "time of the OrderAccepted or OrderRejected event"},
    {"orders", "updated_time", "time of the last event that changed the order"},
    {"orders", "last_sequence", "the last event that changed the order"},

    {"trades", "*", "the tape: one row per trade"},
    {"trades", "sequence", "the Trade event"},
    {"trades", "time", "time of the trade"},
    {"trades", "instrument", "instrument id"},
    {"trades", "price", "price units: the resting (maker) order's price"},
    {"trades", "quantity", "quantity units"},
    {"trades", "aggressor_side",
     "side of the taker; in an auction, the side of the later of the two orders"},
    {"trades", "maker_order_id", "NULL for liquidity the book does not show"},
    {"trades", "taker_order_id", "NULL when the aggressor is unknown, as in replayed data"},
    {"trades", "kind", "continuous, or auction for a trade of an auction uncrossing"},

    {"fills", "*", "one row per side of a trade that names its order"},
    {"fills", "trade_sequence", "the Trade event; with liquidity, the key"},
    {"fills", "liquidity", "maker (the resting order) or taker"},
    {"fills", "time", "time of the trade"},
    {"fills", "instrument", "instrument id"},
    {"fills", "order_id", "the engine's order id"},
    {"fills", "order_entry_sequence",
     "orders.entry_sequence of the order; NULL when the order is not in orders, as for a "
     "replayed exchange order"},
    {"fills", "account", "account id of the order"},
    {"fills", "side", "side of the order"},
    {"fills", "price", "price units"},
    {"fills", "quantity", "quantity units"},

    {"positions", "*",
     "one row per account and instrument with fills; lots close first in, first out"},
    {"positions", "account",
     "account id; 0 collects orders entered without an account and replayed exchange orders"},
    {"positions", "instrument", "instrument id"},
    {"positions", "quantity", "quantity units: positive long, negative short"},
    {"positions", "open_cost",
     "sum of price * quantity over the open lots, in price units x quantity units, with the "
     "sign of quantity; exact"},
    {"positions", "realized_pnl",
     "sum over closed quantity of (sell price - buy price) * quantity, in price units x "
     "quantity units, without the multiplier; exact"},
    {"positions", "trade_count", "fills of the account in the instrument"},
    {"positions", "average_price",
     "open_cost / quantity in price units, computed when read and never stored; NULL when flat"},
    {"positions", "last_sequence", "the last Trade event that changed the position"},

    {"position_lots", "*", "the open lots of each position, oldest first"},
    {"position_lots", "account", "account id"},
    {"position_lots", "instrument", "instrument id"},
    {"position_lots", "lot", "counts up within the position; the lowest open lot closes first"},
    {"position_lots", "opened_sequence", "the Trade event that opened the lot"},
    {"position_lots", "price", "price units"},
    {"position_lots", "quantity", "quantity units still open, with the sign of the position"},

    {"bars", "*", "OHLCV per instrument and time frame; a time frame without trades has no bar"},
    {"bars", "instrument", "instrument id"},
    {"bars", "frame_seconds", "time frame: 1, 60, 300 or 3600 seconds"},
    {"bars", "start_time",
     "ns, a multiple of the time frame; the bar covers start_time <= time < start_time + frame"},
    {"bars", "open", "price units; first trade in journal order"},
    {"bars", "high", "price units"},
    {"bars", "low", "price units"},
    {"bars", "close", "price units; last trade in journal order"},
    {"bars", "volume", "quantity units"},
    {"bars", "trade_count", "trades in the bar"},

    {"auctions", "*", "one row per auction uncrossing; its trades follow it"},
    {"auctions", "sequence", "the AuctionUncrossed event"},
    {"auctions", "time", "time of the auction"},
    {"auctions", "instrument", "instrument id"},
    {"auctions", "price", "price units: the uncrossing price"},
    {"auctions", "volume",
     "quantity units that cross at the price; self-trade prevention can make the trades add "
     "up to less"},

    {"accounts", "*",
     "one row per portfolio account (AccountOpened), with the totals of the fills posted to it "
     "(FillPosted); money columns are in units of 10^-money_decimals of the account's currency"},
    {"accounts", "account", "account id"},
    {"accounts", "currency", "currency code of the account's money"},
    {"accounts", "money_decimals", "an amount m means m * 10^-money_decimals"},
    {"accounts", "type", "AccountType: Cash pays for what it buys, Margin settles P&L and fees"},
    {"accounts", "maker_fee_rate",
     "parts per million of the notional, charged on fills that rest (400 is 4 bp); negative "
     "for a rebate"},
    {"accounts", "taker_fee_rate", "parts per million of the notional, on fills that take"},
    {"accounts", "fee_per_unit", "money units per whole quantity unit of a fill"},
    {"accounts", "minimum_fee", "money units: the least charge per fill; not for rebates"},
    {"accounts", "opening_balance", "money units at the opening"},
    {"accounts", "cash_balance", "money units after the last posted fill"},
    {"accounts", "fees_paid", "money units: sum of the posted fees, rebates negative"},
    {"accounts", "realized_pnl",
     "money units: sum of the realized P&L of the posted fills, by weighted average cost and "
     "before fees"},
    {"accounts", "fill_count", "fills posted to the account"},
    {"accounts", "opened_sequence", "the AccountOpened event"},
    {"accounts", "opened_time", "time of the AccountOpened event"},
    {"accounts", "last_sequence", "the AccountOpened or the last FillPosted event"},

    {"account_positions", "*",
     "the portfolio's position of an account in one instrument, from its posted fills "
     "(FillPosted). Unlike positions, which is first in, first out, realized P&L is by weighted "
     "average cost, in the account's money"},
    {"account_positions", "account", "account id"},
    {"account_positions", "instrument", "instrument id"},
    {"account_positions", "quantity",
     "quantity units after the last posted fill: positive long, negative short"},
    {"account_positions", "realized_pnl",
     "money units of the account: sum over its fills, before fees"},
    {"account_positions", "fees_paid", "money units of the account: sum over its fills"},
    {"account_positions", "fill_count", "fills posted in the instrument"},
    {"account_positions", "last_price", "price units of the last posted fill"},
    {"account_positions", "last_sequence", "the last FillPosted event"},

    {"risk_limits", "*",
     "pre-trade risk limits in effect (RiskLimitsSet), where 0 disables a limit. Instrument 0 "
     "holds an account's defaults. Any other instrument holds the limits in effect there: its "
     "overrides, and the defaults for the fields it does not override"},
    {"risk_limits", "account", "account id"},
    {"risk_limits", "instrument", "instrument id; 0 for the account's defaults"},
    {"risk_limits", "maximum_order_quantity", "quantity units of the instrument"},
    {"risk_limits", "maximum_order_notional", "money units of the account"},
    {"risk_limits", "maximum_long_position",
     "quantity units: position plus open buys, at most this"},
    {"risk_limits", "maximum_short_position",
     "quantity units: the short size, open sells included, at most this"},
    {"risk_limits", "price_band_basis_points",
     "largest distance of an order's price from the reference price, in 1/10000 of it"},
    {"risk_limits", "maximum_open_orders",
     "working orders of the account; when overridden, of the account in this instrument, in "
     "addition to the account's total"},
    {"risk_limits", "maximum_orders_per_second",
     "orders of the account in any second; when overridden, of the account in this "
     "instrument, in addition to the account's total"},
    {"risk_limits", "daily_loss_limit",
     "money units: the largest loss of the day that still trades; account-wide"},
    {"risk_limits", "margin_buying_power",
     "money units: what a margin account's working orders may commit; account-wide, and a cash "
     "account uses its balance instead"},
    {"risk_limits", "overridden",
     "bits of RiskLimitField that the instrument overrides: 1 order quantity, 2 order "
     "notional, 4 long position, 8 short position, 16 price band, 32 open orders, 64 orders "
     "per second; 0 for the defaults"},
    {"risk_limits", "updated_time", "time of last_sequence"},
    {"risk_limits", "last_sequence",
     "the last RiskLimitsSet that changed the row, its own or the account's defaults"},

    {"kill_switches", "*",
     "the current scope of each kill switch that a KillSwitchChanged named; account 0 is the "
     "global switch, which covers every account"},
    {"kill_switches", "account", "account id; 0 for the global switch"},
    {"kill_switches", "scope",
     "KillSwitchScope: None (reset), Pause, CancelAll or Flatten; each but None stops new "
     "orders"},
    {"kill_switches", "changed_time", "time of the last KillSwitchChanged of the switch"},
    {"kill_switches", "changed_sequence", "the last KillSwitchChanged of the switch"},

    {"risk_rejections", "*",
     "one row per order or replace that a pre-trade risk check rejected (RiskRejected); the "
     "OrderRejected follows it. The values are in the unit of `unit` at `decimals`"},
    {"risk_rejections", "sequence", "the RiskRejected event"},
    {"risk_rejections", "time", "time of the rejection"},
    {"risk_rejections", "instrument", "instrument id"},
    {"risk_rejections", "order_id", "the order, or the id the new order would have had"},
    {"risk_rejections", "account", "account id"},
    {"risk_rejections", "client_order_id", "NULL when the client gave none"},
    {"risk_rejections", "rule", "RiskRule that rejected the order"},
    {"risk_rejections", "scope",
     "LimitScope of the deciding limit: AccountDefault, InstrumentOverride, CashBalance, or "
     "Global for the global kill switch"},
    {"risk_rejections", "kill_switch", "KillSwitchScope engaged, for rule KillSwitch; else None"},
    {"risk_rejections", "unit",
     "RiskUnit of the values: Quantity (instrument), Money (account), Price, Count, or None"},
    {"risk_rejections", "decimals",
     "decimals of the values in Quantity, Money and Price units; a value v means "
     "v * 10^-decimals"},
    {"risk_rejections", "side", "side of the order"},
    {"risk_rejections", "current_value",
     "the standing value the rule starts from, such as the position or the reference price"},
    {"risk_rejections", "working_value", "what working orders add, such as open buys"},
    {"risk_rejections", "order_value", "what this order adds, such as its quantity"},
    {"risk_rejections", "would_be", "the value the rule compared with the limit"},
    {"risk_rejections", "limit_value", "the limit, or the cash balance for scope CashBalance"},
    {"risk_rejections", "description",
     "the decision as a sentence for a trader, as the engine's describe() writes it"},

    {"risk_alerts", "*",
     "one row per crossing of 80% or 100% of a limit's use, up or down (RiskAlert)"},
    {"risk_alerts", "sequence", "the RiskAlert event"},
    {"risk_alerts", "time", "time of the alert"},
    {"risk_alerts", "account", "account id"},
    {"risk_alerts", "instrument", "instrument id of the limit; 0 for an account-wide limit"},
    {"risk_alerts", "rule", "RiskRule of the limit"},
    {"risk_alerts", "scope", "LimitScope of the limit: AccountDefault or InstrumentOverride"},
    {"risk_alerts", "level",
     "RiskAlertLevel reached: Normal below 80%, Warning from 80%, Breach from 100%"},
    {"risk_alerts", "use_value",
     "the limit's use in the rule's unit: quantity units, money units of the account, or a "
     "count"},
    {"risk_alerts", "limit_value", "the limit, in the unit of use_value"},
    {"risk_alerts", "basis_points", "use_value / limit_value in 1/10000, rounded down"},
};

std::optional<Problem> insertAboutRows(sqlite3 *database)
{
    int resultCode = SQLITE_OK;
    const StatementHandle insert = prepareStatement(
        database, "INSERT INTO about (table_name, column_name, description) VALUES (?1, ?2, ?3)",
        resultCode);
    if (!insert) {
        return sqliteProblem(database, resultCode, "failed to prepare the about rows");
    }
    for (const ColumnNote &note : kAbout) {
        sqlite3_bind_text(insert.get(), 1, note.table, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert.get(), 2, note.column, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert.get(), 3, note.description, -1, SQLITE_STATIC);
        resultCode = sqlite3_step(insert.get());
        sqlite3_reset(insert.get());
        if (resultCode != SQLITE_DONE) {
            return sqliteProblem(database, resultCode, "failed to write the about rows");
        }
    }
    return std::nullopt;
}

// The names of every object in the database, and whether any exists.
std::optional<Problem> readObjectNames(sqlite3 *database, std::set<std::string> &tables,
                                       bool &anyObject)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database, "SELECT type, name FROM sqlite_schema", resultCode);
    if (statement) {
        while ((resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
            anyObject = true;
            const auto *type =
                reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 0));
            const auto *name =
                reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 1));
            if (type != nullptr && name != nullptr && std::string(type) == "table") {
                tables.insert(name);
            }
        }
    }
    if (resultCode == SQLITE_DONE) {
        return std::nullopt;
    }
    if ((resultCode & 0xff) == SQLITE_NOTADB) {
        return Problem{ReadModelErrorKind::NotReadModels,
                       "not a views file: " + describeSqliteError(database, resultCode)};
    }
    return sqliteProblem(database, resultCode, "failed to read the database schema");
}

std::optional<Problem> readApplicationId(sqlite3 *database, std::uint32_t &id)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database, "PRAGMA application_id", resultCode);
    if (statement) {
        resultCode = sqlite3_step(statement.get());
    }
    if (resultCode != SQLITE_ROW) {
        return sqliteProblem(database, resultCode, "failed to read the application id");
    }
    id = static_cast<std::uint32_t>(sqlite3_column_int(statement.get(), 0));
    return std::nullopt;
}

Problem otherApplication(std::uint32_t id)
{
    char text[96];
    std::snprintf(text, sizeof text, "application id 0x%08" PRIx32 " where 0x%08" PRIx32, id,
                  static_cast<std::uint32_t>(applicationId));
    return Problem{ReadModelErrorKind::NotReadModels,
                   "not a views file: the SQLite database has " + std::string(text) +
                       " (a views file) is expected; it is left unchanged"};
}

std::optional<Problem> readFormatVersion(sqlite3 *database, std::int64_t &version)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement = prepareStatement(
        database, "SELECT format_version FROM projection WHERE id = 1", resultCode);
    if (!statement) {
        return Problem{ReadModelErrorKind::ViewsDamaged,
                       "damaged views file: the projection table cannot be read: " +
                           describeSqliteError(database, resultCode)};
    }
    resultCode = sqlite3_step(statement.get());
    if (resultCode == SQLITE_DONE) {
        return Problem{ReadModelErrorKind::ViewsDamaged,
                       "damaged views file: the projection table has no row"};
    }
    if (resultCode != SQLITE_ROW) {
        return sqliteProblem(database, resultCode, "failed to read the projection table");
    }
    if (sqlite3_column_type(statement.get(), 0) != SQLITE_INTEGER) {
        return Problem{ReadModelErrorKind::ViewsDamaged,
                       "damaged views file: format_version is not an integer"};
    }
    version = sqlite3_column_int64(statement.get(), 0);
    return std::nullopt;
}

// The checks for a database that has our application id.
SchemaCheck inspectViews(sqlite3 *database, const std::set<std::string> &tables)
{
    SchemaCheck check;
    if (tables.count("projection") == 0) {
        check.problem = Problem{ReadModelErrorKind::ViewsDamaged,
                                "damaged views file: the projection table is missing; delete "
                                "the file to rebuild it from the journal"};
        return check;
    }
    std::int64_t version = 0;
    if (auto problem = readFormatVersion(database, version)) {
        check.problem = std::move(problem);
        return check;
    }
    if (version > formatVersion) {
        check.problem =
            Problem{ReadModelErrorKind::UnsupportedFormat,
                    "views file format " + std::to_string(version) + " is newer than format " +
                        std::to_string(formatVersion) + ", the newest this build reads"};
        return check;
    }
    if (version < formatVersion) {
        check.state = SchemaState::OlderFormat;
        return check;
    }
    for (const char *table : kTables) {
        if (tables.count(table) == 0) {
            check.problem = Problem{ReadModelErrorKind::ViewsDamaged,
                                    std::string("damaged views file: the ") + table +
                                        " table is missing; delete the file to rebuild it from "
                                        "the journal"};
            return check;
        }
    }
    check.state = SchemaState::Current;
    return check;
}

} // namespace

Problem sqliteProblem(sqlite3 *database, int resultCode, const std::string &what)
{
    const std::string message = what + ": " + describeSqliteError(database, resultCode);
    if ((resultCode & 0xff) == SQLITE_CORRUPT) {
        return Problem{ReadModelErrorKind::DatabaseCorrupt,
                       message + "; delete the views file to rebuild it from the journal"};
    }
    return Problem{ReadModelErrorKind::SqliteFailed, message};
}

SchemaCheck inspectSchema(sqlite3 *database)
{
    SchemaCheck check;
    std::set<std::string> tables;
    bool anyObject = false;
    if (auto problem = readObjectNames(database, tables, anyObject)) {
        check.problem = std::move(problem);
        return check;
    }
    std::uint32_t id = 0;
    if (auto problem = readApplicationId(database, id)) {
        check.problem = std::move(problem);
        return check;
    }

    const bool viewsId = id == static_cast<std::uint32_t>(applicationId);
    if (!anyObject && (id == 0 || viewsId)) {
        return check; // empty
    }
    if (!viewsId) {
        if (id != 0) {
            check.problem = otherApplication(id);
        } else {
            check.problem = Problem{ReadModelErrorKind::NotReadModels,
                                    "not a views file: the SQLite database has tables but not "
                                    "the application id of a views file; it is left unchanged"};
        }
        return check;
    }
    return inspectViews(database, tables);
}

std::optional<Problem> createSchema(sqlite3 *database)
{
    int resultCode = executeSql(database, createTablesSql);
    if (resultCode != SQLITE_OK) {
        return sqliteProblem(database, resultCode, "failed to create the tables");
    }
    if (auto problem = createQueryIndexes(database)) {
        return problem;
    }
    if (auto problem = insertAboutRows(database)) {
        return problem;
    }
    const std::string projection =
        "INSERT INTO projection (id, format_version, last_sequence, last_hash) VALUES (1, " +
        std::to_string(formatVersion) + ", 0, '" + hashText(0) + "')";
    resultCode = executeSql(database, projection.c_str());
    if (resultCode == SQLITE_OK) {
        const std::string pragma = "PRAGMA application_id = " + std::to_string(applicationId);
        resultCode = executeSql(database, pragma.c_str());
    }
    if (resultCode != SQLITE_OK) {
        return sqliteProblem(database, resultCode, "failed to write the projection metadata");
    }
    return std::nullopt;
}

bool lacksQueryIndexes(sqlite3 *database)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database,
                         "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN "
                         "('trades_by_instrument')",
                         resultCode);
    if (!statement || sqlite3_step(statement.get()) != SQLITE_ROW) {
        return true;
    }
    return sqlite3_column_int(statement.get(), 0) != 1;
}

std::optional<Problem> createQueryIndexes(sqlite3 *database)
{
    const int resultCode = executeSql(database, createQueryIndexesSql);
    if (resultCode != SQLITE_OK) {
        return sqliteProblem(database, resultCode, "failed to create the indexes of the queries");
    }
    return std::nullopt;
}

std::optional<Problem> dropSchema(sqlite3 *database)
{
    // Every object is dropped, not only those of this format, so that an older format's tables
    // do not linger. Indexes and triggers go with their tables.
    std::vector<std::pair<std::string, std::string>> objects;
    int resultCode = SQLITE_OK;
    {
        const StatementHandle statement = prepareStatement(
            database,
            "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT "
            "LIKE 'sqlite_%'",
            resultCode);
        if (statement) {
            while ((resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
                objects.emplace_back(
                    reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 0)),
                    reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 1)));
            }
        }
        if (resultCode != SQLITE_DONE) {
            return sqliteProblem(database, resultCode, "failed to list the tables to drop");
        }
    }
    for (const auto &[type, name] : objects) {
        const std::string sql = (type == "view" ? "DROP VIEW \"" : "DROP TABLE \"") + name + "\"";
        resultCode = executeSql(database, sql.c_str());
        if (resultCode != SQLITE_OK) {
            return sqliteProblem(database, resultCode, "failed to drop " + name);
        }
    }
    return std::nullopt;
}

std::optional<Problem> readProjectionRow(sqlite3 *database, ProjectionRow &row)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement = prepareStatement(
        database,
        "SELECT journal_path, journal_first_hash, last_sequence, last_hash FROM projection "
        "WHERE id = 1",
        resultCode);
    if (statement) {
        resultCode = sqlite3_step(statement.get());
    }
    if (resultCode == SQLITE_DONE) {
        return Problem{ReadModelErrorKind::ViewsDamaged,
                       "damaged views file: the projection table has no row"};
    }
    if (resultCode != SQLITE_ROW) {
        return sqliteProblem(database, resultCode, "failed to read the projection table");
    }

    sqlite3_stmt *select = statement.get();
    const auto textAt = [select](int column) -> std::optional<std::string> {
        if (sqlite3_column_type(select, column) != SQLITE_TEXT) {
            return std::nullopt;
        }
        return std::string(reinterpret_cast<const char *>(sqlite3_column_text(select, column)));
    };
    const auto damaged = [](const char *what) {
        return Problem{ReadModelErrorKind::ViewsDamaged,
                       std::string("damaged views file: ") + what +
                           "; delete the file to rebuild it from the journal"};
    };

    row.journalPath = textAt(0);
    if (const std::optional<std::string> first = textAt(1)) {
        row.journalFirstHash = parseHashText(*first);
        if (!row.journalFirstHash) {
            return damaged("projection.journal_first_hash is not a chain hash");
        }
    }
    if (sqlite3_column_type(select, 2) != SQLITE_INTEGER || sqlite3_column_int64(select, 2) < 0) {
        return damaged("projection.last_sequence is not a sequence number");
    }
    row.lastSequence = static_cast<SequenceNumber>(sqlite3_column_int64(select, 2));
    const std::optional<std::string> last = textAt(3);
    const std::optional<std::uint64_t> lastHash = last ? parseHashText(*last) : std::nullopt;
    if (!lastHash) {
        return damaged("projection.last_hash is not a chain hash");
    }
    row.lastHash = *lastHash;
    return std::nullopt;
}

std::string hashText(std::uint64_t hash)
{
    char text[19];
    std::snprintf(text, sizeof text, "0x%016" PRIx64, hash);
    return text;
}

std::optional<std::uint64_t> parseHashText(const std::string &text)
{
    if (text.size() != 18 || text.compare(0, 2, "0x") != 0) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 2; i < text.size(); ++i) {
        const char c = text[i];
        std::uint64_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint64_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint64_t>(c - 'a' + 10);
        } else {
            return std::nullopt;
        }
        value = value << 4 | digit;
    }
    return value;
}

} // namespace bourse::storage::views
