#include "elided_label.h"
#include "risk_tone_label.h"
#include "session_status_bar.h"
#include "theme.h"

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QMainWindow>
#include <QRegularExpression>
#include <QTest>

#include <memory>

using bourse::AccountId;
using bourse::KillSwitchScope;
using bourse::MarketView;
using bourse::ReplayState;
using bourse::SessionMode;
using bourse::Timestamp;
using bourse::ui::ConnectionSeverity;
using bourse::ui::ElidedLabel;
using bourse::ui::engagedKillSwitchText;
using bourse::ui::RiskToneLabel;
using bourse::ui::SessionStatusBar;

namespace {

// The error a replay reports for a malformed line of a file deep in nested folders.
QString longReplayError()
{
    QString path = QStringLiteral("/home/trader");
    for (int depth = 1; depth <= 40; ++depth)
        path += QStringLiteral("/nested-folder-level-%1").arg(depth);
    path += QStringLiteral("/GOOG_2012-06-21_34200000_57600000_message_10.csv");
    return path + QStringLiteral(":812: expected 6 fields, found 2");
}

MarketView replayView(std::size_t messages, std::size_t mismatches)
{
    MarketView view;
    view.mode = SessionMode::Replay;
    view.replayState = ReplayState::Playing;
    view.replaySpeed = 10.0;
    view.replayMessages = messages;
    view.replayMismatches = mismatches;
    return view;
}

// A window of a fixed width with the status bar at its bottom, as the terminal has it.
struct StatusWindow {
    QMainWindow window;
    SessionStatusBar *statusBar = new SessionStatusBar;
    ElidedLabel *error = nullptr;

    explicit StatusWindow(int width)
    {
        window.setStatusBar(statusBar);
        window.setCentralWidget(new QWidget);
        window.resize(width, 300);
        error = statusBar->findChild<ElidedLabel *>(QStringLiteral("errorLabel"));
    }
};

} // namespace

class SessionStatusBarTest : public QObject {
    Q_OBJECT

private slots:
    void replayStatusTextCounts_data();
    void replayStatusTextCounts();
    void replayStatusTextWithoutMismatches();
    void longErrorKeepsWindowWidth();
    void longErrorElidedInMiddle();
    void longErrorShowsMoreWhenWider();
    void shortErrorShownWhole();
    void clearRemovesError();
    void noticeShownUntilCleared();
    void durableSequenceShownWhenJournaled();
    void connectionLocalByDefault();
    void connectionStateColoredBySeverity();
    void remoteEndpointShownAsMode();
    void globalKillSwitchShownWhenEngaged();
    void accountKillSwitchShownWhenEngaged();
    void globalAndAccountKillSwitchesShownTogether();
    void clocksShowMarketAndWallTime();
    void showViewMatchesSetView();
    void screenshot();
};

void SessionStatusBarTest::replayStatusTextCounts_data()
{
    QTest::addColumn<int>("messages");
    QTest::addColumn<int>("mismatches");
    QTest::addColumn<QString>("expectedEnd");

    QTest::newRow("one message, one mismatch")
        << 1 << 1 << QStringLiteral(" \u00b7 1 message \u00b7 1 book mismatch");
    QTest::newRow("two messages, two mismatches")
        << 2 << 2 << QStringLiteral(" \u00b7 2 messages \u00b7 2 book mismatches");
    QTest::newRow("thousands grouped")
        << 1454 << 1234 << QStringLiteral(" \u00b7 1,454 messages \u00b7 1,234 book mismatches");
    QTest::newRow("no messages yet")
        << 0 << 1 << QStringLiteral(" \u00b7 0 messages \u00b7 1 book mismatch");
}

void SessionStatusBarTest::replayStatusTextCounts()
{
    QFETCH(int, messages);
    QFETCH(int, mismatches);
    QFETCH(QString, expectedEnd);

    const QString text = bourse::ui::replayStatusText(
        replayView(static_cast<std::size_t>(messages), static_cast<std::size_t>(mismatches)));

    QVERIFY2(text.startsWith(QStringLiteral("Playing 10x \u00b7 ")), qPrintable(text));
    QVERIFY2(text.endsWith(expectedEnd), qPrintable(text));
}

void SessionStatusBarTest::replayStatusTextWithoutMismatches()
{
    const QString text = bourse::ui::replayStatusText(replayView(1, 0));

    QVERIFY2(text.endsWith(QStringLiteral(" \u00b7 1 message")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("mismatch")), qPrintable(text));
}

