#include "main_window.h"

#include "accounts_panel.h"
#include "blotter_panel.h"
#include "book_absence_overlay.h"
#include "branch_panel.h"
#include "candle_chart.h"
#include "csv_bar_feed.h"
#include "depth_chart.h"
#include "depth_feed.h"
#include "event_log_panel.h"
#include "instructor_panel.h"
#include "ladder_panel.h"
#include "logging.h"
#include "market_feed.h"
#include "market_watch_panel.h"
#include "order_gateway.h"
#include "order_ticket.h"
#include "positions_panel.h"
#include "replay_toolbar.h"
#include "risk_dashboard.h"
#include "session.h"
#include "session_status_bar.h"
#include "tape_feed.h"
#include "time_and_sales_panel.h"
#include "workspace_docks.h"
#include "workspace_manager.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QRandomGenerator>
#include <QScreen>
#include <QSettings>

#include <algorithm>
#include <chrono>

namespace bourse::ui {

namespace {

// Alt+1 to Alt+9, then Alt+0: the shortcut that focuses the `position`th panel, from 1.
QKeySequence panelKey(int position)
{
    return QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_0 + position % 10));
}

// Returns why the file at `path`, which no other format recognised, is no LOBSTER message file
// either, because its first line is not six numbers (time, type, order id, size, price,
// direction). Returns nothing for such a row, and for a file that cannot be read, because
// opening it reports that.
std::optional<std::string> notLobsterReason(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray line = file.readLine(4096).trimmed();
    if (line.isEmpty())
        return file.size() == 0 ? "the file is empty" : "its first line is empty";

    const bool text = std::all_of(line.begin(), line.end(), [](char c) {
        return c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    });
    if (!text)
        return "its first line is not text";
    const QList<QByteArray> fields = line.split(',');
    bool numbers = fields.size() == 6;
    for (const QByteArray &field : fields) {
        bool ok = false;
        field.trimmed().toDouble(&ok);
        numbers = numbers && ok;
    }
    if (numbers)
        return std::nullopt;

    // A header of open, high, low and close columns is a bar file that misses a column.
    const QByteArray header = line.toLower();
    bool bars = true;
    for (const char *name : {"open", "high", "low", "close"})
        bars = bars && header.contains(name);
    if (bars)
        return "its header looks like OHLCV bars, but a bar file needs the columns timestamp, "
               "open, high, low, close and volume";
    const QByteArray shown = line.size() > 60 ? line.left(60) + "..." : line;
    return "its first line, '" + shown.toStdString() + "', fits none of them";
}

