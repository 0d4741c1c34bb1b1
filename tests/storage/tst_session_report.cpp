// `bourse-engine report JOURNAL --output FILE`: journals written by `bourse-engine run --journal`
// from scenarios of known fills, fees and risk events, and the report's statistics checked
// against hand computations.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <sqlite3.h>

#include <cstdint>
#include <cstring>

namespace {

constexpr int kSuccess = 0;
constexpr int kCheckFailed = 1;
constexpr int kUsageError = 2;
constexpr int kInputError = 3;

// Bytes of a chunk record: sequence 8, time 8, instrument 4, type 1, payload size 2, then the
// payload, its checksum (8) and the chain hash (8), all little-endian.
constexpr qsizetype kRecordHeader = 23;
constexpr qsizetype kRecordTrailer = 16;

// The trader is account 1, the terminal's default trader account, because accounts are numbered
// in the order the scenario defines them. It pays a taker fee of 10 bp; street (2) has no
// portfolio account, and mm (3) pays no fees. A long limit of 12 raises alerts at 80%.
//
// Hand computation of account 1, one clock time at a time:
// 09:30 T1 buys 10 @ 100.00 from street: fee 1,000.00 x 0.1% = 1.00, long 10 at 100.00.
//       Round trip A opens. Net P&L = -1.00 (mark 100.00, unrealized 0).
// 09:35 mm buys 5 @ 102.00 from street, so the mark is 102.00: unrealized (102 - 100) x 10 =
//       20.00, net = -1.00 + 20.00 = 19.00, the peak.
// 09:40 T3 sells 10 @ 101.00: realized (101 - 100) x 10 = 10.00, fee 1.01, flat. A closes after
//       10 min with realized 10.00, a win, and fees 2.01. Net = 10.00 - 2.01 = 7.99.
// 09:45 T4 buys 60, which the order-size limit of 50 rejects.
// 10:00 T5 sells 20 @ 100.00: fee 2.00, short 20 at 100.00. Round trip B opens.
//       Net = 10.00 - 4.01 = 5.99.
// 10:05 mm buys 1 @ 103.00: unrealized (100 - 103) x 20 = -60.00, net = 10.00 - 4.01 - 60.00 =
//       -54.01, the trough. The drawdown is 19.00 - (-54.01) = 73.01.
// 10:15 T7 buys 30 @ 102.00: 20 cover the short, realized (100 - 102) x 20 = -40.00, and 10 open
//       a long at 102.00. The fee, 3,060.00 x 0.1% = 3.06, splits by quantity: 20/30 of it,
//       2.04, closes B and 1.02 opens round trip C. B closes after 15 min with realized -40.00,
//       a loss, and fees 2.00 + 2.04 = 4.04. Net = 10.00 - 40.00 - 7.07 = -37.07.
// 10:20 mm sells 1 @ 101.00: unrealized (101 - 102) x 10 = -10.00, net = -47.07.
// 10:25 the trader's kill switch pauses it, and 10:26 resets it.
//
// Totals: 4 fills; 2 round trips closed and 1 open; win rate 1 of 2; average holding
// (10 min + 15 min) / 2 = 12 min 30 s; fees 1.00 + 1.01 + 2.00 + 3.06 = 7.07; realized 10.00 -
// 40.00 = -30.00; unrealized -10.00; net -30.00 - 7.07 - 10.00 = -47.07. Risk events: alerts at
// 09:30 (10 of 12 long), 09:40 (back to 0) and 10:15 (10 of 12), the rejection at 09:45, and two
// kill switch changes.
//
// Account 3 (mm) buys 5 @ 102.00 and 1 @ 103.00, 613.00 for 6, then sells 1 @ 101.00. The sale
// realizes 101.00 less the open cost it removes: 613.00 - 613.00 x 5/6 = 613.00 - 510.83 =
// 102.17, so -1.17. The 5 left are worth 505.00 at 101.00 against 510.83: unrealized -5.83. Net
// -7.00, which is 101.00 + 505.00 - 613.00.
constexpr const char *kTradingScenario = R"(at 09:00:00
instrument ABC tick 0.01 lot 1 currency USD
account trader margin USD balance 10000 taker 10bp
account street
account mm margin USD balance 10000
limits trader order-size 50 long 12
at 09:30:00
sell ABC 10 @ 100.00 account street as S1
buy ABC 10 @ 100.00 account trader as T1
at 09:35:00
sell ABC 5 @ 102.00 account street as S2
buy ABC 5 @ 102.00 account mm as M2
at 09:40:00
buy ABC 10 @ 101.00 account street as S3
sell ABC 10 @ 101.00 account trader as T3
at 09:45:00
buy ABC 60 @ 101.00 account trader as T4
at 10:00:00
buy ABC 20 @ 100.00 account street as S5
sell ABC 20 @ 100.00 account trader as T5
at 10:05:00
sell ABC 1 @ 103.00 account street as S6
buy ABC 1 @ 103.00 account mm as M6
at 10:15:00
sell ABC 30 @ 102.00 account street as S7
buy ABC 30 @ 102.00 account trader as T7
at 10:20:00
buy ABC 1 @ 101.00 account street as S8
sell ABC 1 @ 101.00 account mm as M8
at 10:25:00
kill trader pause
at 10:26:00
kill trader reset
)";

