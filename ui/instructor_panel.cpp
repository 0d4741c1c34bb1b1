#include "instructor_panel.h"

#include "session.h"
#include "theme.h"

#include <QBoxLayout>
#include <QBrush>
#include <QComboBox>
#include <QDateTime>
#include <QFont>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPalette>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollBar>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace bourse::ui {

namespace {

QString reopenToolTip()
{
    return InstructorPanel::tr("Return the instrument to trading through an auction");
}

QString passedText(bool injected)
{
    return injected ? InstructorPanel::tr("injected") : InstructorPanel::tr("passed");
}

} // namespace

InstructorPanel::InstructorPanel(QWidget *parent)
    : QWidget(parent)
    , m_events(new QStandardItemModel(0, ColumnCount, this))
    , m_table(new QTableView(this))
    , m_status(new QLabel(this))
    , m_message(new QLabel(this))
{
    m_events->setHorizontalHeaderLabels({tr("Market time"), tr("Event"), tr("State")});
    m_table->setObjectName(QStringLiteral("instructorEvents"));
    m_table->setModel(m_events);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    // In a narrow dock the event text is cut with an ellipsis, and its tooltip shows it whole.
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(EventColumn, QHeaderView::Stretch);
    header->setMinimumSectionSize(48);
    m_status->setObjectName(QStringLiteral("instructorStatus"));
    m_status->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("instructorMessage"));
    m_message->setWordWrap(true);
    QPalette colors = m_message->palette();
    colors.setColor(QPalette::WindowText, theme::errorColor());
    m_message->setPalette(colors);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_message);
    layout->addWidget(createTransport());
    layout->addWidget(m_table, 1);
    layout->addWidget(createInjection());
    clear();
}

QWidget *InstructorPanel::createTransport()
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    m_playPause = new QPushButton(tr("Pause"), row);
    m_playPause->setObjectName(QStringLiteral("instructorPlayPause"));
    m_step = new QPushButton(tr("Step"), row);
    m_step->setObjectName(QStringLiteral("instructorStep"));
    m_step->setToolTip(tr("While paused, take one arrival of the agent market"));
    connect(m_playPause, &QPushButton::clicked, this, &InstructorPanel::togglePlaying);
    connect(m_step, &QPushButton::clicked, this, &InstructorPanel::step);
    layout->addWidget(m_playPause);
    layout->addWidget(m_step);
    layout->addStretch(1);
    return row;
}

