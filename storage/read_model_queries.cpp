#include "read_model_queries.h"

#include "journal_files.h"
#include "read_models_rows.h"
#include "read_models_schema.h"
#include "sqlite_support.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <utility>

namespace bourse::storage {

namespace {

// How long a read waits for a lock, as while a writer recovers the WAL after a crash.
constexpr int busyTimeoutMs = 5000;

// The queries a reader prepares once and runs again in every transaction.
enum class Query : std::uint8_t {
    Instruments,
    WorkingOrders,
    FinishedOrders,
    Fills,
    Positions,
    Trades,
    Bars,
    Accounts,
    AccountPositions,
    RiskLimits,
    KillSwitches,
    RiskRejections,
    RiskAlerts,
};

#define BOURSE_ORDER_COLUMNS                                                                       \
    "SELECT entry_sequence, order_id, account, client_order_id, instrument, side, type, "          \
    "time_in_force, limit_price, stop_price, display_quantity, quantity, filled_quantity, "        \
    "remaining_quantity, cancelled_quantity, state, reason, accepted_time, updated_time, "         \
    "last_sequence FROM orders "

// Indexed by Query. ?1 is the row limit, ?2 the instrument, ?3 the time frame. The working
// orders' condition is written as the orders_open index's, so that SQLite uses that index.
// Finished orders are read from the newest back, past the few working ones.
constexpr std::array<const char *, 13> kQuerySql = {
    "SELECT instrument, symbol, currency, price_decimals, quantity_decimals, tick_size, "
    "lot_size, status FROM instruments ORDER BY instrument",
    BOURSE_ORDER_COLUMNS "WHERE (state = 'working' OR state = 'parked') "
                         "ORDER BY entry_sequence DESC LIMIT ?1",
    BOURSE_ORDER_COLUMNS "WHERE state <> 'working' AND state <> 'parked' "
                         "ORDER BY entry_sequence DESC LIMIT ?1",
    "SELECT trade_sequence, time, order_id, order_entry_sequence, account, instrument, side, "
    "price, quantity, liquidity FROM fills ORDER BY trade_sequence DESC, liquidity DESC LIMIT ?1",
    "SELECT account, instrument, quantity, open_cost, realized_pnl, trade_count, last_sequence "
    "FROM positions ORDER BY account, instrument",
    "SELECT sequence, time, price, quantity, aggressor_side, kind FROM trades "
    "WHERE instrument = ?2 ORDER BY sequence DESC LIMIT ?1",
    "SELECT start_time, open, high, low, close, volume, trade_count FROM bars "
    "WHERE instrument = ?2 AND frame_seconds = ?3 ORDER BY start_time DESC LIMIT ?1",
    "SELECT account, currency, money_decimals, type, maker_fee_rate, taker_fee_rate, "
    "fee_per_unit, minimum_fee, opening_balance, cash_balance, fees_paid, realized_pnl, "
    "fill_count, opened_sequence, opened_time, last_sequence FROM accounts ORDER BY account",
    "SELECT account, instrument, quantity, realized_pnl, fees_paid, fill_count, last_price, "
    "last_sequence FROM account_positions ORDER BY account, instrument",
    "SELECT account, instrument, maximum_order_quantity, maximum_order_notional, "
    "maximum_long_position, maximum_short_position, price_band_basis_points, "
    "maximum_open_orders, maximum_orders_per_second, daily_loss_limit, margin_buying_power, "
    "overridden, updated_time, last_sequence FROM risk_limits ORDER BY account, instrument",
    "SELECT account, scope, changed_time, changed_sequence FROM kill_switches ORDER BY account",
    "SELECT sequence, time, instrument, order_id, account, client_order_id, rule, scope, "
    "kill_switch, unit, decimals, side, current_value, working_value, order_value, would_be, "
    "limit_value, description FROM risk_rejections ORDER BY sequence DESC LIMIT ?1",
    "SELECT sequence, time, account, instrument, rule, scope, level, use_value, limit_value, "
    "basis_points FROM risk_alerts ORDER BY sequence DESC LIMIT ?1",
};

#undef BOURSE_ORDER_COLUMNS

// The two lists of the orders table.
enum class OrderList : std::uint8_t {
    Working,  // Working and Parked orders
    Finished, // Filled, Cancelled and Rejected orders
};

std::int64_t limitValue(std::size_t limit)
{
    constexpr auto largest = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(limit, largest));
}

// The connection of a reader, its prepared queries and its read transactions.
class Connection {
public:
    Connection(std::string path, DatabaseHandle database)
        : m_path(std::move(path))
        , m_database(std::move(database))
    {
    }