// The trader's account is open, but only street and mm trade.
constexpr const char *kQuietTraderScenario = R"(at 09:00:00
instrument ABC tick 0.01 lot 1 currency USD
account trader margin USD balance 10000
account street
account mm margin USD balance 10000
at 09:30:00
sell ABC 5 @ 100.00 account street
buy ABC 5 @ 100.00 account mm
)";

// No account has a portfolio, so account 1 is never opened.
constexpr const char *kNoPortfolioScenario = R"(instrument ABC tick 0.01 lot 1
account alice
account bob
sell ABC 5 @ 100.00 account alice
buy ABC 5 @ 100.00 account bob
)";

struct CommandResult {
    int exitCode = -1;
    QString output;
    QString errors;
};

CommandResult runEngine(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), arguments);
    CommandResult result;
    if (!process.waitForFinished(120'000)) {
        result.errors = QStringLiteral("bourse-engine did not finish: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = QString::fromUtf8(process.readAllStandardOutput());
    result.errors = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString describe(const CommandResult &result)
{
    return QStringLiteral("exit %1\n--- output\n%2--- errors\n%3")
        .arg(result.exitCode)
        .arg(result.output.right(2000), result.errors);
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(content) == content.size();
}

QString unescaped(QString text)
{
    text.replace(QStringLiteral("&lt;"), QStringLiteral("<"));
    text.replace(QStringLiteral("&gt;"), QStringLiteral(">"));
    text.replace(QStringLiteral("&quot;"), QStringLiteral("\""));
    text.replace(QStringLiteral("&#39;"), QStringLiteral("'"));
    return text.replace(QStringLiteral("&amp;"), QStringLiteral("&"));
}

// The text of the statistics cell of `account` and `key`, or a null string when there is none.
QString statistic(const QString &html, int account, const QString &key)
{
    const QRegularExpression cell(
        QStringLiteral("data-account=\"%1\" data-statistic=\"%2\">([^<]*)</td>")
            .arg(account)
            .arg(QRegularExpression::escape(key)));
    const QRegularExpressionMatch match = cell.match(html);
    return match.hasMatch() ? unescaped(match.captured(1)) : QString();
}

// The cells of each body row of the table after the heading with id `section`.
QList<QStringList> tableRows(const QString &html, const QString &section)
{
    const qsizetype heading = html.indexOf(QStringLiteral("<h2 id=\"%1\">").arg(section));
    if (heading < 0)
        return {};
    const qsizetype body = html.indexOf(QStringLiteral("<tbody>"), heading);
    const qsizetype end = html.indexOf(QStringLiteral("</tbody>"), body);
    const QString rows = html.mid(body, end - body);

    static const QRegularExpression row(QStringLiteral("<tr[^>]*>(.*?)</tr>"));
    static const QRegularExpression cell(QStringLiteral("<t[dh][^>]*>(.*?)</t[dh]>"));
    QList<QStringList> table;
    for (auto rowMatch = row.globalMatch(rows); rowMatch.hasNext();) {
        QStringList cells;
        const QString content = rowMatch.next().captured(1);
        for (auto cellMatch = cell.globalMatch(content); cellMatch.hasNext();)
            cells << unescaped(cellMatch.next().captured(1));
        table << cells;
    }
    return table;
}

QStringList svgBlocks(const QString &html)
{
    QStringList blocks;
    qsizetype from = 0;
    while (true) {
        const qsizetype begin = html.indexOf(QStringLiteral("<svg"), from);
        if (begin < 0)
            return blocks;
        const qsizetype end = html.indexOf(QStringLiteral("</svg>"), begin);
        if (end < 0) {
            blocks << html.mid(begin); // unterminated: the parser reports it
            return blocks;
        }
        blocks << html.mid(begin, end + 6 - begin);
        from = end + 6;
    }
}

// Flips a bit of the checksum of event `sequence`, found by walking the records of its chunk.
bool damageEvent(const QString &path, std::int64_t sequence)
{
    sqlite3 *database = nullptr;
    if (sqlite3_open(path.toUtf8().constData(), &database) != SQLITE_OK) {
        sqlite3_close(database);
        return false;
    }
    bool done = sqlite3_exec(database, "DROP TRIGGER chunks_no_update", nullptr, nullptr,
                             nullptr) == SQLITE_OK;
    sqlite3_stmt *select = nullptr;
    sqlite3_prepare_v2(database,
                       "SELECT first_sequence, body FROM chunks WHERE first_sequence <= ?1 AND "
                       "last_sequence >= ?1",
                       -1, &select, nullptr);
    sqlite3_bind_int64(select, 1, sequence);
    QByteArray body;
    std::int64_t first = 0;
    if (done && sqlite3_step(select) == SQLITE_ROW) {
        first = sqlite3_column_int64(select, 0);
        body = QByteArray(static_cast<const char *>(sqlite3_column_blob(select, 1)),
                          sqlite3_column_bytes(select, 1));
    }
    sqlite3_finalize(select);

    qsizetype offset = 0;
    bool found = false;
    while (done && offset + kRecordHeader <= body.size()) {
        std::int64_t recordSequence = 0;
        std::uint16_t payloadSize = 0;
        std::memcpy(&recordSequence, body.constData() + offset, sizeof recordSequence);
        std::memcpy(&payloadSize, body.constData() + offset + 21, sizeof payloadSize);
        const qsizetype checksum = offset + kRecordHeader + payloadSize;
        if (recordSequence == sequence && checksum < body.size()) {
            body[checksum] = static_cast<char>(body[checksum] ^ 0x01);
            found = true;
            break;
        }
        offset = checksum + kRecordTrailer;
    }

    done = done && found;
    if (done) {
        sqlite3_stmt *update = nullptr;
        sqlite3_prepare_v2(database, "UPDATE chunks SET body = ?2 WHERE first_sequence = ?1", -1,
                           &update, nullptr);
        sqlite3_bind_int64(update, 1, first);
        sqlite3_bind_blob(update, 2, body.constData(), static_cast<int>(body.size()),
                          SQLITE_TRANSIENT);
        done = sqlite3_step(update) == SQLITE_DONE;
        sqlite3_finalize(update);
    }
    sqlite3_close(database);
    return done;
}

} // namespace

class SessionReportTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void statisticsMatchHandComputation_data();
    void statisticsMatchHandComputation();
    void positionAtEndMatchesHandComputation();
    void roundTripsSplitAtZeroCrossing();
    void riskEventsMatchJournalInspect();
    void everyChartIsWellFormedSvg();
    void reportNeedsNoNetworkOrScript();
    void otherAccountChosenByOption();
    void quietTraderGivesReportWithoutActivity();
    void unopenedAccountIsNamed();
    void priceSpikeSurvivesThinning();
    void damagedJournalWritesNothing();
    void missingJournalIsInputError();
    void outputOverJournalIsRejected();
    void invalidArgumentsAreUsageErrors_data();
    void invalidArgumentsAreUsageErrors();

private:
    // Runs the scenario text into a new journal; returns its path, or an empty string after
    // recording the failure in m_failure.
    QString makeJournal(const QString &name, const QByteArray &scenario);
    // Writes the report of a journal and returns its HTML, or an empty string.
    QString makeReport(const QString &journal, const QString &name, const QStringList &extra = {});

    QTemporaryDir m_directory;
    QString m_failure;
    QString m_journal; // of kTradingScenario
    QString m_html;    // its report for the default accounts
};

QString SessionReportTest::makeJournal(const QString &name, const QByteArray &scenario)
{
    const QString scenarioPath = m_directory.filePath(name + QStringLiteral(".scenario"));
    const QString journal = m_directory.filePath(name + QStringLiteral(".journal"));
    if (!writeFile(scenarioPath, scenario)) {
        m_failure = QStringLiteral("cannot write ") + scenarioPath;
        return {};
    }
    const CommandResult run =
        runEngine({QStringLiteral("run"), scenarioPath, QStringLiteral("--journal"), journal});
    if (run.exitCode != kSuccess) {
        m_failure = QStringLiteral("run failed: ") + describe(run);
        return {};
    }
    return journal;
}

QString SessionReportTest::makeReport(const QString &journal, const QString &name,
                                      const QStringList &extra)
{
    const QString output = m_directory.filePath(name + QStringLiteral(".html"));
    const CommandResult report =
        runEngine(QStringList{QStringLiteral("report"), journal, QStringLiteral("--output"), output}
                  << extra);
    if (report.exitCode != kSuccess) {
        m_failure = QStringLiteral("report failed: ") + describe(report);
        return {};
    }
    return QString::fromUtf8(fileBytes(output));
}

void SessionReportTest::initTestCase()
{
    QVERIFY(m_directory.isValid());
    m_journal = makeJournal(QStringLiteral("trading"), kTradingScenario);
    QVERIFY2(!m_journal.isEmpty(), qPrintable(m_failure));
    m_html = makeReport(m_journal, QStringLiteral("trading"));
    QVERIFY2(!m_html.isEmpty(), qPrintable(m_failure));
}

void SessionReportTest::statisticsMatchHandComputation_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");

    QTest::newRow("four fills") << QStringLiteral("fills") << QStringLiteral("4");
    QTest::newRow("two round trips closed")
        << QStringLiteral("round-trips-closed") << QStringLiteral("2");
    QTest::newRow("one round trip open")
        << QStringLiteral("round-trips-open") << QStringLiteral("1");
    QTest::newRow("win rate one of two")
        << QStringLiteral("win-rate") << QStringLiteral("1 of 2 (50.0%)");
    QTest::newRow("average holding 12.5 min")
        << QStringLiteral("average-holding") << QStringLiteral("12 min 30 s");
    QTest::newRow("drawdown 73.01") << QStringLiteral("drawdown") << QStringLiteral("73.01");
    QTest::newRow("fees 7.07") << QStringLiteral("fees") << QStringLiteral("7.07");
    QTest::newRow("realized -30.00") << QStringLiteral("realized") << QStringLiteral("-30.00");
    QTest::newRow("unrealized -10.00") << QStringLiteral("unrealized") << QStringLiteral("-10.00");
    QTest::newRow("net -47.07") << QStringLiteral("net") << QStringLiteral("-47.07");
    QTest::newRow("currency") << QStringLiteral("currency") << QStringLiteral("USD, 2 decimals");
}

