#include "engine.h"
#include "journal.h"
#include "read_model_queries.h"
#include "read_model_risk_scenario.h"
#include "read_models.h"
#include "simulator.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

using namespace bourse;
using namespace bourse::storage;

namespace bourse::storage {

// Names for failed comparisons, found by argument-dependent lookup.
inline char *toString(ReadModelErrorKind kind)
{
    return qstrdup(QByteArray("ReadModelErrorKind ") + QByteArray::number(static_cast<int>(kind)));
}

} // namespace bourse::storage

namespace {

constexpr InstrumentId kAcme{7};
constexpr InstrumentId kBeta{8};

// 10:00:00 after midnight plus `seconds` and `milliseconds`, in nanoseconds.
Timestamp at(std::int64_t seconds, std::int64_t milliseconds = 0)
{
    return Timestamp{(36'000 + seconds) * 1'000'000'000 + milliseconds * 1'000'000};
}

InstrumentDefinition definitionOf(InstrumentId id, const char *symbol, const char *currency,
                                  std::uint8_t priceDecimals, std::uint8_t quantityDecimals)
{
    InstrumentDefinition definition;
    definition.id = id;
    std::copy_n(symbol, std::min<std::size_t>(std::strlen(symbol), 16), definition.symbol.data());
    std::copy_n(currency, 3, definition.currency.data());
    definition.priceDecimals = priceDecimals;
    definition.quantityDecimals = quantityDecimals;
    return definition;
}

NewOrder limitOrder(std::uint64_t id, std::uint32_t account, Side side, std::int64_t quantity,
                    std::int64_t price, InstrumentId instrument = kAcme)
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

QString describe(const std::optional<ReadModelError> &error)
{
    return error ? QString::fromStdString(error->toString()) : QStringLiteral("no error");
}

// Writes the engine's events to a journal file until close().
class JournaledEngine {
public:
    explicit JournaledEngine(const std::string &path)
    {
        JournalWriter::Created created = JournalWriter::create(path);
        m_error = created.error ? created.error->toString() : std::string();
        m_writer = std::move(created.writer);
        if (m_writer) {
            m_engine.addHandler(m_writer.get());
        }
    }

    Engine &engine() { return m_engine; }

    // Commits and closes the journal. Returns the first journal error, as text.
    std::string close()
    {
        if (m_writer) {
            m_engine.removeHandler(m_writer.get());
            if (std::optional<JournalError> error = m_writer->close(); error && m_error.empty()) {
                m_error = error->toString();
            }
            m_writer.reset();
        }
        return m_error;
    }

private:
    Engine m_engine;
    std::unique_ptr<JournalWriter> m_writer;
    std::string m_error;
};

// The commands of the hand-computed market, at t seconds after 10:00:00, with the sequence
// numbers of the events each publishes. Instruments 7 (ACME, EUR, 2 price decimals) and 8
// (BETA, USD, 4 price decimals, 1 quantity decimal) are events 1 and 2.
//   t 1    order 1, account 1 sells 10 at 100 and rests                    3 accepted, 4 added
//   t 2    order 2, account 1 sells 5 at 102 and rests                     5, 6
//   t 3    order 3, account 2 buys 4 at 100: trades 4 at 100 with order 1  7, 8 trade
//   t 4    order 4, account 3 buys 5 at 98 and rests                       9, 10
//   t 5    order 4 is cancelled                                            11 cancelled
//   t 5    order 5, account 2, client order id 77, quantity 0: rejected    12 rejected
//   t 6    order 6, account 3 buys 2 at 100: trades 2 at 100 with order 1  13, 14 trade
//   t 6.5  order 7, account 2 buys 5 at 102: takes order 1's last 4 at 100
//          and 1 of order 2 at 102                                          15, 16 and 17 trades
//   t 7    order 8, account 3, sell stop 2 at 90: parked                   18, 19 parked
//   t 8    order 9, account 1 sells 3 of BETA at 5000 and rests            20, 21
//   t 9    order 10, account 2 buys 3 of BETA at 5000: trades              22, 23 trade
//   t 12   order 11, account 3 buys 2 at 99 and rests                      24, 25
//   t 13   order 12, account 2 sells 2 at 99: trades with order 11         26, 27 trade
//   t 14   BETA halts                                                      28 status
// No trade reaches 90, so the stop order stays parked.
void runHandMarket(Engine &engine)
{
    engine.addInstrument(definitionOf(kAcme, "ACME", "EUR", 2, 0), at(0));
    engine.addInstrument(definitionOf(kBeta, "BETA", "USD", 4, 1), at(0));
    engine.submit(limitOrder(1, 1, Side::Sell, 10, 100), at(1));
    engine.submit(limitOrder(2, 1, Side::Sell, 5, 102), at(2));
    engine.submit(limitOrder(3, 2, Side::Buy, 4, 100), at(3));
    engine.submit(limitOrder(4, 3, Side::Buy, 5, 98), at(4));
    engine.cancel(OrderId{4}, at(5));

    NewOrder zero = limitOrder(5, 2, Side::Buy, 0, 100);
    zero.clientOrderId = ClientOrderId{77};
    engine.submit(zero, at(5));

    engine.submit(limitOrder(6, 3, Side::Buy, 2, 100), at(6));
    engine.submit(limitOrder(7, 2, Side::Buy, 5, 102), at(6, 500));

    NewOrder stop = limitOrder(8, 3, Side::Sell, 2, 0);
    stop.type = OrderType::Stop;
    stop.stopPrice = Price{90};
    engine.submit(stop, at(7));

    engine.submit(limitOrder(9, 1, Side::Sell, 3, 5000, kBeta), at(8));
    engine.submit(limitOrder(10, 2, Side::Buy, 3, 5000, kBeta), at(9));
    engine.submit(limitOrder(11, 3, Side::Buy, 2, 99), at(12));
    engine.submit(limitOrder(12, 2, Side::Sell, 2, 99), at(13));
    engine.setTradingStatus(kBeta, TradingStatus::Halted, at(14));
}

// Texts of the rows, so that a failed comparison shows the whole row.
template <typename Value>
QString optionalText(const std::optional<Value> &value)
{
    return value ? QString::number(value->value()) : QStringLiteral("-");
}

QString sideText(std::optional<Side> side)
{
    if (!side) {
        return QStringLiteral("-");
    }
    return *side == Side::Buy ? QStringLiteral("Buy") : QStringLiteral("Sell");
}

QString stateText(OrderRowState state)
{
    const char *names[] = {"working", "parked", "filled", "cancelled", "rejected"};
    return QString::fromLatin1(names[static_cast<int>(state)]);
}

// entry|id|account|client|instrument|side|type|tif|limit|stop|quantity|filled|remaining|
// cancelled|state|reason|entry time (s after 10:00)|last sequence
QString orderText(const OrderRow &order)
{
    const QStringList fields = {
        QString::number(order.entrySequence),
        QString::number(order.id.value()),
        QString::number(order.account.value()),
        QString::number(order.clientOrderId.value()),
        QString::number(order.instrument.value()),
        sideText(order.side),
        order.type ? QString::number(static_cast<int>(*order.type)) : QStringLiteral("-"),
        order.timeInForce ? QString::number(static_cast<int>(*order.timeInForce))
                          : QStringLiteral("-"),
        optionalText(order.limitPrice),
        optionalText(order.stopPrice),
        optionalText(order.quantity),
        QString::number(order.filledQuantity.value()),
        QString::number(order.remainingQuantity.value()),
        QString::number(order.cancelledQuantity.value()),
        stateText(order.state),
        QString::fromStdString(order.reason),
        QString::number((order.entryTime.value() - at(0).value()) / 1'000'000),
        QString::number(order.lastSequence),
    };
    return fields.join(QLatin1Char('|'));
}

// trade|order|entry|account|instrument|side|price|quantity|liquidity|ms after 10:00
QString fillText(const FillRow &fill)
{
    return QStringList{
        QString::number(fill.tradeSequence),
        QString::number(fill.orderId.value()),
        fill.orderEntrySequence ? QString::number(*fill.orderEntrySequence) : QStringLiteral("-"),
        QString::number(fill.account.value()),
        QString::number(fill.instrument.value()),
        sideText(fill.side),
        QString::number(fill.price.value()),
        QString::number(fill.quantity.value()),
        fill.liquidity == FillLiquidity::Maker ? QStringLiteral("maker") : QStringLiteral("taker"),
        QString::number((fill.time.value() - at(0).value()) / 1'000'000)}
        .join(QLatin1Char('|'));
}

// account|instrument|quantity|open cost|realized|trades|last sequence
QString positionText(const PositionRow &position)
{
    return QStringList{
        QString::number(position.account.value()),  QString::number(position.instrument.value()),
        QString::number(position.quantity.value()), QString::number(position.openCost),
        QString::number(position.realizedPnl),      QString::number(position.tradeCount),
        QString::number(position.lastSequence)}
        .join(QLatin1Char('|'));
}

// sequence|ms after 10:00|price|quantity|aggressor|kind
QString tradeText(const TradeRow &trade)
{
    return QStringList{QString::number(trade.sequence),
                       QString::number((trade.time.value() - at(0).value()) / 1'000'000),
                       QString::number(trade.price.value()),
                       QString::number(trade.quantity.value()),
                       sideText(trade.aggressor),
                       trade.kind == TradeKind::Auction ? QStringLiteral("auction")
                                                        : QStringLiteral("continuous")}
        .join(QLatin1Char('|'));
}

// start (s after 10:00)|open|high|low|close|volume|trades
QString barText(const BarRow &bar)
{
    return QStringList{QString::number((bar.start.value() - at(0).value()) / 1'000'000'000),
                       QString::number(bar.open.value()),
                       QString::number(bar.high.value()),
                       QString::number(bar.low.value()),
                       QString::number(bar.close.value()),
                       QString::number(bar.volume.value()),
                       QString::number(bar.tradeCount)}
        .join(QLatin1Char('|'));
}

// id|symbol|currency|price decimals|quantity decimals|tick|lot|status
QString instrumentText(const InstrumentRow &instrument)
{
    const auto decimals = [](std::optional<int> value) {
        return value ? QString::number(*value) : QStringLiteral("-");
    };
    return QStringList{QString::number(instrument.instrument.value()),
                       QString::fromStdString(instrument.symbol),
                       QString::fromStdString(instrument.currency),
                       decimals(instrument.priceDecimals),
                       decimals(instrument.quantityDecimals),
                       optionalText(instrument.tickSize),
                       optionalText(instrument.lotSize),
                       QString::number(static_cast<int>(instrument.status))}
        .join(QLatin1Char('|'));
}

// Seconds after 10:00:00.
QString secondsText(Timestamp time)
{
    return QString::number((time.value() - at(0).value()) / 1'000'000'000);
}

// account|currency|money decimals|type|maker rate|taker rate|per unit|minimum|opening|cash|
// fees|realized|fills|opened sequence|opened (s after 10:00)|last sequence
QString accountText(const AccountRow &account)
{
    return QStringList{QString::number(account.account.value()),
                       QString::fromStdString(account.currency),
                       QString::number(account.moneyDecimals),
                       QString::number(static_cast<int>(account.type)),
                       QString::number(account.fees.maker.partsPerMillion),
                       QString::number(account.fees.taker.partsPerMillion),
                       QString::number(account.fees.perUnit.value()),
                       QString::number(account.fees.minimum.value()),
                       QString::number(account.openingBalance.value()),
                       QString::number(account.cashBalance.value()),
                       QString::number(account.feesPaid.value()),
                       QString::number(account.realizedProfitAndLoss.value()),
                       QString::number(account.fillCount),
                       QString::number(account.openedSequence),
                       secondsText(account.openedTime),
                       QString::number(account.lastSequence)}
        .join(QLatin1Char('|'));
}

// account|instrument|quantity|realized|fees|fills|last price|last sequence
QString accountPositionText(const AccountPositionRow &position)
{
    return QStringList{QString::number(position.account.value()),
                       QString::number(position.instrument.value()),
                       QString::number(position.quantity.value()),
                       QString::number(position.realizedProfitAndLoss.value()),
                       QString::number(position.feesPaid.value()),
                       QString::number(position.fillCount),
                       QString::number(position.lastPrice.value()),
                       QString::number(position.lastSequence)}
        .join(QLatin1Char('|'));
}

// account|instrument|order size|order notional|long|short|band|open orders|rate|daily loss|
// buying power|overridden|short limit overridden (1 or 0)|updated (s after 10:00)|last sequence
QString riskLimitsText(const RiskLimitsRow &row)
{
    const RiskLimits &limits = row.limits;
    return QStringList{QString::number(row.account.value()),
                       QString::number(row.instrument.value()),
                       QString::number(limits.maximumOrderQuantity.value()),
                       QString::number(limits.maximumOrderNotional.value()),
                       QString::number(limits.maximumLongPosition.value()),
                       QString::number(limits.maximumShortPosition.value()),
                       QString::number(limits.priceBandBasisPoints),
                       QString::number(limits.maximumOpenOrders),
                       QString::number(limits.maximumOrdersPerSecond),
                       QString::number(limits.dailyLossLimit.value()),
                       QString::number(limits.marginBuyingPower.value()),
                       QString::number(row.overridden),
                       QString::number(row.isOverridden(RiskLimitField::ShortPosition) ? 1 : 0),
                       secondsText(row.updatedTime),
                       QString::number(row.lastSequence)}
        .join(QLatin1Char('|'));
}

// account|scope|changed (s after 10:00)|changed sequence
QString killSwitchText(const KillSwitchRow &row)
{
    return QStringList{QString::number(row.account.value()),
                       QString::number(static_cast<int>(row.scope)), secondsText(row.changedTime),
                       QString::number(row.changedSequence)}
        .join(QLatin1Char('|'));
}

// sequence|s after 10:00|instrument|order|account|client order id|rule|scope|kill switch|unit|
// decimals|side|current|working|order value|would be|limit|description
QString riskRejectionText(const RiskRejectionRow &row)
{
    return QStringList{QString::number(row.sequence),
                       secondsText(row.time),
                       QString::number(row.instrument.value()),
                       QString::number(row.orderId.value()),
                       QString::number(row.account.value()),
                       QString::number(row.clientOrderId.value()),
                       QString::number(static_cast<int>(row.rule)),
                       QString::number(static_cast<int>(row.scope)),
                       QString::number(static_cast<int>(row.killSwitch)),
                       QString::number(static_cast<int>(row.unit)),
                       QString::number(row.decimals),
                       sideText(row.side),
                       QString::number(row.current),
                       QString::number(row.working),
                       QString::number(row.order),
                       QString::number(row.wouldBe),
                       QString::number(row.limit),
                       QString::fromStdString(row.description)}
        .join(QLatin1Char('|'));
}

// sequence|s after 10:00|account|instrument|rule|scope|level|use|limit|basis points
QString riskAlertText(const RiskAlertRow &row)
{
    return QStringList{QString::number(row.sequence),
                       secondsText(row.time),
                       QString::number(row.account.value()),
                       QString::number(row.instrument.value()),
                       QString::number(static_cast<int>(row.rule)),
                       QString::number(static_cast<int>(row.scope)),
                       QString::number(static_cast<int>(row.level)),
                       QString::number(row.use),
                       QString::number(row.limit),
                       QString::number(row.basisPoints)}
        .join(QLatin1Char('|'));
}

template <typename Row, typename Text>
QStringList textsOf(const std::vector<Row> &rows, Text text)
{
    QStringList texts;
    for (const Row &row : rows) {
        texts << text(row);
    }
    return texts;
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

// Runs SQL on a file. Returns SQLite's message, or an empty string on success.
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

// Writes the hand-computed market to `journal` and projects it into the views file beside it.
// Returns the catch-up's error as text, or the journal's, or an empty string.
QString projectHandMarket(const std::string &journal)
{
    JournaledEngine market(journal);
    runHandMarket(market.engine());
    if (const std::string error = market.close(); !error.empty()) {
        return QString::fromStdString(error);
    }
    if (market.engine().lastSequence() != 28) {
        return QStringLiteral("the market published %1 events where 28 were expected")
            .arg(market.engine().lastSequence());
    }
    const CatchUpResult result = catchUpReadModels(journal, viewsPathFor(journal));
    return result.error ? describe(result.error) : QString();
}

ReadModelQuery everything()
{
    ReadModelQuery query;
    query.workingOrders = 100;
    query.finishedOrders = 100;
    query.fills = 100;
    query.instruments = {kAcme, kBeta, InstrumentId{9}};
    query.trades = 100;
    query.barFrame = BarFrame::OneSecond;
    query.bars = 100;
    return query;
}

const QStringList kWorkingOrders = {
    "18|8|3|0|7|Sell|2|0|-|90|2|0|2|0|parked||7000|19",
    "5|2|1|0|7|Sell|0|0|102|-|5|1|4|0|working||2000|17",
};

const QStringList kFinishedOrders = {
    "26|12|2|0|7|Sell|0|0|99|-|2|2|0|0|filled||13000|27",
    "24|11|3|0|7|Buy|0|0|99|-|2|2|0|0|filled||12000|27",
    "22|10|2|0|8|Buy|0|0|5000|-|3|3|0|0|filled||9000|23",
    "20|9|1|0|8|Sell|0|0|5000|-|3|3|0|0|filled||8000|23",
    "15|7|2|0|7|Buy|0|0|102|-|5|5|0|0|filled||6500|17",
    "13|6|3|0|7|Buy|0|0|100|-|2|2|0|0|filled||6000|14",
    "12|5|2|77|7|-|-|-|-|-|-|0|0|0|rejected|InvalidQuantity|5000|12",
    "9|4|3|0|7|Buy|0|0|98|-|5|0|0|5|cancelled|Requested|4000|11",
    "7|3|2|0|7|Buy|0|0|100|-|4|4|0|0|filled||3000|8",
    "3|1|1|0|7|Sell|0|0|100|-|10|10|0|0|filled||1000|16",
};

const QStringList kFills = {
    "27|12|26|2|7|Sell|99|2|taker|13000", "27|11|24|3|7|Buy|99|2|maker|13000",
    "23|10|22|2|8|Buy|5000|3|taker|9000", "23|9|20|1|8|Sell|5000|3|maker|9000",
    "17|7|15|2|7|Buy|102|1|taker|6500",   "17|2|5|1|7|Sell|102|1|maker|6500",
    "16|7|15|2|7|Buy|100|4|taker|6500",   "16|1|3|1|7|Sell|100|4|maker|6500",
    "14|6|13|3|7|Buy|100|2|taker|6000",   "14|1|3|1|7|Sell|100|2|maker|6000",
    "8|3|7|2|7|Buy|100|4|taker|3000",     "8|1|3|1|7|Sell|100|4|maker|3000",
};

// Lots close first in, first out. Account 1 sold 4, 2 and 4 at 100 and 1 at 102 of ACME and
// 3 of BETA at 5000. Account 2 bought 4 at 100, then 4 at 100 and 1 at 102, and sold 2 at 99,
// which closes 2 of its first lot: realized (99 - 100) * 2 = -2, leaving 2 + 4 at 100 and 1 at
// 102 (cost 702). Account 3 bought 2 at 100 and 2 at 99 (cost 398).
const QStringList kPositions = {
    "1|7|-11|-1102|0|4|17", "1|8|-3|-15000|0|1|23", "2|7|7|702|-2|4|27",
    "2|8|3|15000|0|1|23",   "3|7|4|398|0|2|27",
};

const QStringList kAcmeTrades = {
    "8|3000|100|4|Buy|continuous",  "14|6000|100|2|Buy|continuous",  "16|6500|100|4|Buy|continuous",
    "17|6500|102|1|Buy|continuous", "27|13000|99|2|Sell|continuous",
};

const QStringList kAcmeSecondBars = {"3|100|100|100|100|4|1", "6|100|102|100|102|7|3",
                                     "13|99|99|99|99|2|1"};

// The accounts and risk of read_model_risk_scenario.h on ACME after its fourth pause (event 34),
// worked out there. Enums show as their numbers:
//   account type   0 Cash, 1 Margin
//   rule           1 KillSwitch, 10 PositionShort
//   scope          1 AccountDefault, 2 InstrumentOverride
//   kill switch    0 None, 1 Pause, 2 CancelAll
//   unit           0 None, 1 Quantity
//   level          0 Normal, 1 Warning
const QStringList kScenarioAccounts = {
    "1|EUR|2|1|-200|1000|0|0|1000000|999298|102|-600|3|2|1|26",
    "2|EUR|2|0|100|500|0|50|5000000|4980450|150|600|3|3|1|25",
};

const QStringList kScenarioPositions = {"1|7|-2|-600|102|3|10200|26", "2|7|2|600|150|3|10200|25"};

const QStringList kScenarioLimits = {
    "1|0|50|0|20|8|0|3|0|100000|500000|0|0|15|34",
    "1|7|50|0|20|5|0|3|0|100000|500000|8|1|15|34",
};

const QStringList kScenarioKillSwitches = {"0|2|13|31", "1|0|14|33"};

const QStringList kScenarioRejections = {
    "29|12|7|8|1|0|1|1|1|0|0|Buy|0|0|0|0|0|rejected: kill switch (pause) engaged for this "
    "account",
    "19|8|7|5|1|0|10|2|0|1|0|Sell|-4|0|3|7|5|rejected: position limit, would be 7 short against "
    "the instrument limit of 5 (position -4, open sells 0, this order 3)",
};

const QStringList kScenarioAlerts = {"27|10|1|7|10|2|0|2|5|4000", "18|7|1|7|10|2|1|4|5|8000"};

} // namespace

class TestReadModelQueries : public QObject {
    Q_OBJECT

private slots:
    void snapshotMatchesHandComputedState();
    void limitsKeepNewestRows_data();
    void limitsKeepNewestRows();
    void barFramesAggregateTrades_data();
    void barFramesAggregateTrades();
    void separateQueriesMatchSnapshot();
    void accountsAndRiskReadBack();
    void viewsWithoutProjectionReadEmpty_data();
    void viewsWithoutProjectionReadEmpty();
    void readerFollowsRebuild();
    void largeOrderIdsReadBack();
    void writerAddsMissingQueryIndex();
    void badFilesAreReported_data();
    void badFilesAreReported();
    void readsDuringOpenTransactionSeeLastCommit();
    void readsWhileWriterCommitsAreConsistent();
};

void TestReadModelQueries::snapshotMatchesHandComputedState()
{
    QTemporaryDir directory;
    const std::string journal = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const QString projected = projectHandMarket(journal);
    QVERIFY2(projected.isEmpty(), qPrintable(projected));

    ReadModelReader::Opened opened = ReadModelReader::open(viewsPathFor(journal));
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    const ReadModelSnapshot snapshot = opened.reader->read(everything());
    QVERIFY2(!snapshot.error, qPrintable(describe(snapshot.error)));

    QCOMPARE(snapshot.lastSequence, SequenceNumber{28});
    QVERIFY(snapshot.lastHash != 0);
    QVERIFY(sameRows(textsOf(snapshot.instruments, instrumentText),
                     {"7|ACME|EUR|2|0|1|1|0", "8|BETA|USD|4|1|1|1|1"}));
    QVERIFY(sameRows(textsOf(snapshot.workingOrders, orderText), kWorkingOrders));
    QVERIFY(sameRows(textsOf(snapshot.finishedOrders, orderText), kFinishedOrders));
    QVERIFY(sameRows(textsOf(snapshot.fills, fillText), kFills));
    QVERIFY(sameRows(textsOf(snapshot.positions, positionText), kPositions));

    QCOMPARE(snapshot.markets.size(), std::size_t{3});
    QCOMPARE(snapshot.markets[0].instrument, kAcme);
    QVERIFY(sameRows(textsOf(snapshot.markets[0].trades, tradeText), kAcmeTrades));
    QVERIFY(sameRows(textsOf(snapshot.markets[0].bars, barText), kAcmeSecondBars));
    QCOMPARE(snapshot.markets[1].instrument, kBeta);
    QVERIFY(sameRows(textsOf(snapshot.markets[1].trades, tradeText),
                     {"23|9000|5000|3|Buy|continuous"}));
    QVERIFY(sameRows(textsOf(snapshot.markets[1].bars, barText), {"9|5000|5000|5000|5000|3|1"}));
    QCOMPARE(snapshot.markets[2].instrument, InstrumentId{9});
    QVERIFY(snapshot.markets[2].trades.empty());
    QVERIFY(snapshot.markets[2].bars.empty());
}

void TestReadModelQueries::limitsKeepNewestRows_data()
{
    QTest::addColumn<std::size_t>("limit");
    QTest::newRow("nothing") << std::size_t{0};
    QTest::newRow("one row") << std::size_t{1};
    QTest::newRow("three rows") << std::size_t{3};
    QTest::newRow("more rows than there are") << std::size_t{1'000};
}

// Every list keeps its newest `limit` rows. Working orders, finished orders and fills come
// newest first, so they keep the head of the full list. Trades and bars come oldest first, so
// they keep its tail.
void TestReadModelQueries::limitsKeepNewestRows()
{
    QFETCH(std::size_t, limit);
    QTemporaryDir directory;
    const std::string journal = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const QString projected = projectHandMarket(journal);
    QVERIFY2(projected.isEmpty(), qPrintable(projected));

    ReadModelQuery query = everything();
    query.workingOrders = query.finishedOrders = query.fills = query.trades = query.bars = limit;
    ReadModelReader::Opened opened = ReadModelReader::open(viewsPathFor(journal));
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    const ReadModelSnapshot snapshot = opened.reader->read(query);
    QVERIFY2(!snapshot.error, qPrintable(describe(snapshot.error)));

    const auto head = [limit](const QStringList &rows) {
        return rows.mid(0, std::min<qsizetype>(rows.size(), static_cast<qsizetype>(limit)));
    };
    const auto tail = [limit](const QStringList &rows) {
        const qsizetype kept = std::min<qsizetype>(rows.size(), static_cast<qsizetype>(limit));
        return rows.mid(rows.size() - kept);
    };
    QVERIFY(sameRows(textsOf(snapshot.workingOrders, orderText), head(kWorkingOrders)));
    QVERIFY(sameRows(textsOf(snapshot.finishedOrders, orderText), head(kFinishedOrders)));
    QVERIFY(sameRows(textsOf(snapshot.fills, fillText), head(kFills)));
    QVERIFY(sameRows(textsOf(snapshot.markets[0].trades, tradeText), tail(kAcmeTrades)));
    QVERIFY(sameRows(textsOf(snapshot.markets[0].bars, barText), tail(kAcmeSecondBars)));

    // Positions and instruments have no limit.
    QCOMPARE(snapshot.positions.size(), std::size_t{5});
    QCOMPARE(snapshot.instruments.size(), std::size_t{2});
}

void TestReadModelQueries::barFramesAggregateTrades_data()
{
    QTest::addColumn<BarFrame>("frame");
    QTest::addColumn<QStringList>("bars");
    QTest::newRow("1 s") << BarFrame::OneSecond << kAcmeSecondBars;
    QTest::newRow("1 min") << BarFrame::OneMinute << QStringList{"0|100|102|99|99|13|5"};
    QTest::newRow("5 min") << BarFrame::FiveMinutes << QStringList{"0|100|102|99|99|13|5"};
    QTest::newRow("1 h") << BarFrame::OneHour << QStringList{"0|100|102|99|99|13|5"};
}

// ACME's five trades fall within 10:00:03 and 10:00:13, so every frame longer than a second
// has one bar from 10:00:00. Its open is 100 (sequence 8), its high 102, its low 99, its close
// 99 (sequence 27) and its volume 4 + 2 + 4 + 1 + 2.
void TestReadModelQueries::barFramesAggregateTrades()
{
    QFETCH(BarFrame, frame);
    QFETCH(QStringList, bars);
    QTemporaryDir directory;
    const std::string journal = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const QString projected = projectHandMarket(journal);
    QVERIFY2(projected.isEmpty(), qPrintable(projected));

    ReadModelReader::Opened opened = ReadModelReader::open(viewsPathFor(journal));
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    std::optional<ReadModelError> error;
    const std::vector<BarRow> rows = opened.reader->bars(kAcme, frame, 10, error);
    QVERIFY2(!error, qPrintable(describe(error)));
    QVERIFY(sameRows(textsOf(rows, barText), bars));
}

void TestReadModelQueries::separateQueriesMatchSnapshot()
{
    QTemporaryDir directory;
    const std::string journal = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const QString projected = projectHandMarket(journal);
    QVERIFY2(projected.isEmpty(), qPrintable(projected));
    ReadModelReader::Opened opened = ReadModelReader::open(viewsPathFor(journal));
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    ReadModelReader &reader = *opened.reader;

    std::optional<ReadModelError> error;
    QCOMPARE(reader.lastSequence(error), SequenceNumber{28});
    QVERIFY2(!error, qPrintable(describe(error)));
    QCOMPARE(textsOf(reader.instruments(error), instrumentText).size(), 2);
    QVERIFY2(!error, qPrintable(describe(error)));
    QVERIFY(sameRows(textsOf(reader.workingOrders(100, error), orderText), kWorkingOrders));
    QVERIFY2(!error, qPrintable(describe(error)));
    QVERIFY(sameRows(textsOf(reader.finishedOrders(100, error), orderText), kFinishedOrders));
    QVERIFY2(!error, qPrintable(describe(error)));
    QVERIFY(sameRows(textsOf(reader.fills(100, error), fillText), kFills));
    QVERIFY2(!error, qPrintable(describe(error)));
    QVERIFY(sameRows(textsOf(reader.positions(error), positionText), kPositions));
    QVERIFY2(!error, qPrintable(describe(error)));
    QVERIFY(sameRows(textsOf(reader.trades(kAcme, 100, error), tradeText), kAcmeTrades));
    QVERIFY2(!error, qPrintable(describe(error)));
    QVERIFY(sameRows(textsOf(reader.bars(kAcme, BarFrame::OneSecond, 100, error), barText),
                     kAcmeSecondBars));
    QVERIFY2(!error, qPrintable(describe(error)));
    QCOMPARE(reader.path(), viewsPathFor(journal));
}

// A writer on the engine projects the scenario of read_model_risk_scenario.h. After its fourth
// pause the snapshot and the separate queries return the hand-computed rows. The removal of the
// override after it leaves the account's defaults only.
void TestReadModelQueries::accountsAndRiskReadBack()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("views")).toStdString();
    ReadModelWriter::Opened writer = ReadModelWriter::open(path);
    QVERIFY2(!writer.error, qPrintable(describe(writer.error)));
    Engine engine;
    engine.addHandler(writer.writer.get());
    engine.addInstrument(definitionOf(kAcme, "ACME", "EUR", 2, 0), at(0));
    ReadModelReader::Opened opened = ReadModelReader::open(path);
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    ReadModelReader &reader = *opened.reader;

    bool checked = false;
    read_model_tests::runRiskScenario(engine, 0, kAcme, [&](int pause) {
        if (pause != 4) {
            return;
        }
        checked = true;
        QVERIFY(!writer.writer->flush());
        ReadModelQuery query = everything();
        query.riskRejections = 5;
        const ReadModelSnapshot snapshot = reader.read(query);
        QVERIFY2(!snapshot.error, qPrintable(describe(snapshot.error)));
        QCOMPARE(snapshot.lastSequence, SequenceNumber{34});
        QVERIFY(sameRows(textsOf(snapshot.accounts, accountText), kScenarioAccounts));
        QVERIFY(
            sameRows(textsOf(snapshot.accountPositions, accountPositionText), kScenarioPositions));
        QVERIFY(sameRows(textsOf(snapshot.riskLimits, riskLimitsText), kScenarioLimits));
        QVERIFY(sameRows(textsOf(snapshot.killSwitches, killSwitchText), kScenarioKillSwitches));
        QVERIFY(sameRows(textsOf(snapshot.riskRejections, riskRejectionText), kScenarioRejections));
        QVERIFY(sameRows(textsOf(snapshot.riskAlerts, riskAlertText), kScenarioAlerts));

        std::optional<ReadModelError> error;
        QVERIFY(sameRows(textsOf(reader.accounts(error), accountText), kScenarioAccounts));
        QVERIFY2(!error, qPrintable(describe(error)));
        QVERIFY(sameRows(textsOf(reader.accountPositions(error), accountPositionText),
                         kScenarioPositions));
        QVERIFY2(!error, qPrintable(describe(error)));
        QVERIFY(sameRows(textsOf(reader.riskLimits(error), riskLimitsText), kScenarioLimits));
        QVERIFY2(!error, qPrintable(describe(error)));
        QVERIFY(
            sameRows(textsOf(reader.killSwitches(error), killSwitchText), kScenarioKillSwitches));
        QVERIFY2(!error, qPrintable(describe(error)));
        QVERIFY(sameRows(textsOf(reader.riskRejections(1, error), riskRejectionText),
                         kScenarioRejections.mid(0, 1)));
        QVERIFY2(!error, qPrintable(describe(error)));
        QVERIFY(sameRows(textsOf(reader.riskAlerts(0, error), riskAlertText), {}));
        QVERIFY2(!error, qPrintable(describe(error)));
    });
    QVERIFY(checked);
    QVERIFY(!writer.writer->flush());

    std::optional<ReadModelError> error;
    QVERIFY(sameRows(textsOf(reader.riskLimits(error), riskLimitsText), kScenarioLimits.mid(0, 1)));
    QVERIFY2(!error, qPrintable(describe(error)));
    QCOMPARE(reader.lastSequence(error), SequenceNumber{35});
}

void TestReadModelQueries::viewsWithoutProjectionReadEmpty_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("views file of no events") << QStringLiteral("created by a writer");
    QTest::newRow("empty file") << QStringLiteral("empty");
}

// A views file that a writer created but has not projected into, and an empty file that a
// writer is about to create tables in, read as a projection of no events.
void TestReadModelQueries::viewsWithoutProjectionReadEmpty()
{
    QFETCH(QString, file);
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("views")).toStdString();
    if (file == QStringLiteral("empty")) {
        QFile empty(QString::fromStdString(path));
        QVERIFY(empty.open(QIODevice::WriteOnly));
    } else {
        ReadModelWriter::Opened writer = ReadModelWriter::open(path);
        QVERIFY2(!writer.error, qPrintable(describe(writer.error)));
    }

    ReadModelReader::Opened opened = ReadModelReader::open(path);
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    const ReadModelSnapshot snapshot = opened.reader->read(everything());
    QVERIFY2(!snapshot.error, qPrintable(describe(snapshot.error)));
    QCOMPARE(snapshot.lastSequence, SequenceNumber{0});
    QCOMPARE(snapshot.lastHash, std::uint64_t{0});
    QVERIFY(snapshot.instruments.empty());
    QVERIFY(snapshot.workingOrders.empty());
    QVERIFY(snapshot.finishedOrders.empty());
    QVERIFY(snapshot.fills.empty());
    QVERIFY(snapshot.positions.empty());
    QVERIFY(snapshot.accounts.empty());
    QVERIFY(snapshot.accountPositions.empty());
    QVERIFY(snapshot.riskLimits.empty());
    QVERIFY(snapshot.killSwitches.empty());
    QVERIFY(snapshot.riskRejections.empty());
    QVERIFY(snapshot.riskAlerts.empty());
    QCOMPARE(snapshot.markets.size(), std::size_t{3});
    for (const InstrumentMarket &market : snapshot.markets) {
        QVERIFY(market.trades.empty());
        QVERIFY(market.bars.empty());
    }
}

// A rebuild drops and creates every table while a reader keeps its prepared queries, and the
// reader reads the new tables.
void TestReadModelQueries::readerFollowsRebuild()
{
    QTemporaryDir directory;
    const std::string journal = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const QString projected = projectHandMarket(journal);
    QVERIFY2(projected.isEmpty(), qPrintable(projected));
    ReadModelReader::Opened opened = ReadModelReader::open(viewsPathFor(journal));
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    ReadModelSnapshot snapshot = opened.reader->read(everything());
    QVERIFY2(!snapshot.error, qPrintable(describe(snapshot.error)));

    const CatchUpResult rebuilt = rebuildReadModels(journal, viewsPathFor(journal));
    QVERIFY2(!rebuilt.error, qPrintable(describe(rebuilt.error)));
    snapshot = opened.reader->read(everything());
    QVERIFY2(!snapshot.error, qPrintable(describe(snapshot.error)));
    QCOMPARE(snapshot.lastSequence, SequenceNumber{28});
    QVERIFY(sameRows(textsOf(snapshot.finishedOrders, orderText), kFinishedOrders));
    QVERIFY(sameRows(textsOf(snapshot.markets[0].trades, tradeText), kAcmeTrades));
}

// A replay gives the quantity it recovers from a book snapshot ids of 2^63 and above, which
// SQLite stores as negative integers: the reader must give back the engine's ids.
void TestReadModelQueries::largeOrderIdsReadBack()
{
    QTemporaryDir directory;
    const std::string journal = directory.filePath(QStringLiteral("replay.journal")).toStdString();
    const OrderId recovered{(std::uint64_t{1} << 63) + 5};
    {
        JournaledEngine market(journal);
        Engine &engine = market.engine();
        InstrumentDefinition book;
        book.id = InstrumentId{1};
        engine.addInstrument(book, at(0));
        QCOMPARE(engine.applyAdd(recovered, Side::Sell, Price{500}, Quantity{10}, at(1),
                                 OrderOrigin::Recovered),
                 ApplyResult::Applied);
        QCOMPARE(engine.applyExecution(recovered, Quantity{4}, at(2)), ApplyResult::Applied);
        const std::string error = market.close();
        QVERIFY2(error.empty(), error.c_str());
    }
    const CatchUpResult caughtUp = catchUpReadModels(journal, viewsPathFor(journal));
    QVERIFY2(!caughtUp.error, qPrintable(describe(caughtUp.error)));

    ReadModelReader::Opened opened = ReadModelReader::open(viewsPathFor(journal));
    QVERIFY2(!opened.error, qPrintable(describe(opened.error)));
    ReadModelQuery query = everything();
    query.instruments = {};
    const ReadModelSnapshot snapshot = opened.reader->read(query);
    QVERIFY2(!snapshot.error, qPrintable(describe(snapshot.error)));
    QCOMPARE(snapshot.fills.size(), std::size_t{1});
    QCOMPARE(snapshot.fills[0].orderId, recovered);
    QCOMPARE(snapshot.fills[0].quantity, Quantity{4});
}

// Views files written before the trades_by_instrument index get it from the next writer.
void TestReadModelQueries::writerAddsMissingQueryIndex()
{
    QTemporaryDir directory;
    const std::string journal = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const QString projected = projectHandMarket(journal);
    QVERIFY2(projected.isEmpty(), qPrintable(projected));
    const std::string views = viewsPathFor(journal);
    QCOMPARE(executeOn(views, QStringLiteral("DROP INDEX trades_by_instrument")), QString());

    const CatchUpResult result = catchUpReadModels(journal, views);
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    QCOMPARE(result.rebuildReason, RebuildReason::None);
    QCOMPARE(executeOn(views, QStringLiteral("CREATE INDEX trades_by_instrument ON trades "
                                             "(instrument)")),
             QStringLiteral("index trades_by_instrument already exists"));
}

void TestReadModelQueries::badFilesAreReported_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<ReadModelErrorKind>("kind");
    QTest::addColumn<QString>("message");

