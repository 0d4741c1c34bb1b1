#include "elided_label.h"
#include "session_status_bar.h"

#include <QLabel>
#include <QMainWindow>
#include <QTest>

using bourse::MarketView;
using bourse::ReplayState;
using bourse::SessionMode;
using bourse::ui::ElidedLabel;
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

QTEST_MAIN(SessionStatusBarTest)
#include "tst_session_status_bar.moc"
