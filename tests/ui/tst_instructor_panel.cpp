// The instructor panel: the schedule it lists, how events pass with the market time, and the
// pause, step and injections it sends to a running training session.

#include "instructor_panel.h"
#include "main_window.h"
#include "session.h"
#include "training_scenarios.h"
#include "workspace_manager.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

using namespace bourse;

namespace {

// Starts 14:30:00; a drought at 14:31 for 2 minutes, a halt at 14:32, a reopening at 14:33.
constexpr const char *kScenario = "market seed 5 start 14:30:00 length 10min\n"
                                  "instrument ACME tick 0.01 lot 1 price 50.00\n"
                                  "instrument BETA tick 0.01 lot 1 price 20.00\n"
                                  "at 14:32:00 halt ACME\n"
                                  "at 14:31:00 drought BETA widen 4 for 2min\n"
                                  "at 14:33:00 reopen ACME\n";
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kAt1431 = (1'704'205'800 + 60) * kSecond;

training::TrainingScenario panelScenario()
{
    const training::TrainingParseResult parsed =
        training::parseTrainingScenario(kScenario, "panel.scenario");
    if (!parsed.ok())
        qFatal("%s", parsed.errors.front().toString().c_str());
    return parsed.scenario;
}

QString cell(const QStandardItemModel &model, int row, int column)
{
    return model.item(row, column)->text();
}

std::shared_ptr<MarketView> viewAt(std::int64_t time)
{
    auto view = std::make_shared<MarketView>();
    view->marketTime = Timestamp{time};
    return view;
}

// A view at 14:30 in which ACME has `status` and BETA trades.
std::shared_ptr<MarketView> viewWithAcme(TradingStatus status)
{
    auto view = viewAt(kAt1431 - 60 * kSecond);
    InstrumentQuote acme;
    acme.symbol = "ACME";
    acme.status = status;
    InstrumentQuote beta;
    beta.symbol = "BETA";
    view->instruments = {acme, beta};
    return view;
}

std::shared_ptr<MarketView> viewWithAcmeHalted()
{
    return viewWithAcme(TradingStatus::Halted);
}

} // namespace

class TstInstructorPanel : public QObject {
    Q_OBJECT

private slots:
    void schedule_listedByTimeWithDroughtEnd();
    void marketTime_marksEventsPassed();
    void noScenario_controlsOff();
    void session_haltAndPauseFromPanel();
    void injection_listedInMarketTimeOrder();
    void haltedInstrument_onlyReopenEnabled();
    void injection_scrollsToNewRow();
    void narrowPanel_controlsInsideAndEventsElided();
    void trainingStart_panelReadable_data();
    void trainingStart_panelReadable();
    void haltClick_buttonsWaitForConfirmingView();
    void notTrading_bothButtonsOff_data();
    void notTrading_bothButtonsOff();
    void scenarioEnd_stopsAndShowsTime();
    void hostedMarket_controlsReplaceSession();
    void hostedMarket_refusedControlShowsMessage();
};

void TstInstructorPanel::schedule_listedByTimeWithDroughtEnd()
{
    ui::InstructorPanel panel;
    QAbstractItemModelTester tester(const_cast<QStandardItemModel *>(&panel.events()));
    panel.setScenario(panelScenario());
    const QStandardItemModel &events = panel.events();
    QCOMPARE(events.rowCount(), 4);
    QCOMPARE(cell(events, 0, ui::InstructorPanel::TimeColumn), QStringLiteral("14:31:00.000"));
    QCOMPARE(cell(events, 0, ui::InstructorPanel::EventColumn),
             QStringLiteral("drought BETA widen 4 for 2min"));
    QCOMPARE(cell(events, 1, ui::InstructorPanel::EventColumn), QStringLiteral("halt ACME"));
    // The drought's end comes after the reopening due at the same time, as the market fires
    // an end it schedules after the events already due then.
    QCOMPARE(cell(events, 2, ui::InstructorPanel::EventColumn), QStringLiteral("reopen ACME"));
    QCOMPARE(cell(events, 3, ui::InstructorPanel::EventColumn),
             QStringLiteral("drought BETA ends (started 14:31:00.000)"));
    QCOMPARE(cell(events, 3, ui::InstructorPanel::TimeColumn), QStringLiteral("14:33:00.000"));
    for (int row = 0; row < events.rowCount(); ++row)
        QCOMPARE(cell(events, row, ui::InstructorPanel::StateColumn), QStringLiteral("upcoming"));
}

void TstInstructorPanel::marketTime_marksEventsPassed()
{
    ui::InstructorPanel panel;
    panel.setScenario(panelScenario());
    panel.showView(viewAt(kAt1431));
    const QStandardItemModel &events = panel.events();
    QCOMPARE(cell(events, 0, ui::InstructorPanel::StateColumn), QStringLiteral("passed"));
    QCOMPARE(cell(events, 1, ui::InstructorPanel::StateColumn), QStringLiteral("upcoming"));

    panel.showView(viewAt(kAt1431 + 90 * kSecond));
    QCOMPARE(cell(events, 1, ui::InstructorPanel::StateColumn), QStringLiteral("passed"));
    QCOMPARE(cell(events, 2, ui::InstructorPanel::StateColumn), QStringLiteral("upcoming"));
    QCOMPARE(cell(events, 3, ui::InstructorPanel::StateColumn), QStringLiteral("upcoming"));
}

void TstInstructorPanel::noScenario_controlsOff()
{
    ui::InstructorPanel panel;
    auto *halt = panel.findChild<QPushButton *>(QStringLiteral("instructorHalt"));
    auto *playPause = panel.findChild<QPushButton *>(QStringLiteral("instructorPlayPause"));
    QVERIFY(halt != nullptr);
    QVERIFY(playPause != nullptr);
    QVERIFY(!halt->isEnabled());
    QVERIFY(!playPause->isEnabled());

    panel.setScenario(panelScenario());
    QVERIFY(halt->isEnabled());
    panel.clear();
    QVERIFY(!halt->isEnabled());
    QCOMPARE(panel.events().rowCount(), 0);
}

// The panel's buttons reach a real training session: a halt shows in the views as the first
// instrument's status, an injected row joins the list, and pause enables the step button.
void TstInstructorPanel::session_haltAndPauseFromPanel()
{
    Session session;
    const training::TrainingScenario training = panelScenario();
    session.startTraining(training.seed, training.options);
    ui::InstructorPanel panel;
    panel.setScenario(training);
    panel.setSessionSource([&session] { return &session; });

    // Sent before the first scheduled event, the halt leads the list.
    panel.findChild<QPushButton *>(QStringLiteral("instructorHalt"))->click();
    QCOMPARE(panel.events().rowCount(), 5);
    QCOMPARE(cell(panel.events(), 0, ui::InstructorPanel::EventColumn),
             QStringLiteral("halt ACME"));
    QCOMPARE(cell(panel.events(), 0, ui::InstructorPanel::StateColumn), QStringLiteral("injected"));
    QTRY_VERIFY([&session] {
        const std::shared_ptr<const MarketView> view = session.latestView();
        return view && !view->instruments.empty() &&
               view->instruments.front().status == TradingStatus::Halted;
    }());

    auto *step = panel.findChild<QPushButton *>(QStringLiteral("instructorStep"));
    QVERIFY(!step->isEnabled());
    panel.findChild<QPushButton *>(QStringLiteral("instructorPlayPause"))->click();
    QTRY_VERIFY([&] {
        const std::shared_ptr<const MarketView> view = session.latestView();
        panel.showView(view);
        return view && view->replayState == ReplayState::Paused;
    }());
    QVERIFY(step->isEnabled());

    // An arrival may send nothing, as when a maker keeps its quote, so the step repeats.
    const SequenceNumber paused = session.latestView()->lastSequence;
    QTRY_VERIFY([&] {
        step->click();
        return session.latestView()->lastSequence > paused;
    }());
    session.stop();
}

// A news injected at 14:32:30 goes between the passed halt of 14:32 and the reopening due at
// 14:33, not at the end of the list. Passed rows are grey, and the next to come is bold.
void TstInstructorPanel::injection_listedInMarketTimeOrder()
{
    Session session;
    const training::TrainingScenario training = panelScenario();
    session.startTraining(training.seed, training.options);
    ui::InstructorPanel panel;
    QAbstractItemModelTester tester(const_cast<QStandardItemModel *>(&panel.events()));
    panel.setScenario(training);
    panel.setSessionSource([&session] { return &session; });
    panel.showView(viewAt(kAt1431 + 90 * kSecond));

    panel.findChild<QPushButton *>(QStringLiteral("instructorNews"))->click();
    const QStandardItemModel &events = panel.events();
    QCOMPARE(events.rowCount(), 5);
    const QStringList expected{QStringLiteral("drought BETA widen 4 for 2min"),
                               QStringLiteral("halt ACME"), QStringLiteral("news ACME +20"),
                               QStringLiteral("reopen ACME"),
                               QStringLiteral("drought BETA ends (started 14:31:00.000)")};
    const QStringList states{QStringLiteral("passed"), QStringLiteral("passed"),
                             QStringLiteral("injected"), QStringLiteral("upcoming"),
                             QStringLiteral("upcoming")};
    for (int row = 0; row < events.rowCount(); ++row) {
        QCOMPARE(cell(events, row, ui::InstructorPanel::EventColumn), expected.at(row));
        QCOMPARE(cell(events, row, ui::InstructorPanel::StateColumn), states.at(row));
    }
    QCOMPARE(cell(events, 2, ui::InstructorPanel::TimeColumn), QStringLiteral("14:32:30.000"));

    const QColor grey = panel.palette().color(QPalette::Disabled, QPalette::Text);
    QCOMPARE(events.item(2, ui::InstructorPanel::EventColumn)->foreground().color(), grey);
    QVERIFY(events.item(3, ui::InstructorPanel::EventColumn)->foreground().color() != grey);
    QVERIFY(events.item(3, ui::InstructorPanel::EventColumn)->font().bold());
    QVERIFY(!events.item(4, ui::InstructorPanel::EventColumn)->font().bold());
    session.stop();
}

// Halt is off for an instrument the view shows halted and Reopen is off for one it shows
// trading, each with a tooltip that states why, so no injection that changes nothing is listed.
void TstInstructorPanel::haltedInstrument_onlyReopenEnabled()
{
    ui::InstructorPanel panel;
    panel.setScenario(panelScenario());
    auto *instrument = panel.findChild<QComboBox *>(QStringLiteral("instructorInstrument"));
    auto *halt = panel.findChild<QPushButton *>(QStringLiteral("instructorHalt"));
    auto *reopen = panel.findChild<QPushButton *>(QStringLiteral("instructorReopen"));
    QVERIFY(instrument != nullptr);
    QVERIFY(halt != nullptr);
    QVERIFY(reopen != nullptr);

    // Before any view every instrument trades, as at the start of a scenario.
    QVERIFY(halt->isEnabled());
    QVERIFY(!reopen->isEnabled());
    QCOMPARE(reopen->toolTip(), QStringLiteral("ACME is not halted"));

    panel.showView(viewWithAcmeHalted());
    QCOMPARE(instrument->currentText(), QStringLiteral("ACME"));
    QVERIFY(!halt->isEnabled());
    QCOMPARE(halt->toolTip(), QStringLiteral("ACME is already halted"));
    QVERIFY(reopen->isEnabled());
    QCOMPARE(reopen->toolTip(),
             QStringLiteral("Return the instrument to trading through an auction"));

    instrument->setCurrentIndex(1);
    QVERIFY(halt->isEnabled());
    QCOMPARE(halt->toolTip(), QString());
    QVERIFY(!reopen->isEnabled());
    QCOMPARE(reopen->toolTip(), QStringLiteral("BETA is not halted"));

    // A click on the disabled Reopen lists nothing.
    reopen->click();
    QCOMPARE(panel.events().rowCount(), 4);

    panel.clear();
    QVERIFY(!halt->isEnabled());
    QVERIFY(!reopen->isEnabled());
}

// With the list scrolled to its top and room for two rows, a news injected at 14:33:30 lands
// in the last row, and the list scrolls so that row shows whole.
void TstInstructorPanel::injection_scrollsToNewRow()
{
    Session session;
    const training::TrainingScenario training = panelScenario();
    session.startTraining(training.seed, training.options);
    ui::InstructorPanel panel;
    panel.setScenario(training);
    panel.setSessionSource([&session] { return &session; });
    panel.showView(viewAt(kAt1431 + 150 * kSecond));
    auto *table = panel.findChild<QTableView *>(QStringLiteral("instructorEvents"));
    QVERIFY(table != nullptr);
    table->setFixedHeight(table->horizontalHeader()->sizeHint().height() +
                          2 * table->verticalHeader()->defaultSectionSize() +
                          2 * table->frameWidth());
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    table->scrollToTop();

    panel.findChild<QPushButton *>(QStringLiteral("instructorNews"))->click();
    QCOMPARE(panel.events().rowCount(), 5);
    QCOMPARE(cell(panel.events(), 4, ui::InstructorPanel::TimeColumn),
             QStringLiteral("14:33:30.000"));
    const int top = table->rowViewportPosition(4);
    QVERIFY2(top >= 0, qPrintable(QString::number(top)));
    QVERIFY2(top + table->rowHeight(4) <= table->viewport()->height(),
             qPrintable(QStringLiteral("row bottom %1, viewport %2")
                            .arg(top + table->rowHeight(4))
                            .arg(table->viewport()->height())));
    session.stop();
}

// At 240 pixels every injection control lies inside the panel, because the inject rows put
// their controls under their labels and the drought's spin boxes stack, and a long event text
// keeps its whole text as a tooltip.
void TstInstructorPanel::narrowPanel_controlsInsideAndEventsElided()
{
    ui::InstructorPanel panel;
    panel.setScenario(panelScenario());
    panel.resize(240, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));

