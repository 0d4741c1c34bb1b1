#include "engine.h"
#include "journal.h"
#include "read_model_risk_scenario.h"
#include "read_models.h"
#include "simulator.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

using namespace bourse;
using namespace bourse::read_model_tests;
using namespace bourse::storage;

namespace bourse::storage {

// Names for failed comparisons, found by argument-dependent lookup.
inline char *toString(RebuildReason reason)
{
    return qstrdup(std::string(nameOf(reason)).c_str());
}

inline char *toString(ReadModelErrorKind kind)
{
    return qstrdup(QByteArray("ReadModelErrorKind ") + QByteArray::number(static_cast<int>(kind)));
}

} // namespace bourse::storage

namespace {

constexpr InstrumentId kInstrument{7};

// 10:00:00 after midnight plus `seconds`, in nanoseconds.
Timestamp at(std::int64_t seconds)
{
    return Timestamp{(36'000 + seconds) * 1'000'000'000};
}

InstrumentDefinition definitionOf(InstrumentId id)
{
    InstrumentDefinition definition;
    definition.id = id;
    definition.symbol = {'A', 'C', 'M', 'E'};
    definition.currency = {'E', 'U', 'R'};
    definition.priceDecimals = 2;
    definition.quantityDecimals = 0;
    return definition;
}

NewOrder limitOrder(std::uint64_t id, std::uint32_t account, Side side, std::int64_t quantity,
                    std::int64_t price, InstrumentId instrument = kInstrument)
{
    NewOrder order;
    order.id = OrderId{id};
    order.account = AccountId{account};
    order.side = side;
    order.quantity = Quantity{quantity};
    order.limit = Price{price};
    order.instrument = instrument;
    return order;
}

ReplaceOrder replaceOrder(std::uint64_t id, std::int64_t quantity, std::int64_t price = 0)
{
    ReplaceOrder replace;
    replace.id = OrderId{id};
    replace.quantity = Quantity{quantity};
    replace.limit = Price{price};
    return replace;
}

QString describe(const std::optional<ReadModelError> &error)
{
    return error ? QString::fromStdString(error->toString()) : QStringLiteral("no error");
}

// An engine whose events go to a journal file. checkpoint() closes the journal, projects it
// into the views file and opens the journal again, so a test can look at the views between
// commands.
class Market {
public:
    // Defines instrument 7 at `definedAt`, unless it is empty.
    explicit Market(const QTemporaryDir &directory, const QString &name = QStringLiteral("day"),
                    std::optional<Timestamp> definedAt = at(0))
        : m_journalPath(directory.filePath(name + QStringLiteral(".journal")).toStdString())
        , m_viewsPath(viewsPathFor(m_journalPath))
    {
        openJournal();
        if (definedAt) {
            m_engine.addInstrument(definitionOf(kInstrument), *definedAt);
        }
    }

    ~Market() { closeJournal(); }

    Engine &engine() { return m_engine; }
    const std::string &journalPath() const { return m_journalPath; }
    const std::string &viewsPath() const { return m_viewsPath; }

    // The first journal error, as text; empty while the journal works.
    const std::string &journalError() const { return m_journalError; }

    CatchUpResult checkpoint(const ReadModelOptions &options = {})
    {
        closeJournal();
        CatchUpResult result = catchUpReadModels(m_journalPath, m_viewsPath, options);
        openJournal();
        return result;
    }

    void closeJournal()
    {
        if (!m_writer) {
            return;
        }
        m_engine.removeHandler(m_writer.get());
        if (std::optional<JournalError> error = m_writer->close();
            error && m_journalError.empty()) {
            m_journalError = error->toString();
        }
        m_writer.reset();
    }

    void openJournal()
    {
        JournalWriter::Created created = JournalWriter::create(m_journalPath);
        if (created.error) {
            m_journalError = created.error->toString();
            return;
        }
        m_writer = std::move(created.writer);
        m_engine.addHandler(m_writer.get());
    }

private:
    std::string m_journalPath;
    std::string m_viewsPath;
    Engine m_engine;
    std::unique_ptr<JournalWriter> m_writer;
    std::string m_journalError;
};

// The rows a query returns, each as its columns joined by '|', with NULL for a null.
// A failed query returns one row "(error: <SQLite's message>)".
QStringList queryRows(const std::string &path, const QString &sql)
{
    sqlite3 *database = nullptr;
    sqlite3_open_v2(path.c_str(), &database, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *statement = nullptr;
    QStringList rows;
    if (sqlite3_prepare_v2(database, sql.toUtf8().constData(), -1, &statement, nullptr) !=
        SQLITE_OK) {
        rows << QStringLiteral("(error: %1)").arg(sqlite3_errmsg(database));
        sqlite3_close_v2(database);
        return rows;
    }
    int resultCode = SQLITE_OK;
    while ((resultCode = sqlite3_step(statement)) == SQLITE_ROW) {
        QStringList columns;
        for (int column = 0; column < sqlite3_column_count(statement); ++column) {
            const auto *text =
                reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
            columns << (text != nullptr ? QString::fromUtf8(text) : QStringLiteral("NULL"));
        }
        rows << columns.join(QLatin1Char('|'));
    }
    if (resultCode != SQLITE_DONE) {
        rows << QStringLiteral("(error: %1)").arg(sqlite3_errmsg(database));
    }
    sqlite3_finalize(statement);
    sqlite3_close_v2(database);
    return rows;
}

// Runs SQL on a file; returns SQLite's message, or an empty string on success.
QString executeOn(const std::string &path, const QString &sql)
{
    sqlite3 *database = nullptr;
    sqlite3_open_v2(path.c_str(), &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    char *message = nullptr;
    sqlite3_exec(database, sql.toUtf8().constData(), nullptr, nullptr, &message);
    const QString text = message != nullptr ? QString::fromUtf8(message) : QString();
    sqlite3_free(message);
    sqlite3_close_v2(database);
    return text;
}

QByteArray readBytes(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every table of a views file, rows in key order, for comparing two projections. The
// projection table's commit time and journal path differ between projections by design.
QStringList dumpTables(const std::string &path)
{
    const char *tables[][2] = {
        {"instruments", "instrument"},
        {"orders", "entry_sequence"},
        {"trades", "sequence"},
        {"fills", "trade_sequence, liquidity"},
        {"positions", "account, instrument"},
        {"position_lots", "account, instrument, lot"},
        {"bars", "instrument, frame_seconds, start_time"},
        {"auctions", "sequence"},
        {"accounts", "account"},
        {"account_positions", "account, instrument"},
        {"risk_limits", "account, instrument"},
        {"kill_switches", "account"},
        {"risk_rejections", "sequence"},
        {"risk_alerts", "sequence"},
        {"about", "table_name, column_name"},
    };
    QStringList dump;
    for (const auto &[table, key] : tables) {
        for (const QString &row :
             queryRows(path, QStringLiteral("SELECT * FROM %1 ORDER BY %2")
                                 .arg(QString::fromLatin1(table), QString::fromLatin1(key)))) {
            dump << QString::fromLatin1(table) + QStringLiteral(": ") + row;
        }
    }
    dump << queryRows(path, QStringLiteral("SELECT format_version, journal_first_hash, "
                                           "last_sequence, last_hash FROM projection"));
    return dump;
}

// Compares two lists row by row, so a failure names the first row that differs.
bool sameRows(const QStringList &actual, const QStringList &expected)
{
    const qsizetype common = std::min(actual.size(), expected.size());
    for (qsizetype row = 0; row < common; ++row) {
        if (actual[row] != expected[row]) {
            qWarning("row %lld differs:\n  actual   %s\n  expected %s", static_cast<long long>(row),
                     qPrintable(actual[row]), qPrintable(expected[row]));
            return false;
        }
    }
    if (actual.size() != expected.size()) {
        qWarning("%lld rows where %lld were expected", static_cast<long long>(actual.size()),
                 static_cast<long long>(expected.size()));
        return false;
    }
    return true;
}

// The engine's events for the order lifecycle scenario: a cancel, a rejection, replaces,
// an iceberg with refills and a stop order parked and then triggered. Orders get ids from
// `base` up. `pause` runs at the points where the test looks at the views.
template <typename Pause>
void runLifecycle(Engine &engine, std::uint64_t base, InstrumentId instrument, Pause pause)
{
    const auto id = [base](std::uint64_t offset) { return base + offset; };
    engine.submit(limitOrder(id(1), 1, Side::Buy, 5, 95, instrument), at(1));
    engine.cancel(OrderId{id(1)}, at(2));

    NewOrder zero = limitOrder(id(2), 1, Side::Buy, 0, 95, instrument);
    zero.clientOrderId = ClientOrderId{502};
    engine.submit(zero, at(3));

    engine.submit(limitOrder(id(3), 1, Side::Buy, 10, 96, instrument), at(4));
    engine.replace(replaceOrder(id(3), 6), at(5)); // a size cut keeps the order's place
    pause(1);
    engine.replace(replaceOrder(id(3), 8, 97), at(6)); // a new price loses it
    engine.replace(replaceOrder(id(3), 0), at(7));     // rejected: the order is unchanged

    NewOrder iceberg = limitOrder(id(4), 2, Side::Sell, 30, 105, instrument);
    iceberg.displayQuantity = Quantity{10};
    engine.submit(iceberg, at(8));
    engine.submit(limitOrder(id(5), 3, Side::Buy, 10, 105, instrument), at(9));
    engine.submit(limitOrder(id(6), 3, Side::Buy, 15, 105, instrument), at(10));
    engine.submit(limitOrder(id(8), 3, Side::Buy, 10, 100, instrument), at(11));

    NewOrder stop = limitOrder(id(7), 1, Side::Sell, 4, 0, instrument);
    stop.type = OrderType::Stop;
    stop.stopPrice = Price{103};
    engine.submit(stop, at(12));
    pause(2);
    engine.submit(limitOrder(id(9), 2, Side::Sell, 1, 103, instrument), at(13));
    engine.submit(limitOrder(id(10), 3, Side::Buy, 1, 103, instrument), at(14));
}

// An auction: two orders rest while the instrument is halted and trade when it reopens.
void runAuction(Engine &engine, std::uint64_t base, InstrumentId instrument)
{
    engine.setTradingStatus(instrument, TradingStatus::Halted, at(20));
    engine.submit(limitOrder(base + 1, 2, Side::Sell, 5, 100, instrument), at(21));
    engine.submit(limitOrder(base + 2, 3, Side::Buy, 5, 100, instrument), at(22));
    engine.setTradingStatus(instrument, TradingStatus::Trading, at(23));
    engine.submit(limitOrder(base + 3, 2, Side::Sell, 1, 100, instrument), at(24));
    engine.submit(limitOrder(base + 4, 3, Side::Buy, 1, 100, instrument), at(25));
}

} // namespace

class TestReadModels : public QObject {
    Q_OBJECT

private slots:
    void viewsPathAppendsSuffix();
    void partialThenFullFillAcrossTwoLevels();
    void positionsCloseFirstInFirstOut();
    void portfolioAccountsLeaveFifoPositions();
    void accountsTotalPostedFills();
    void riskLimitsFillInDefaults();
    void killSwitchesKeepLatestScope();
    void riskRejectionsExplainDecision();
    void riskAlertsRecordCrossings();
    void riskTablesCatchUpEqualsRebuild();
    void barsSplitAtMinuteBoundary_data();
    void barsSplitAtMinuteBoundary();
    void orderLifecycleStates();
    void auctionTradesAreMarked();
    void rebuildEqualsIncrementalAndLive();
    void catchUpProjectsAppendedEvents();
    void catchUpSkipsChunksBeforeProjected();
    void catchUpReportsDamagedAnchor();
    void stoppedCatchUpResumesLater();
    void catchUpReadsOnPartlyReadReader_data();
    void catchUpReadsOnPartlyReadReader();
    void viewsOfOtherJournalAreRebuilt_data();
    void viewsOfOtherJournalAreRebuilt();
    void olderFormatIsRebuilt();
    void formatOneViewsGainAccountTables();
    void badViewsFileIsReported_data();
    void badViewsFileIsReported();
    void missingJournalLeavesViews();
    void liveEventOutOfOrderIsRejected();
    void inconsistentEventIsReported();
    void inconsistentFillIsReported_data();
    void inconsistentFillIsReported();
    void secondWriterIsDetected();
    void aboutDescribesEveryColumn();
};

void TestReadModels::viewsPathAppendsSuffix()
{
    QCOMPARE(viewsPathFor("/data/day.journal"), std::string("/data/day.journal-views"));
}

// Orders 1 (10 at 101.00) and 2 (5 at 102.00) rest. Order 3 buys 12 up to 102.00, so it takes
// all of order 1 and 2 of order 2, and order 4 buys the 3 left. The instrument is event 1,
// the resting orders are 2-3 and 4-5, order 3 is 6-8 (accepted, two trades) and order 4 is
// 9-10.
void TestReadModels::partialThenFullFillAcrossTwoLevels()
{
    QTemporaryDir directory;
    Market market(directory);
    Engine &engine = market.engine();
    engine.submit(limitOrder(1, 1, Side::Sell, 10, 10100), at(1));
    engine.submit(limitOrder(2, 2, Side::Sell, 5, 10200), at(2));
    engine.submit(limitOrder(3, 3, Side::Buy, 12, 10200), at(3));

    CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.lastSequence, SequenceNumber{8});
    const QString orderColumns = QStringLiteral(
        "SELECT order_id, quantity, filled_quantity, remaining_quantity, state, last_sequence "
        "FROM orders ORDER BY entry_sequence");
    QVERIFY(sameRows(queryRows(market.viewsPath(), orderColumns),
                     {"1|10|10|0|filled|7", "2|5|2|3|working|8", "3|12|12|0|filled|8"}));

    engine.submit(limitOrder(4, 3, Side::Buy, 3, 10200), at(4));
    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.eventsProjected, std::uint64_t{2});
    QVERIFY(market.journalError().empty());

    QVERIFY(sameRows(
        queryRows(market.viewsPath(), orderColumns),
        {"1|10|10|0|filled|7", "2|5|5|0|filled|10", "3|12|12|0|filled|8", "4|3|3|0|filled|10"}));
    QVERIFY(sameRows(
        queryRows(market.viewsPath(),
                  QStringLiteral("SELECT sequence, time, instrument, price, quantity, "
                                 "aggressor_side, maker_order_id, taker_order_id, kind FROM "
                                 "trades ORDER BY sequence")),
        {"7|36003000000000|7|10100|10|Buy|1|3|continuous",
         "8|36003000000000|7|10200|2|Buy|2|3|continuous",
         "10|36004000000000|7|10200|3|Buy|2|4|continuous"}));
    QVERIFY(sameRows(
        queryRows(market.viewsPath(), QStringLiteral("SELECT trade_sequence, liquidity, order_id, "
                                                     "order_entry_sequence, account, side, price, "
                                                     "quantity FROM fills ORDER BY trade_sequence, "
                                                     "liquidity")),
        {"7|maker|1|2|1|Sell|10100|10", "7|taker|3|6|3|Buy|10100|10", "8|maker|2|4|2|Sell|10200|2",
         "8|taker|3|6|3|Buy|10200|2", "10|maker|2|4|2|Sell|10200|3",
         "10|taker|4|9|3|Buy|10200|3"}));
}

// Account 1 buys 10 at 100, buys 5 at 110, sells 8 at 120 and sells 10 at 90; account 2 is
// the other side of every trade. Worked out by hand, lots closing oldest first:
//   account 1: +10@100, +5@110 -> 15 lots, cost 1550; sell 8@120 closes 8 of the 100 lot:
//   +8*20 = 160, leaving 2@100 and 5@110 (7 lots, cost 750); sell 10@90 closes 2@100 (-20)
//   and 5@110 (-100) and opens -3@90: quantity -3, cost -270, realized 40.
//   account 2: the mirror, short first: -15 lots, cost -1550; buy 8@120: -160 (-7 lots,
//   cost -750); buy 10@90: +20 +100 -> realized -40, opens +3@90: quantity 3, cost 270.
void TestReadModels::positionsCloseFirstInFirstOut()
{
    QTemporaryDir directory;
    Market market(directory);
    Engine &engine = market.engine();
    engine.submit(limitOrder(1, 2, Side::Sell, 10, 100), at(1));
    engine.submit(limitOrder(2, 1, Side::Buy, 10, 100), at(2)); // trade: sequence 5
    engine.submit(limitOrder(3, 2, Side::Sell, 5, 110), at(3));
    engine.submit(limitOrder(4, 1, Side::Buy, 5, 110), at(4)); // trade: sequence 9

    CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    const QString positions = QStringLiteral(
        "SELECT account, instrument, quantity, open_cost, realized_pnl, trade_count, "
        "printf('%.4f', average_price), last_sequence FROM positions ORDER BY account");
    QVERIFY(sameRows(queryRows(market.viewsPath(), positions),
                     {"1|7|15|1550|0|2|103.3333|9", "2|7|-15|-1550|0|2|103.3333|9"}));

    engine.submit(limitOrder(5, 2, Side::Buy, 8, 120), at(5));
    engine.submit(limitOrder(6, 1, Side::Sell, 8, 120), at(6)); // trade: sequence 13

    // The reduction distinguishes first in, first out from other methods. The crossing below
    // closes every lot, and after it all methods agree.
    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QVERIFY(sameRows(queryRows(market.viewsPath(), positions),
                     {"1|7|7|750|160|3|107.1429|13", "2|7|-7|-750|-160|3|107.1429|13"}));

    engine.submit(limitOrder(7, 2, Side::Buy, 10, 90), at(7));
    engine.submit(limitOrder(8, 1, Side::Sell, 10, 90), at(8)); // trade: sequence 17

    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QVERIFY(sameRows(queryRows(market.viewsPath(), positions),
                     {"1|7|-3|-270|40|4|90.0000|17", "2|7|3|270|-40|4|90.0000|17"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT account, lot, opened_sequence, price, "
                                              "quantity FROM position_lots ORDER BY account")),
                     {"1|3|17|90|-3", "2|3|17|90|3"}));
}

// Account openings and posted fills change neither the trades and fills nor the FIFO positions:
// they are those that the same orders give without portfolio accounts.
void TestReadModels::portfolioAccountsLeaveFifoPositions()
{
    QTemporaryDir directory;
    Market market(directory);
    Engine &engine = market.engine();
    AccountSettings settings;
    settings.id = AccountId{1};
    settings.currency = currencyCode("EUR");
    settings.type = AccountType::Margin;
    engine.openAccount(settings, Money{10'000}, at(1)); // sequence 2
    settings.id = AccountId{2};
    engine.openAccount(settings, Money{10'000}, at(1));          // sequence 3
    engine.submit(limitOrder(1, 2, Side::Sell, 10, 100), at(2)); // 4 accepted, 5 added
    engine.submit(limitOrder(2, 1, Side::Buy, 10, 100), at(3));  // 6 accepted, 7 trade, 8, 9 fills

    const CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.lastSequence, SequenceNumber{9});
    QVERIFY(sameRows(
        queryRows(market.viewsPath(),
                  QStringLiteral("SELECT trade_sequence, liquidity, order_id, account, side, "
                                 "price, quantity FROM fills ORDER BY liquidity")),
        {"7|maker|1|2|Sell|100|10", "7|taker|2|1|Buy|100|10"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT account, quantity, open_cost, realized_pnl, "
                                              "last_sequence FROM positions ORDER BY account")),
                     {"1|10|1000|0|7", "2|-10|-1000|0|7"}));
}

// The account totals and positions follow from the fills worked out in
// read_model_risk_scenario.h. The kill switch of the whole market cancels the rest of order 1.
void TestReadModels::accountsTotalPostedFills()
{
    QTemporaryDir directory;
    Market market(directory);
    runRiskScenario(market.engine(), 0, kInstrument, [](int) {});
    const CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.lastSequence, SequenceNumber{35});

    QVERIFY(sameRows(
        queryRows(market.viewsPath(), QStringLiteral("SELECT * FROM accounts ORDER BY account")),
        {"1|EUR|2|Margin|-200|1000|0|0|1000000|999298|102|-600|3|2|36001000000000|26",
         "2|EUR|2|Cash|100|500|0|50|5000000|4980450|150|600|3|3|36001000000000|25"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT * FROM account_positions ORDER BY account")),
                     {"1|7|-2|-600|102|3|10200|26", "2|7|2|600|150|3|10200|25"}));
    QVERIFY(sameRows(
        queryRows(market.viewsPath(), QStringLiteral("SELECT order_id, filled_quantity, "
                                                     "cancelled_quantity, state, reason FROM "
                                                     "orders WHERE order_id = 1")),
        {"1|6|4|cancelled|KillSwitch"}));
}

// The override of the short limit takes the defaults' other fields, those of the first defaults
// and then those of the second, which a catch-up reads back from the file. Once removed, the
// override leaves only the defaults.
void TestReadModels::riskLimitsFillInDefaults()
{
    QTemporaryDir directory;
    Market market(directory);
    const QString limits = QStringLiteral("SELECT * FROM risk_limits ORDER BY account, instrument");
    runRiskScenario(market.engine(), 0, kInstrument, [&](int pause) {
        const CatchUpResult result = market.checkpoint();
        QVERIFY2(!result.error, qPrintable(describe(result.error)));
        const QStringList rows = queryRows(market.viewsPath(), limits);
        if (pause == 1) {
            QVERIFY(sameRows(rows, {"1|0|50|0|10|10|0|3|0|100000|500000|0|36002000000000|4"}));
        } else if (pause == 2 || pause == 3) {
            QVERIFY(sameRows(rows, {"1|0|50|0|10|10|0|3|0|100000|500000|0|36002000000000|4",
                                    "1|7|50|0|10|5|0|3|0|100000|500000|8|36007000000000|17"}));
        } else {
            QVERIFY(sameRows(rows, {"1|0|50|0|20|8|0|3|0|100000|500000|0|36015000000000|34",
                                    "1|7|50|0|20|5|0|3|0|100000|500000|8|36015000000000|34"}));
        }
    });
    const CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QVERIFY(sameRows(queryRows(market.viewsPath(), limits),
                     {"1|0|50|0|20|8|0|3|0|100000|500000|0|36015000000000|34"}));
}

// Account 1's switch pauses it and is reset; the global switch, account 0, stays on.
void TestReadModels::killSwitchesKeepLatestScope()
{
    QTemporaryDir directory;
    Market market(directory);
    const QString switches = QStringLiteral("SELECT * FROM kill_switches ORDER BY account");
    bool checked = false;
    runRiskScenario(market.engine(), 0, kInstrument, [&](int pause) {
        if (pause == 2) {
            checked = true;
            const CatchUpResult result = market.checkpoint();
            QVERIFY2(!result.error, qPrintable(describe(result.error)));
            QVERIFY(sameRows(queryRows(market.viewsPath(), switches), {}));
        }
    });
    QVERIFY(checked);
    const CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QVERIFY(sameRows(queryRows(market.viewsPath(), switches),
                     {"0|CancelAll|36013000000000|31", "1|None|36014000000000|33"}));
}

// Order 5 would take account 1's short of 4 to 7 against the override of 5; order 8 meets the
// paused account. Each rejection is followed by its order's rejected row.
void TestReadModels::riskRejectionsExplainDecision()
{
    QTemporaryDir directory;
    Market market(directory);
    runRiskScenario(market.engine(), 0, kInstrument, [](int) {});
    const CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));

    QVERIFY(sameRows(
        queryRows(market.viewsPath(),
                  QStringLiteral("SELECT * FROM risk_rejections ORDER BY sequence")),
        {"19|36008000000000|7|5|1|NULL|PositionShort|InstrumentOverride|None|Quantity|0|Sell|-4|"
         "0|3|7|5|rejected: position limit, would be 7 short against the instrument limit of 5 "
         "(position -4, open sells 0, this order 3)",
         "29|36012000000000|7|8|1|NULL|KillSwitch|AccountDefault|Pause|None|0|Buy|0|0|0|0|0|"
         "rejected: kill switch (pause) engaged for this account"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT entry_sequence, order_id, state, reason FROM "
                                              "orders WHERE state = 'rejected' ORDER BY "
                                              "entry_sequence")),
                     {"20|5|rejected|RiskLimit", "30|8|rejected|KillSwitchEngaged"}));
}

