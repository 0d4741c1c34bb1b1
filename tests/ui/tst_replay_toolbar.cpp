#include "replay_toolbar.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QImage>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include <algorithm>
#include <cmath>

using bourse::MarketView;
using bourse::ReplayState;
using bourse::SessionMode;
using bourse::ui::ReplayToolBar;

Q_DECLARE_METATYPE(bourse::MarketView)

namespace {

MarketView replayView(ReplayState state)
{
    MarketView view;
    view.mode = SessionMode::Replay;
    view.replayState = state;
    return view;
}

MarketView simulationView(ReplayState state)
{
    MarketView view;
    view.mode = SessionMode::Simulation;
    view.replayState = state;
    return view;
}

QAction *action(const ReplayToolBar &toolBar, const char *name)
{
    return toolBar.findChild<QAction *>(QString::fromLatin1(name));
}

// WCAG 2 relative luminance of an sRGB colour.
double luminance(QColor color)
{
    const auto channel = [](double value) {
        return value <= 0.03928 ? value / 12.92 : std::pow((value + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) +
           0.0722 * channel(color.blueF());
}

// The largest WCAG contrast ratio between the button's background, read at the middle of its
// top edge inside the padding, and any pixel of its text.
double textContrast(QWidget *button)
{
    const QImage image = button->grab().toImage();
    const double background = luminance(image.pixelColor(image.width() / 2, 1));
    double best = 1.0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const double pixel = luminance(image.pixelColor(x, y));
            const double ratio =
                (std::max(pixel, background) + 0.05) / (std::min(pixel, background) + 0.05);
            best = std::max(best, ratio);
        }
    }
    return best;
}

} // namespace

class ReplayToolBarTest : public QObject {
    Q_OBJECT

private slots:
    void parseReplaySpeedAcceptsOffered_data();
    void parseReplaySpeedAcceptsOffered();
    void parseReplaySpeedRejectsOthers_data();
    void parseReplaySpeedRejectsOthers();
    void playPauseFollowsSession_data();
    void playPauseFollowsSession();
    void simulationDisablesSpeeds();
    void playingSimulationPausesOnTrigger();
    void playingReplayOffersPause();
    void pausedReplayOffersPlay();
    void finishedReplayDisablesPlay();
    void speedButtonRequestsSpeed();
    void setSpeedChecksWithoutRequest();
    void checkedSpeedReadsInBothThemes_data();
    void checkedSpeedReadsInBothThemes();
};

void ReplayToolBarTest::parseReplaySpeedAcceptsOffered_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("expected");

    QTest::newRow("quarter") << QStringLiteral("0.25x") << 0.25;
    QTest::newRow("quarter without zero") << QStringLiteral(".25") << 0.25;
    QTest::newRow("one") << QStringLiteral("1") << 1.0;
    QTest::newRow("ten") << QStringLiteral("10") << 10.0;
    QTest::newRow("hundred") << QStringLiteral("100") << 100.0;
    QTest::newRow("max") << QStringLiteral("max") << 0.0;
    QTest::newRow("max upper case") << QStringLiteral("MAX") << 0.0;
    QTest::newRow("with x suffix") << QStringLiteral("10x") << 10.0;
    QTest::newRow("surrounding spaces") << QStringLiteral(" 100 ") << 100.0;
}

void ReplayToolBarTest::parseReplaySpeedAcceptsOffered()
{
    QFETCH(QString, text);
    QFETCH(double, expected);

    const std::optional<double> speed = bourse::ui::parseReplaySpeed(text);
    QVERIFY(speed.has_value());
    QCOMPARE(*speed, expected);
}

void ReplayToolBarTest::parseReplaySpeedRejectsOthers_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("not offered") << QStringLiteral("3");
    QTest::newRow("fraction") << QStringLiteral("1.5");
    QTest::newRow("other fraction") << QStringLiteral("0.5");
    QTest::newRow("empty") << QString();
    QTest::newRow("word") << QStringLiteral("fast");
    QTest::newRow("max with suffix") << QStringLiteral("maxx");
    QTest::newRow("suffix only") << QStringLiteral("x");
    QTest::newRow("zero") << QStringLiteral("0");
}

void ReplayToolBarTest::parseReplaySpeedRejectsOthers()
{
    QFETCH(QString, text);

    QVERIFY(!bourse::ui::parseReplaySpeed(text).has_value());
}

void ReplayToolBarTest::playPauseFollowsSession_data()
{
    QTest::addColumn<MarketView>("view");
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<QString>("text");

    QTest::newRow("simulation playing")
        << simulationView(ReplayState::Playing) << true << QStringLiteral("Pause");
    QTest::newRow("simulation paused")
        << simulationView(ReplayState::Paused) << true << QStringLiteral("Play");
    QTest::newRow("replay playing")
        << replayView(ReplayState::Playing) << true << QStringLiteral("Pause");
    QTest::newRow("replay paused")
        << replayView(ReplayState::Paused) << true << QStringLiteral("Play");
    QTest::newRow("replay finished")
        << replayView(ReplayState::Finished) << false << QStringLiteral("Play");
    QTest::newRow("replay failed")
        << replayView(ReplayState::Failed) << false << QStringLiteral("Play");
    QTest::newRow("no session yet") << MarketView{} << false << QStringLiteral("Play");
}