    const auto row = [](const char *name, const char *damage, ReadModelErrorKind kind,
                        const char *message) {
        QTest::newRow(name) << QString::fromLatin1(damage) << kind << QString::fromLatin1(message);
    };
    row("missing file", "missing", ReadModelErrorKind::OpenFailed, "does not exist");
    row("directory", "directory", ReadModelErrorKind::OpenFailed, "directory");
    row("text file", "text", ReadModelErrorKind::NotReadModels, "not a views file");
    row("journal", "journal", ReadModelErrorKind::NotReadModels, "application id 0x4252534a");
    row("newer format", "UPDATE projection SET format_version = 3",
        ReadModelErrorKind::UnsupportedFormat, "views file format 3 is newer than format 2");
    row("older format", "UPDATE projection SET format_version = 1",
        ReadModelErrorKind::UnsupportedFormat, "older format than format 2");
    row("table missing", "DROP TABLE fills", ReadModelErrorKind::ViewsDamaged,
        "the fills table is missing");
    row("column missing", "ALTER TABLE bars DROP COLUMN trade_count",
        ReadModelErrorKind::ViewsDamaged, "a query does not fit its tables");
    row("text in an integer column",
        "UPDATE orders SET filled_quantity = 'many' WHERE order_id = 2",
        ReadModelErrorKind::ViewsDamaged,
        "orders row with entry_sequence 5: filled_quantity is not an integer");
    row("unknown state",
        "PRAGMA ignore_check_constraints = 1; UPDATE orders SET state = 'gone' "
        "WHERE order_id = 3",
        ReadModelErrorKind::ViewsDamaged, "orders row with entry_sequence 7: state is not a known");
    row("unknown liquidity",
        "PRAGMA ignore_check_constraints = 1; UPDATE fills SET liquidity = "
        "'both' WHERE trade_sequence = 8 AND liquidity = 'maker'",
        ReadModelErrorKind::ViewsDamaged, "fills row of trade 8: liquidity is not a known name");
    row("account out of range", "UPDATE positions SET account = -1 WHERE account = 3",
        ReadModelErrorKind::ViewsDamaged, "account is out of range");
    row("unknown kill switch scope",
        "PRAGMA ignore_check_constraints = 1; INSERT INTO kill_switches VALUES (4, 'Halfway', 0, "
        "1)",
        ReadModelErrorKind::ViewsDamaged,
        "kill_switches row of account 4: scope is not a known name");
    row("override bits in an account's defaults",
        "INSERT INTO risk_limits VALUES (4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1)",
        ReadModelErrorKind::ViewsDamaged,
        "risk_limits row of account 4 in instrument 0: overridden is not 0 in the account's "
        "defaults");
    row("damaged pages", "pages", ReadModelErrorKind::DatabaseCorrupt, "malformed");
}