// The override of 5 makes account 1's short of 4 use 80% of it; covering 2 takes it to 40%.
void TestReadModels::riskAlertsRecordCrossings()
{
    QTemporaryDir directory;
    Market market(directory);
    runRiskScenario(market.engine(), 0, kInstrument, [](int) {});
    const CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));

    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT * FROM risk_alerts ORDER BY sequence")),
                     {"18|36007000000000|1|7|PositionShort|InstrumentOverride|Warning|4|5|8000",
                      "27|36010000000000|1|7|PositionShort|InstrumentOverride|Normal|2|5|4000"}));
}

// The scenario is projected three ways, compared at each pause and at the end. A live writer
// commits every 3 events. A catch-up at each pause loads the accounts and limits back from the
// file. A rebuild projects the journal so far.
void TestReadModels::riskTablesCatchUpEqualsRebuild()
{
    QTemporaryDir directory;
    Market market(directory, QStringLiteral("day"), std::nullopt);
    const std::string livePath = directory.filePath(QStringLiteral("live-views")).toStdString();
    const std::string rebuiltPath = directory.filePath(QStringLiteral("rebuilt")).toStdString();
    ReadModelOptions liveOptions;
    liveOptions.eventsPerTransaction = 3;
    ReadModelWriter::Opened live = ReadModelWriter::open(livePath, liveOptions);
    QVERIFY2(!live.error, qPrintable(describe(live.error)));
    market.engine().addHandler(live.writer.get());
    market.engine().addInstrument(definitionOf(kInstrument), at(0));

    int comparisons = 0;
    const auto compare = [&]() {
        const std::optional<ReadModelError> liveError = live.writer->flush();
        QVERIFY2(!liveError, qPrintable(describe(liveError)));
        const CatchUpResult caughtUp = market.checkpoint();
        QVERIFY2(!caughtUp.error, qPrintable(describe(caughtUp.error)));
        QCOMPARE(caughtUp.rebuildReason, RebuildReason::None);

        market.closeJournal();
        const CatchUpResult rebuilt = rebuildReadModels(market.journalPath(), rebuiltPath);
        market.openJournal();
        QVERIFY2(!rebuilt.error, qPrintable(describe(rebuilt.error)));
        QCOMPARE(rebuilt.lastSequence, market.engine().lastSequence());
        const QStringList expected = dumpTables(rebuiltPath);
        QVERIFY(sameRows(dumpTables(market.viewsPath()), expected));
        QVERIFY(sameRows(dumpTables(livePath), expected));
        ++comparisons;
    };
    runRiskScenario(market.engine(), 0, kInstrument, [&](int) { compare(); });
    compare();
    QCOMPARE(comparisons, 5);
    QCOMPARE(market.engine().lastSequence(), SequenceNumber{35});
    QVERIFY(market.journalError().empty());
}

