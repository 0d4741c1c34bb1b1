#include "replay_toolbar.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QImage>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>
#include <QToolButton>
#include <QToolTip>

#include <algorithm>
#include <cmath>

using bourse::MarketView;
using bourse::ReplayState;
using bourse::SessionMode;
using bourse::Timestamp;
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
    void simulationOffersSpeeds();
    void playingSimulationPausesOnTrigger();
    void playingReplayOffersPause();
    void pausedReplayOffersPlay();
    void finishedReplayDisablesPlay();
    void speedButtonRequestsSpeed();
    void setSpeedChecksWithoutRequest();
    void checkedSpeedReadsInBothThemes_data();
    void checkedSpeedReadsInBothThemes();
    void parseMarketTimeReadsTimeOfDay_data();
    void parseMarketTimeReadsTimeOfDay();
    void parseMarketTimeRejectsOthers_data();
    void parseMarketTimeRejectsOthers();
    void stepWorksOnlyWhilePaused();
    void sliderFollowsReplayTime();
    void sliderReleaseRequestsSeek();
    void typedTimeRequestsSeek();
    void positionWaitsForKnownEnd();
    void grooveClickSeeksToPoint();
    void invalidTypedTimeShowsError_data();
    void invalidTypedTimeShowsError();
    void failedEndScanShowsReason();
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

