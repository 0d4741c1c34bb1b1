#pragma once

#include "accounts_view.h"
#include "market_view.h"
#include "session.h"

#include <QMainWindow>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

class QTableView;

namespace bourse::ui {

class AccountsPanel;
class CandleChart;
class LadderModel;
class MarketFeed;
class ReplayToolBar;
class SessionStatusBar;
class TimeAndSalesModel;

// The terminal window: the candlestick chart in the middle, the order book ladder and the
// time and sales tape in docks on the right, session controls above and the status below.
// It owns the running Session and replaces it when the user switches mode.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Gives every session this window starts the handlers of each run, such as a journal
    // writer. Takes effect from the next start.
    void setRunHandlerFactory(Session::RunHandlerFactory factory);

    // Replaces the current session with a simulated market. The same seed gives the same
    // market.
    void startSimulation(std::uint64_t seed);

    // Replaces the current session with a simulated market that continues the engine of
    // `continuation`, rebuilt from its journal, showing its bars and prints from the start.
    void resumeSimulation(std::uint64_t seed, Session::Continuation continuation);

    // The orders, fills and positions the accounts dock shows, polled four times a second.
    void setAccountsSource(std::function<std::shared_ptr<const AccountsView>()> source);

    // The last event the journal has committed, shown beside the sequence number; nothing
    // while the session is not journaled. Polled with every view.
    void setDurableSource(std::function<std::optional<SequenceNumber>()> source);

    // Shows a note on the current session in the status bar, such as the journal it was
    // restored from, until the next session starts.
    void showNotice(const QString &text);

    // Replaces the current session with a replay of a LOBSTER message file at `speed`
    // (0 means as fast as possible). Returns the error when the replay cannot start; the
    // current session keeps running then.
    std::optional<QString> startReplay(const QString &messagePath, double speed);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void createLadderDock();
    void createTapeDock();
    void createAccountsDock();
    void sizeDocks();
    void createToolBar();
    std::unique_ptr<Session> makeSession(SessionMode mode) const;
    void installSession(std::unique_ptr<Session> session);
    void showView(const std::shared_ptr<const MarketView> &view);
    void openReplayFile();

    std::unique_ptr<Session> m_session;
    Session::RunHandlerFactory m_runHandlerFactory;
    std::function<std::optional<SequenceNumber>()> m_durableSource;
    MarketFeed *m_feed;
    LadderModel *m_ladderModel;
    TimeAndSalesModel *m_tapeModel;
    CandleChart *m_chart;
    AccountsPanel *m_accounts;
    SessionStatusBar *m_statusBar;
    ReplayToolBar *m_toolBar = nullptr;
    bool m_docksSized = false;
};

} // namespace bourse::ui
