#include "main_window.h"

#include "accounts_panel.h"
#include "candle_chart.h"
#include "ladder_delegate.h"
#include "ladder_model.h"
#include "logging.h"
#include "market_feed.h"
#include "replay_toolbar.h"
#include "session.h"
#include "session_status_bar.h"
#include "theme.h"
#include "time_and_sales_model.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QMessageBox>
#include <QRandomGenerator>
#include <QSettings>
#include <QTableView>

namespace bourse::ui {

namespace {

constexpr int tapeRows = 1000;

// A read-only table with a fixed-pitch font and compact rows, shared by the ladder and tape.
QTableView *createTable(QAbstractItemModel *model, QStyledItemDelegate *delegate, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setModel(model);
    delegate->setParent(table);
    table->setItemDelegate(delegate);
    table->setFont(theme::monospaceFont());
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->setCornerButtonEnabled(false);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setFocusPolicy(Qt::NoFocus);
    table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    QHeaderView *rows = table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setHighlightSections(false);
    return table;
}

// Fixes a column to the width of `sample` in the table's font, plus padding.
void fitColumn(QTableView *table, int column, const QString &sample)
{
    const int padding = 20;
    table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::Fixed);
    table->setColumnWidth(column, table->fontMetrics().horizontalAdvance(sample) + padding);
}

QDockWidget *createDock(const QString &title, const QString &name, QWidget *content,
                        QWidget *parent)
{
    auto *dock = new QDockWidget(title, parent);
    dock->setObjectName(name);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    dock->setWidget(content);
    return dock;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_feed(new MarketFeed(this))
    , m_ladderModel(new LadderModel(Session::Options{}.viewLevels, this))
    , m_tapeModel(new TimeAndSalesModel(tapeRows, this))
    , m_chart(new CandleChart(this))
    , m_accounts(new AccountsPanel(this))
    , m_statusBar(new SessionStatusBar(this))
{
    setWindowTitle(tr("Bourse"));
    setObjectName(QStringLiteral("mainWindow"));
    setDockNestingEnabled(true);
    // The book and the tape keep the full height on the right; the accounts dock sits under
    // the chart.
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    resize(1400, 850);

    m_chart->setObjectName(QStringLiteral("candleChart"));
    setCentralWidget(m_chart);
    setStatusBar(m_statusBar);
    createToolBar();
    createLadderDock();
    createTapeDock();
    createAccountsDock();

    connect(m_feed, &MarketFeed::viewChanged, this, &MainWindow::showView);
}

MainWindow::~MainWindow()
{
    // The feed's source refers to the session, so it must let go first.
    m_feed->setSource({});
}

void MainWindow::createLadderDock()
{
    QTableView *ladder = createTable(m_ladderModel, new LadderDelegate, this);
    ladder->setObjectName(QStringLiteral("ladderView"));
    ladder->setSelectionMode(QAbstractItemView::NoSelection);

    // The size columns take the spare width, which also gives the depth bars room.
    fitColumn(ladder, LadderModel::BidOrdersColumn, QStringLiteral("Orders"));
    fitColumn(ladder, LadderModel::PriceColumn, QStringLiteral("00000.0000"));
    fitColumn(ladder, LadderModel::AskOrdersColumn, QStringLiteral("Orders"));
    QHeaderView *header = ladder->horizontalHeader();
    header->setSectionResizeMode(LadderModel::BidSizeColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(LadderModel::AskSizeColumn, QHeaderView::Stretch);

    QDockWidget *dock = createDock(tr("Order book"), QStringLiteral("ladderDock"), ladder, this);
    addDockWidget(Qt::RightDockWidgetArea, dock);
}

void MainWindow::createTapeDock()
{
    QTableView *tape = createTable(m_tapeModel, new PaddedCellDelegate, this);
    tape->setObjectName(QStringLiteral("tapeView"));
    tape->setSelectionBehavior(QAbstractItemView::SelectRows);
    tape->setSelectionMode(QAbstractItemView::SingleSelection);

    fitColumn(tape, TimeAndSalesModel::TimeColumn, QStringLiteral("00:00:00.000"));
    fitColumn(tape, TimeAndSalesModel::PriceColumn, QStringLiteral("00000.0000"));
    fitColumn(tape, TimeAndSalesModel::SizeColumn, QStringLiteral("000,000"));
    tape->horizontalHeader()->setStretchLastSection(true);

    QDockWidget *dock = createDock(tr("Time and sales"), QStringLiteral("tapeDock"), tape, this);
    addDockWidget(Qt::RightDockWidgetArea, dock);
}

void MainWindow::createAccountsDock()
{
    QDockWidget *dock = createDock(tr("Orders, fills and positions"),
                                   QStringLiteral("accountsDock"), m_accounts, this);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
}

void MainWindow::setAccountsSource(std::function<std::shared_ptr<const AccountsView>()> source)
{
    m_accounts->setSource(std::move(source));
}

void MainWindow::setDurableSource(std::function<std::optional<SequenceNumber>()> source)
{
    m_durableSource = std::move(source);
}

void MainWindow::showNotice(const QString &text)
{
    m_statusBar->setNotice(text);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // Dock sizes only hold once the window has its own size, so they are set on first show.
    if (!m_docksSized) {
        m_docksSized = true;
        sizeDocks();
    }
}

void MainWindow::sizeDocks()
{
    // The ladder is as tall as all its rows, so the book never scrolls, and the tape below it
    // takes the rest of the height. Both docks share one width.
    auto *ladder = findChild<QTableView *>(QStringLiteral("ladderView"));
    const int rowsHeight =
        m_ladderModel->rowCount() * ladder->verticalHeader()->defaultSectionSize();
    ladder->setMinimumHeight(ladder->horizontalHeader()->sizeHint().height() + rowsHeight +
                             2 * ladder->frameWidth());

    const int width = ladder->fontMetrics().horizontalAdvance(QString(58, QChar('0')));
    resizeDocks({findChild<QDockWidget *>(QStringLiteral("ladderDock"))}, {width}, Qt::Horizontal);
}

void MainWindow::createToolBar()
{
    m_toolBar = new ReplayToolBar(this);
    addToolBar(Qt::TopToolBarArea, m_toolBar);

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
}

void MainWindow::setRunHandlerFactory(Session::RunHandlerFactory factory)
{
    m_runHandlerFactory = std::move(factory);
}

// A simulation is watched live, so one-second bars; a replayed day spans hours of market time
// that 100x compresses into minutes, so ten-second bars.
std::unique_ptr<Session> MainWindow::makeSession(SessionMode mode) const
{
    Session::Options options;
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

    installSession(std::move(session));
    m_statusBar->setSimulationSeed(seed);
}

void MainWindow::resumeSimulation(std::uint64_t seed, Session::Continuation continuation)
{
    const SequenceNumber from = continuation.engine ? continuation.engine->lastSequence() : 0;
    auto session = makeSession(SessionMode::Simulation);
    session->resumeSimulation(seed, std::move(continuation));
    qCInfo(lcUi) << "simulation resumed after sequence" << from << "with seed" << seed;

    installSession(std::move(session));
    m_statusBar->setSimulationSeed(seed);
}

std::optional<QString> MainWindow::startReplay(const QString &messagePath, double speed)
{
    Session::ReplaySource source;
    source.messagePath = messagePath.toStdString();
    source.speed = speed;

    auto session = makeSession(SessionMode::Replay);
    if (std::optional<std::string> error = session->startReplay(source))
        return QString::fromStdString(*error);
    qCInfo(lcUi) << "replay started:" << messagePath << "at speed" << speed;

    installSession(std::move(session));
    m_statusBar->setSimulationSeed(std::nullopt);
    m_toolBar->setSpeed(speed);
    return std::nullopt;
}

void MainWindow::installSession(std::unique_ptr<Session> session)
{
    std::unique_ptr<Session> previous = std::exchange(m_session, std::move(session));
    m_feed->setSession(*m_session);

    m_ladderModel->clear();
    m_tapeModel->clear();
    m_chart->clear();
    m_statusBar->clear();
    m_feed->start();

    // NOTE: destroying the previous session joins its engine thread here, on the GUI thread, so
    // the window waits until that thread has finished the step it is in.
    previous.reset();
}

void MainWindow::showView(const std::shared_ptr<const MarketView> &view)
{
    m_ladderModel->applyView(*view);
    m_tapeModel->applyView(*view);
    m_chart->setView(view);
    m_statusBar->setView(*view);
    if (m_durableSource)
        m_statusBar->setDurableSequence(m_durableSource());
    m_statusBar->setMissedTrades(m_tapeModel->missedTrades());
    m_toolBar->setView(*view);
}

void MainWindow::openReplayFile()
{
    QSettings settings;
    const QString directoryKey = QStringLiteral("replay/lastDirectory");
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open LOBSTER message file"), settings.value(directoryKey).toString(),
        tr("LOBSTER message files (*_message_*.csv);;CSV files (*.csv);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(directoryKey, QFileInfo(path).absolutePath());

    if (std::optional<QString> error = startReplay(path, m_toolBar->speed()))
        QMessageBox::warning(this, tr("Replay"), tr("Cannot start the replay.\n\n%1").arg(*error));
}

} // namespace bourse::ui