void TestReadModels::barsSplitAtMinuteBoundary_data()
{
    QTest::addColumn<std::size_t>("eventsPerTransaction");
    QTest::newRow("one transaction") << std::size_t{50'000};
    QTest::newRow("a commit every 3 events") << std::size_t{3};
}

// Four trades around 10:01:00: 100 x2 at 10:00:58.5, 104 x1 at 10:00:59.2, 98 x3 at 10:01:00.0
// and 101 x4 at 10:01:01.7. The minute bars split two and two; the 5-minute and hour bars,
// which start at 10:00, take all four.
void TestReadModels::barsSplitAtMinuteBoundary()
{
    QFETCH(std::size_t, eventsPerTransaction);
    QTemporaryDir directory;
    Market market(directory);
    Engine &engine = market.engine();
    const std::int64_t nanoseconds[] = {36'058'500'000'000, 36'059'200'000'000, 36'060'000'000'000,
                                        36'061'700'000'000};
    const std::int64_t prices[] = {100, 104, 98, 101};
    const std::int64_t quantities[] = {2, 1, 3, 4};
    for (std::uint64_t trade = 0; trade < 4; ++trade) {
        const Timestamp time{nanoseconds[trade]};
        engine.submit(limitOrder(2 * trade + 1, 2, Side::Sell, quantities[trade], prices[trade]),
                      time);
        engine.submit(limitOrder(2 * trade + 2, 1, Side::Buy, quantities[trade], prices[trade]),
                      time);
    }
    ReadModelOptions options;
    options.eventsPerTransaction = eventsPerTransaction;
    const CatchUpResult result = market.checkpoint(options);
    QVERIFY2(!result.error, qPrintable(describe(result.error)));

    QVERIFY(sameRows(
        queryRows(market.viewsPath(),
                  QStringLiteral("SELECT frame_seconds, start_time, open, high, low, close, "
                                 "volume, trade_count FROM bars WHERE instrument = 7 ORDER BY "
                                 "frame_seconds, start_time")),
        {"1|36058000000000|100|100|100|100|2|1", "1|36059000000000|104|104|104|104|1|1",
         "1|36060000000000|98|98|98|98|3|1", "1|36061000000000|101|101|101|101|4|1",
         "60|36000000000000|100|104|100|104|3|2", "60|36060000000000|98|101|98|101|7|2",
         "300|36000000000000|100|104|98|101|10|4", "3600|36000000000000|100|104|98|101|10|4"}));
}

// The states the orders reach in runLifecycle(), worked out from the commands:
//   - 1 rests and is cancelled.
//   - 2 is rejected for a zero quantity.
//   - 3 is cut from 10 to 6 at 96.00, then moved to 8 at 97.00. A replace to 0 is rejected
//     and changes nothing.
//   - Iceberg 4 (30, showing 10) gives 10 to order 5 and 15 to order 6, refilling twice.
//   - Stop 7 parks at 103. When order 10 buys 1 from order 9 at 103, it sells 4 to order 8
//     at 100.
void TestReadModels::orderLifecycleStates()
{
    QTemporaryDir directory;
    Market market(directory);
    const QString columns = QStringLiteral(
        "SELECT order_id, account, client_order_id, side, type, time_in_force, limit_price, "
        "stop_price, display_quantity, quantity, filled_quantity, remaining_quantity, "
        "cancelled_quantity, state, reason FROM orders ORDER BY entry_sequence");

    runLifecycle(market.engine(), 0, kInstrument, [&](int pause) {
        const CatchUpResult result = market.checkpoint();
        QVERIFY2(!result.error, qPrintable(describe(result.error)));
        const QStringList rows = queryRows(market.viewsPath(), columns);
        if (pause == 1) {
            QVERIFY(
                sameRows(rows, {"1|1|NULL|Buy|Limit|Gtc|95|NULL|NULL|5|0|0|5|cancelled|Requested",
                                "2|1|502|NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|0|0|rejected|"
                                "InvalidQuantity",
                                "3|1|NULL|Buy|Limit|Gtc|96|NULL|NULL|6|0|6|0|working|NULL"}));
        } else {
            QCOMPARE(rows.size(), 8);
            QCOMPARE(rows[3],
                     QStringLiteral("4|2|NULL|Sell|Limit|Gtc|105|NULL|10|30|25|5|0|working|NULL"));
            QCOMPARE(rows[7],
                     QStringLiteral("7|1|NULL|Sell|Stop|Gtc|NULL|103|NULL|4|0|4|0|parked|NULL"));
        }
    });
    const CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QVERIFY(market.journalError().empty());

    QVERIFY(sameRows(queryRows(market.viewsPath(), columns),
                     {"1|1|NULL|Buy|Limit|Gtc|95|NULL|NULL|5|0|0|5|cancelled|Requested",
                      "2|1|502|NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|0|0|rejected|InvalidQuantity",
                      "3|1|NULL|Buy|Limit|Gtc|97|NULL|NULL|8|0|8|0|working|NULL",
                      "4|2|NULL|Sell|Limit|Gtc|105|NULL|10|30|25|5|0|working|NULL",
                      "5|3|NULL|Buy|Limit|Gtc|105|NULL|NULL|10|10|0|0|filled|NULL",
                      "6|3|NULL|Buy|Limit|Gtc|105|NULL|NULL|15|15|0|0|filled|NULL",
                      "8|3|NULL|Buy|Limit|Gtc|100|NULL|NULL|10|4|6|0|working|NULL",
                      "7|1|NULL|Sell|Stop|Gtc|NULL|103|NULL|4|4|0|0|filled|NULL",
                      "9|2|NULL|Sell|Limit|Gtc|103|NULL|NULL|1|1|0|0|filled|NULL",
                      "10|3|NULL|Buy|Limit|Gtc|103|NULL|NULL|1|1|0|0|filled|NULL"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT liquidity, order_id, side, price, quantity "
                                              "FROM fills WHERE order_id IN (4, 7) ORDER BY "
                                              "trade_sequence")),
                     {"maker|4|Sell|105|10", "maker|4|Sell|105|10", "maker|4|Sell|105|5",
                      "taker|7|Sell|100|4"}));
}