    const QList<QWidget *> controls = panel.findChildren<QWidget *>();
    for (const QWidget *control : controls) {
        if (!control->isVisible() || !control->objectName().startsWith(QStringLiteral("instr")))
            continue;
        const QRect placed(control->mapTo(&panel, QPoint(0, 0)), control->size());
        QVERIFY2(panel.rect().contains(placed),
                 qPrintable(control->objectName() + QStringLiteral(" at ") +
                            QString::number(placed.right())));
    }
    QVERIFY2(panel.minimumSizeHint().width() <= 240,
             qPrintable(QString::number(panel.minimumSizeHint().width())));
    const QStandardItem *end = panel.events().item(3, ui::InstructorPanel::EventColumn);
    QCOMPARE(end->toolTip(), end->text());
}

// Started in a built-in workspace, a training scenario raises the instructor's tab and widens
// its column until the injection controls and the longest event text show whole.
void TstInstructorPanel::trainingStart_panelReadable_data()
{
    QTest::addColumn<QString>("workspace");
    QTest::addColumn<QSize>("windowSize");
    QTest::newRow("Trading, 1400x850") << QStringLiteral("Trading") << QSize(1400, 850);
    QTest::newRow("Trading, 1600x1000") << QStringLiteral("Trading") << QSize(1600, 1000);
    QTest::newRow("Charts, 1400x850") << QStringLiteral("Charts") << QSize(1400, 850);
    QTest::newRow("Risk, 1400x850") << QStringLiteral("Risk") << QSize(1400, 850);
}

