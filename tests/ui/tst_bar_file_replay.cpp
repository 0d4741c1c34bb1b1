// A file of OHLCV bars replayed as the terminal replays it. The feed delivers the file's bars and
// the longer time frames resampled from them, the session shows them in its views, the chart
// draws them, and the book panels show that the file has no book.

#include "book_absence_overlay.h"
#include "candle_chart.h"
#include "csv_bar_feed.h"
#include "main_window.h"
#include "replayed_bars.h"
#include "session.h"
#include "test_data.h"

#include <QDockWidget>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>
#include <string>
#include <vector>

using namespace bourse;

namespace {

constexpr std::int64_t kMinute = 60'000'000'000;
// 2024-01-02 14:28:00 UTC, the first bar's start.
constexpr std::int64_t kFirstStart = 1'704'205'680'000'000'000;

// Twelve one-minute bars from 14:28 to 14:39, across the 5-minute starts 14:30 and 14:35.
const std::string kBarFile = "timestamp,open,high,low,close,volume\n"
                             "2024-01-02 14:28:00,100.00,101.00,99.50,100.50,10\n"
                             "2024-01-02 14:29:00,100.50,100.75,100.00,100.25,5\n"
                             "2024-01-02 14:30:00,100.25,102.00,100.25,101.75,20\n"
                             "2024-01-02 14:31:00,101.75,101.80,101.00,101.10,8\n"
                             "2024-01-02 14:32:00,101.10,101.20,100.40,100.60,12\n"
                             "2024-01-02 14:33:00,100.60,100.90,100.10,100.80,7\n"
                             "2024-01-02 14:34:00,100.80,103.00,100.70,102.90,30\n"
                             "2024-01-02 14:35:00,102.90,103.50,102.50,103.20,15\n"
                             "2024-01-02 14:36:00,103.20,103.30,101.90,102.00,9\n"
                             "2024-01-02 14:37:00,102.00,102.40,101.50,101.60,11\n"
                             "2024-01-02 14:38:00,101.60,101.70,100.90,101.00,6\n"
                             "2024-01-02 14:39:00,101.00,101.25,100.95,101.20,4\n";

Bar bar(std::int64_t minute, std::int64_t open, std::int64_t high, std::int64_t low,
        std::int64_t close, std::int64_t volume)
{
    return Bar{Timestamp{kFirstStart + minute * kMinute},
               Price{open},
               Price{high},
               Price{low},
               Price{close},
               Quantity{volume},
               0};
}

// The file's bars, in cents, as written above.
std::vector<Bar> fileBars()
{
    return {bar(0, 10000, 10100, 9950, 10050, 10),  bar(1, 10050, 10075, 10000, 10025, 5),
            bar(2, 10025, 10200, 10025, 10175, 20), bar(3, 10175, 10180, 10100, 10110, 8),
            bar(4, 10110, 10120, 10040, 10060, 12), bar(5, 10060, 10090, 10010, 10080, 7),
            bar(6, 10080, 10300, 10070, 10290, 30), bar(7, 10290, 10350, 10250, 10320, 15),
            bar(8, 10320, 10330, 10190, 10200, 9),  bar(9, 10200, 10240, 10150, 10160, 11),
            bar(10, 10160, 10170, 10090, 10100, 6), bar(11, 10100, 10125, 10095, 10120, 4)};
}

// The 5-minute bars, worked out by hand: 14:25 contains 14:28 and 14:29, 14:30 contains 14:30
// to 14:34, and 14:35 contains 14:35 to 14:39.
std::vector<Bar> fiveMinuteBars()
{
    return {bar(-3, 10000, 10100, 9950, 10025, 15), bar(2, 10025, 10300, 10010, 10290, 77),
            bar(7, 10290, 10350, 10090, 10120, 45)};
}

// The 15-minute bars: 14:15 contains 14:28 and 14:29, 14:30 the other ten.
std::vector<Bar> fifteenMinuteBars()
{
    return {bar(-13, 10000, 10100, 9950, 10025, 15), bar(2, 10025, 10350, 10010, 10120, 122)};
}

std::vector<std::int64_t> intervalsOf(const std::vector<BarSeries> &frames)
{
    std::vector<std::int64_t> intervals;
    for (const BarSeries &series : frames)
        intervals.push_back(series.intervalNanoseconds);
    return intervals;
}

std::shared_ptr<const MarketView> waitForView(const Session &session, ReplayState state)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10'000) {
        std::shared_ptr<const MarketView> view = session.latestView();
        if (view && view->replayState == state)
            return view;
        QThread::msleep(5);
    }
    return nullptr;
}

