#pragma once

#include "market_view.h"

#include <QToolBar>

#include <optional>
#include <utility>
#include <vector>

class QAction;
class QActionGroup;
class QLabel;
class QLineEdit;
class QSlider;

namespace bourse::ui {

// What paces the market that the session shows, which decides whether the toolbar's controls
// apply to it.
enum class MarketPace : std::uint8_t {
    Local,  // the session's own clock: play, pause, step, the speeds and the position apply
    Server, // a server's market, which runs on the server's clock
    Feed,   // a live feed, whose messages play as they arrive
};

// The replay speeds the terminal offers. A speed of 0 replays as fast as possible; a quarter
// of market time lets a student follow a fast market print by print.
inline constexpr double replaySpeeds[] = {0.25, 1.0, 10.0, 100.0, 0.0};

// Parses "0.25", "1", "10", "100" or "max" (a trailing "x" is allowed) into a replay speed;
// nothing for any other text.
std::optional<double> parseReplaySpeed(const QString &text);

// Parses a time of day typed as "HH:MM", "HH:MM:SS" or "HH:MM:SS.fff" (up to nine decimals)
// into the market time of that time on the day of `reference`, by the rule of
// formatTimeOfDay(): the first 24 hours count from midnight, a later time is Unix time in
// local time. Nothing for any other text.
std::optional<Timestamp> parseMarketTime(const QString &text, Timestamp reference);

// The session controls: back to simulation, open a recording, play or pause, step, the replay
// speed, and the replay's position: a slider over the source's market times and a field to
// type a time. It only emits requests; the main window carries them out.
class ReplayToolBar : public QToolBar {
    Q_OBJECT

public:
    explicit ReplayToolBar(QWidget *parent = nullptr);

    // Shows Pause while the session plays, a simulation or a replay, and Play while it is
    // paused. Play is disabled once a replay finished or failed. Step works while paused. The
    // speed buttons work for any running market. The position is for replays only, and its
    // slider follows the replay's market time unless the user is dragging it.
    void setView(const MarketView &view);

    // Turns off play, pause, step, the speeds and the position for a market that the session
    // does not pace, a server's or a live feed's, with a tooltip that gives the reason. setView() then
    // leaves them off (replay_toolbar_remote.cpp).
    void setMarketPace(MarketPace pace);

    // Checks the button of `speed` without emitting speedRequested.
    void setSpeed(double speed);
    double speed() const { return m_speed; }

protected:
    // Moves the slider to a point clicked on its groove, rather than a page towards it.
    bool eventFilter(QObject *watched, QEvent *event) override;

signals:
    void simulationRequested();
    void openRequested();
    void playRequested();
    void pauseRequested();
    void speedRequested(double speed);
    void stepRequested();
    void seekRequested(Timestamp time);
    // Why the typed time was rejected, also shown under the field; empty once the field is
    // edited or a valid time is entered.
    void timeErrorChanged(const QString &message);

private:
    void togglePlaying();
    void addPositionControls();
    void seekToSlider();
    void seekToTypedTime();
    void showPosition(const MarketView &view);
    void showTimeError(const QString &message);

    QAction *m_simulation;
    QAction *m_open;
    QAction *m_playPause;
    QAction *m_step;
    QActionGroup *m_speeds;
    QSlider *m_position;
    QLineEdit *m_time;
    QString m_timeError;
    QAction *m_focusTime;
    double m_speed = 1.0;
    bool m_playing = false;
    MarketPace m_pace = MarketPace::Local;
    // The tooltips of the controls setMarketPace() replaces, restored when it is turned off.
    std::vector<std::pair<QObject *, QString>> m_localToolTips;
    // The replay's market times, which the slider's range of 0 to kPositionSteps spans; the
    // end is zero while the session does not know it.
    Timestamp m_start;
    Timestamp m_end;
    Timestamp m_shownTime;
};

} // namespace bourse::ui