// An error at open() or at read() names the file and what is wrong with it.
void TestReadModelQueries::badFilesAreReported()
{
    QFETCH(QString, damage);
    QFETCH(ReadModelErrorKind, kind);
    QFETCH(QString, message);
    QTemporaryDir directory;
    const std::string journal = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const std::string path = viewsPathFor(journal);

    if (damage == QStringLiteral("missing")) {
    } else if (damage == QStringLiteral("directory")) {
        QVERIFY(QDir().mkpath(QString::fromStdString(path)));
    } else if (damage == QStringLiteral("text")) {
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
    } else {
        const QString projected = projectHandMarket(journal);
        QVERIFY2(projected.isEmpty(), qPrintable(projected));
        if (damage == QStringLiteral("journal")) {
            QVERIFY(QFile::remove(QString::fromStdString(path)));
            QVERIFY(QFile::copy(QString::fromStdString(journal), QString::fromStdString(path)));
        } else if (damage == QStringLiteral("pages")) {
            // Page 1 contains the schema. Everything after its 100-byte header is overwritten.
            QFile file(QString::fromStdString(path));
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.seek(100));
            file.write(QByteArray(3996, '\xff'));
        } else {
            QCOMPARE(executeOn(path, damage), QString());
        }
    }

    ReadModelReader::Opened opened = ReadModelReader::open(path);
    std::optional<ReadModelError> error = opened.error;
    if (opened.reader) {
        error = opened.reader->read(everything()).error;
    }
    QVERIFY(error);
    QCOMPARE(error->kind, kind);
    QCOMPARE(error->file, path);
    QVERIFY2(QString::fromStdString(error->what).contains(message), error->what.c_str());
}