// Sell 5 and buy 5 at 100.00 rest while the instrument is halted; reopening uncrosses them
// at 100.00. A trade after the reopening is continuous again.
void TestReadModels::auctionTradesAreMarked()
{
    QTemporaryDir directory;
    Market market(directory);
    runAuction(market.engine(), 0, kInstrument);
    const CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));

    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT instrument, price, volume FROM auctions")),
                     {"7|100|5"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT maker_order_id, taker_order_id, price, "
                                              "quantity, kind FROM trades ORDER BY sequence")),
                     {"1|2|100|5|auction", "3|4|100|1|continuous"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT symbol, currency, price_decimals, "
                                              "quantity_decimals, tick_size, lot_size, status "
                                              "FROM instruments")),
                     {"ACME|EUR|2|0|1|1|Trading"}));

    // A writer that stops right after AuctionUncrossed (sequence 7) leaves the next writer to
    // find from the file that the uncrossing is in progress.
    market.closeJournal();
    JournalReader::Opened reader = JournalReader::open(market.journalPath());
    QVERIFY(reader.reader);
    const std::string path = directory.filePath(QStringLiteral("split-views")).toStdString();
    std::unique_ptr<ReadModelWriter> writer = ReadModelWriter::open(path).writer;
    QVERIFY(writer);
    while (std::optional<Event> event = reader.reader->next()) {
        writer->onEvent(*event);
        if (event->sequence == 7) {
            QVERIFY(std::holds_alternative<AuctionUncrossed>(event->payload));
            QVERIFY(!writer->close());
            writer = ReadModelWriter::open(path).writer;
            QVERIFY(writer);
        }
    }
    QVERIFY(!writer->close());
    QVERIFY(sameRows(dumpTables(path), dumpTables(market.viewsPath())));
}