void SessionStatusBarTest::longErrorKeepsWindowWidth()
{
    StatusWindow status(800);
    status.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&status.window));
    MarketView view = replayView(10, 0);
    view.replayState = ReplayState::Failed;
    view.error = longReplayError().toStdString();

    status.statusBar->setView(view);
    QCoreApplication::processEvents();

    QVERIFY2(status.window.minimumSizeHint().width() <= 800,
             qPrintable(QString::number(status.window.minimumSizeHint().width())));
    QCOMPARE(status.window.width(), 800);
    QVERIFY(status.error->width() < 800);
}

void SessionStatusBarTest::longErrorElidedInMiddle()
{
    StatusWindow status(800);
    status.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&status.window));
    const QString error = longReplayError();
    MarketView view = replayView(10, 0);
    view.error = error.toStdString();

    status.statusBar->setView(view);
    QCoreApplication::processEvents();

    // Eliding in the middle keeps a start and an end of the full text around one ellipsis.
    const QString shown = status.error->text();
    const QStringList ends = shown.split(QStringLiteral("\u2026"));
    QVERIFY(status.error->isElided());
    QCOMPARE(ends.size(), 2);
    QVERIFY2(ends[0].startsWith(QStringLiteral("/home/trader/")), qPrintable(shown));
    QVERIFY2(error.startsWith(ends[0]), qPrintable(shown));
    QVERIFY2(ends[1].endsWith(QStringLiteral("found 2")), qPrintable(shown));
    QVERIFY2(error.endsWith(ends[1]), qPrintable(shown));
    QVERIFY(status.error->fontMetrics().horizontalAdvance(shown) <= status.error->width());
    QCOMPARE(status.error->toolTip(), error);
    QCOMPARE(status.error->fullText(), error);
}

void SessionStatusBarTest::longErrorShowsMoreWhenWider()
{
    StatusWindow status(700);
    status.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&status.window));
    MarketView view = replayView(10, 0);
    view.error = longReplayError().toStdString();
    status.statusBar->setView(view);
    QCoreApplication::processEvents();
    const qsizetype narrowLength = status.error->text().size();

    status.window.resize(1300, 300);
    QTRY_VERIFY(status.error->text().size() > narrowLength);

    QVERIFY(status.error->isElided());
    QCOMPARE(status.window.width(), 1300);
}

void SessionStatusBarTest::shortErrorShownWhole()
{
    StatusWindow status(1000);
    status.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&status.window));
    const QString error = QStringLiteral("GOOG_message_1.csv:3: expected 6 fields, found 1");
    MarketView view = replayView(2, 0);
    view.error = error.toStdString();

    status.statusBar->setView(view);
    QCoreApplication::processEvents();

    QCOMPARE(status.error->text(), error);
    QVERIFY(!status.error->isElided());
    QCOMPARE(status.error->toolTip(), error);
}

void SessionStatusBarTest::clearRemovesError()
{
    StatusWindow status(800);
    status.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&status.window));
    MarketView view = replayView(2, 0);
    view.error = "GOOG_message_1.csv:3: expected 6 fields, found 1";
    status.statusBar->setView(view);

    status.statusBar->clear();

    QVERIFY(status.error->text().isEmpty());
    QVERIFY(status.error->toolTip().isEmpty());
}

void SessionStatusBarTest::noticeShownUntilCleared()
{
    StatusWindow status(1200);
    status.window.show();
    auto *notice = status.statusBar->findChild<ElidedLabel *>(QStringLiteral("noticeLabel"));
    QVERIFY(notice);
    QVERIFY(notice->isHidden());

    const QString text = QStringLiteral("Continued at event 6,197 (snapshot 6,000 + 197 events)");
    status.statusBar->setNotice(text);
    QCOMPARE(notice->fullText(), text);
    QVERIFY(notice->isVisible());
    status.statusBar->setView(MarketView{});
    QCOMPARE(notice->fullText(), text);

    status.statusBar->clear();
    QVERIFY(notice->fullText().isEmpty());
    QVERIFY(notice->isHidden());
}

void SessionStatusBarTest::durableSequenceShownWhenJournaled()
{
    StatusWindow status(1200);
    status.window.show();
    auto *durable = status.statusBar->findChild<QLabel *>(QStringLiteral("durableLabel"));
    QVERIFY(durable);
    QVERIFY(durable->isHidden());

    status.statusBar->setDurableSequence(1'234'567);
    QCOMPARE(durable->text(), QStringLiteral("Durable 1,234,567"));
    QVERIFY(durable->isVisible());
    status.statusBar->setDurableSequence(std::nullopt);
    QCOMPARE(durable->text(), QStringLiteral("Not journaled"));
    status.statusBar->clear();
    QVERIFY(durable->isHidden());
}