void TstInstructorPanel::trainingStart_panelReadable()
{
    QFETCH(QString, workspace);
    QFETCH(QSize, windowSize);
    QTemporaryDir settings;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings.path());

    ui::MainWindow window;
    window.resize(windowSize);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.workspaces().switchTo(workspace));
    QTest::qWait(20);
    const QString path =
        ui::trainingScenarioFolder() + QStringLiteral("/liquidity_drought.scenario");
    QCOMPARE(window.startTraining(path, std::nullopt), std::nullopt);
    QTest::qWait(50);

    auto *dock = window.findChild<QDockWidget *>(QString::fromLatin1(ui::kInstructorDock));
    auto *panel = window.findChild<ui::InstructorPanel *>();
    QVERIFY(dock != nullptr);
    QVERIFY(panel != nullptr);
    QVERIFY(dock->isVisible());
    QVERIFY(!dock->visibleRegion().isEmpty());
    const QRect shown(dock->mapTo(&window, QPoint(0, 0)), dock->size());
    QVERIFY(window.rect().contains(shown));

    // Nothing scrolls sideways, and each control lies inside the dock.
    for (const QScrollBar *bar : dock->findChildren<QScrollBar *>()) {
        if (bar->orientation() == Qt::Horizontal && bar->parentWidget() != nullptr &&
            !bar->parentWidget()->inherits("QTableView"))
            QVERIFY(!bar->isVisible());
    }
    for (const QPushButton *button : panel->findChildren<QPushButton *>()) {
        const QRect placed(button->mapTo(dock, QPoint(0, 0)), button->size());
        QVERIFY2(dock->rect().contains(placed), qPrintable(button->text()));
    }

    auto *table = panel->findChild<QTableView *>(QStringLiteral("instructorEvents"));
    QVERIFY(table != nullptr);
    int longest = 0;
    for (int row = 0; row < panel->events().rowCount(); ++row) {
        const QString text = panel->events().item(row, ui::InstructorPanel::EventColumn)->text();
        longest = std::max(longest, table->fontMetrics().horizontalAdvance(text));
    }
    const int column = table->horizontalHeader()->sectionSize(ui::InstructorPanel::EventColumn);
    // A cell keeps a few pixels of margin on each side, and text wider than the rest is elided.
    QVERIFY2(column >= longest + 8,
             qPrintable(QStringLiteral("column %1, text %2").arg(column).arg(longest)));
    QVERIFY(table->horizontalHeader()->length() <= table->viewport()->width());
    window.close();
}