// One journal is projected three ways: live by a writer on the engine, by catch-ups after each
// part, and by one rebuild at the end. The catch-ups commit every 7 events, so that commits
// fall inside commands, and each catch-up reloads the writer's state from the file.
void TestReadModels::rebuildEqualsIncrementalAndLive()
{
    QTemporaryDir directory;
    Market market(directory, QStringLiteral("day"), std::nullopt);
    Engine &engine = market.engine();
    const std::string livePath = directory.filePath(QStringLiteral("live-views")).toStdString();
    ReadModelOptions liveOptions;
    liveOptions.eventsPerTransaction = 5;
    liveOptions.commitInterval = std::chrono::milliseconds(0);
    ReadModelWriter::Opened live = ReadModelWriter::open(livePath, liveOptions);
    QVERIFY2(!live.error, qPrintable(describe(live.error)));
    engine.addHandler(live.writer.get());

    ReadModelOptions incremental;
    incremental.eventsPerTransaction = 7;
    const auto checkpoint = [&]() {
        engine.endBatch();
        const CatchUpResult result = market.checkpoint(incremental);
        QVERIFY2(!result.error, qPrintable(describe(result.error)));
        QCOMPARE(result.rebuildReason, RebuildReason::None);
    };

    engine.addInstrument(definitionOf(kInstrument), at(0));
    engine.addInstrument(definitionOf(InstrumentId{8}), at(0));
    MarketSimulator simulator(2024);
    for (int step = 0; step < 3000; ++step) {
        simulator.step(engine, at(30 + step / 10));
        if (step % 1000 == 999) {
            checkpoint();
        }
    }
    runLifecycle(engine, 100'000, InstrumentId{8}, [&](int) { checkpoint(); });
    checkpoint();
    runAuction(engine, 200'000, InstrumentId{8});
    checkpoint();
    engine.addInstrument(definitionOf(InstrumentId{9}), at(400));
    runRiskScenario(
        engine, 300'000, InstrumentId{9}, [&](int) { checkpoint(); }, 400);
    checkpoint();

    engine.removeHandler(live.writer.get());
    const std::optional<ReadModelError> liveError = live.writer->close();
    QVERIFY2(!liveError, qPrintable(describe(liveError)));
    market.closeJournal();
    QVERIFY(market.journalError().empty());

    const std::string rebuiltPath = directory.filePath(QStringLiteral("rebuilt")).toStdString();
    const CatchUpResult rebuilt = rebuildReadModels(market.journalPath(), rebuiltPath);
    QVERIFY2(!rebuilt.error, qPrintable(describe(rebuilt.error)));
    QCOMPARE(rebuilt.rebuildReason, RebuildReason::Requested);
    QCOMPARE(rebuilt.lastSequence, engine.lastSequence());

    const QStringList expected = dumpTables(rebuiltPath);
    QVERIFY(expected.size() > 3000);
    QVERIFY(queryRows(rebuiltPath, QStringLiteral("SELECT COUNT(*) FROM trades WHERE kind = "
                                                  "'auction'")) == QStringList{"1"});
    QVERIFY(sameRows(dumpTables(market.viewsPath()), expected));
    QVERIFY(sameRows(dumpTables(livePath), expected));
}

void TestReadModels::catchUpProjectsAppendedEvents()
{
    QTemporaryDir directory;
    Market market(directory);
    market.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.eventsProjected, std::uint64_t{3});

    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.eventsProjected, std::uint64_t{0});

    market.engine().submit(limitOrder(2, 2, Side::Buy, 4, 100), at(2));
    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.eventsProjected, std::uint64_t{2});
    QCOMPARE(result.rebuildReason, RebuildReason::None);
    QCOMPARE(result.lastSequence, SequenceNumber{5});

    // The projection records the journal's chain hash at its last event.
    JournalReader::Opened reader = JournalReader::open(market.journalPath());
    QVERIFY(reader.reader);
    while (reader.reader->next()) {
    }
    QCOMPARE(result.lastHash, reader.reader->lastHash());
    char hash[19];
    std::snprintf(hash, sizeof hash, "0x%016llx",
                  static_cast<unsigned long long>(reader.reader->lastHash()));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT last_sequence, last_hash FROM projection")),
                     {QStringLiteral("5|%1").arg(QString::fromLatin1(hash))}));
    QVERIFY(sameRows(
        queryRows(market.viewsPath(), QStringLiteral("SELECT order_id, filled_quantity, state FROM "
                                                     "orders ORDER BY entry_sequence")),
        {"1|4|working", "2|4|filled"}));
}

