#pragma once

#include "market_view.h"

#include <QStatusBar>
#include <QTimer>

#include <cstdint>
#include <memory>
#include <optional>

class QLabel;

namespace bourse::ui {

class ElidedLabel;
class RiskToneLabel;

// The health of a connection, which sets the colour of its state in the status bar.
enum class ConnectionSeverity { Normal, Warning, Error };

// The status bar of the terminal. It shows the session mode (simulation with its seed, replay
// with its file, remote with its server, or the endpoint it hosts a market on), the replay
// state and market time, the connection state and the last error. Every engaged kill switch,
// the global one and those of the trader's accounts, shows in red while it is engaged, so it is
// seen outside the risk dashboard. At the right are events per second, the last and the durable
// sequence number, and the market and wall clocks. The mode and the error are elided to the width
// they get, with the full text in their tooltips, so a long file name or error never widens the
// window.
class SessionStatusBar : public QStatusBar {
    Q_OBJECT

public:
    explicit SessionStatusBar(QWidget *parent = nullptr);

    void setView(const MarketView &view);
    // Calls setView(*view). A null view changes nothing.
    void showView(const std::shared_ptr<const MarketView> &view);

    // The state of the link to the engine, such as "Connected" or "Reconnecting in 4 s". A
    // local session shows "Local", which clear() does not change. An empty `toolTip` keeps the
    // one that explains the label.
    void setConnectionState(const QString &text, ConnectionSeverity severity,
                            const QString &toolTip = {});

    // The server of a remote session, shown as the mode. Empty means a local session.
    void setRemoteEndpoint(const QString &endpoint);
    // The order-entry endpoint of the market this terminal hosts and what the market is, shown
    // as "Hosting on tcp://127.0.0.1:7401 · simulation, seed 7".
    void setHostingEndpoint(const QString &endpoint, const QString &market);

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

protected:
    void changeEvent(QEvent *event) override;

private:
    QString modeText(const MarketView &view) const;
    void showWallClock();
    void applyErrorColor();

    ElidedLabel *m_mode;
    QLabel *m_replay;
    ElidedLabel *m_notice;
    ElidedLabel *m_error;
    QLabel *m_missed;
    QLabel *m_rate;
    QLabel *m_sequence;
    QLabel *m_durable;
    RiskToneLabel *m_connection;
    RiskToneLabel *m_killSwitch;
    QLabel *m_marketClock;
    QLabel *m_wallClock;
    QTimer m_clockTimer;
    std::optional<std::uint64_t> m_seed;
    QString m_remoteEndpoint;
    bool m_hosting = false; // m_remoteEndpoint is the server this terminal runs
    QString m_hostedMarket;
};

// Returns the status bar's text of an engaged global kill switch, such as
// "KILL SWITCH: CANCEL ALL (all accounts)". Returns an empty text when it is not engaged.
QString globalKillSwitchText(KillSwitchScope scope);

// Returns the status bar's text of every engaged kill switch of `trader`, the global one first
// and then the accounts' in their order, joined by " · ", such as
// "KILL SWITCH: PAUSE (account 1)". Returns an empty text when none is engaged.
QString engagedKillSwitchText(const TraderView &trader);

// Returns "max" for a speed of 0 and "10x" for 10.
QString replaySpeedLabel(double speed);

// Returns the user-facing name of a replay state.
QString replayStateName(ReplayState state);

// Returns the replay part of the status bar: "Playing 10x · 09:30:00.000 · 1,454 messages",
// followed by " · 2 book mismatches" when the replay's book differed from the recorded one.
QString replayStatusText(const MarketView &view);

} // namespace bourse::ui