    const std::string &path() const { return m_path; }

    // Checks the file and, when it has the tables of a views file, runs `read` in the same
    // read transaction. A file without tables is read as a projection of no events: `read`
    // does not run, and nothing is an error.
    template <typename Read>
    std::optional<ReadModelError> inReadTransaction(Read read)
    {
        sqlite3 *database = m_database.get();
        int resultCode = executeSql(database, "BEGIN");
        if (resultCode != SQLITE_OK) {
            return toError(
                views::sqliteProblem(database, resultCode, "failed to begin a read transaction"));
        }
        std::optional<views::Problem> problem = checkSchema();
        if (!problem && m_hasTables) {
            problem = read();
        }
        // The transaction only read, so its end cannot lose anything. Ending it lets the
        // writer's checkpoints pass the commit it read.
        executeSql(database, "COMMIT");
        return problem ? std::optional(toError(std::move(*problem))) : std::nullopt;
    }

    // Steps the query, bound by `bind`, and decodes each row into `rows`.
    template <typename Row, typename Bind>
    std::optional<views::Problem> collect(Query query, Bind bind, std::vector<Row> &rows)
    {
        sqlite3_stmt *statement = nullptr;
        if (auto problem = prepared(query, statement)) {
            return problem;
        }
        bind(statement);
        int resultCode = SQLITE_OK;
        while ((resultCode = sqlite3_step(statement)) == SQLITE_ROW) {
            Row row;
            if (auto problem = views::decodeRow(statement, row)) {
                sqlite3_reset(statement);
                return problem;
            }
            rows.push_back(std::move(row));
        }
        std::optional<views::Problem> problem;
        if (resultCode != SQLITE_DONE) {
            problem = views::sqliteProblem(m_database.get(), resultCode, "failed to read a table");
        }
        sqlite3_reset(statement);
        return problem;
    }

    std::optional<views::Problem> readProjection(SequenceNumber &sequence, std::uint64_t &hash)
    {
        views::ProjectionRow row;
        if (auto problem = views::readProjectionRow(m_database.get(), row)) {
            return problem;
        }
        sequence = row.lastSequence;
        hash = row.lastHash;
        return std::nullopt;
    }

    ReadModelError toError(views::Problem problem) const
    {
        return ReadModelError{problem.kind, m_path, 0, std::move(problem.what)};
    }

private:
    std::optional<views::Problem> checkSchema()
    {
        const views::SchemaCheck check = views::inspectSchema(m_database.get());
        if (check.problem) {
            return check.problem;
        }
        if (check.state == views::SchemaState::OlderFormat) {
            return views::Problem{ReadModelErrorKind::UnsupportedFormat,
                                  "the views file is in an older format than format " +
                                      std::to_string(views::formatVersion) +
                                      "; a catch-up from the journal rebuilds it"};
        }
        m_hasTables = check.state == views::SchemaState::Current;
        return std::nullopt;
    }

    std::optional<views::Problem> prepared(Query query, sqlite3_stmt *&statement)
    {
        StatementHandle &handle = m_statements[static_cast<std::size_t>(query)];
        if (!handle) {
            int resultCode = SQLITE_OK;
            handle = prepareStatement(m_database.get(), kQuerySql[static_cast<std::size_t>(query)],
                                      resultCode);
            if (!handle) {
                return views::Problem{ReadModelErrorKind::ViewsDamaged,
                                      "damaged views file: a query does not fit its tables (" +
                                          describeSqliteError(m_database.get(), resultCode) +
                                          "); delete the file to rebuild it from the journal"};
            }
        }
        statement = handle.get();
        return std::nullopt;
    }