Session::ReplaySource barSource(const std::string &path)
{
    Session::ReplaySource source;
    source.messagePath = path;
    source.speed = 0.0;
    const std::optional<replay::BarFeedSource> bars = replay::barFeedSourceFor(path);
    if (bars) {
        source.openFeed = [bars = *bars](Engine &engine, std::string &error) {
            return replay::openBarFeed(bars, engine, error);
        };
    }
    return source;
}

} // namespace

class BarFileReplayTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void feedDeliversFileBars();
    void feedResamplesLongerFrames();
    void sessionShowsBarsAndLastClose();
    void chartDrawsFileAndResampledBars();
    void bookPanelsSayNoBook();
    void malformedFileNamesLine_data();
    void malformedFileNamesLine();
    void realBarFilePlaysThrough();

private:
    QTemporaryDir m_directory;
    std::string m_barPath;
};

void BarFileReplayTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_directory.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_directory.path());
    m_barPath = writeFile(m_directory, "DEMO_1m.csv", kBarFile);
}

void BarFileReplayTest::feedDeliversFileBars()
{
    QVERIFY(replay::barFeedSourceFor(m_barPath));
    Engine engine;
    std::string error;
    std::unique_ptr<ReplayFeed> feed =
        replay::openBarFeed(*replay::barFeedSourceFor(m_barPath), engine, error);
    QVERIFY2(feed, error.c_str());
    // Each bar is due once its minute has passed, the last one at 14:40.
    QCOMPARE(feed->nextTime(), std::optional<Timestamp>(Timestamp{kFirstStart + kMinute}));
    QCOMPARE(feed->endTime(), std::optional<Timestamp>(Timestamp{kFirstStart + 12 * kMinute}));
    while (feed->step() == ReplayFeed::Step::Applied) {
    }
    QVERIFY2(feed->error().empty(), feed->error().c_str());
    QCOMPARE(feed->messages(), std::size_t{12});

    const auto *source = dynamic_cast<const BarReplaySource *>(feed.get());
    QVERIFY(source);
    const ReplayedBars &bars = source->replayedBars();
    QCOMPARE(bars.timeFrames.front().intervalNanoseconds, kMinute);
    QCOMPARE(bars.timeFrames.front().bars, fileBars());
    QCOMPARE(bars.firstOpen, Price{10000});
    QCOMPARE(bars.volume, Quantity{137});
    QVERIFY(!bars.bookAbsence.empty());

    // The engine has the instrument, named after the file, and no order.
    QCOMPARE(engine.instruments().size(), std::size_t{1});
    const InstrumentDefinition *definition = engine.definition(bars.instrument);
    QVERIFY(definition);
    QCOMPARE(std::string(definition->symbol.data()), std::string("DEMO"));
    QCOMPARE(int{definition->priceDecimals}, 2);
    QCOMPARE(engine.liveOrderCount(), std::size_t{0});
}

