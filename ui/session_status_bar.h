#pragma once

#include "market_view.h"

#include <QStatusBar>

#include <cstdint>
#include <optional>

class QLabel;

namespace bourse::ui {

class ElidedLabel;

// The status bar of the terminal: the session mode (with the seed or the replay file), the
// replay state and market time, the last error, events per second and the last sequence
// number. The mode and the error are elided to the width they get, with the full text in
// their tooltips, so a long file name or error never widens the window.
class SessionStatusBar : public QStatusBar {
    Q_OBJECT

public:
    explicit SessionStatusBar(QWidget *parent = nullptr);

    void setView(const MarketView &view);

    // Shows how many trades the time and sales tape never received; hidden while none.
    void setMissedTrades(std::uint64_t count);

    // The seed shown next to "Simulation", so a run can be repeated; nothing for a replay.
    void setSimulationSeed(std::optional<std::uint64_t> seed);

    // A lasting note on the session, such as the journal it was restored from; cleared by
    // clear().
    void setNotice(const QString &text);

    // The last event the journal has committed, or nothing when the session is not journaled.
    void setDurableSequence(std::optional<SequenceNumber> sequence);

    void clear();

private:
    QString modeText(const MarketView &view) const;

    ElidedLabel *m_mode;
    QLabel *m_replay;
    ElidedLabel *m_notice;
    ElidedLabel *m_error;
    QLabel *m_missed;
    QLabel *m_rate;
    QLabel *m_sequence;
    QLabel *m_durable;
    std::optional<std::uint64_t> m_seed;
};

// Returns "max" for a speed of 0 and "10x" for 10.
QString replaySpeedLabel(double speed);

// Returns the user-facing name of a replay state.
QString replayStateName(ReplayState state);

// Returns the replay part of the status bar: "Playing 10x · 09:30:00.000 · 1,454 messages",
// followed by " · 2 book mismatches" when the replay's book differed from the recorded one.
QString replayStatusText(const MarketView &view);

} // namespace bourse::ui