void SessionStatusBarTest::connectionLocalByDefault()
{
    StatusWindow status(1200);
    auto *connection =
        status.statusBar->findChild<RiskToneLabel *>(QStringLiteral("connectionLabel"));
    QVERIFY(connection);

    QCOMPARE(connection->text(), QStringLiteral("Local"));
    QCOMPARE(connection->tone(), RiskToneLabel::Tone::Plain);
    status.statusBar->clear();
    QCOMPARE(connection->text(), QStringLiteral("Local"));
}

void SessionStatusBarTest::connectionStateColoredBySeverity()
{
    StatusWindow status(1200);
    auto *connection =
        status.statusBar->findChild<RiskToneLabel *>(QStringLiteral("connectionLabel"));

    status.statusBar->setConnectionState(QStringLiteral("Reconnecting in 4 s"),
                                         ConnectionSeverity::Warning);
    QCOMPARE(connection->text(), QStringLiteral("Reconnecting in 4 s"));
    QCOMPARE(connection->tone(), RiskToneLabel::Tone::Warning);

    status.statusBar->setConnectionState(QStringLiteral("Disconnected"), ConnectionSeverity::Error);
    QCOMPARE(connection->tone(), RiskToneLabel::Tone::Loss);

    status.statusBar->setConnectionState(QStringLiteral("Connected"), ConnectionSeverity::Normal);
    QCOMPARE(connection->tone(), RiskToneLabel::Tone::Plain);
}

void SessionStatusBarTest::remoteEndpointShownAsMode()
{
    StatusWindow status(1200);
    auto *mode = status.statusBar->findChild<ElidedLabel *>(QStringLiteral("modeLabel"));

    status.statusBar->setRemoteEndpoint(QStringLiteral("tcp://127.0.0.1:5555"));
    QCOMPARE(mode->fullText(), QStringLiteral("Remote: tcp://127.0.0.1:5555"));
    status.statusBar->setView(MarketView{});
    QCOMPARE(mode->fullText(), QStringLiteral("Remote: tcp://127.0.0.1:5555"));

    status.statusBar->setRemoteEndpoint({});
    status.statusBar->setView(MarketView{});
    QCOMPARE(mode->fullText(), QStringLiteral("Simulation"));
}

void SessionStatusBarTest::globalKillSwitchShownWhenEngaged()
{
    StatusWindow status(1200);
    status.window.show();
    auto *killSwitch =
        status.statusBar->findChild<RiskToneLabel *>(QStringLiteral("killSwitchLabel"));
    QVERIFY(killSwitch);
    status.statusBar->setView(MarketView{});
    QVERIFY(killSwitch->isHidden());

    MarketView view;
    view.trader.globalKillSwitch = KillSwitchScope::CancelAll;
    status.statusBar->setView(view);
    QVERIFY(killSwitch->isVisible());
    QCOMPARE(killSwitch->text(), QStringLiteral("KILL SWITCH: CANCEL ALL (all accounts)"));
    QCOMPARE(killSwitch->tone(), RiskToneLabel::Tone::Alarm);

    view.trader.globalKillSwitch = KillSwitchScope::None;
    status.statusBar->setView(view);
    QVERIFY(killSwitch->isHidden());
}

namespace {

// The trader's accounts 1 and 2 with the given switches; the global one is off.
MarketView viewWithAccountSwitches(KillSwitchScope first, KillSwitchScope second)
{
    MarketView view;
    view.trader.accounts = {AccountId(1), AccountId(2)};
    view.trader.risk.resize(2);
    view.trader.risk[0].account = AccountId(1);
    view.trader.risk[0].killSwitch = first;
    view.trader.risk[1].account = AccountId(2);
    view.trader.risk[1].killSwitch = second;
    return view;
}

} // namespace