void SessionReportTest::statisticsMatchHandComputation()
{
    QFETCH(QString, key);
    QFETCH(QString, expected);
    QCOMPARE(statistic(m_html, 1, key), expected);
}

void SessionReportTest::positionAtEndMatchesHandComputation()
{
    const QList<QStringList> rows = tableRows(m_html, QStringLiteral("positions"));
    QCOMPARE(rows.size(), 1);
    // Account, instrument, position, average price (2 more decimals), mark, realized,
    // unrealized, fees, fills.
    QCOMPARE(rows[0], (QStringList{"account 1", "ABC", "10", "102.0000", "101.00", "-30.00",
                                   "-10.00", "7.07", "4"}));

    const QString period = statistic(m_html, 1, QStringLiteral("drawdown-period"));
    QVERIFY2(period.startsWith(QStringLiteral("from 19.00 at 09:35:00.000 ")), qPrintable(period));
    QVERIFY2(period.contains(QStringLiteral(" to -54.01 at 10:05:00.000 ")), qPrintable(period));
}

void SessionReportTest::roundTripsSplitAtZeroCrossing()
{
    const QList<QStringList> rows = tableRows(m_html, QStringLiteral("round-trips"));
    QCOMPARE(rows.size(), 3);
    // Account, instrument, side, opened, closed, held, largest position, fills, realized, fees,
    // net. The buy of 30 at 10:15 closes the short and opens the next long.
    QCOMPARE(rows[0][2], QStringLiteral("long"));
    QVERIFY(rows[0][3].startsWith(QStringLiteral("09:30:00.000")));
    QVERIFY(rows[0][4].startsWith(QStringLiteral("09:40:00.000")));
    QCOMPARE(rows[0].mid(5), (QStringList{"10 min", "10", "2", "10.00", "2.01", "7.99"}));

    QCOMPARE(rows[1][2], QStringLiteral("short"));
    QVERIFY(rows[1][3].startsWith(QStringLiteral("10:00:00.000")));
    QVERIFY(rows[1][4].startsWith(QStringLiteral("10:15:00.000")));
    QCOMPARE(rows[1].mid(5), (QStringList{"15 min", "20", "2", "-40.00", "4.04", "-44.04"}));

    QCOMPARE(rows[2][2], QStringLiteral("long"));
    QVERIFY(rows[2][3].startsWith(QStringLiteral("10:15:00.000")));
    QCOMPARE(rows[2].mid(4), (QStringList{"open", "", "10", "1", "0.00", "1.02", "-1.02"}));
}