// The error for a replay file of no known format, naming the formats tried.
std::string unknownFormatError(const std::string &path, const std::string &reason)
{
    return path +
           ": not a Bourse journal, LOBSTER message file, Bybit or Binance depth stream, "
           "Tardis trades or quotes, or OHLCV bar file: " +
           reason;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_feed(new MarketFeed(this))
    , m_docks(new PanelDocks(*this))
    , m_workspaces(new WorkspaceManager(*this, this))
    , m_statusBar(new SessionStatusBar(this))
{
    setWindowTitle(tr("Bourse"));
    setObjectName(QStringLiteral("mainWindow"));
    setAccessibleName(tr("Bourse trading terminal"));
    setDockNestingEnabled(true);
    setDockOptions(dockOptions() | QMainWindow::AllowTabbedDocks);
    // Every panel is a dock, so a workspace can place each one, the chart included.
    setCentralWidget(nullptr);
    QSize size(1400, 850);
    if (const QScreen *screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableSize());
    resize(size);

    m_statusBar->setAccessibleName(tr("Session status"));
    setStatusBar(m_statusBar);
    createToolBar();
    // Connected before the panels, so that they are cleared before they see the first view
    // after a seek.
    connect(m_feed, &MarketFeed::viewChanged, this, &MainWindow::clearPanelsAfterSeek);
    createPanels();
    createMenus();
    createBranchAction();

    connect(m_feed, &MarketFeed::viewChanged, this, &MainWindow::showView);
    connect(m_workspaces, &WorkspaceManager::workspacesChanged, this,
            &MainWindow::rebuildWorkspaceMenu);
    connect(m_workspaces, &WorkspaceManager::currentChanged, this,
            &MainWindow::rebuildWorkspaceMenu);
    m_workspaces->restoreLast();
    // SIGTERM and SIGINT quit the application without closing the window first.
    connect(qApp, &QCoreApplication::aboutToQuit, m_workspaces, &WorkspaceManager::saveCurrent);
}

MainWindow::~MainWindow()
{
    // The feed's source refers to the session, so it must let go first, and the panels must
    // drop the gateway before it goes.
    m_feed->setSource({});
    for (const auto &setGateway : m_gatewayPanels)
        setGateway(nullptr);
    m_gateway.reset();
}

template <typename Panel>
void MainWindow::linkPanel(Panel *panel)
{
    // Each panel's share of the UI thread, for the benchmark: two clock reads a view.
    const std::size_t slot = m_viewTimes.size();
    m_viewTimes.push_back({panel->objectName(), 0});
    connect(m_feed, &MarketFeed::viewChanged, panel,
            [this, panel, slot](const std::shared_ptr<const MarketView> &view) {
                const auto start = std::chrono::steady_clock::now();
                panel->showView(view);
                m_viewTimes[slot].nanoseconds +=
                    std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
            });
    m_clearPanels.push_back([panel] { panel->clear(); });
    if constexpr (requires(OrderGateway * gateway) { panel->setGateway(gateway); })
        m_gatewayPanels.push_back([panel](OrderGateway *gateway) { panel->setGateway(gateway); });
    if constexpr (requires { &Panel::instrumentSelected; })
        connect(panel, &Panel::instrumentSelected, this, &MainWindow::selectInstrument);
}

void MainWindow::createPanels()
{
    int position = 0;
    const auto add = [this, &position](const char *name, const QString &title, QWidget *panel,
                                       PanelDocks::Fit fit = PanelDocks::Fit::Fill) {
        m_docks->add(name, title, panel, panelKey(++position), fit);
    };

    m_marketWatch = new MarketWatchPanel(this);
    m_marketWatch->setObjectName(QStringLiteral("marketWatch"));
    linkPanel(m_marketWatch);
    add(dock::marketWatch, tr("Market watch"), m_marketWatch);

    auto *ladder = new LadderPanel(this);
    ladder->setObjectName(QStringLiteral("ladder"));
    linkPanel(ladder);
    add(dock::ladder, tr("Order book"), ladder);

    auto *chart = new CandleChart(this);
    chart->setObjectName(QStringLiteral("candleChart"));
    linkPanel(chart);
    add(dock::chart, tr("Chart"), chart);

    auto *depth = new DepthChart(this);
    depth->setObjectName(QStringLiteral("depthChart"));
    linkPanel(depth);
    add(dock::depthChart, tr("Depth"), depth);
    // A source without an order book shows a notice over both book panels.
    for (QWidget *bookPanel : {static_cast<QWidget *>(ladder), static_cast<QWidget *>(depth)}) {
        auto *absence = new BookAbsenceOverlay(bookPanel);
        connect(m_feed, &MarketFeed::viewChanged, absence, &BookAbsenceOverlay::showView);
        m_clearPanels.push_back([absence] { absence->clear(); });
    }

    m_tape = new TimeAndSalesPanel(this);
    m_tape->setObjectName(QStringLiteral("timeAndSales"));
    linkPanel(m_tape);
    add(dock::timeAndSales, tr("Time and sales"), m_tape);

    m_ticket = new OrderTicket(this);
    m_ticket->setObjectName(QStringLiteral("orderTicket"));
    linkPanel(m_ticket);
    add(dock::orderTicket, tr("Order ticket"), m_ticket, PanelDocks::Fit::Scroll);
    createTicketHotkeys();

    auto *blotter = new BlotterPanel(this);
    blotter->setObjectName(QStringLiteral("blotter"));
    linkPanel(blotter);
    add(dock::blotter, tr("Blotter"), blotter);

    auto *positions = new PositionsPanel(this);
    positions->setObjectName(QStringLiteral("positions"));
    linkPanel(positions);
    add(dock::positions, tr("Positions"), positions);

    auto *risk = new RiskDashboard(this);
    risk->setObjectName(QStringLiteral("riskDashboard"));
    linkPanel(risk);
    add(dock::risk, tr("Risk"), risk, PanelDocks::Fit::Scroll);

    m_eventLog = new EventLogPanel(this);
    m_eventLog->setObjectName(QStringLiteral("eventLog"));
    linkPanel(m_eventLog);
    add(dock::eventLog, tr("Event log"), m_eventLog, PanelDocks::Fit::Scroll);

    // The read models the journal keeps: every order, fill and position of past runs too,
    // as SQL tools see them. The live blotter and positions read the session's views.
    m_accounts = new AccountsPanel(this);
    m_accounts->setObjectName(QStringLiteral("journalHistory"));
    m_docks->add(dock::journalHistory, tr("Journal history"), m_accounts,
                 QKeySequence(Qt::ALT | Qt::Key_J), PanelDocks::Fit::Scroll);

    // The instructor's controls of a training scenario (main_window_training.cpp).
    m_instructor = new InstructorPanel(this);
    m_instructor->setObjectName(QStringLiteral("instructor"));
    m_instructor->setSessionSource([this] { return m_session.get(); });
    linkPanel(m_instructor);
    m_docks->add(kInstructorDock, tr("Instructor"), m_instructor, QKeySequence(Qt::ALT | Qt::Key_I),
                 PanelDocks::Fit::Scroll);

    // The original run of a replay beside its branch (main_window_branch.cpp).
    m_branchPanel = new BranchPanel(this);
    m_branchPanel->setObjectName(QStringLiteral("branch"));
    m_branchPanel->setSessionSource([this] { return m_session.get(); });
    linkPanel(m_branchPanel);
    m_docks->add(kBranchDock, tr("Branch"), m_branchPanel, QKeySequence(Qt::ALT | Qt::Key_B),
                 PanelDocks::Fit::Scroll);

    // The link to a server in remote mode (main_window_remote.cpp).
    createConnectionPanel();
}

// The ticket's panic key, F12, cancels every order of its account wherever the focus is. Buy
// and sell stay inside the ticket: F2 is also the edit key of the blotter's tables, and an
// order must never go out because the trader meant to edit another.
void MainWindow::createTicketHotkeys()
{
    QAction *cancelAll = m_ticket->cancelAllAction();
    QList<QKeySequence> inTicket = cancelAll->shortcuts();
    inTicket.removeAll(QKeySequence(Qt::Key_F12));
    cancelAll->setShortcuts(inTicket);

    auto *action = new QAction(cancelAll->text(), this);
    action->setObjectName(QStringLiteral("cancelAllHotkey"));
    action->setShortcut(QKeySequence(Qt::Key_F12));
    action->setShortcutContext(Qt::WindowShortcut);
    addAction(action);
    connect(action, &QAction::triggered, cancelAll, &QAction::trigger);
}

void MainWindow::setAccountsSource(std::function<std::shared_ptr<const AccountsView>()> source)
{
    m_accounts->setSource(std::move(source));
}

void MainWindow::setEventHistorySource(
    std::function<std::vector<Event>(SequenceNumber first, std::size_t count)> source)
{
    m_eventLog->setHistorySource(std::move(source));
}

void MainWindow::setDurableSource(std::function<std::optional<SequenceNumber>()> source)
{
    m_durableSource = std::move(source);
}

void MainWindow::setSessionReportHandler(std::function<void()> handler)
{
    m_sessionReportHandler = std::move(handler);
    m_sessionReport->setEnabled(static_cast<bool>(m_sessionReportHandler));
}

void MainWindow::showNotice(const QString &text)
{
    m_statusBar->setNotice(text);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_shown) {
        m_shown = true;
        m_workspaces->windowShown();
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_workspaces->saveCurrent();
    QMainWindow::closeEvent(event);
}

MarketPace MainWindow::marketPace() const
{
    if (isRemote())
        return MarketPace::Server;
    return m_liveFeedShown ? MarketPace::Feed : MarketPace::Local;
}

void MainWindow::createToolBar()
{
    const double previousSpeed = m_toolBar ? m_toolBar->speed() : 1.0;
    auto *toolBar = new ReplayToolBar(this);
    toolBar->setSpeed(previousSpeed);
    if (m_toolBar) {
        insertToolBar(m_toolBar, toolBar);
        delete m_toolBar;
    } else {
        addToolBar(Qt::TopToolBarArea, toolBar);
    }
    m_toolBar = toolBar;
    m_toolBar->setMarketPace(marketPace());
    m_toolBar->setAccessibleName(tr("Session controls"));
    // The toolbar plays and pauses on Space, which would take the key from every button,
    // check box and list in the window, and from the ladder, where Space centres.
    if (auto *playPause = m_toolBar->findChild<QAction *>(QStringLiteral("playPauseAction")))
        playPause->setShortcuts(
            {QKeySequence(Qt::CTRL | Qt::Key_P), QKeySequence(Qt::Key_MediaTogglePlayPause)});

    connect(m_toolBar, &ReplayToolBar::simulationRequested, this,
            [this] { startSimulation(QRandomGenerator::global()->generate64()); });
    connect(m_toolBar, &ReplayToolBar::openRequested, this, &MainWindow::openReplayFile);
    connect(m_toolBar, &ReplayToolBar::playRequested, this, [this] {
        if (m_session)
            m_session->play();
    });
    connect(m_toolBar, &ReplayToolBar::pauseRequested, this, [this] {
        if (m_session)
            m_session->pause();
    });
    connect(m_toolBar, &ReplayToolBar::speedRequested, this, [this](double speed) {
        if (m_session)
            m_session->setSpeed(speed);
    });
    connect(m_toolBar, &ReplayToolBar::stepRequested, this, [this] {
        if (m_session)
            m_session->step();
    });
    connect(m_toolBar, &ReplayToolBar::seekRequested, this, [this](Timestamp time) {
        if (m_session)
            m_session->seek(time);
    });
}

void MainWindow::setReplaySourceResolver(ReplaySourceResolver resolver)
{
    m_replaySourceResolver = std::move(resolver);
}

void MainWindow::setRunHandlerFactory(Session::RunHandlerFactory factory)
{
    m_runHandlerFactory = std::move(factory);
}

void MainWindow::setSessionOptions(const Session::Options &options)
{
    m_sessionOptions = options;
}

// A simulation is watched live, so one-second bars; a replayed day spans hours of market time
// that 100x compresses into minutes, so ten-second bars.
std::unique_ptr<Session> MainWindow::makeSession(SessionMode mode) const
{
    Session::Options options = m_sessionOptions;
    if (mode == SessionMode::Replay)
        options.barIntervalNanoseconds = 10'000'000'000;
    auto session = std::make_unique<Session>(options);
    if (m_runHandlerFactory)
        session->setRunHandlerFactory(m_runHandlerFactory);
    return session;
}

void MainWindow::startSimulation(std::uint64_t seed)
{
    auto session = makeSession(SessionMode::Simulation);
    session->startSimulation(seed);
    qCInfo(lcUi) << "simulation started with seed" << seed;

    installSession(std::move(session), SessionMode::Simulation);
    m_statusBar->setSimulationSeed(seed);
}

void MainWindow::resumeSimulation(std::uint64_t seed, Session::Continuation continuation)
{
    const SequenceNumber from = continuation.engine ? continuation.engine->lastSequence() : 0;
    auto session = makeSession(SessionMode::Simulation);
    session->resumeSimulation(seed, std::move(continuation));
    qCInfo(lcUi) << "simulation resumed after sequence" << from << "with seed" << seed;

    installSession(std::move(session), SessionMode::Simulation);
    m_statusBar->setSimulationSeed(seed);
}

std::optional<QString> MainWindow::startReplay(const QString &messagePath, double speed)
{
    Session::ReplaySource source;
    source.messagePath = messagePath.toStdString();
    source.speed = speed;
    // A file the application recognises (a Bourse journal), an exchange's order-book stream,
    // a trade or quote file or a bar file is recognised by its content or its name. Any other
    // file whose first line is a LOBSTER row is read as a LOBSTER message file.
    std::string problem;
    if (m_replaySourceResolver && m_replaySourceResolver(source.messagePath, source, problem)) {
        if (!problem.empty())
            return QString::fromStdString(problem);
    } else if (const std::optional<replay::DepthFeedSource> depth =
                   replay::depthFeedSourceFor(source.messagePath, problem)) {
        source.openFeed = [depth = *depth](Engine &engine, std::string &error) {
            return replay::openDepthFeed(depth, engine, error);
        };
    } else if (const std::optional<replay::TapeFeedSource> tape =
                   replay::tapeFeedSourceFor(source.messagePath)) {
        source.openFeed = [tape = *tape](Engine &engine, std::string &error) {
            return replay::openTapeFeed(tape, engine, error);
        };
    } else if (const std::optional<replay::BarFeedSource> bars =
                   replay::barFeedSourceFor(source.messagePath)) {
        source.openFeed = [bars = *bars](Engine &engine, std::string &error) {
            return replay::openBarFeed(bars, engine, error);
        };
    } else if (!problem.empty()) {
        return QString::fromStdString(problem);
    } else if (const std::optional<std::string> reason = notLobsterReason(source.messagePath)) {
        return QString::fromStdString(unknownFormatError(source.messagePath, *reason));
    }

    auto session = makeSession(SessionMode::Replay);
    if (std::optional<std::string> error = session->startReplay(source))
        return QString::fromStdString(*error);
    qCInfo(lcUi) << "replay started:" << messagePath << "at speed" << speed;

    installSession(std::move(session), SessionMode::Replay);
    m_statusBar->setSimulationSeed(std::nullopt);
    m_toolBar->setSpeed(speed);
    return std::nullopt;
}

void MainWindow::installSession(std::unique_ptr<Session> session, SessionMode mode)
{
    std::unique_ptr<Session> previous = std::exchange(m_session, std::move(session));
    std::unique_ptr<RemoteLink> previousRemote = takeRemote();
    m_liveFeedShown = false;
    m_feed->setSession(*m_session);

    // A replay trades too: its orders go to the session's fill model and fill as simulated.
    // A journal replay, which replays the recorded trader's own orders, rejects them at the
    // gateway (Session::submit() returns false).
    std::unique_ptr<OrderGateway> previousGateway = std::move(m_gateway);
    m_gateway = std::make_unique<SessionGateway>(*m_session);
    if (mode == SessionMode::Replay)
        qCInfo(lcUi) << "orders against the replay fill through the queue-position fill model"
                     << "and show as simulated";
    for (const auto &setGateway : m_gatewayPanels)
        setGateway(m_gateway.get());

    for (const auto &clear : m_clearPanels)
        clear();
    m_shownSeeks = 0;
    m_statusBar->clear();
    m_feed->start();

    // NOTE: destroying the previous session joins its engine thread here, on the GUI thread, so
    // the window waits until that thread has finished the step it is in.
    previousGateway.reset();
    previousRemote.reset();
    previous.reset();
}

void MainWindow::selectInstrument(InstrumentId instrument)
{
    if (m_remote)
        m_remote->setFocus(instrument);
    else if (m_session)
        m_session->setFocus(instrument);
}

// A seek starts the views again at a new position, often an earlier one, which panels that
// keep what they showed (the tape, the event log) would take for a view they have seen.
void MainWindow::clearPanelsAfterSeek(const std::shared_ptr<const MarketView> &view)
{
    if (view->replaySeeks == m_shownSeeks)
        return;
    m_shownSeeks = view->replaySeeks;
    for (const auto &clear : m_clearPanels)
        clear();
}

void MainWindow::showView(const std::shared_ptr<const MarketView> &view)
{
    // The status bar cuts a long error to its width, so the log keeps it whole, once.
    if (view->error != m_loggedError) {
        m_loggedError = view->error;
        if (!m_loggedError.empty())
            qCWarning(lcUi).noquote() << "session error:" << QString::fromStdString(m_loggedError);
    }
    m_statusBar->setView(*view);
    if (m_durableSource)
        m_statusBar->setDurableSequence(m_durableSource());
    m_statusBar->setMissedTrades(m_tape->missedTrades());
    m_toolBar->setView(*view);
}

void MainWindow::openReplayFile()
{
    QSettings settings;
    const QString directoryKey = QStringLiteral("replay/lastDirectory");
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a recorded market"), settings.value(directoryKey).toString(),
        tr("Recorded markets (*_message_*.csv *depth-snap.csv *depth-update.csv *.data "
           "*.jsonl *trades*.csv *quotes*.csv *.sqlite);;Bourse journals (*.sqlite);;"
           "LOBSTER message files (*_message_*.csv);;"
           "Binance depth files (*depth-snap.csv *depth-update.csv);;Bybit order-book streams "
           "(*.data *.jsonl);;Trade and quote files (*trades*.csv *quotes*.csv);;"
           "OHLCV bar files (*.csv);;All files (*)"));
    if (path.isEmpty())
        return;
    if (m_persistent)
        settings.setValue(directoryKey, QFileInfo(path).absolutePath());

    if (std::optional<QString> error = startReplay(path, m_toolBar->speed()))
        QMessageBox::warning(this, tr("Replay"), tr("Cannot start the replay.\n\n%1").arg(*error));
}

} // namespace bourse::ui