// After a click on Halt both buttons stay off while views still show ACME trading, as views
// built before the halt took effect do. A view that shows the halt enables Reopen. After a click
// on Reopen that no view confirms, the buttons follow the views again once the wait is over.
void TstInstructorPanel::haltClick_buttonsWaitForConfirmingView()
{
    Session session;
    const training::TrainingScenario training = panelScenario();
    session.startTraining(training.seed, training.options);
    ui::InstructorPanel panel;
    panel.setScenario(training);
    panel.setSessionSource([&session] { return &session; });
    auto *halt = panel.findChild<QPushButton *>(QStringLiteral("instructorHalt"));
    auto *reopen = panel.findChild<QPushButton *>(QStringLiteral("instructorReopen"));
    panel.showView(viewWithAcme(TradingStatus::Trading));
    QVERIFY(halt->isEnabled());

    halt->click();
    QVERIFY(!halt->isEnabled());
    QVERIFY(!reopen->isEnabled());
    panel.showView(viewWithAcme(TradingStatus::Trading));
    QVERIFY(!halt->isEnabled());
    QVERIFY(!reopen->isEnabled());
    QCOMPARE(halt->toolTip(),
             QStringLiteral("Waiting for the market to confirm the last change of ACME"));

    panel.showView(viewWithAcme(TradingStatus::Halted));
    QVERIFY(!halt->isEnabled());
    QVERIFY(reopen->isEnabled());

    reopen->click();
    QVERIFY(!halt->isEnabled());
    QVERIFY(!reopen->isEnabled());
    QTest::qWait(static_cast<int>(ui::InstructorPanel::kStatusConfirmationTimeout.count()) + 200);
    QVERIFY(!halt->isEnabled());
    QVERIFY(reopen->isEnabled());
    session.stop();
}