// Events 1-3 (the instrument and order 1) form the journal's first chunk and events 4-5 the
// second, because the journal is closed after each part. After both are projected, the first
// chunk is damaged. A catch-up starts after event 5, in the second chunk, so it never reads the
// first and projects order 3 (events 6-7). A rebuild reads it and stops at the damage.
// A catch-up asked to stop projects nothing more and reports no error; the next one goes on.
// The two orders below trade once: instrument, two acceptances, the rest, a trade: 5 events.
void TestReadModels::stoppedCatchUpResumesLater()
{
    QTemporaryDir directory;
    Market market(directory);
    market.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    market.engine().submit(limitOrder(2, 2, Side::Buy, 4, 100), at(2));
    const std::atomic<bool> stop{true};
    ReadModelOptions stopping;
    stopping.stopRequested = &stop;
    CatchUpResult result = market.checkpoint(stopping);
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.eventsProjected, std::uint64_t{0});
    QCOMPARE(result.lastSequence, SequenceNumber{0});

    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.eventsProjected, std::uint64_t{5});
    QCOMPARE(result.lastSequence, SequenceNumber{5});
}

void TestReadModels::catchUpSkipsChunksBeforeProjected()
{
    QTemporaryDir directory;
    Market market(directory);
    market.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    market.engine().submit(limitOrder(2, 2, Side::Buy, 4, 100), at(2));
    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.lastSequence, SequenceNumber{5});
    market.closeJournal();
    QVERIFY(sameRows(queryRows(market.journalPath(),
                               QStringLiteral("SELECT first_sequence, last_sequence FROM chunks "
                                              "ORDER BY first_sequence")),
                     {"1|3", "4|5"}));

    // Byte 9 of a chunk's body is the low byte of its first event's time, which the event's
    // checksum covers. SQLite's || makes text of blobs, so the result is cast back.
    QCOMPARE(executeOn(market.journalPath(),
                       QStringLiteral("DROP TRIGGER chunks_no_update; UPDATE chunks SET body = "
                                      "CAST(substr(body, 1, 8) || X'FF' || substr(body, 10) AS "
                                      "BLOB) WHERE first_sequence = 1")),
             QString());
    market.openJournal();
    market.engine().submit(limitOrder(3, 2, Side::Buy, 6, 100), at(3));
    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.rebuildReason, RebuildReason::None);
    QCOMPARE(result.eventsProjected, std::uint64_t{2});
    QCOMPARE(result.lastSequence, SequenceNumber{7});
    QVERIFY(sameRows(
        queryRows(market.viewsPath(), QStringLiteral("SELECT order_id, filled_quantity, state FROM "
                                                     "orders ORDER BY entry_sequence")),
        {"1|10|filled", "2|4|filled", "3|6|filled"}));

    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.eventsProjected, std::uint64_t{0});
    QCOMPARE(result.lastSequence, SequenceNumber{7});

    market.closeJournal();
    const std::string rebuiltPath = directory.filePath(QStringLiteral("rebuilt")).toStdString();
    const CatchUpResult rebuilt = rebuildReadModels(market.journalPath(), rebuiltPath);
    QVERIFY(rebuilt.error);
    QCOMPARE(rebuilt.error->kind, ReadModelErrorKind::JournalFailed);
    QCOMPARE(rebuilt.error->sequence, SequenceNumber{1});
    QVERIFY2(rebuilt.error->what.find("checksum mismatch") != std::string::npos,
             rebuilt.error->what.c_str());
}

// The views are projected to event 5, the last of the journal's second chunk (events 4-5).
// Order 3 then adds events 6-7 in a third chunk, and event 5's stored hash, the chunk body's
// last 8 bytes, is overwritten. The catch-up finds that the event it starts after does not
// carry the recorded hash, reads the journal from its first event, and stops at the broken
// chain there: an error, with the views left as they were.
void TestReadModels::catchUpReportsDamagedAnchor()
{
    QTemporaryDir directory;
    Market market(directory);
    market.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    market.engine().submit(limitOrder(2, 2, Side::Buy, 4, 100), at(2));
    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.lastSequence, SequenceNumber{5});
    market.engine().submit(limitOrder(3, 2, Side::Buy, 6, 100), at(3));
    market.closeJournal();
    QVERIFY(market.journalError().empty());
    const QByteArray before = readBytes(market.viewsPath());

    QCOMPARE(executeOn(market.journalPath(),
                       QStringLiteral("DROP TRIGGER chunks_no_update; UPDATE chunks SET body = "
                                      "CAST(substr(body, 1, length(body) - 8) || zeroblob(8) AS "
                                      "BLOB) WHERE first_sequence = 4")),
             QString());
    result = catchUpReadModels(market.journalPath(), market.viewsPath());
    QVERIFY(result.error);
    QCOMPARE(result.error->kind, ReadModelErrorKind::JournalFailed);
    QCOMPARE(result.error->sequence, SequenceNumber{5});
    QVERIFY2(result.error->what.find("chain broken") != std::string::npos,
             result.error->what.c_str());
    QCOMPARE(result.rebuildReason, RebuildReason::None);
    QCOMPARE(result.eventsProjected, std::uint64_t{0});
    QCOMPARE(result.lastSequence, SequenceNumber{5});
    QCOMPARE(readBytes(market.viewsPath()), before);
}

void TestReadModels::catchUpReadsOnPartlyReadReader_data()
{
    QTest::addColumn<int>("eventsRead");
    QTest::newRow("reader before the last projected event") << 2;
    QTest::newRow("reader at the last projected event") << 3;
}

// A reader that has returned events already cannot start after the last projected one: the
// catch-up reads on from where it is and projects events 4-5 only.
void TestReadModels::catchUpReadsOnPartlyReadReader()
{
    QFETCH(int, eventsRead);
    QTemporaryDir directory;
    Market market(directory);
    market.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.lastSequence, SequenceNumber{3});
    market.engine().submit(limitOrder(2, 2, Side::Buy, 4, 100), at(2));
    market.closeJournal();

    JournalReader::Opened reader = JournalReader::open(market.journalPath());
    QVERIFY(reader.reader);
    for (int event = 0; event < eventsRead; ++event) {
        QVERIFY(reader.reader->next());
    }
    ReadModelWriter::Opened writer = ReadModelWriter::open(market.viewsPath());
    QVERIFY2(!writer.error, qPrintable(describe(writer.error)));
    result = writer.writer->catchUp(*reader.reader);
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.rebuildReason, RebuildReason::None);
    QCOMPARE(result.eventsProjected, std::uint64_t{2});
    QCOMPARE(result.lastSequence, SequenceNumber{5});
    QVERIFY(!writer.writer->close());
    QVERIFY(sameRows(
        queryRows(market.viewsPath(), QStringLiteral("SELECT order_id, filled_quantity, state FROM "
                                                     "orders ORDER BY entry_sequence")),
        {"1|4|working", "2|4|filled"}));
}

void TestReadModels::viewsOfOtherJournalAreRebuilt_data()
{
    QTest::addColumn<int>("variant");
    QTest::addColumn<RebuildReason>("reason");
    QTest::newRow("different first event") << 0 << RebuildReason::DifferentJournal;
    QTest::newRow("same start, different later event") << 1 << RebuildReason::ChainHashMismatch;
    QTest::newRow("journal shorter than the views") << 2 << RebuildReason::JournalShorter;
    QTest::newRow("different first event, longer") << 3 << RebuildReason::DifferentJournal;
    QTest::newRow("different later event, longer") << 4 << RebuildReason::ChainHashMismatch;
}