void SessionStatusBarTest::accountKillSwitchShownWhenEngaged()
{
    StatusWindow status(1200);
    status.window.show();
    auto *killSwitch =
        status.statusBar->findChild<RiskToneLabel *>(QStringLiteral("killSwitchLabel"));
    QVERIFY(killSwitch);

    status.statusBar->setView(
        viewWithAccountSwitches(KillSwitchScope::None, KillSwitchScope::None));
    QVERIFY(killSwitch->isHidden());

    status.statusBar->setView(
        viewWithAccountSwitches(KillSwitchScope::Pause, KillSwitchScope::None));
    QVERIFY(killSwitch->isVisible());
    QCOMPARE(killSwitch->text(), QStringLiteral("KILL SWITCH: PAUSE (account 1)"));
    QCOMPARE(killSwitch->tone(), RiskToneLabel::Tone::Alarm);

    status.statusBar->setView(
        viewWithAccountSwitches(KillSwitchScope::None, KillSwitchScope::None));
    QVERIFY(killSwitch->isHidden());
}

void SessionStatusBarTest::globalAndAccountKillSwitchesShownTogether()
{
    MarketView view = viewWithAccountSwitches(KillSwitchScope::Pause, KillSwitchScope::Flatten);
    view.trader.globalKillSwitch = KillSwitchScope::CancelAll;
    QCOMPARE(engagedKillSwitchText(view.trader),
             QStringLiteral("KILL SWITCH: CANCEL ALL (all accounts) \u00b7 "
                            "KILL SWITCH: PAUSE (account 1) \u00b7 "
                            "KILL SWITCH: FLATTEN (account 2)"));
}

void SessionStatusBarTest::clocksShowMarketAndWallTime()
{
    StatusWindow status(1200);
    status.window.show();
    auto *market = status.statusBar->findChild<QLabel *>(QStringLiteral("marketClockLabel"));
    auto *wall = status.statusBar->findChild<QLabel *>(QStringLiteral("wallClockLabel"));
    QVERIFY(market);
    QVERIFY(wall);
    QVERIFY(market->isHidden());
    QVERIFY(wall->isVisible());
    QVERIFY2(
        QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$")).match(wall->text()).hasMatch(),
        qPrintable(wall->text()));

    // Market time within the first day counts from midnight: 09:30:01.5 shows to the second.
    MarketView view;
    view.lastSequence = 1;
    view.marketTime = Timestamp{(9 * 3600 + 30 * 60 + 1) * 1'000'000'000LL + 500'000'000};
    status.statusBar->setView(view);
    QVERIFY(market->isVisible());
    QCOMPARE(market->text(), QStringLiteral("Market 09:30:01"));

    // A replay's label carries its market time, so the clock makes room.
    MarketView replay = replayView(1, 0);
    replay.lastSequence = 1;
    status.statusBar->setView(replay);
    QVERIFY(market->isHidden());

    status.statusBar->setView(view);
    status.statusBar->clear();
    QVERIFY(market->isHidden());
}

void SessionStatusBarTest::showViewMatchesSetView()
{
    StatusWindow status(1200);
    auto *sequence = status.statusBar->findChild<QLabel *>(QStringLiteral("sequenceLabel"));
    QVERIFY(sequence);
    auto view = std::make_shared<MarketView>();
    view->lastSequence = 1'234;

    status.statusBar->showView(view);
    QCOMPARE(sequence->text(), QStringLiteral("Seq 1,234"));
    status.statusBar->showView(nullptr);
    QCOMPARE(sequence->text(), QStringLiteral("Seq 1,234"));
}

void SessionStatusBarTest::screenshot()
{
    const QString folder = qEnvironmentVariable("BOURSE_UI_SCREENSHOTS");
    if (folder.isEmpty())
        QSKIP("BOURSE_UI_SCREENSHOTS names no folder for the screenshots");
    auto &app = *qobject_cast<QApplication *>(QCoreApplication::instance());
    bourse::ui::theme::apply(app, bourse::ui::theme::Theme::Dark);
    StatusWindow status(1300);
    status.window.resize(1300, 80);
    status.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&status.window));
    status.statusBar->setSimulationSeed(42);
    status.statusBar->setDurableSequence(1'234'500);
    MarketView view;
    view.lastSequence = 1'234'567;
    view.eventsPerSecond = 1'012.4;
    view.marketTime = Timestamp{(9 * 3600 + 30 * 60 + 1) * 1'000'000'000LL};
    view.trader.globalKillSwitch = KillSwitchScope::CancelAll;
    status.statusBar->setView(view);
    QCoreApplication::processEvents();
    QDir().mkpath(folder);
    QVERIFY(status.statusBar->grab().save(QDir(folder).filePath(QStringLiteral("status_bar.png"))));
}

QTEST_MAIN(SessionStatusBarTest)
#include "tst_session_status_bar.moc"