void SessionReportTest::riskEventsMatchJournalInspect()
{
    const CommandResult inspect = runEngine(
        {QStringLiteral("journal"), QStringLiteral("inspect"), m_journal, QStringLiteral("--type"),
         QStringLiteral("RiskRejected,RiskAlert,KillSwitchChanged")});
    QVERIFY2(inspect.exitCode == kSuccess, qPrintable(describe(inspect)));
    static const QRegularExpression eventLine(QStringLiteral("^ +(\\d+) (\\S+) (\\S+)"),
                                              QRegularExpression::MultilineOption);
    const QHash<QString, QString> kinds = {
        {"risk-alert", "alert"}, {"risk-rejected", "rejection"}, {"kill-switch", "kill switch"}};
    QList<QStringList> expected;
    for (auto match = eventLine.globalMatch(inspect.output); match.hasNext();) {
        const QRegularExpressionMatch found = match.next();
        expected << QStringList{found.captured(1), found.captured(2),
                                kinds.value(found.captured(3))};
    }
    QCOMPARE(expected.size(), 6);

    // Sequence, time, account, instrument, order, kind, rule, description.
    const QList<QStringList> rows = tableRows(m_html, QStringLiteral("risk-events"));
    QCOMPARE(rows.size(), expected.size());
    for (qsizetype index = 0; index < rows.size(); ++index)
        QCOMPARE((QStringList{rows[index][0], rows[index][1], rows[index][5]}), expected[index]);

    const QStringList &rejection = rows[2];
    QCOMPARE(rejection[6], QStringLiteral("order-quantity"));
    QVERIFY2(rejection[7].contains(QStringLiteral("order size, 60")), qPrintable(rejection[7]));
    QVERIFY2(rejection[7].contains(QStringLiteral("limit of 50")), qPrintable(rejection[7]));
    QCOMPARE(rows[4][7], QStringLiteral("kill switch engaged (pause) for account 1"));
    QCOMPARE(rows[5][7], QStringLiteral("kill switch reset for account 1"));
}