// The events of a simulated market on instrument 7, and for each sequence number the fills and
// trades among the events up to it, counted from the events themselves.
struct SimulatedJournal {
    std::vector<Event> events;
    std::vector<std::size_t> fillsUpTo;  // indexed by sequence number
    std::vector<std::size_t> tradesUpTo; // indexed by sequence number
};

SimulatedJournal simulateJournal(const std::string &path, int steps)
{
    SimulatedJournal journal;
    JournaledEngine market(path);
    Engine &engine = market.engine();
    engine.addInstrument(definitionOf(kAcme, "ACME", "EUR", 2, 0), at(0));
    MarketSimulator simulator(2024);
    for (int step = 0; step < steps; ++step) {
        simulator.step(engine, at(1 + step / 10));
    }
    const std::string error = market.close();
    if (!error.empty()) {
        qWarning("%s", error.c_str());
        return journal;
    }

    JournalReader::Opened reader = JournalReader::open(path);
    if (!reader.reader) {
        return journal;
    }
    journal.fillsUpTo.push_back(0);
    journal.tradesUpTo.push_back(0);
    while (std::optional<Event> event = reader.reader->next()) {
        std::size_t fills = journal.fillsUpTo.back();
        std::size_t trades = journal.tradesUpTo.back();
        if (const auto *trade = std::get_if<Trade>(&event->payload)) {
            fills += trade->maker.value() != 0 ? 1u : 0u;
            fills += trade->taker.value() != 0 ? 1u : 0u;
            ++trades;
        }
        journal.fillsUpTo.push_back(fills);
        journal.tradesUpTo.push_back(trades);
        journal.events.push_back(std::move(*event));
    }
    return journal;
}