QWidget *InstructorPanel::createInjection()
{
    // Each row puts its controls under its label when the dock is too narrow for both, so the
    // panel stays readable down to the width of its widest row of controls.
    auto *group = new QGroupBox(tr("Inject now"), this);
    auto *form = new QFormLayout(group);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_instrument = new QComboBox(group);
    m_instrument->setObjectName(QStringLiteral("instructorInstrument"));
    form->addRow(tr("Instrument"), m_instrument);

    m_ticks = new QSpinBox(group);
    m_ticks->setObjectName(QStringLiteral("instructorNewsTicks"));
    m_ticks->setRange(-100'000, 100'000);
    m_ticks->setValue(20);
    m_ticks->setSuffix(tr(" ticks"));
    auto *news = new QPushButton(tr("News"), group);
    news->setObjectName(QStringLiteral("instructorNews"));
    news->setToolTip(tr("Move the fair value by this many ticks; makers see it late"));
    m_newsRow = new QBoxLayout(QBoxLayout::LeftToRight);
    m_newsRow->addWidget(m_ticks, 1);
    m_newsRow->addWidget(news);
    form->addRow(tr("Jump"), m_newsRow);

    m_widen = new QSpinBox(group);
    m_widen->setObjectName(QStringLiteral("instructorDroughtWiden"));
    m_widen->setRange(0, 1'000);
    m_widen->setValue(8);
    m_widen->setPrefix(tr("widen "));
    m_widen->setSuffix(tr(" ticks"));
    m_size = new QSpinBox(group);
    m_size->setObjectName(QStringLiteral("instructorDroughtSize"));
    m_size->setRange(1, 100);
    m_size->setValue(20);
    m_size->setPrefix(tr("size "));
    m_size->setSuffix(tr("%"));
    auto *droughtOn = new QPushButton(tr("Drought on"), group);
    droughtOn->setObjectName(QStringLiteral("instructorDroughtOn"));
    auto *droughtOff = new QPushButton(tr("Drought off"), group);
    droughtOff->setObjectName(QStringLiteral("instructorDroughtOff"));
    m_droughtRow = new QBoxLayout(QBoxLayout::LeftToRight);
    m_droughtRow->addWidget(m_widen);
    m_droughtRow->addWidget(m_size);
    form->addRow(tr("Drought"), m_droughtRow);
    m_droughtButtons = new QBoxLayout(QBoxLayout::LeftToRight);
    m_droughtButtons->addWidget(droughtOn);
    m_droughtButtons->addWidget(droughtOff);
    form->addRow(QString(), m_droughtButtons);

    m_halt = new QPushButton(tr("Halt"), group);
    m_halt->setObjectName(QStringLiteral("instructorHalt"));
    m_reopen = new QPushButton(tr("Reopen"), group);
    m_reopen->setToolTip(reopenToolTip());
    m_reopen->setObjectName(QStringLiteral("instructorReopen"));
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_halt);
    statusRow->addWidget(m_reopen);
    statusRow->addStretch(1);
    form->addRow(tr("Trading"), statusRow);

    const std::pair<QPushButton *, MarketEventKind> actions[] = {
        {news, MarketEventKind::News},
        {droughtOn, MarketEventKind::Drought},
        {droughtOff, MarketEventKind::DroughtEnd},
        {m_halt, MarketEventKind::Halt},
        {m_reopen, MarketEventKind::Reopen}};
    for (const auto &[button, kind] : actions) {
        connect(button, &QPushButton::clicked, this, [this, kind = kind] { inject(kind); });
        m_injectButtons.push_back(button);
    }
    connect(m_instrument, &QComboBox::currentIndexChanged, this,
            &InstructorPanel::enableTradingButtons);
    return group;
}

void InstructorPanel::setScenario(const training::TrainingScenario &scenario)
{
    clear();
    m_options = scenario.options;
    m_hasScenario = true;
    m_wallClock = scenario.fileName.empty();
    m_marketTime = scenario.options.startTime;
    if (scenario.lengthNanoseconds > 0)
        m_end = Timestamp{scenario.options.startTime.value() + scenario.lengthNanoseconds};
    // A scenario starts with every instrument trading, until a view shows otherwise.
    m_statuses.assign(m_options.instruments.size(), TradingStatus::Trading);
    m_pending.assign(m_options.instruments.size(), std::nullopt);
    for (const AgentInstrument &instrument : m_options.instruments)
        m_instrument->addItem(QString::fromStdString(instrument.symbol));

    // The ends of timed droughts are events of their own, as the market fires them. Each
    // ends only its own drought, so its text names the drought's start.
    struct Listed {
        MarketEvent event;
        QString startedAt;
    };
    std::vector<Listed> schedule;
    for (const MarketEvent &event : m_options.schedule)
        schedule.push_back({event, {}});
    for (const MarketEvent &event : m_options.schedule) {
        if (event.kind != MarketEventKind::Drought || event.durationNanoseconds == 0)
            continue;
        MarketEvent end;
        end.time = Timestamp{event.time.value() + event.durationNanoseconds};
        end.kind = MarketEventKind::DroughtEnd;
        end.instrument = event.instrument;
        end.drought = schedule.size();
        schedule.push_back({end, QString::fromStdString(training::formatMarketTime(event.time))});
    }
    std::stable_sort(schedule.begin(), schedule.end(),
                     [](const Listed &a, const Listed &b) { return a.event.time < b.event.time; });
    for (const Listed &listed : schedule)
        insertRow(listed.event, false, listed.startedAt);

    if (scenario.fileName.empty())
        m_status->setText(tr("Simulated market, seed %1").arg(scenario.seed));
    else
        m_status->setText(tr("Training scenario %1, seed %2, starts at %3")
                              .arg(QString::fromStdString(scenario.fileName))
                              .arg(scenario.seed)
                              .arg(QString::fromStdString(
                                  training::formatMarketTime(scenario.options.startTime))));
    enableControls(true);
    updateGeometry();
}