void SessionReportTest::everyChartIsWellFormedSvg()
{
    // One P&L chart for account 1 and one price chart for ABC.
    const QStringList blocks = svgBlocks(m_html);
    QCOMPARE(blocks.size(), 2);
    for (const QString &block : blocks) {
        QXmlStreamReader reader(block);
        QVERIFY(reader.readNextStartElement());
        QCOMPARE(reader.name(), QStringLiteral("svg"));
        QCOMPARE(reader.namespaceUri(), QStringLiteral("http://www.w3.org/2000/svg"));
        int texts = 0;
        while (!reader.atEnd()) {
            reader.readNext();
            if (reader.isStartElement() && reader.name() == QStringLiteral("text"))
                ++texts;
        }
        QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
        // A title, legend entries, axis titles and tick labels.
        QVERIFY2(texts >= 10, qPrintable(QString::number(texts)));
    }
    QVERIFY(blocks[0].contains(QStringLiteral("P&amp;L of account 1 (USD)")));
    QVERIFY(blocks[1].contains(QStringLiteral("ABC: trade prices")));
}

void SessionReportTest::reportNeedsNoNetworkOrScript()
{
    QVERIFY(!m_html.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(!m_html.contains(QStringLiteral("src="), Qt::CaseInsensitive));
    QVERIFY(!m_html.contains(QStringLiteral("<link"), Qt::CaseInsensitive));
    QVERIFY(!m_html.contains(QStringLiteral("url("), Qt::CaseInsensitive));
    // The one address is the SVG namespace, which names the vocabulary and is never fetched.
    QString withoutNamespace = m_html;
    withoutNamespace.remove(QStringLiteral("http://www.w3.org/2000/svg"));
    QVERIFY(!withoutNamespace.contains(QStringLiteral("http"), Qt::CaseInsensitive));
    QVERIFY(m_html.contains(QStringLiteral("@media print")));
    QVERIFY(m_html.contains(QStringLiteral("size: A4")));
}

void SessionReportTest::otherAccountChosenByOption()
{
    const QString html = makeReport(m_journal, QStringLiteral("mm"),
                                    {QStringLiteral("--account"), QStringLiteral("3")});
    QVERIFY2(!html.isEmpty(), qPrintable(m_failure));
    QCOMPARE(statistic(html, 3, QStringLiteral("fills")), QStringLiteral("3"));
    QCOMPARE(statistic(html, 3, QStringLiteral("round-trips-closed")), QStringLiteral("0"));
    QCOMPARE(statistic(html, 3, QStringLiteral("round-trips-open")), QStringLiteral("1"));
    QCOMPARE(statistic(html, 3, QStringLiteral("fees")), QStringLiteral("0.00"));
    QCOMPARE(statistic(html, 3, QStringLiteral("realized")), QStringLiteral("-1.17"));
    QCOMPARE(statistic(html, 3, QStringLiteral("unrealized")), QStringLiteral("-5.83"));
    QCOMPARE(statistic(html, 3, QStringLiteral("net")), QStringLiteral("-7.00"));
    QVERIFY(statistic(html, 1, QStringLiteral("fills")).isNull());
    // Only the trader's risk events concern account 3's report, and it has none.
    QVERIFY(tableRows(html, QStringLiteral("risk-events")).isEmpty());
}

void SessionReportTest::quietTraderGivesReportWithoutActivity()
{
    const QString journal = makeJournal(QStringLiteral("quiet"), kQuietTraderScenario);
    QVERIFY2(!journal.isEmpty(), qPrintable(m_failure));
    const QString html = makeReport(journal, QStringLiteral("quiet"));
    QVERIFY2(!html.isEmpty(), qPrintable(m_failure));

    QVERIFY(html.contains(QStringLiteral("id=\"no-activity\"")));
    QVERIFY(!html.contains(QStringLiteral("id=\"missing-accounts\"")));
    QCOMPARE(statistic(html, 1, QStringLiteral("fills")), QStringLiteral("0"));
    QCOMPARE(statistic(html, 1, QStringLiteral("win-rate")), QStringLiteral("0 of 0 (\u2014)"));
    QCOMPARE(statistic(html, 1, QStringLiteral("drawdown")), QStringLiteral("0.00"));
    QCOMPARE(statistic(html, 1, QStringLiteral("net")), QStringLiteral("0.00"));
    QVERIFY(svgBlocks(html).isEmpty());
    QVERIFY(html.trimmed().endsWith(QStringLiteral("</html>")));
}

void SessionReportTest::unopenedAccountIsNamed()
{
    const QString journal = makeJournal(QStringLiteral("no-portfolio"), kNoPortfolioScenario);
    QVERIFY2(!journal.isEmpty(), qPrintable(m_failure));
    const QString html = makeReport(journal, QStringLiteral("no-portfolio"));
    QVERIFY2(!html.isEmpty(), qPrintable(m_failure));

    QVERIFY(html.contains(QStringLiteral("id=\"no-activity\"")));
    QVERIFY(html.contains(QStringLiteral("id=\"missing-accounts\">Never opened in this journal: "
                                         "account 1.")));
    QVERIFY(!html.contains(QStringLiteral("id=\"statistics\"")));
}

void SessionReportTest::priceSpikeSurvivesThinning()
{
    // 4,000 market trades a second apart at 100.00, one at 150.00 in the middle, and one fill
    // of the trader so that the price chart is drawn. The 16,005 events fall into at most 500
    // buckets of at least 32 consecutive events, so each bucket contains several trades and
    // keeps only its first, lowest, highest and last. The spike must stay as its bucket's
    // highest.
    QByteArray scenario = "instrument ABC tick 0.01 lot 1 currency USD\n"
                          "account trader margin USD balance 10000\n"
                          "account street\naccount mm\n";
    for (int index = 0; index < 4'000; ++index) {
        const QByteArray price = index == 2'000 ? "150.00" : "100.00";
        scenario += QByteArray("at ") + QTime(0, 0).addSecs(index + 1).toString().toUtf8() + "\n";
        scenario += "sell ABC 1 @ " + price + " account street\n";
        scenario +=
            "buy ABC 1 @ " + price + " account " + (index == 3'000 ? "trader" : "mm") + "\n";
    }
    const QString journal = makeJournal(QStringLiteral("spike"), scenario);
    QVERIFY2(!journal.isEmpty(), qPrintable(m_failure));
    const QString html = makeReport(journal, QStringLiteral("spike"));
    QVERIFY2(!html.isEmpty(), qPrintable(m_failure));

    const QStringList blocks = svgBlocks(html);
    QCOMPARE(blocks.size(), 2);
    const QString &priceChart = blocks[1];
    static const QRegularExpression series(QStringLiteral("<path class=\"series\" d=\"([^\"]*)\""));
    const QString path = series.match(priceChart).captured(1);
    const qsizetype vertices = path.count(QLatin1Char('V')) + 1;
    QVERIFY2(vertices > 2 && vertices <= 2'000, qPrintable(QString::number(vertices)));

    // The vertical range follows the kept values: without the spike it would end near 100.
    static const QRegularExpression tickLabel(
        QStringLiteral("text-anchor=\"end\">([0-9,.-]+)</text>"));
    double highestTick = 0;
    for (auto match = tickLabel.globalMatch(priceChart); match.hasNext();)
        highestTick = std::max(highestTick, match.next().captured(1).remove(',').toDouble());
    QVERIFY2(highestTick >= 150.0, qPrintable(QString::number(highestTick)));
    QVERIFY(html.contains(QStringLiteral("thinned")));
    QVERIFY2(html.size() < 200'000, qPrintable(QString::number(html.size())));
}

void SessionReportTest::damagedJournalWritesNothing()
{
    const QString journal = makeJournal(QStringLiteral("damaged"), kTradingScenario);
    QVERIFY2(!journal.isEmpty(), qPrintable(m_failure));
    QVERIFY(damageEvent(journal, 20));

    // A report from before stays as it was, and no partial file is left.
    const QString output = m_directory.filePath(QStringLiteral("damaged.html"));
    QVERIFY(writeFile(output, "earlier report"));
    const CommandResult report =
        runEngine({QStringLiteral("report"), journal, QStringLiteral("--output"), output});
    QVERIFY2(report.exitCode == kCheckFailed, qPrintable(describe(report)));
    QVERIFY2(report.errors.contains(journal + QStringLiteral(": sequence 20: ")),
             qPrintable(report.errors));
    QCOMPARE(fileBytes(output), QByteArray("earlier report"));
    QVERIFY(!QFile::exists(output + QStringLiteral(".partial")));
    QVERIFY(report.output.isEmpty());
}

void SessionReportTest::missingJournalIsInputError()
{
    const QString journal = m_directory.filePath(QStringLiteral("absent.journal"));
    const QString output = m_directory.filePath(QStringLiteral("absent.html"));
    const CommandResult report =
        runEngine({QStringLiteral("report"), journal, QStringLiteral("--output"), output});
    QVERIFY2(report.exitCode == kInputError, qPrintable(describe(report)));
    QVERIFY2(report.errors.contains(journal), qPrintable(report.errors));
    QVERIFY(!QFile::exists(output));
    QVERIFY(!QFile::exists(output + QStringLiteral(".partial")));
}

void SessionReportTest::outputOverJournalIsRejected()
{
    const QByteArray before = fileBytes(m_journal);
    const CommandResult report =
        runEngine({QStringLiteral("report"), m_journal, QStringLiteral("--output"), m_journal});
    QVERIFY2(report.exitCode == kUsageError, qPrintable(describe(report)));
    QVERIFY2(report.errors.contains(QStringLiteral("is the journal")), qPrintable(report.errors));
    QCOMPARE(fileBytes(m_journal), before);

    const CommandResult directory = runEngine(
        {QStringLiteral("report"), m_journal, QStringLiteral("--output"), m_directory.path()});
    QVERIFY2(directory.exitCode == kUsageError, qPrintable(describe(directory)));
    QVERIFY2(directory.errors.contains(QStringLiteral("is a directory")),
             qPrintable(directory.errors));
}

void SessionReportTest::invalidArgumentsAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("no arguments") << QStringList{} << QStringLiteral("JOURNAL is required");
    QTest::newRow("no output") << QStringList{"j.journal"}
                               << QStringLiteral("--output FILE is required");
    QTest::newRow("output without value")
        << QStringList{"j.journal", "--output"} << QStringLiteral("missing value after --output");
    QTest::newRow("account zero") << QStringList{"j.journal", "--output", "r.html", "--account",
                                                 "0"}
                                  << QStringLiteral("invalid account '0'");
    QTest::newRow("account not a number")
        << QStringList{"j.journal", "--output", "r.html", "--account", "trader"}
        << QStringLiteral("invalid account 'trader'");
    QTest::newRow("unknown option") << QStringList{"j.journal", "--output", "r.html", "--json"}
                                    << QStringLiteral("unknown option '--json'");
    QTest::newRow("two journals") << QStringList{"a.journal", "b.journal", "--output", "r.html"}
                                  << QStringLiteral("more than one JOURNAL");
}

void SessionReportTest::invalidArgumentsAreUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const CommandResult report = runEngine(QStringList{QStringLiteral("report")} << arguments);
    QVERIFY2(report.exitCode == kUsageError, qPrintable(describe(report)));
    QVERIFY2(report.errors.contains(message), qPrintable(report.errors));
}

QTEST_GUILESS_MAIN(SessionReportTest)
#include "tst_session_report.moc"