// Every list, with limits above the rows the simulated journals have.
ReadModelQuery wholeTables()
{
    ReadModelQuery query;
    query.workingOrders = query.finishedOrders = query.fills = 1'000'000;
    query.instruments = {kAcme};
    query.trades = query.bars = 1'000'000;
    return query;
}

// Checks that a snapshot is the projection of the journal's first snapshot.lastSequence events,
// as far as counts show it. It must have the fills and trades of those events, positions whose
// fill counts add up to the fills, and no row of a later event.
void checkPrefix(const ReadModelSnapshot &snapshot, const SimulatedJournal &journal)
{
    QVERIFY2(!snapshot.error, qPrintable(describe(snapshot.error)));
    const SequenceNumber last = snapshot.lastSequence;
    QVERIFY(last < journal.fillsUpTo.size());
    QCOMPARE(snapshot.fills.size(), journal.fillsUpTo[last]);
    QCOMPARE(snapshot.markets.at(0).trades.size(), journal.tradesUpTo[last]);

    std::int64_t tradeCounts = 0;
    for (const PositionRow &position : snapshot.positions) {
        tradeCounts += position.tradeCount;
        QVERIFY(position.lastSequence <= last);
    }
    QCOMPARE(static_cast<std::size_t>(tradeCounts), snapshot.fills.size());
    for (const OrderRow &order : snapshot.workingOrders) {
        QVERIFY(order.lastSequence <= last);
    }
    for (const OrderRow &order : snapshot.finishedOrders) {
        QVERIFY(order.lastSequence <= last);
    }
}