// Wide enough for every column of the event list at its content's width, so a dock that
// follows the hint elides no event text.
QSize InstructorPanel::sizeHint() const
{
    QSize hint = QWidget::sizeHint();
    const QAbstractItemView &view = *m_table;
    int columns = 0;
    for (int column = 0; column < ColumnCount; ++column) {
        columns += std::max(view.sizeHintForColumn(column),
                            m_table->horizontalHeader()->sectionSizeHint(column));
    }
    const int table =
        columns + 2 * m_table->frameWidth() + m_table->verticalScrollBar()->sizeHint().width();
    const QMargins margins = layout()->contentsMargins();
    hint.setWidth(std::max(hint.width(), table + margins.left() + margins.right()));
    return hint;
}

// Below the width of the two drought spin boxes side by side, with the label beside them, the
// spin boxes stack, and so do the drought's buttons and the news row.
void InstructorPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    const int sideBySide = m_widen->sizeHint().width() + m_size->sizeHint().width() +
                           fontMetrics().horizontalAdvance(tr("Drought")) + 64;
    const auto direction = width() < sideBySide ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight;
    for (QBoxLayout *row : {m_newsRow, m_droughtRow, m_droughtButtons}) {
        if (row->direction() != direction)
            row->setDirection(direction);
    }
}

void InstructorPanel::setSessionSource(std::function<Session *()> source)
{
    m_sessionSource = std::move(source);
}

void InstructorPanel::setMarketControls(MarketControls controls)
{
    m_controls = std::move(controls);
    m_step->setVisible(!m_controls.isSet());
}

QString InstructorPanel::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void InstructorPanel::clear()
{
    m_controls = {};
    m_step->show();
    m_message->clear();
    m_message->hide();
    m_hasScenario = false;
    m_wallClock = false;
    m_paused = false;
    m_finished = false;
    m_end = Timestamp{};
    m_options = {};
    m_rows.clear();
    m_statuses.clear();
    m_pending.clear();
    m_events->removeRows(0, m_events->rowCount());
    m_instrument->clear();
    m_status->setText(tr("No training scenario runs. Open one from Session > Open training "
                         "scenario."));
    m_playPause->setText(tr("Pause"));
    enableControls(false);
}

void InstructorPanel::enableControls(bool enabled)
{
    m_playPause->setEnabled(enabled);
    m_step->setEnabled(enabled && m_paused);
    m_instrument->setEnabled(enabled);
    m_ticks->setEnabled(enabled);
    m_widen->setEnabled(enabled);
    m_size->setEnabled(enabled);
    for (QPushButton *button : m_injectButtons)
        button->setEnabled(enabled);
    if (enabled)
        enableTradingButtons();
}

// Enables Halt only while the chosen instrument trades and Reopen only while it is halted. A
// disabled button's tooltip gives the reason.
void InstructorPanel::enableTradingButtons()
{
    const int index = m_instrument->currentIndex();
    if (!m_hasScenario || index < 0 || static_cast<std::size_t>(index) >= m_statuses.size())
        return;
    const auto instrument = static_cast<std::size_t>(index);
    const TradingStatus status = m_statuses[instrument];
    const QString symbol = m_instrument->currentText();
    QString haltReason;
    QString reopenReason;
    if (m_finished) {
        haltReason = reopenReason = tr("The scenario has ended");
    } else if (m_pending[instrument]) {
        haltReason = reopenReason =
            tr("Waiting for the market to confirm the last change of %1").arg(symbol);
    } else if (status == TradingStatus::Halted) {
        haltReason = tr("%1 is already halted").arg(symbol);
    } else if (status == TradingStatus::Trading) {
        reopenReason = tr("%1 is not halted").arg(symbol);
    } else {
        const QString reason = status == TradingStatus::PreOpen  ? tr("%1 is in its opening call")
                               : status == TradingStatus::Closed ? tr("%1 is closed")
                                                                 : tr("%1 does not trade");
        haltReason = reopenReason = reason.arg(symbol);
    }
    m_halt->setEnabled(haltReason.isEmpty());
    m_halt->setToolTip(haltReason);
    m_reopen->setEnabled(reopenReason.isEmpty());
    m_reopen->setToolTip(reopenReason.isEmpty() ? reopenToolTip() : reopenReason);
}