// Views projected from journal A (7 events) are caught up from journal B. Journal B differs
// from A in its first event (the instrument is defined a second earlier), or in its second
// order (sequence 4 on), or it ends after the first order (3 events). The last two variants
// are the first two with a fourth order after the third, so that the catch-up has events to
// project after the event where the journals differ.
void TestReadModels::viewsOfOtherJournalAreRebuilt()
{
    QFETCH(int, variant);
    QFETCH(RebuildReason, reason);
    QTemporaryDir directory;

    Market first(directory, QStringLiteral("a"));
    first.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    first.engine().submit(limitOrder(2, 2, Side::Buy, 4, 100), at(2));
    first.engine().submit(limitOrder(3, 2, Side::Buy, 1, 90), at(3));
    CatchUpResult result = first.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.lastSequence, SequenceNumber{7});
    first.closeJournal();

    const bool differentFirst = variant == 0 || variant == 3;
    Market second(directory, QStringLiteral("b"), differentFirst ? at(-1) : at(0));
    Engine &engine = second.engine();
    engine.submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    if (variant != 2) {
        engine.submit(limitOrder(2, 2, Side::Buy, differentFirst ? 4 : 2, 100), at(2));
        engine.submit(limitOrder(3, 2, Side::Buy, 1, 90), at(3));
    }
    if (variant >= 3) {
        engine.submit(limitOrder(4, 3, Side::Buy, 1, 100), at(4));
        QVERIFY(engine.lastSequence() > 7);
    }
    second.closeJournal();
    QVERIFY(second.journalError().empty());

    result = catchUpReadModels(second.journalPath(), first.viewsPath());
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.rebuildReason, reason);
    QVERIFY(!result.rebuildDetail.empty());
    QCOMPARE(result.lastSequence, engine.lastSequence());
    QCOMPARE(result.eventsProjected, std::uint64_t{engine.lastSequence()});

    const std::string expectedPath = directory.filePath(QStringLiteral("expected")).toStdString();
    const CatchUpResult expected = rebuildReadModels(second.journalPath(), expectedPath);
    QVERIFY2(!expected.error, qPrintable(describe(expected.error)));
    QVERIFY(sameRows(dumpTables(first.viewsPath()), dumpTables(expectedPath)));
}

void TestReadModels::olderFormatIsRebuilt()
{
    QTemporaryDir directory;
    Market market(directory);
    market.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(executeOn(market.viewsPath(),
                       QStringLiteral("UPDATE projection SET format_version = 0; DROP TABLE bars")),
             QString());

    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.rebuildReason, RebuildReason::OlderFormat);
    QCOMPARE(result.eventsProjected, std::uint64_t{3});
    QVERIFY(sameRows(
        queryRows(market.viewsPath(), QStringLiteral("SELECT format_version, last_sequence FROM "
                                                     "projection")),
        {"2|3"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(), QStringLiteral("SELECT COUNT(*) FROM bars")),
                     {"0"}));
}

// A views file of format 1 lacks the tables of accounts and risk, though its journal has the
// events. The catch-up rebuilds it, which projects them: the scenario's accounts and its last
// risk limits.
void TestReadModels::formatOneViewsGainAccountTables()
{
    QTemporaryDir directory;
    Market market(directory);
    runRiskScenario(market.engine(), 0, kInstrument, [](int) {});
    CatchUpResult result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(executeOn(market.viewsPath(),
                       QStringLiteral("UPDATE projection SET format_version = 1; DROP TABLE "
                                      "accounts; DROP TABLE account_positions; DROP TABLE "
                                      "risk_limits; DROP TABLE kill_switches; DROP TABLE "
                                      "risk_rejections; DROP TABLE risk_alerts; DELETE FROM about "
                                      "WHERE table_name IN ('accounts', 'account_positions', "
                                      "'risk_limits', 'kill_switches', 'risk_rejections', "
                                      "'risk_alerts')")),
             QString());

    result = market.checkpoint();
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.rebuildReason, RebuildReason::OlderFormat);
    QCOMPARE(result.eventsProjected, std::uint64_t{35});
    QVERIFY(sameRows(
        queryRows(market.viewsPath(), QStringLiteral("SELECT format_version, last_sequence FROM "
                                                     "projection")),
        {"2|35"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(), QStringLiteral("SELECT account, cash_balance "
                                                                  "FROM accounts ORDER BY "
                                                                  "account")),
                     {"1|999298", "2|4980450"}));
    QVERIFY(sameRows(queryRows(market.viewsPath(),
                               QStringLiteral("SELECT account, instrument, last_sequence FROM "
                                              "risk_limits")),
                     {"1|0|34"}));
}

void TestReadModels::badViewsFileIsReported_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<ReadModelErrorKind>("kind");
    QTest::addColumn<QString>("message");

    const auto row = [](const char *name, const char *damage, ReadModelErrorKind kind,
                        const char *message) {
        QTest::newRow(name) << QString::fromLatin1(damage) << kind << QString::fromLatin1(message);
    };
    row("text file", "text", ReadModelErrorKind::NotReadModels, "not a views file");
    row("database of another application", "other tables", ReadModelErrorKind::NotReadModels,
        "has tables but not the application id of a views file");
    row("empty database with another application id", "other id", ReadModelErrorKind::NotReadModels,
        "application id 0x0000007b");
    row("journal", "journal", ReadModelErrorKind::NotReadModels, "application id 0x4252534a");
    row("table missing", "DROP TABLE fills", ReadModelErrorKind::ViewsDamaged,
        "the fills table is missing");
    row("newer format", "UPDATE projection SET format_version = 3",
        ReadModelErrorKind::UnsupportedFormat, "views file format 3 is newer than format 2");
    row("malformed chain hash", "UPDATE projection SET last_hash = 'zz'",
        ReadModelErrorKind::ViewsDamaged, "projection.last_hash is not a chain hash");
    row("lots that do not add up", "UPDATE positions SET quantity = quantity + 1 WHERE account = 1",
        ReadModelErrorKind::ViewsDamaged, "do not add up");
    row("unknown side", "UPDATE orders SET side = 'Up' WHERE order_id = 1",
        ReadModelErrorKind::ViewsDamaged, "CHECK constraint failed");
    row("damaged pages", "pages", ReadModelErrorKind::DatabaseCorrupt, "malformed");
}

void TestReadModels::badViewsFileIsReported()
{
    QFETCH(QString, damage);
    QFETCH(ReadModelErrorKind, kind);
    QFETCH(QString, message);

    QTemporaryDir directory;
    Market market(directory);
    market.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    market.engine().submit(limitOrder(2, 2, Side::Buy, 4, 100), at(2));
    const std::string path = market.viewsPath();

    if (damage == "text") {
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
    } else if (damage == "other tables") {
        QCOMPARE(executeOn(path, QStringLiteral("CREATE TABLE notes (text TEXT)")), QString());
    } else if (damage == "other id") {
        QCOMPARE(executeOn(path, QStringLiteral("PRAGMA application_id = 123; VACUUM")), QString());
    } else if (damage == "journal") {
        market.closeJournal();
        QVERIFY(QFile::copy(QString::fromStdString(market.journalPath()),
                            QString::fromStdString(path)));
    } else {
        const CatchUpResult projected = market.checkpoint();
        QVERIFY2(!projected.error, qPrintable(describe(projected.error)));
        if (damage == "pages") {
            // Page 1 contains the schema. Everything after its 100-byte header is overwritten.
            QFile file(QString::fromStdString(path));
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.seek(100));
            file.write(QByteArray(3996, '\xff'));
        } else if (damage.contains(QStringLiteral("side"))) {
            // A CHECK constraint keeps SQL from storing an unknown side, as the message shows.
            QVERIFY(executeOn(path, damage).contains(message));
            QCOMPARE(
                executeOn(path, QStringLiteral("PRAGMA ignore_check_constraints = 1; ") + damage),
                QString());
            message = QStringLiteral("side, type or time_in_force is not a known name");
        } else {
            QCOMPARE(executeOn(path, damage), QString());
        }
    }
    const QByteArray before = readBytes(path);

    ReadModelWriter::Opened opened = ReadModelWriter::open(path);
    QVERIFY(!opened.writer);
    QVERIFY(opened.error);
    QCOMPARE(opened.error->kind, kind);
    QCOMPARE(opened.error->file, path);
    QVERIFY2(QString::fromStdString(opened.error->what).contains(message),
             opened.error->what.c_str());

    const CatchUpResult caughtUp = catchUpReadModels(market.journalPath(), path);
    QVERIFY(caughtUp.error);
    QCOMPARE(caughtUp.error->kind, kind);
    const CatchUpResult rebuilt = rebuildReadModels(market.journalPath(), path);
    QVERIFY(rebuilt.error);
    QCOMPARE(rebuilt.error->kind, kind);
    QCOMPARE(readBytes(path), before);
}