void ReplayToolBarTest::simulationOffersSpeeds()
{
    ReplayToolBar toolBar;
    toolBar.setView(simulationView(ReplayState::Playing));

    QVERIFY(action(toolBar, "simulationAction")->isEnabled());
    QVERIFY(action(toolBar, "openAction")->isEnabled());
    QVERIFY(action(toolBar, "speedAction_10x")->isEnabled());

    toolBar.setView(simulationView(ReplayState::Idle));
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

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// A LOBSTER day from 09:30 to 16:00, nanoseconds after midnight, at `time`.
MarketView dayView(ReplayState state, std::int64_t time)
{
    MarketView view = replayView(state);
    view.replayStart = Timestamp{34'200 * kSecond};
    view.replayEnd = Timestamp{57'600 * kSecond};
    view.replayTime = Timestamp{time};
    return view;
}

} // namespace

void ReplayToolBarTest::parseMarketTimeReadsTimeOfDay_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("reference");
    QTest::addColumn<qint64>("expected");
    // A LOBSTER time counts from midnight.
    QTest::newRow("minutes") << "10:30" << qint64{34'200 * kSecond} << qint64{37'800 * kSecond};
    QTest::newRow("seconds") << "9:45:15" << qint64{34'200 * kSecond} << qint64{35'115 * kSecond};
    QTest::newRow("milliseconds") << "12:00:00.250" << qint64{0}
                                  << qint64{43'200 * kSecond + 250'000'000};
    QTest::newRow("nanoseconds") << " 12:00:00.000000007 " << qint64{0}
                                 << qint64{43'200 * kSecond + 7};
}

void ReplayToolBarTest::parseMarketTimeReadsTimeOfDay()
{
    QFETCH(QString, text);
    QFETCH(qint64, reference);
    QFETCH(qint64, expected);
    const std::optional<Timestamp> time = bourse::ui::parseMarketTime(text, Timestamp{reference});
    QVERIFY(time);
    QCOMPARE(time->value(), expected);
}

void ReplayToolBarTest::parseMarketTimeRejectsOthers_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("hour only") << "10";
    QTest::newRow("hour 24") << "24:00";
    QTest::newRow("minute 60") << "10:60";
    QTest::newRow("ten decimals") << "10:00:00.0000000001";
    QTest::newRow("word") << "noon";
}

void ReplayToolBarTest::parseMarketTimeRejectsOthers()
{
    QFETCH(QString, text);
    QVERIFY(!bourse::ui::parseMarketTime(text, Timestamp{0}));
}

void ReplayToolBarTest::stepWorksOnlyWhilePaused()
{
    ReplayToolBar toolBar;
    QSignalSpy requested(&toolBar, &ReplayToolBar::stepRequested);
    toolBar.setView(replayView(ReplayState::Playing));
    QVERIFY(!action(toolBar, "stepAction")->isEnabled());

    toolBar.setView(replayView(ReplayState::Paused));
    QVERIFY(action(toolBar, "stepAction")->isEnabled());
    action(toolBar, "stepAction")->trigger();
    QCOMPARE(requested.count(), 1);

    toolBar.setView(simulationView(ReplayState::Paused));
    QVERIFY(action(toolBar, "stepAction")->isEnabled());
    toolBar.setView(replayView(ReplayState::Finished));
    QVERIFY(!action(toolBar, "stepAction")->isEnabled());
}

void ReplayToolBarTest::sliderFollowsReplayTime()
{
    ReplayToolBar toolBar;
    QSignalSpy requested(&toolBar, &ReplayToolBar::seekRequested);
    auto *slider = toolBar.findChild<QSlider *>(QStringLiteral("positionSlider"));
    QVERIFY(slider);

    // 12:45 is half way through 09:30 to 16:00.
    toolBar.setView(dayView(ReplayState::Playing, 45'900 * kSecond));
    QVERIFY(slider->isEnabled());
    QCOMPARE(slider->value(), slider->maximum() / 2);
    toolBar.setView(dayView(ReplayState::Playing, 57'600 * kSecond));
    QCOMPARE(slider->value(), slider->maximum());
    QCOMPARE(requested.count(), 0);
}

void ReplayToolBarTest::sliderReleaseRequestsSeek()
{
    ReplayToolBar toolBar;
    QSignalSpy requested(&toolBar, &ReplayToolBar::seekRequested);
    auto *slider = toolBar.findChild<QSlider *>(QStringLiteral("positionSlider"));
    toolBar.setView(dayView(ReplayState::Paused, 34'200 * kSecond));

    // A quarter of the 6.5-hour span after 09:30 is 11:07:30.
    slider->setValue(slider->maximum() / 4);

    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).value<Timestamp>().value(), 40'050 * kSecond);
}

void ReplayToolBarTest::typedTimeRequestsSeek()
{
    ReplayToolBar toolBar;
    QSignalSpy requested(&toolBar, &ReplayToolBar::seekRequested);
    auto *field = toolBar.findChild<QLineEdit *>(QStringLiteral("seekTimeEdit"));
    QVERIFY(field);
    toolBar.setView(dayView(ReplayState::Paused, 36'000 * kSecond));
    QVERIFY(field->isEnabled());

    field->setText(QStringLiteral("not a time"));
    emit field->returnPressed();
    QCOMPARE(requested.count(), 0);

    field->setText(QStringLiteral("14:15:30"));
    emit field->returnPressed();
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).value<Timestamp>().value(), 51'330 * kSecond);
}

void ReplayToolBarTest::positionWaitsForKnownEnd()
{
    ReplayToolBar toolBar;
    auto *slider = toolBar.findChild<QSlider *>(QStringLiteral("positionSlider"));
    MarketView view = dayView(ReplayState::Playing, 36'000 * kSecond);
    view.replayEnd = Timestamp{0};
    toolBar.setView(view);
    QVERIFY(!slider->isEnabled());

    toolBar.setView(simulationView(ReplayState::Playing));
    QVERIFY(!slider->isEnabled());
    QVERIFY(!toolBar.findChild<QLineEdit *>(QStringLiteral("seekTimeEdit"))->isEnabled());
}

void ReplayToolBarTest::grooveClickSeeksToPoint()
{
    ReplayToolBar toolBar;
    toolBar.resize(1600, toolBar.sizeHint().height());
    toolBar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&toolBar));
    QSignalSpy requested(&toolBar, &ReplayToolBar::seekRequested);
    auto *slider = toolBar.findChild<QSlider *>(QStringLiteral("positionSlider"));
    toolBar.setView(dayView(ReplayState::Paused, 34'200 * kSecond));
    QCOMPARE(slider->value(), 0);

    // Three quarters of the 6.5-hour span after 09:30 is 14:22:30. The handle's half width at
    // each end of the groove keeps the point from mapping exactly, so 2% of the span is allowed.
    // A page step would go 1%, to 09:33:54.
    QTest::mouseClick(slider, Qt::LeftButton, {},
                      QPoint(slider->width() * 3 / 4, slider->height() / 2));

    QCOMPARE(requested.count(), 1);
    const std::int64_t time = requested.at(0).at(0).value<Timestamp>().value();
    const std::int64_t tolerance = 23'400 * kSecond / 50;
    QVERIFY2(std::abs(time - 51'750 * kSecond) < tolerance,
             qPrintable(QString::number(time / kSecond)));
}

void ReplayToolBarTest::invalidTypedTimeShowsError_data()
{
    QTest::addColumn<QString>("typed");
    QTest::newRow("hour 25") << QStringLiteral("25:00");
    QTest::newRow("letters") << QStringLiteral("abc");
    QTest::newRow("minute 61") << QStringLiteral("10:61");
}

void ReplayToolBarTest::invalidTypedTimeShowsError()
{
    QFETCH(QString, typed);
    ReplayToolBar toolBar;
    toolBar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&toolBar));
    QSignalSpy requested(&toolBar, &ReplayToolBar::seekRequested);
    QSignalSpy errors(&toolBar, &ReplayToolBar::timeErrorChanged);
    auto *field = toolBar.findChild<QLineEdit *>(QStringLiteral("seekTimeEdit"));
    toolBar.setView(dayView(ReplayState::Paused, 36'000 * kSecond));
    const QString expected =
        QStringLiteral("invalid time '%1': use hh:mm, hh:mm:ss or hh:mm:ss.mmm").arg(typed);

    field->setText(typed);
    emit field->returnPressed();

    QCOMPARE(requested.count(), 0);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).toString(), expected);
    QVERIFY(field->styleSheet().contains(QStringLiteral("border")));
    QCOMPARE(field->toolTip(), expected);
    QVERIFY(QToolTip::isVisible());
    QCOMPARE(QToolTip::text(), expected);

    // Editing the text clears the error.
    QTest::keyClick(field, Qt::Key_Backspace);
    QCOMPARE(errors.count(), 2);
    QVERIFY(errors.at(1).at(0).toString().isEmpty());
    QVERIFY(field->styleSheet().isEmpty());
    QTRY_VERIFY(!QToolTip::isVisible());
}

void ReplayToolBarTest::failedEndScanShowsReason()
{
    ReplayToolBar toolBar;
    auto *slider = toolBar.findChild<QSlider *>(QStringLiteral("positionSlider"));
    MarketView view = dayView(ReplayState::Playing, 36'000 * kSecond);
    view.replayEnd = Timestamp{0};
    view.error = "cannot find the replay's end: day_message_10.csv: cannot open";
    toolBar.setView(view);

    QVERIFY(!slider->isEnabled());
    QVERIFY2(slider->toolTip().contains(QStringLiteral("day_message_10.csv: cannot open")),
             qPrintable(slider->toolTip()));
}

QTEST_MAIN(ReplayToolBarTest)
#include "tst_replay_toolbar.moc"