// In its opening call or closed an instrument neither trades nor is halted, so neither a halt
// nor a reopening applies.
void TstInstructorPanel::notTrading_bothButtonsOff_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");
    QTest::newRow("PreOpen") << static_cast<int>(TradingStatus::PreOpen)
                             << QStringLiteral("ACME is in its opening call");
    QTest::newRow("Closed") << static_cast<int>(TradingStatus::Closed)
                            << QStringLiteral("ACME is closed");
}

void TstInstructorPanel::notTrading_bothButtonsOff()
{
    QFETCH(int, status);
    QFETCH(QString, reason);
    ui::InstructorPanel panel;
    panel.setScenario(panelScenario());
    auto *halt = panel.findChild<QPushButton *>(QStringLiteral("instructorHalt"));
    auto *reopen = panel.findChild<QPushButton *>(QStringLiteral("instructorReopen"));
    panel.showView(viewWithAcme(static_cast<TradingStatus>(status)));
    QVERIFY(!halt->isEnabled());
    QVERIFY(!reopen->isEnabled());
    QCOMPARE(halt->toolTip(), reason);
    QCOMPARE(reopen->toolTip(), reason);
}

// A scenario two seconds long stops at 14:30:02: the panel reports it once, keeps its list and
// turns off the controls that would move the market.
void TstInstructorPanel::scenarioEnd_stopsAndShowsTime()
{
    const training::TrainingParseResult parsed =
        training::parseTrainingScenario("market seed 5 start 14:30:00 length 2s\n"
                                        "instrument ACME tick 0.01 lot 1 price 50.00\n"
                                        "at +1s news ACME +10\n",
                                        "short.scenario");
    QVERIFY(parsed.ok());
    const training::TrainingScenario &training = parsed.scenario;
    Session session;
    session.startTraining(
        training.seed,
        Session::Training{training.options,
                          Timestamp{training.options.startTime.value() + 2 * kSecond}});
    session.setSpeed(0.0);
    ui::InstructorPanel panel;
    panel.setScenario(training);
    panel.setSessionSource([&session] { return &session; });
    QSignalSpy ended(&panel, &ui::InstructorPanel::scenarioEnded);
    QTRY_VERIFY([&] {
        panel.showView(session.latestView());
        return ended.count() > 0;
    }());
    panel.showView(session.latestView());
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.front().front().toString(), QStringLiteral("Scenario ended at 14:30:02"));
    auto *status = panel.findChild<QLabel *>(QStringLiteral("instructorStatus"));
    QVERIFY(status->text().startsWith(QStringLiteral("Scenario ended at 14:30:02")));
    QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("instructorPlayPause"))->isEnabled());
    QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("instructorHalt"))->isEnabled());
    QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("instructorNews"))->isEnabled());
    QCOMPARE(cell(panel.events(), 0, ui::InstructorPanel::StateColumn), QStringLiteral("passed"));
    session.stop();
}

