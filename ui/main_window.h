#pragma once

#include "accounts_view.h"
#include "host_settings.h"
#include "market_view.h"
#include "remote_link.h"
#include "session.h"
#include "theme.h"
#include "training_record.h"

#include <QMainWindow>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QActionGroup;
class QMenu;
class QTimer;

namespace bourse::net::feed {
struct FeedSubscription;
}

namespace bourse::ui {

class AccountsPanel;
class ConnectionPanel;
class BranchPanel;
class EventLogPanel;
class InstructorPanel;
class MarketFeed;
class MarketWatchPanel;
class OrderTicket;
class OrderGateway;
class PanelDocks;
class ReplayToolBar;
enum class MarketPace : std::uint8_t;
class SessionStatusBar;
class TimeAndSalesPanel;
class WorkspaceManager;

// The terminal window: every panel in a dock (market watch, ladder, charts, time and sales,
// order ticket, blotter, positions, risk, event log, journal history), arranged by named
// workspaces, with session controls above and the status below. It owns the running Session
// and replaces it when the user switches mode. It links the panels: each shows the views of
// the MarketFeed, and the trading panels send through a gateway to the current session. An
// instrument chosen in a panel becomes the session's focus, which every panel then shows.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Gives every session this window starts the handlers of each run, such as a journal
    // writer. Takes effect from the next start.
    void setRunHandlerFactory(Session::RunHandlerFactory factory);

    // Recognises a recorded file that only the application can open, such as a Bourse journal,
    // which needs the storage library: it sets up `source` for the file and returns true, or
    // returns false for a file it does not know. It sets `error` for a file it knows but cannot
    // read. startReplay() asks it before trying the formats the window knows.
    using ReplaySourceResolver = std::function<bool(
        const std::string &path, Session::ReplaySource &source, std::string &error)>;
    void setReplaySourceResolver(ReplaySourceResolver resolver);

    // The options of every session this window starts from now on; a replay sets its own bar
    // interval on top.
    void setSessionOptions(const Session::Options &options);

    // Replaces the current session with a simulated market. The same seed gives the same
    // market.
    void startSimulation(std::uint64_t seed);

    // Replaces the current session with a simulated market that continues the engine of
    // `continuation`, rebuilt from its journal, showing its bars and prints from the start.
    void resumeSimulation(std::uint64_t seed, Session::Continuation continuation);

    // The orders, fills and positions the journal history dock shows, polled four times a
    // second.
    void setAccountsSource(std::function<std::shared_ptr<const AccountsView>()> source);

    // The last event the journal has committed, shown beside the sequence number; nothing
    // while the session is not journaled. Polled with every view.
    void setDurableSource(std::function<std::optional<SequenceNumber>()> source);

    // The source the event log reads events from that it no longer keeps, such as the
    // session's journal.
    void setEventHistorySource(
        std::function<std::vector<Event>(SequenceNumber first, std::size_t count)> source);

    // What the Session menu's "Session report" runs; without one the action is off, as for a
    // terminal that keeps no journal to read the report from.
    void setSessionReportHandler(std::function<void()> handler);

    // Shows a note on the current session in the status bar, such as the journal it was
    // restored from, until the next session starts.
    void showNotice(const QString &text);

    // Replaces the current session with a replay of a LOBSTER message file at `speed`
    // (0 means as fast as possible). Returns the error when the replay cannot start; the
    // current session keeps running then.
    std::optional<QString> startReplay(const QString &messagePath, double speed);

    // Replaces the current session with a live remote feed (docs/feeds.md) whose books the
    // session rebuilds as it rebuilds a replay's, and against which the trader paper-trades
    // (main_window_feed.cpp). `name` names the source in the status bar. Returns the error when
    // a socket cannot connect; the current session keeps running then.
    std::optional<QString> startFeed(std::vector<net::feed::FeedSubscription> feeds,
                                     const QString &name);

    // Replaces the current session with the agent market of the training scenario in `path`,
    // with its own seed unless `seed` is given, playing at `speed` times market time, and
    // shows the instructor panel. Returns the scenario's errors, one FILE:LINE:COLUMN line
    // each, when it cannot start; the current session keeps running then
    // (main_window_training.cpp).
    std::optional<QString> startTraining(const QString &path, std::optional<std::uint64_t> seed,
                                         double speed = 1.0);
    // Replaces the current session with the training scenario of `record` continued on the
    // engine of `continuation`, rebuilt from the journal that keeps the record, playing at
    // `speed` times market time, and shows the instructor panel. Returns the scenario's errors,
    // leaving `continuation` and the current session as they were, when the recorded text no
    // longer parses (main_window_training.cpp).
    std::optional<QString> resumeTraining(const training::TrainingRecord &record,
                                          Session::Continuation &continuation, double speed = 1.0);

    // Branches the running replay at its current moment and raises the Branch panel, which shows
    // the comparison, or why the session cannot branch (main_window_branch.cpp).
    void branchReplay();

    // Remote mode (main_window_remote.cpp): the panels show the views of a RemoteSession on a
    // `bourse-engine serve`, and orders go to the server. The factory makes the link; without
    // one, Connect to server reports that this build has no remote mode.
    void setRemoteLinkFactory(RemoteLinkFactory factory);
    // Replaces the current session with a link to the server of `options`. Returns the error
    // when the link cannot start; the current session keeps running then.
    std::optional<QString> connectToServer(net::ClientOptions options);
    // Replaces the current session with `link`, whose server `endpoint` the status bar names.
    void startRemote(RemoteLink link, const QString &endpoint);
    // Closes the link to the server. The panels stay empty until a new session starts.
    void disconnectFromServer();
    bool isRemote() const { return m_remote != nullptr; }
    // What paces the market shown: the session, a server or a live feed.
    MarketPace marketPace() const;