void TestReadModels::missingJournalLeavesViews()
{
    QTemporaryDir directory;
    Market market(directory);
    market.engine().submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    const CatchUpResult projected = market.checkpoint();
    QVERIFY2(!projected.error, qPrintable(describe(projected.error)));
    market.closeJournal();
    const QByteArray before = readBytes(market.viewsPath());

    const std::string missing = directory.filePath(QStringLiteral("missing.journal")).toStdString();
    for (const CatchUpResult &result : {catchUpReadModels(missing, market.viewsPath()),
                                        rebuildReadModels(missing, market.viewsPath())}) {
        QVERIFY(result.error);
        QCOMPARE(result.error->kind, ReadModelErrorKind::JournalFailed);
        QCOMPARE(result.error->file, missing);
    }
    QCOMPARE(readBytes(market.viewsPath()), before);
}

void TestReadModels::liveEventOutOfOrderIsRejected()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("views")).toStdString();
    ReadModelWriter::Opened opened = ReadModelWriter::open(path);
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));

    Event event;
    event.sequence = 2;
    event.time = at(1);
    event.instrument = kInstrument;
    event.payload = InstrumentAdded{definitionOf(kInstrument)};
    opened.writer->onEvent(event);

    const std::optional<ReadModelError> error = opened.writer->close();
    QVERIFY(error);
    QCOMPARE(error->kind, ReadModelErrorKind::SequenceOutOfOrder);
    QCOMPARE(error->toString(),
             path + ": sequence 2: event does not follow the last projected event 0 (expected "
                    "sequence 1)");
    QCOMPARE(opened.writer->failure(), error->toString());
}

// An OrderCancelled that cancels more than the order has left does not follow from the events
// before it: the writer stops and keeps the file as of its last commit.
void TestReadModels::inconsistentEventIsReported()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("views")).toStdString();
    ReadModelWriter::Opened opened = ReadModelWriter::open(path);
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    ReadModelWriter &writer = *opened.writer;

    const auto eventAt = [](SequenceNumber sequence, EventPayload payload) {
        return Event{sequence, at(static_cast<std::int64_t>(sequence)), kInstrument,
                     std::move(payload)};
    };
    OrderAccepted accepted;
    accepted.id = OrderId{5};
    accepted.side = Side::Buy;
    accepted.type = OrderType::Limit;
    accepted.limit = Price{100};
    accepted.quantity = Quantity{5};
    writer.onEvent(eventAt(1, InstrumentAdded{definitionOf(kInstrument)}));
    writer.onEvent(eventAt(2, accepted));
    QVERIFY(!writer.flush());
    writer.onEvent(eventAt(3, OrderCancelled{OrderId{5}, Side::Buy, Price{100}, Quantity{4},
                                             CancelReason::Requested}));

    const std::optional<ReadModelError> error = writer.close();
    QVERIFY(error);
    QCOMPARE(error->kind, ReadModelErrorKind::InconsistentEvent);
    QCOMPARE(error->toString(),
             path + ": sequence 3: order 5 is cancelled with 4 but has 5 remaining");
    QCOMPARE(writer.lastSequence(), SequenceNumber{2});
    QVERIFY(sameRows(queryRows(path, QStringLiteral("SELECT order_id, state FROM orders")),
                     {"5|working"}));
}

void TestReadModels::inconsistentFillIsReported_data()
{
    QTest::addColumn<std::uint32_t>("account");
    QTest::addColumn<std::int64_t>("position");
    QTest::addColumn<QString>("message");
    QTest::newRow("account never opened")
        << std::uint32_t{3} << std::int64_t{5}
        << QStringLiteral("a fill is posted to account 3, which no AccountOpened opened");
    QTest::newRow("position that does not follow")
        << std::uint32_t{1} << std::int64_t{4}
        << QStringLiteral("a fill of 5 leaves account 1 with 4 in instrument 7, which had 0");
}

// A FillPosted of a buy of 5 follows account 1's opening. Its account must be open and its
// position must be the one before plus the fill, or the writer stops.
void TestReadModels::inconsistentFillIsReported()
{
    QFETCH(std::uint32_t, account);
    QFETCH(std::int64_t, position);
    QFETCH(QString, message);
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("views")).toStdString();
    ReadModelWriter::Opened opened = ReadModelWriter::open(path);
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));

    AccountOpened accountOpened;
    accountOpened.settings = scenarioAccount(kMarginAccount);
    opened.writer->onEvent(Event{1, at(1), InstrumentId{}, accountOpened});
    FillPosted fill;
    fill.tradeSequence = 2;
    fill.account = AccountId{account};
    fill.instrument = kInstrument;
    fill.side = Side::Buy;
    fill.price = Price{100};
    fill.quantity = Quantity{5};
    fill.position = Quantity{position};
    opened.writer->onEvent(Event{2, at(2), kInstrument, fill});

    const std::optional<ReadModelError> error = opened.writer->close();
    QVERIFY(error);
    QCOMPARE(error->kind, ReadModelErrorKind::InconsistentEvent);
    QCOMPARE(QString::fromStdString(error->toString()),
             QString::fromStdString(path) + QStringLiteral(": sequence 2: ") + message);
}

void TestReadModels::secondWriterIsDetected()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("views")).toStdString();
    ReadModelWriter::Opened first = ReadModelWriter::open(path);
    ReadModelWriter::Opened second = ReadModelWriter::open(path);
    QVERIFY2(!first.error, qPrintable(describe(first.error)));
    QVERIFY2(!second.error, qPrintable(describe(second.error)));

    const Event added{1, at(0), kInstrument, InstrumentAdded{definitionOf(kInstrument)}};
    first.writer->onEvent(added);
    QVERIFY(!first.writer->flush());
    second.writer->onEvent(added);

    const std::optional<ReadModelError> error = second.writer->flush();
    QVERIFY(error);
    QCOMPARE(error->kind, ReadModelErrorKind::ConcurrentWriter);
}

void TestReadModels::aboutDescribesEveryColumn()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("views")).toStdString();
    QVERIFY(!ReadModelWriter::open(path).error);

    const QStringList undescribed = queryRows(
        path, QStringLiteral("SELECT t.name || '.' || c.name FROM sqlite_schema t, "
                             "pragma_table_xinfo(t.name) c WHERE t.type = 'table' AND NOT "
                             "EXISTS (SELECT 1 FROM about a WHERE a.table_name = t.name AND "
                             "a.column_name = c.name)"));
    QVERIFY2(undescribed.isEmpty(), qPrintable(undescribed.join(QStringLiteral(", "))));
}

QTEST_GUILESS_MAIN(TestReadModels)
#include "tst_read_models.moc"