// Lets the views decide the buttons again once no view confirmed a click in time, as when the
// session dropped the injection.
void InstructorPanel::expirePendingStatus()
{
    const auto now = std::chrono::steady_clock::now();
    for (std::optional<PendingStatus> &pending : m_pending) {
        if (pending && pending->deadline <= now)
            pending.reset();
    }
    enableTradingButtons();
}

// Inserts the row after every row due at or before its time, so the list stays in market time
// and an injection lands after the events that passed and before those to come. Returns the
// row's index.
int InstructorPanel::insertRow(const MarketEvent &event, bool injected, const QString &startedAt)
{
    const auto place =
        std::upper_bound(m_rows.begin(), m_rows.end(), event.time,
                         [](Timestamp time, const Row &row) { return time < row.due; });
    const auto index = static_cast<int>(place - m_rows.begin());
    m_rows.insert(place, {event.time, injected});

    QString text = QString::fromStdString(training::describeMarketEvent(event, m_options));
    if (!startedAt.isEmpty())
        text = tr("%1 (started %2)").arg(text, startedAt);
    auto *eventItem = new QStandardItem(text);
    eventItem->setToolTip(text);
    QList<QStandardItem *> items{new QStandardItem(timeText(event.time)), eventItem,
                                 new QStandardItem};
    m_events->insertRow(index, items);
    for (int row = index; row < m_events->rowCount(); ++row)
        showState(row);
    return index;
}

// Passed and injected rows are grey, and the next event to come is bold.
void InstructorPanel::showState(int row)
{
    const bool passed = isPassed(row);
    const bool injected = m_rows[static_cast<std::size_t>(row)].injected;
    const QString text = passed ? passedText(injected) : tr("upcoming");
    const bool next = !passed && (row == 0 || isPassed(row - 1));
    const QBrush brush = passed ? palette().brush(QPalette::Disabled, QPalette::Text) : QBrush();
    for (int column = 0; column < ColumnCount; ++column) {
        QStandardItem *item = m_events->item(row, column);
        if (column == StateColumn && item->text() != text)
            item->setText(text);
        if (item->foreground() != brush)
            item->setForeground(brush);
        if (item->font().bold() != next) {
            QFont font = item->font();
            font.setBold(next);
            item->setFont(font);
        }
    }
}

// A training scenario's times count from its day, 2024-01-02, so that five past midnight reads
// 24:05:00. A simulated market runs on the wall clock, of which the UTC time of day shows.
QString InstructorPanel::timeText(Timestamp time) const
{
    if (!m_wallClock)
        return QString::fromStdString(training::formatMarketTime(time));
    return QDateTime::fromMSecsSinceEpoch(time.value() / 1'000'000, Qt::UTC)
        .toString(QStringLiteral("HH:mm:ss.zzz"));
}

bool InstructorPanel::isPassed(int row) const
{
    const Row &state = m_rows[static_cast<std::size_t>(row)];
    return state.injected || state.due <= m_marketTime;
}