    std::string m_path;
    DatabaseHandle m_database;
    std::array<StatementHandle, kQuerySql.size()> m_statements;
    bool m_hasTables = false;
};

// The queries, each run inside a read transaction the caller opened.

std::optional<views::Problem> readOrders(Connection &connection, OrderList list, std::size_t limit,
                                         std::vector<OrderRow> &rows)
{
    if (limit == 0) {
        return std::nullopt;
    }
    const Query query = list == OrderList::Working ? Query::WorkingOrders : Query::FinishedOrders;
    return connection.collect(
        query,
        [limit](sqlite3_stmt *statement) { sqlite3_bind_int64(statement, 1, limitValue(limit)); },
        rows);
}

std::optional<views::Problem> readFills(Connection &connection, std::size_t limit,
                                        std::vector<FillRow> &rows)
{
    if (limit == 0) {
        return std::nullopt;
    }
    return connection.collect(
        Query::Fills,
        [limit](sqlite3_stmt *statement) { sqlite3_bind_int64(statement, 1, limitValue(limit)); },
        rows);
}

std::optional<views::Problem> readPositions(Connection &connection, std::vector<PositionRow> &rows)
{
    return connection.collect(
        Query::Positions, [](sqlite3_stmt *) {}, rows);
}

std::optional<views::Problem> readInstruments(Connection &connection,
                                              std::vector<InstrumentRow> &rows)
{
    return connection.collect(
        Query::Instruments, [](sqlite3_stmt *) {}, rows);
}

// The last `limit` trades of the instrument, oldest first.
std::optional<views::Problem> readTrades(Connection &connection, InstrumentId instrument,
                                         std::size_t limit, std::vector<TradeRow> &rows)
{
    if (limit == 0) {
        return std::nullopt;
    }
    auto problem = connection.collect(
        Query::Trades,
        [&](sqlite3_stmt *statement) {
            sqlite3_bind_int64(statement, 1, limitValue(limit));
            sqlite3_bind_int64(statement, 2, instrument.value());
        },
        rows);
    std::reverse(rows.begin(), rows.end());
    return problem;
}

// The last `limit` bars of the instrument and time frame, oldest first.
std::optional<views::Problem> readBars(Connection &connection, InstrumentId instrument,
                                       BarFrame frame, std::size_t limit, std::vector<BarRow> &rows)
{
    if (limit == 0) {
        return std::nullopt;
    }
    auto problem = connection.collect(
        Query::Bars,
        [&](sqlite3_stmt *statement) {
            sqlite3_bind_int64(statement, 1, limitValue(limit));
            sqlite3_bind_int64(statement, 2, instrument.value());
            sqlite3_bind_int64(statement, 3, static_cast<std::int64_t>(frame));
        },
        rows);
    std::reverse(rows.begin(), rows.end());
    return problem;
}

// The rows of a query that takes no parameters.
template <typename Row>
std::optional<views::Problem> readAll(Connection &connection, Query query, std::vector<Row> &rows)
{
    return connection.collect(
        query, [](sqlite3_stmt *) {}, rows);
}

// The newest `limit` rows of a query whose only parameter is the limit.
template <typename Row>
std::optional<views::Problem> readNewest(Connection &connection, Query query, std::size_t limit,
                                         std::vector<Row> &rows)
{
    if (limit == 0) {
        return std::nullopt;
    }
    return connection.collect(
        query,
        [limit](sqlite3_stmt *statement) { sqlite3_bind_int64(statement, 1, limitValue(limit)); },
        rows);
}

// The tables of accounts and risk, in the snapshot's read transaction.
std::optional<views::Problem> readAccountsAndRisk(Connection &connection,
                                                  const ReadModelQuery &query,
                                                  ReadModelSnapshot &snapshot)
{
    std::optional<views::Problem> problem = readAll(connection, Query::Accounts, snapshot.accounts);
    if (!problem) {
        problem = readAll(connection, Query::AccountPositions, snapshot.accountPositions);
    }
    if (!problem) {
        problem = readAll(connection, Query::RiskLimits, snapshot.riskLimits);
    }
    if (!problem) {
        problem = readAll(connection, Query::KillSwitches, snapshot.killSwitches);
    }
    if (!problem) {
        problem = readNewest(connection, Query::RiskRejections, query.riskRejections,
                             snapshot.riskRejections);
    }
    if (!problem) {
        problem = readNewest(connection, Query::RiskAlerts, query.riskAlerts, snapshot.riskAlerts);
    }
    return problem;
}

std::optional<views::Problem> readSnapshot(Connection &connection, const ReadModelQuery &query,
                                           ReadModelSnapshot &snapshot)
{
    std::optional<views::Problem> problem =
        connection.readProjection(snapshot.lastSequence, snapshot.lastHash);
    if (!problem) {
        problem = readInstruments(connection, snapshot.instruments);
    }
    if (!problem) {
        problem =
            readOrders(connection, OrderList::Working, query.workingOrders, snapshot.workingOrders);
    }
    if (!problem) {
        problem = readOrders(connection, OrderList::Finished, query.finishedOrders,
                             snapshot.finishedOrders);
    }
    if (!problem) {
        problem = readFills(connection, query.fills, snapshot.fills);
    }
    if (!problem) {
        problem = readPositions(connection, snapshot.positions);
    }
    for (InstrumentMarket &market : snapshot.markets) {
        if (!problem) {
            problem = readTrades(connection, market.instrument, query.trades, market.trades);
        }
        if (!problem) {
            problem =
                readBars(connection, market.instrument, query.barFrame, query.bars, market.bars);
        }
    }
    if (!problem) {
        problem = readAccountsAndRisk(connection, query, snapshot);
    }
    return problem;
}

// Runs one query in a read transaction of its own. On an error the rows are dropped.
template <typename Row, typename Read>
std::vector<Row> readList(Connection &connection, std::optional<ReadModelError> &error, Read read)
{
    std::vector<Row> rows;
    error = connection.inReadTransaction([&]() { return read(rows); });
    if (error) {
        rows.clear();
    }
    return rows;
}

} // namespace