void BarFileReplayTest::feedResamplesLongerFrames()
{
    Engine engine;
    std::string error;
    std::unique_ptr<ReplayFeed> feed =
        replay::openBarFeed(*replay::barFeedSourceFor(m_barPath), engine, error);
    QVERIFY2(feed, error.c_str());
    while (feed->step() == ReplayFeed::Step::Applied) {
    }
    const ReplayedBars &bars = dynamic_cast<const BarReplaySource &>(*feed).replayedBars();
    QCOMPARE(intervalsOf(bars.timeFrames),
             (std::vector<std::int64_t>{kMinute, 5 * kMinute, 15 * kMinute, 60 * kMinute,
                                        240 * kMinute, 1'440 * kMinute}));
    QCOMPARE(bars.timeFrames[1].bars, fiveMinuteBars());
    QCOMPARE(bars.timeFrames[2].bars, fifteenMinuteBars());
    // One hour, 14:00, contains every bar.
    QCOMPARE(bars.timeFrames[3].bars, (std::vector<Bar>{bar(-28, 10000, 10350, 9950, 10120, 137)}));
}

void BarFileReplayTest::sessionShowsBarsAndLastClose()
{
    Session session;
    const std::optional<std::string> error = session.startReplay(barSource(m_barPath));
    QVERIFY2(!error, error ? error->c_str() : "");
    const std::shared_ptr<const MarketView> view = waitForView(session, ReplayState::Finished);
    QVERIFY(view);
    session.stop();

    QCOMPARE(view->symbol, std::string("DEMO"));
    QCOMPARE(view->bars, fileBars());
    QCOMPARE(view->barIntervalNanoseconds, kMinute);
    QCOMPARE(view->timeFrames.size(), std::size_t{6});
    QCOMPARE(view->timeFrames[1].bars, fiveMinuteBars());
    QVERIFY(view->bids.empty());
    QVERIFY(view->asks.empty());
    QVERIFY(view->recentTrades.empty());
    QVERIFY(!view->bookUnavailable.empty());
    QVERIFY(view->error.empty());

    QCOMPARE(view->instruments.size(), std::size_t{1});
    const InstrumentQuote &quote = view->instruments.front();
    QCOMPARE(quote.last, Price{10120});
    QCOMPARE(quote.openPrice, Price{10000});
    QCOMPARE(quote.volume, Quantity{137});
    QCOMPARE(quote.sparkline.size(), std::size_t{12});
    QCOMPARE(quote.sparkline.back(), Price{10120});
    QCOMPARE(view->replayTime, Timestamp{kFirstStart + 12 * kMinute});
}

void BarFileReplayTest::chartDrawsFileAndResampledBars()
{
    Session session;
    QVERIFY(!session.startReplay(barSource(m_barPath)));
    const std::shared_ptr<const MarketView> view = waitForView(session, ReplayState::Finished);
    QVERIFY(view);
    session.stop();

    ui::CandleChart chart;
    chart.resize(800, 400);
    chart.showView(view);
    QCOMPARE(chart.timeFrames(), intervalsOf(view->timeFrames));
    chart.setTimeFrame(kMinute);
    QCOMPARE(chart.timeFrame(), kMinute);
    QCOMPARE(chart.barCount(), std::size_t{12});
    chart.setTimeFrame(5 * kMinute);
    QCOMPARE(chart.timeFrame(), 5 * kMinute);
    QCOMPARE(chart.barCount(), std::size_t{3});
    chart.setTimeFrame(15 * kMinute);
    QCOMPARE(chart.barCount(), std::size_t{2});
}

void BarFileReplayTest::bookPanelsSayNoBook()
{
    ui::MainWindow window;
    window.setSettingsPersistent(false);
    window.resize(1200, 800);
    window.show();
    const std::optional<QString> error = window.startReplay(QString::fromStdString(m_barPath), 0.0);
    QVERIFY2(!error, error ? qPrintable(*error) : "");

    for (const char *name : {"ladder", "depthChart"}) {
        const auto *panel = window.findChild<QWidget *>(QString::fromLatin1(name));
        QVERIFY(panel);
        const auto *absence = panel->findChild<ui::BookAbsenceOverlay *>();
        QVERIFY(absence);
        QTRY_VERIFY(absence->isVisible());
        QVERIFY(absence->text().contains(QStringLiteral("no order book")));
        QCOMPARE(absence->geometry(), panel->rect());
    }

    // A simulation has a book again, and the notice goes.
    window.startSimulation(1);
    const auto *ladder = window.findChild<QWidget *>(QStringLiteral("ladder"));
    QTRY_VERIFY(!ladder->findChild<ui::BookAbsenceOverlay *>()->isVisible());
}

void BarFileReplayTest::malformedFileNamesLine_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    const QString header = QStringLiteral("timestamp,open,high,low,close,volume\n");
    QTest::newRow("high below close")
        << header + QStringLiteral("2024-01-02 14:28:00,100.00,101.00,99.50,100.50,10\n"
                                   "2024-01-02 14:29:00,100.50,100.75,100.00,100.25,5\n"
                                   "2024-01-02 14:30:00,100.25,100.00,100.25,101.75,20\n")
        << QStringLiteral("BAD_1m.csv:4:");
    QTest::newRow("off the interval grid")
        << header + QStringLiteral("2024-01-02 14:28:00,100.00,101.00,99.50,100.50,10\n"
                                   "2024-01-02 14:29:00,100.50,100.75,100.00,100.25,5\n"
                                   "2024-01-02 14:29:30,100.25,102.00,100.25,101.75,20\n")
        << QStringLiteral("BAD_1m.csv:4:");
    QTest::newRow("price not a number")
        << header + QStringLiteral("2024-01-02 14:28:00,100.00,101.00,99.50,100.50,10\n"
                                   "2024-01-02 14:29:00,abc,100.75,100.00,100.25,5\n")
        << QStringLiteral("BAD_1m.csv:3: column 'open'");
    QTest::newRow("one bar") << header + QStringLiteral("2024-01-02 14:28:00,100,101,99,100,10\n")
                             << QStringLiteral("does not tell the bar interval");
}

// The whole file is checked before anything plays, so the error comes at the start, with the
// file and line, as the terminal prints it.
void BarFileReplayTest::malformedFileNamesLine()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);

    const std::string path = writeFile(m_directory, "BAD_1m.csv", text.toStdString());
    ui::MainWindow window;
    window.setSettingsPersistent(false);
    const std::optional<QString> error = window.startReplay(QString::fromStdString(path), 1.0);
    QVERIFY(error);
    QVERIFY2(error->contains(expected), qPrintable(*error));
    QVERIFY2(error->contains(QString::fromStdString(path)), qPrintable(*error));
}

