#pragma once

#include "market_view.h"
#include "session.h"

#include <QMainWindow>

#include <cstdint>
#include <memory>
#include <optional>

class QTableView;

namespace bourse::ui {

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

    // Replaces the current session with a replay of a LOBSTER message file at `speed`
    // (0 means as fast as possible). Returns the error when the replay cannot start; the
    // current session keeps running then.
    std::optional<QString> startReplay(const QString &messagePath, double speed);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void createLadderDock();
    void createTapeDock();
    void sizeDocks();
    void createToolBar();
    std::unique_ptr<Session> makeSession(SessionMode mode) const;
    void installSession(std::unique_ptr<Session> session);
    void showView(const std::shared_ptr<const MarketView> &view);
    void openReplayFile();

    std::unique_ptr<Session> m_session;
    Session::RunHandlerFactory m_runHandlerFactory;
    MarketFeed *m_feed;
    LadderModel *m_ladderModel;
    TimeAndSalesModel *m_tapeModel;
    CandleChart *m_chart;
    SessionStatusBar *m_statusBar;
    ReplayToolBar *m_toolBar = nullptr;
    bool m_docksSized = false;
};

} // namespace bourse::ui