namespace {

// Hosted market controls that record each call and reply with `result`, and a status whose
// pause and time the test sets.
struct FakeControls {
    std::vector<bool> pauses;
    std::vector<MarketEvent> injected;
    net::MarketStatus status;
    net::ControlResult result = net::ControlResult::Queued;

    ui::MarketControls controls()
    {
        ui::MarketControls controls;
        controls.setPaused = [this](bool paused) {
            pauses.push_back(paused);
            return result;
        };
        controls.inject = [this](const MarketEvent &event) {
            injected.push_back(event);
            return result;
        };
        controls.status = [this] { return status; };
        return controls;
    }
};

} // namespace

// In host mode the panel pauses and injects through the controls, and takes the time and the
// pause from the market's status rather than from the view.
void TstInstructorPanel::hostedMarket_controlsReplaceSession()
{
    FakeControls fake;
    fake.status.agents = true;
    fake.status.marketTime = Timestamp{kAt1431 + kSecond};
    ui::InstructorPanel panel;
    panel.setScenario(panelScenario());
    panel.setMarketControls(fake.controls());
    QVERIFY(panel.findChild<QPushButton *>(QStringLiteral("instructorStep"))->isHidden());

    panel.showView(viewWithAcme(TradingStatus::Trading));
    // The drought at 14:31:00 has passed by the status's 14:31:01, though the view shows 14:30.
    QCOMPARE(cell(panel.events(), 0, ui::InstructorPanel::StateColumn), QStringLiteral("passed"));
    auto *playPause = panel.findChild<QPushButton *>(QStringLiteral("instructorPlayPause"));
    playPause->click();
    QCOMPARE(fake.pauses, std::vector<bool>{true});
    fake.status.paused = true;
    panel.showView(viewWithAcme(TradingStatus::Trading));
    QCOMPARE(playPause->text(), QStringLiteral("Resume"));
    playPause->click();
    QCOMPARE(fake.pauses, (std::vector<bool>{true, false}));

    panel.findChild<QComboBox *>(QStringLiteral("instructorInstrument"))->setCurrentIndex(0);
    panel.findChild<QPushButton *>(QStringLiteral("instructorHalt"))->click();
    QCOMPARE(fake.injected.size(), std::size_t{1});
    QCOMPARE(fake.injected.front().kind, MarketEventKind::Halt);
    QCOMPARE(fake.injected.front().instrument, std::size_t{0});
    QCOMPARE(panel.message(), QString());
}

void TstInstructorPanel::hostedMarket_refusedControlShowsMessage()
{
    FakeControls fake;
    fake.status.agents = true;
    fake.result = net::ControlResult::QueueFull;
    ui::InstructorPanel panel;
    panel.setScenario(panelScenario());
    panel.setMarketControls(fake.controls());
    panel.showView(viewWithAcme(TradingStatus::Trading));
    const int rows = panel.events().rowCount();

    panel.findChild<QPushButton *>(QStringLiteral("instructorHalt"))->click();
    QCOMPARE(panel.message(), ui::controlResultMessage(net::ControlResult::QueueFull));
    QVERIFY(!panel.message().isEmpty());
    // The injection the server did not queue is not listed.
    QCOMPARE(panel.events().rowCount(), rows);

    fake.result = net::ControlResult::Queued;
    panel.findChild<QPushButton *>(QStringLiteral("instructorPlayPause"))->click();
    QCOMPARE(panel.message(), QString());
}

QTEST_MAIN(TstInstructorPanel)
#include "tst_instructor_panel.moc"