    // Serves the market of `plan` to peer terminals (host mode, main_window_host.cpp) and shows
    // it as in remote mode, through the terminal's own session on the server. The instructor
    // panel pauses the market and injects events. A market hosted already stops first. Returns
    // the error when the server cannot start, and any other session keeps running.
    std::optional<QString> startHost(HostPlan plan);
    bool isHosting() const;
    // The endpoints and the server key that peers connect with; nothing unless hosting.
    std::optional<net::HostEndpoints> hostEndpoints() const;

    // Makes an instrument the focus of the session, which every panel then follows. Panels
    // that emit instrumentSelected call it.
    void selectInstrument(InstrumentId instrument);

    // Applies `theme` to the application and repaints every widget. The View menu's choice is
    // also saved in the settings, when they are persistent; this call saves nothing.
    void setTheme(theme::Theme theme);

    // The theme saved by the View menu, or nothing when none was.
    static std::optional<theme::Theme> savedTheme();

    // With persistence off, the window writes nothing to the settings: no workspace, no
    // theme, no replay folder. A screenshot or a benchmark run uses it.
    void setSettingsPersistent(bool persistent);

    // The time each panel has spent in showView() since the window was made, by the panel's
    // object name.
    struct PanelTime {
        QString panel;
        std::int64_t nanoseconds = 0;
    };
    const std::vector<PanelTime> &panelViewTimes() const { return m_viewTimes; }

    WorkspaceManager &workspaces() const { return *m_workspaces; }
    PanelDocks &docks() const { return *m_docks; }
    MarketFeed &feed() const { return *m_feed; }
    // The running session, or nullptr before the first start. The window owns it.
    Session *session() const { return m_session.get(); }

protected:
    void showEvent(QShowEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    template <typename Panel>
    void linkPanel(Panel *panel);
    void createPanels();
    void createTicketHotkeys();
    void createMenus();
    void createThemeMenu(QMenu &view);
    void createWorkspaceMenu();
    void rebuildWorkspaceMenu();
    void saveWorkspaceAs();
    void deleteWorkspace();
    void showShortcuts();
    void createToolBar();
    std::unique_ptr<Session> makeSession(SessionMode mode) const;
    void installSession(std::unique_ptr<Session> session, SessionMode mode);
    void connectInstructor(); // main_window_training.cpp
    void showView(const std::shared_ptr<const MarketView> &view);
    void clearPanelsAfterSeek(const std::shared_ptr<const MarketView> &view);
    void openReplayFile();
    void openTrainingScenario();
    void showInstructor();
    enum class DockFocus : std::uint8_t { Take, Keep };
    void raiseAndEnlargeDock(const char *dockName, const QWidget &panel, int heightPercent,
                             DockFocus focus = DockFocus::Take);
    void createBranchAction();
    void createRemoteActions(QMenu &session); // main_window_remote.cpp
    void createConnectionPanel();
    void createHostAction(QMenu &session); // main_window_host.cpp
    void openHostDialog();
    void showHosting(const HostedMarket &hosted);
    void openConnectDialog();
    void showConnectionStatus();
    std::unique_ptr<RemoteLink> takeRemote();

    std::unique_ptr<Session> m_session;
    std::unique_ptr<OrderGateway> m_gateway;
    std::unique_ptr<RemoteLink> m_remote; // in remote mode instead of m_session
    RemoteLinkFactory m_remoteFactory;
    ConnectionPanel *m_connectionPanel = nullptr;
    MarketWatchPanel *m_marketWatch = nullptr;
    QTimer *m_connectionTimer = nullptr;
    QAction *m_disconnectAction = nullptr;
    bool m_liveFeedShown = false; // the session's source is a live feed (main_window_feed.cpp)
    std::uint64_t m_remoteInstance = 0; // the server run the panels show; zero before the first
    Session::Options m_sessionOptions;
    Session::RunHandlerFactory m_runHandlerFactory;
    ReplaySourceResolver m_replaySourceResolver;
    std::function<std::optional<SequenceNumber>()> m_durableSource;
    std::function<void()> m_sessionReportHandler;
    QAction *m_sessionReport = nullptr;
    MarketFeed *m_feed;
    PanelDocks *m_docks;
    WorkspaceManager *m_workspaces;
    AccountsPanel *m_accounts = nullptr;
    InstructorPanel *m_instructor = nullptr;
    BranchPanel *m_branchPanel = nullptr;
    TimeAndSalesPanel *m_tape = nullptr;
    OrderTicket *m_ticket = nullptr;
    EventLogPanel *m_eventLog = nullptr;
    SessionStatusBar *m_statusBar;
    ReplayToolBar *m_toolBar = nullptr;
    QMenu *m_workspaceMenu = nullptr;
    QActionGroup *m_themeActions = nullptr;
    QActionGroup *m_workspaceChoices = nullptr;
    // What each panel does for a new session, and with the gateway of a new session.
    std::vector<std::function<void()>> m_clearPanels;
    std::vector<std::function<void(OrderGateway *)>> m_gatewayPanels;
    std::vector<PanelTime> m_viewTimes;
    bool m_persistent = true;
    bool m_shown = false;
    std::string m_loggedError;      // the last session error written to the log
    std::uint64_t m_shownSeeks = 0; // MarketView::replaySeeks of the last view shown
};

} // namespace bourse::ui