// One thread projects events one by one and commits every 100 of them. Halfway between two
// commits, with a transaction open, a reader must see the last commit, not the events since.
void TestReadModelQueries::readsDuringOpenTransactionSeeLastCommit()
{
    QTemporaryDir directory;
    const std::string journalPath = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const SimulatedJournal journal = simulateJournal(journalPath, 2'000);
    QVERIFY(journal.events.size() > 1'000);
    QVERIFY(journal.fillsUpTo.back() > 100);

    const std::string views = viewsPathFor(journalPath);
    ReadModelOptions options;
    options.eventsPerTransaction = 1'000'000;
    ReadModelWriter::Opened writer = ReadModelWriter::open(views, options);
    QVERIFY2(!writer.error, qPrintable(describe(writer.error)));
    ReadModelReader::Opened reader = ReadModelReader::open(views);
    QVERIFY2(!reader.error, qPrintable(describe(reader.error)));

    SequenceNumber committed = 0;
    for (const Event &event : journal.events) {
        writer.writer->onEvent(event);
        if (event.sequence % 100 == 0) {
            QVERIFY(!writer.writer->flush());
            committed = event.sequence;
        } else if (event.sequence % 100 == 50) {
            const ReadModelSnapshot snapshot = reader.reader->read(wholeTables());
            QCOMPARE(snapshot.lastSequence, committed);
            checkPrefix(snapshot, journal);
        }
    }
    QVERIFY(!writer.writer->close());
    const ReadModelSnapshot last = reader.reader->read(wholeTables());
    QCOMPARE(last.lastSequence, journal.events.back().sequence);
    checkPrefix(last, journal);
}

// A writer thread projects a simulated journal in transactions of 200 events while this
// thread reads the views file as fast as it can. Every snapshot must be a whole prefix.
void TestReadModelQueries::readsWhileWriterCommitsAreConsistent()
{
    QTemporaryDir directory;
    const std::string journalPath = directory.filePath(QStringLiteral("day.journal")).toStdString();
    const SimulatedJournal journal = simulateJournal(journalPath, 20'000);
    QVERIFY(journal.events.size() > 10'000);
    const SequenceNumber lastEvent = journal.events.back().sequence;

    // The reader opens the file before the writer starts, so it finds it empty at first.
    const std::string views = viewsPathFor(journalPath);
    QVERIFY(QFile(QString::fromStdString(views)).open(QIODevice::WriteOnly));
    ReadModelReader::Opened reader = ReadModelReader::open(views);
    QVERIFY2(!reader.error, qPrintable(describe(reader.error)));

    std::atomic<bool> writerDone = false;
    CatchUpResult result;
    std::thread writer([&]() {
        ReadModelOptions options;
        options.eventsPerTransaction = 200;
        result = catchUpReadModels(journalPath, views, options);
        writerDone = true;
    });

    std::size_t snapshots = 0;
    std::size_t partial = 0;
    SequenceNumber previous = 0;
    bool consistent = true;
    while (consistent && !writerDone) {
        const ReadModelSnapshot snapshot = reader.reader->read(wholeTables());
        ++snapshots;
        if (snapshot.lastSequence > 0 && snapshot.lastSequence < lastEvent) {
            ++partial;
        }
        consistent = snapshot.lastSequence >= previous;
        previous = snapshot.lastSequence;
        checkPrefix(snapshot, journal);
        consistent = consistent && !QTest::currentTestFailed();
    }
    writer.join();
    QVERIFY2(consistent, "a snapshot went back or was not a prefix of the journal");
    QVERIFY2(!result.error, qPrintable(describe(result.error)));
    qInfo("%zu snapshots, %zu of them while the projection was partial", snapshots, partial);
    QVERIFY(partial > 0);

    const ReadModelSnapshot last = reader.reader->read(wholeTables());
    QCOMPARE(last.lastSequence, lastEvent);
    checkPrefix(last, journal);
}

QTEST_GUILESS_MAIN(TestReadModelQueries)
#include "tst_read_model_queries.moc"
