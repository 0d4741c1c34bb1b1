#pragma once

#include "market_view.h"

#include <QToolBar>

#include <optional>

class QAction;
class QActionGroup;

namespace bourse::ui {

// The replay speeds the terminal offers. A speed of 0 replays as fast as possible; a quarter
// of market time lets a student follow a fast market print by print.
inline constexpr double replaySpeeds[] = {0.25, 1.0, 10.0, 100.0, 0.0};

// Parses "0.25", "1", "10", "100" or "max" (a trailing "x" is allowed) into a replay speed;
// nothing for any other text.
std::optional<double> parseReplaySpeed(const QString &text);

// The session controls: back to simulation, open a LOBSTER file, play or pause, and the
// replay speed. It only emits requests; the main window carries them out.
class ReplayToolBar : public QToolBar {
    Q_OBJECT

public:
    explicit ReplayToolBar(QWidget *parent = nullptr);

    // Shows Pause while the session plays, a simulation or a replay, and Play while it is
    // paused. Play is disabled once a replay finished or failed. The speed buttons are for
    // replays only.
    void setView(const MarketView &view);

    // Checks the button of `speed` without emitting speedRequested.
    void setSpeed(double speed);
    double speed() const { return m_speed; }

signals:
    void simulationRequested();
    void openRequested();
    void playRequested();
    void pauseRequested();
    void speedRequested(double speed);

private:
    void togglePlaying();

    QAction *m_simulation;
    QAction *m_open;
    QAction *m_playPause;
    QActionGroup *m_speeds;
    double m_speed = 1.0;
    bool m_playing = false;
};

} // namespace bourse::ui