struct ReadModelReader::State {
    Connection connection;
};

ReadModelReader::Opened ReadModelReader::open(const std::string &path)
{
    const auto failed = [&path](ReadModelErrorKind kind, std::string what) {
        return Opened{nullptr, ReadModelError{kind, path, 0, std::move(what)}};
    };
    if (std::optional<JournalError> error = checkRegularFile(path)) {
        return failed(ReadModelErrorKind::OpenFailed, error->what);
    }
    std::error_code code;
    if (!std::filesystem::exists(path, code)) {
        return failed(ReadModelErrorKind::OpenFailed,
                      "the views file does not exist; a catch-up from the journal creates it");
    }
    std::string openError;
    DatabaseHandle database = openDatabase(path, SQLITE_OPEN_READONLY, busyTimeoutMs, openError);
    if (!database) {
        return failed(ReadModelErrorKind::OpenFailed,
                      "failed to open the views file read-only: " + openError);
    }

    auto state = std::unique_ptr<State>(new State{Connection(path, std::move(database))});
    if (std::optional<ReadModelError> error =
            state->connection.inReadTransaction([]() { return std::optional<views::Problem>(); })) {
        return Opened{nullptr, std::move(error)};
    }
    return Opened{std::unique_ptr<ReadModelReader>(new ReadModelReader(std::move(state))),
                  std::nullopt};
}

ReadModelReader::ReadModelReader(std::unique_ptr<State> state)
    : m_state(std::move(state))
{
}

ReadModelReader::~ReadModelReader() = default;

ReadModelSnapshot ReadModelReader::read(const ReadModelQuery &query)
{
    ReadModelSnapshot snapshot;
    for (const InstrumentId instrument : query.instruments) {
        snapshot.markets.push_back(InstrumentMarket{instrument, {}, {}});
    }
    Connection &connection = m_state->connection;
    if (auto error = connection.inReadTransaction(
            [&]() { return readSnapshot(connection, query, snapshot); })) {
        snapshot = ReadModelSnapshot{};
        snapshot.error = std::move(error);
    }
    return snapshot;
}