void InstructorPanel::showView(const std::shared_ptr<const MarketView> &view)
{
    if (!view || !m_hasScenario)
        return;
    // A hosted market's clock and pause come from the server, because a view gives only the time
    // of its last event.
    std::optional<net::MarketStatus> hosted;
    if (m_controls.isSet())
        hosted = m_controls.status();
    m_marketTime = hosted ? hosted->marketTime : view->marketTime;
    for (int row = 0; row < m_events->rowCount(); ++row)
        showState(row);

    const bool paused = hosted ? hosted->paused : view->replayState == ReplayState::Paused;
    if (paused != m_paused) {
        m_paused = paused;
        m_playPause->setText(paused ? tr("Resume") : tr("Pause"));
        m_step->setEnabled(paused);
    }
    QStringList halted;
    for (const InstrumentQuote &quote : view->instruments) {
        if (quote.status == TradingStatus::Halted)
            halted.append(QString::fromStdString(quote.symbol));
        for (std::size_t i = 0; i < m_options.instruments.size(); ++i) {
            if (m_options.instruments[i].symbol != quote.symbol)
                continue;
            m_statuses[i] = quote.status;
            if (m_pending[i] && m_pending[i]->expected == quote.status)
                m_pending[i].reset();
        }
    }
    enableTradingButtons();
    if (hosted ? hosted->ended : view->replayState == ReplayState::Finished) {
        showEnd();
        return;
    }
    QString text =
        tr("Market time %1, %2").arg(timeText(m_marketTime), paused ? tr("paused") : tr("playing"));
    if (!halted.isEmpty())
        text += tr("; halted: %1").arg(halted.join(QStringLiteral(", ")));
    m_status->setText(text);
}

// The market stopped at the scenario's end: the list and the status stay for the trader to
// read, and the controls that would move the market go off.
void InstructorPanel::showEnd()
{
    const QString end = timeText(m_end.value() != 0 ? m_end : m_marketTime).left(8);
    m_status->setText(tr("Scenario ended at %1; the market has stopped. Session > Session "
                         "report summarises the run.")
                          .arg(end));
    if (m_finished)
        return;
    m_finished = true;
    m_playPause->setEnabled(false);
    m_step->setEnabled(false);
    for (QPushButton *button : m_injectButtons)
        button->setEnabled(false);
    enableTradingButtons();
    emit scenarioEnded(tr("Scenario ended at %1").arg(end));
}

void InstructorPanel::inject(MarketEventKind kind)
{
    if (!m_hasScenario || m_instrument->currentIndex() < 0)
        return;
    MarketEvent event;
    event.kind = kind;
    event.instrument = static_cast<std::size_t>(m_instrument->currentIndex());
    event.ticks = m_ticks->value();
    event.widenTicks = m_widen->value();
    event.percent = static_cast<std::uint32_t>(m_size->value());
    if (kind == MarketEventKind::News && event.ticks == 0)
        return;
    event.time = m_marketTime;
    if (!sendEvent(event))
        return;
    const int row = insertRow(event, true, {});
    // The view lays out inserted rows later, and until then its scroll bar's range lacks the
    // new row, so the layout runs first or a row at the end would stay out of sight.
    m_table->doItemsLayout();
    m_table->scrollTo(m_events->index(row, EventColumn));
    // Both buttons stay off until a view shows the new status, because a view the session
    // built before the injection took effect still shows the old one.
    if (kind == MarketEventKind::Halt || kind == MarketEventKind::Reopen) {
        const TradingStatus expected =
            kind == MarketEventKind::Halt ? TradingStatus::Halted : TradingStatus::Trading;
        m_pending[event.instrument] =
            PendingStatus{expected, std::chrono::steady_clock::now() + kStatusConfirmationTimeout};
        enableTradingButtons();
        QTimer::singleShot(kStatusConfirmationTimeout, this, &InstructorPanel::expirePendingStatus);
    }
}

// Sends an injection to the hosted market or the session. Returns whether it was taken.
bool InstructorPanel::sendEvent(const MarketEvent &event)
{
    if (m_controls.isSet()) {
        const net::ControlResult result = m_controls.inject(event);
        showControlResult(result);
        return result == net::ControlResult::Queued;
    }
    Session *session = m_sessionSource ? m_sessionSource() : nullptr;
    return session && session->injectMarketEvent(event);
}

void InstructorPanel::showControlResult(net::ControlResult result)
{
    const QString text = controlResultMessage(result);
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void InstructorPanel::togglePlaying()
{
    if (m_controls.isSet()) {
        showControlResult(m_controls.setPaused(!m_paused));
        return;
    }
    Session *session = m_sessionSource ? m_sessionSource() : nullptr;
    if (!session)
        return;
    if (m_paused)
        session->play();
    else
        session->pause();
}

void InstructorPanel::step()
{
    if (Session *session = m_sessionSource ? m_sessionSource() : nullptr)
        session->step();
}

} // namespace bourse::ui