// Each row starts from a playing session, so a row that expects Play checks that the button
// changed.
void ReplayToolBarTest::playPauseFollowsSession()
{
    QFETCH(MarketView, view);
    QFETCH(bool, enabled);
    QFETCH(QString, text);
    ReplayToolBar toolBar;
    toolBar.setView(simulationView(ReplayState::Playing));

    toolBar.setView(view);

    QAction *playPause = action(toolBar, "playPauseAction");
    QCOMPARE(playPause->isEnabled(), enabled);
    QCOMPARE(playPause->text(), text);
}

void ReplayToolBarTest::simulationDisablesSpeeds()
{
    ReplayToolBar toolBar;
    toolBar.setView(simulationView(ReplayState::Playing));

    QVERIFY(action(toolBar, "simulationAction")->isEnabled());
    QVERIFY(action(toolBar, "openAction")->isEnabled());
    QVERIFY(!action(toolBar, "speedAction_10x")->isEnabled());
}

void ReplayToolBarTest::playingSimulationPausesOnTrigger()
{
    ReplayToolBar toolBar;
    QSignalSpy play(&toolBar, &ReplayToolBar::playRequested);
    QSignalSpy pause(&toolBar, &ReplayToolBar::pauseRequested);
    toolBar.setView(simulationView(ReplayState::Playing));

    action(toolBar, "playPauseAction")->trigger();

    QCOMPARE(pause.count(), 1);
    QCOMPARE(play.count(), 0);
}

void ReplayToolBarTest::playingReplayOffersPause()
{
    ReplayToolBar toolBar;
    QSignalSpy play(&toolBar, &ReplayToolBar::playRequested);
    QSignalSpy pause(&toolBar, &ReplayToolBar::pauseRequested);
    toolBar.setView(replayView(ReplayState::Playing));

    QAction *playPause = action(toolBar, "playPauseAction");
    QVERIFY(playPause->isEnabled());
    QCOMPARE(playPause->text(), QStringLiteral("Pause"));
    QVERIFY(action(toolBar, "speedAction_10x")->isEnabled());

    playPause->trigger();
    QCOMPARE(pause.count(), 1);
    QCOMPARE(play.count(), 0);
}

void ReplayToolBarTest::pausedReplayOffersPlay()
{
    ReplayToolBar toolBar;
    QSignalSpy play(&toolBar, &ReplayToolBar::playRequested);
    QSignalSpy pause(&toolBar, &ReplayToolBar::pauseRequested);
    toolBar.setView(replayView(ReplayState::Playing));
    toolBar.setView(replayView(ReplayState::Paused));

    QAction *playPause = action(toolBar, "playPauseAction");
    QCOMPARE(playPause->text(), QStringLiteral("Play"));

    playPause->trigger();
    QCOMPARE(play.count(), 1);
    QCOMPARE(pause.count(), 0);
}

void ReplayToolBarTest::finishedReplayDisablesPlay()
{
    ReplayToolBar toolBar;
    toolBar.setView(replayView(ReplayState::Finished));

    QVERIFY(!action(toolBar, "playPauseAction")->isEnabled());
    QVERIFY(action(toolBar, "speedAction_max")->isEnabled());
}

void ReplayToolBarTest::speedButtonRequestsSpeed()
{
    ReplayToolBar toolBar;
    toolBar.setView(replayView(ReplayState::Playing));
    QSignalSpy requested(&toolBar, &ReplayToolBar::speedRequested);

    action(toolBar, "speedAction_100x")->trigger();

    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toDouble(), 100.0);
    QCOMPARE(toolBar.speed(), 100.0);
    QVERIFY(action(toolBar, "speedAction_100x")->isChecked());
    QVERIFY(!action(toolBar, "speedAction_1x")->isChecked());
}

void ReplayToolBarTest::setSpeedChecksWithoutRequest()
{
    ReplayToolBar toolBar;
    QSignalSpy requested(&toolBar, &ReplayToolBar::speedRequested);

    toolBar.setSpeed(0.0);

    QCOMPARE(requested.count(), 0);
    QVERIFY(action(toolBar, "speedAction_max")->isChecked());
    QVERIFY(!action(toolBar, "speedAction_1x")->isChecked());
    QCOMPARE(toolBar.speed(), 0.0);
}

void ReplayToolBarTest::checkedSpeedReadsInBothThemes_data()
{
    QTest::addColumn<bool>("light");
    QTest::addColumn<bool>("replay");
    QTest::newRow("dark, replay") << false << true;
    QTest::newRow("dark, simulation") << false << false;
    QTest::newRow("light, replay") << true << true;
    QTest::newRow("light, simulation") << true << false;
}

void ReplayToolBarTest::checkedSpeedReadsInBothThemes()
{
    QFETCH(bool, light);
    QFETCH(bool, replay);
    auto &app = *qobject_cast<QApplication *>(QCoreApplication::instance());
    bourse::ui::theme::apply(app, light ? bourse::ui::theme::Theme::Light
                                        : bourse::ui::theme::Theme::Dark);
    ReplayToolBar toolBar;
    toolBar.setView(replay ? replayView(ReplayState::Paused)
                           : simulationView(ReplayState::Playing));
    toolBar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&toolBar));
    QAction *speed = action(toolBar, "speedAction_1x");
    QVERIFY(speed->isChecked());

    // 3:1 is the WCAG 2 minimum for large text and controls; white on light grey was 1.4:1.
    const double contrast = textContrast(toolBar.widgetForAction(speed));
    QVERIFY2(contrast >= 3.0, qPrintable(QString::number(contrast)));
}

QTEST_MAIN(ReplayToolBarTest)
#include "tst_replay_toolbar.moc"