void BarFileReplayTest::realBarFilePlaysThrough()
{
    const QString path = marketDataPath(QStringLiteral("crypto/btc-perp-20211231-20220201_1m.csv"));
    BOURSE_REQUIRE_DATA_FILE(path);

    Session session;
    QVERIFY(!session.startReplay(barSource(path.toStdString())));
    const std::shared_ptr<const MarketView> view = waitForView(session, ReplayState::Finished);
    QVERIFY(view);
    session.stop();
    QVERIFY2(view->error.empty(), view->error.c_str());
    QCOMPARE(view->replayMessages, std::size_t{45'031});
    QCOMPARE(view->symbol, std::string("BTC-PERP"));
    // The file's first and last rows: 2021-12-31 23:01:00, open 46319.0, and 2022-02-01
    // 05:31:00, close 38544.0; prices need three decimals, as a few rows are in eighths.
    QCOMPARE(view->instruments.front().openPrice, Price{46'319'000});
    QCOMPARE(view->instruments.front().last, Price{38'544'000});
    QCOMPARE(view->bars.back().start, Timestamp{1'643'693'460'000'000'000});
    QCOMPARE(view->bars.size(), std::size_t{240});
    QCOMPARE(view->timeFrames.size(), std::size_t{6});
    // The hour bars run from 2021-12-31 23:00 to 2022-02-01 05:00: 32 days and 7 hours.
    const BarSeries &hours = view->timeFrames[3];
    QCOMPARE(hours.intervalNanoseconds, 60 * kMinute);
    QCOMPARE(hours.bars.back().start, Timestamp{1'643'691'600'000'000'000});
}

QTEST_MAIN(BarFileReplayTest)
#include "tst_bar_file_replay.moc"
