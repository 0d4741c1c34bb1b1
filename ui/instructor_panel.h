#pragma once

#include "market_controls.h"
#include "market_view.h"
#include "scenario_training.h"

#include <QWidget>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QBoxLayout;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;

namespace bourse {
class Session;
}

namespace bourse::ui {

// The object name of the instructor panel's dock, which saved workspaces record.
inline constexpr char kInstructorDock[] = "instructorDock";

// The instructor's controls over a training scenario's market: its scheduled events, upcoming
// and passed, with their market times; pause, resume and a single step; and market events
// injected now on a chosen instrument (news of +-N ticks, a halt, a reopening through an
// auction, a liquidity drought on or off). Halt is on only while the chosen instrument trades
// and Reopen only while it is halted. In its opening call (PreOpen) or closed neither applies,
// because a halt would stop a market that does not trade and a reopening would start one that
// has not opened. After a click both stay off until a view shows the new status, or
// for kStatusConfirmationTimeout, so a view built before the click cannot re-enable them.
// A scenario with a length stops at its end: the panel shows the end time and disables the
// controls. Injections go through Session::injectMarketEvent() and show in the list at the market
// time they were sent. The list is in market time: passed and injected events grey, the next one to
// come bold. Without a scenario the controls are off.
// In host mode the panel drives the market the terminal serves through MarketControls instead.
// The market's status gives the time and whether it is paused. Step is hidden because the server
// has no single step, and a control that the server does not queue shows as a message.
class InstructorPanel : public QWidget {
    Q_OBJECT

public:
    // The columns of the event list.
    enum Column { TimeColumn, EventColumn, StateColumn, ColumnCount };

    // How long Halt and Reopen wait for a view that shows the status a click asked for.
    static constexpr std::chrono::milliseconds kStatusConfirmationTimeout{1'000};

    explicit InstructorPanel(QWidget *parent = nullptr);

    // Lists the schedule of `scenario`, ends of timed droughts included, and enables the
    // controls for its instruments.
    void setScenario(const training::TrainingScenario &scenario);
    // The session that pause, step and injections act on; it may return null.
    void setSessionSource(std::function<Session *()> source);
    // Drives a hosted market through `controls` in place of the session, until clear(). Call it
    // after setScenario(), which describes the market's instruments and schedule.
    void setMarketControls(MarketControls controls);

    // Marks the events the market time has reached as passed, and shows the time, whether the
    // market plays, and which instruments are halted.
    void showView(const std::shared_ptr<const MarketView> &view);
    // Forgets the scenario, as when another session starts.
    void clear();

    const QStandardItemModel &events() const { return *m_events; }
    // The message of the last control the hosted market did not take; empty when none.
    QString message() const;
    QSize sizeHint() const override;

signals:
    // The scenario reached its length and the market stopped: "Scenario ended at HH:MM:SS",
    // short enough for the status bar. Emitted once per scenario.
    void scenarioEnded(const QString &text);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Row {
        Timestamp due;
        bool injected = false;
    };

    QWidget *createTransport();
    QWidget *createInjection();
    int insertRow(const MarketEvent &event, bool injected, const QString &startedAt);
    void showState(int row);
    bool isPassed(int row) const;
    QString timeText(Timestamp time) const;
    void inject(MarketEventKind kind);
    void togglePlaying();
    void step();
    void enableControls(bool enabled);
    void enableTradingButtons();
    void showEnd();
    void expirePendingStatus();
    void showStatus(const std::shared_ptr<const MarketView> &view);
    bool sendEvent(const MarketEvent &event);
    void showControlResult(net::ControlResult result);

    std::function<Session *()> m_sessionSource;
    MarketControls m_controls; // set in host mode
    AgentMarket::Options m_options;
    bool m_hasScenario = false;
    bool m_wallClock = false; // a simulated market, whose clock is the wall clock
    bool m_paused = false;
    Timestamp m_marketTime;
    std::vector<Row> m_rows;
    Timestamp m_end; // start plus length; zero without a length
    bool m_finished = false;
    // The trading status of each instrument as the latest view shows it, by its index in the
    // options. Beside it, the status a click on Halt or Reopen requested, kept until a view
    // shows it or the deadline passes.
    struct PendingStatus {
        TradingStatus expected = TradingStatus::Trading;
        std::chrono::steady_clock::time_point deadline;
    };
    std::vector<TradingStatus> m_statuses;
    std::vector<std::optional<PendingStatus>> m_pending;

    QStandardItemModel *m_events;
    QTableView *m_table;
    QLabel *m_status;
    QLabel *m_message;
    QPushButton *m_playPause;
    QPushButton *m_step;
    QComboBox *m_instrument;
    QSpinBox *m_ticks;
    QSpinBox *m_widen;
    QSpinBox *m_size;
    QPushButton *m_halt;
    QPushButton *m_reopen;
    QBoxLayout *m_newsRow;
    QBoxLayout *m_droughtRow;
    QBoxLayout *m_droughtButtons;
    std::vector<QPushButton *> m_injectButtons;
};

} // namespace bourse::ui