SequenceNumber ReadModelReader::lastSequence(std::optional<ReadModelError> &error)
{
    SequenceNumber sequence = 0;
    std::uint64_t hash = 0;
    Connection &connection = m_state->connection;
    error =
        connection.inReadTransaction([&]() { return connection.readProjection(sequence, hash); });
    return error ? 0 : sequence;
}

std::vector<InstrumentRow> ReadModelReader::instruments(std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<InstrumentRow>(connection, error, [&](std::vector<InstrumentRow> &rows) {
        return readInstruments(connection, rows);
    });
}

std::vector<OrderRow> ReadModelReader::workingOrders(std::size_t limit,
                                                     std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<OrderRow>(connection, error, [&](std::vector<OrderRow> &rows) {
        return readOrders(connection, OrderList::Working, limit, rows);
    });
}

std::vector<OrderRow> ReadModelReader::finishedOrders(std::size_t limit,
                                                      std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<OrderRow>(connection, error, [&](std::vector<OrderRow> &rows) {
        return readOrders(connection, OrderList::Finished, limit, rows);
    });
}

std::vector<FillRow> ReadModelReader::fills(std::size_t limit, std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<FillRow>(connection, error, [&](std::vector<FillRow> &rows) {
        return readFills(connection, limit, rows);
    });
}

std::vector<PositionRow> ReadModelReader::positions(std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<PositionRow>(connection, error, [&](std::vector<PositionRow> &rows) {
        return readPositions(connection, rows);
    });
}

std::vector<TradeRow> ReadModelReader::trades(InstrumentId instrument, std::size_t limit,
                                              std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<TradeRow>(connection, error, [&](std::vector<TradeRow> &rows) {
        return readTrades(connection, instrument, limit, rows);
    });
}

std::vector<BarRow> ReadModelReader::bars(InstrumentId instrument, BarFrame frame,
                                          std::size_t limit, std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<BarRow>(connection, error, [&](std::vector<BarRow> &rows) {
        return readBars(connection, instrument, frame, limit, rows);
    });
}

std::vector<AccountRow> ReadModelReader::accounts(std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<AccountRow>(connection, error, [&](std::vector<AccountRow> &rows) {
        return readAll(connection, Query::Accounts, rows);
    });
}

std::vector<AccountPositionRow>
ReadModelReader::accountPositions(std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<AccountPositionRow>(
        connection, error, [&](std::vector<AccountPositionRow> &rows) {
            return readAll(connection, Query::AccountPositions, rows);
        });
}

std::vector<RiskLimitsRow> ReadModelReader::riskLimits(std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<RiskLimitsRow>(connection, error, [&](std::vector<RiskLimitsRow> &rows) {
        return readAll(connection, Query::RiskLimits, rows);
    });
}

std::vector<KillSwitchRow> ReadModelReader::killSwitches(std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<KillSwitchRow>(connection, error, [&](std::vector<KillSwitchRow> &rows) {
        return readAll(connection, Query::KillSwitches, rows);
    });
}

std::vector<RiskRejectionRow> ReadModelReader::riskRejections(std::size_t limit,
                                                              std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<RiskRejectionRow>(connection, error, [&](std::vector<RiskRejectionRow> &rows) {
        return readNewest(connection, Query::RiskRejections, limit, rows);
    });
}

std::vector<RiskAlertRow> ReadModelReader::riskAlerts(std::size_t limit,
                                                      std::optional<ReadModelError> &error)
{
    Connection &connection = m_state->connection;
    return readList<RiskAlertRow>(connection, error, [&](std::vector<RiskAlertRow> &rows) {
        return readNewest(connection, Query::RiskAlerts, limit, rows);
    });
}

const std::string &ReadModelReader::path() const
{
    return m_state->connection.path();
}

} // namespace bourse::storage
