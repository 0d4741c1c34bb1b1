#include "event_log_panel.h"

#include "formatting.h"
#include "risk_tone_label.h"
#include "theme.h"

#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScrollBar>
#include <QShortcut>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>

namespace bourse::ui {

namespace {

constexpr int firstEventType = static_cast<int>(EventType::OrderAccepted);
constexpr int lastEventType = static_cast<int>(EventType::RiskAlert);

// Returns the count grouped by thousands, "18,446,744,073,709,551,615" for the largest. Not
// formatCount, because it takes a signed number, which the top half of the range would make
// negative.
QString countText(std::uint64_t count)
{
    QString text = QString::number(count);
    for (auto at = text.size() - 3; at > 0; at -= 3)
        text.insert(at, QLatin1Char(','));
    return text;
}

// A toned label that elides its text to the width the layout gives it, with the whole text in
// its tooltip, so that a long count gives way before the filter fields do.
class ElidedToneLabel : public RiskToneLabel {
public:
    using RiskToneLabel::RiskToneLabel;

    void setFullText(const QString &text)
    {
        m_fullText = text;
        setToolTip(text);
        updateGeometry();
        elide();
    }

    QSize sizeHint() const override
    {
        const QSize hint = RiskToneLabel::sizeHint();
        return {fontMetrics().horizontalAdvance(m_fullText) + 2 * margin() + 2, hint.height()};
    }

    QSize minimumSizeHint() const override
    {
        const QSize hint = RiskToneLabel::minimumSizeHint();
        return {fontMetrics().horizontalAdvance(QStringLiteral("\u2026")) * 3, hint.height()};
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        RiskToneLabel::resizeEvent(event);
        elide();
    }

private:
    void elide()
    {
        setText(fontMetrics().elidedText(m_fullText, Qt::ElideRight, contentsRect().width()));
    }

    QString m_fullText;
};

} // namespace

SequenceInput parseSequenceInput(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {SequenceInput::Kind::Empty, 0};
    // Digits alone, or grouped by commas in threes as the log shows numbers: "1,2,3" is a typo,
    // not 123.
    static const QRegularExpression number(QStringLiteral("^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)$"));
    if (!number.match(trimmed).hasMatch())
        return {SequenceInput::Kind::NotANumber, 0};
    bool ok = false;
    const qulonglong value = QString(trimmed).remove(QLatin1Char(',')).toULongLong(&ok);
    if (!ok)
        return {SequenceInput::Kind::OutOfRange, 0};
    return {SequenceInput::Kind::Number, value};
}

namespace {

// Returns the number in `text`, which may group digits with commas as the log shows them.
// Returns nothing for an empty text, one that is not such a number, or one beyond 64 bits.
std::optional<std::uint64_t> numberIn(const QString &text)
{
    const SequenceInput input = parseSequenceInput(text);
    if (input.kind != SequenceInput::Kind::Number)
        return std::nullopt;
    return input.value;
}

} // namespace

EventLogPanel::EventLogPanel(QWidget *parent, std::size_t capacity)
    : QWidget(parent)
    , m_live(new EventLogModel(capacity, this))
    , m_history(new EventLogModel(kHistoryPageSize, this))
{
    setObjectName(QStringLiteral("eventLogPanel"));
    setAccessibleName(tr("Event log"));

    m_liveTable = createTable(m_live, QStringLiteral("eventLogLiveTable"));
    m_liveTable->setAccessibleName(tr("Live events"));
    m_historyTable = createTable(m_history, QStringLiteral("eventLogHistoryTable"));
    m_historyTable->setAccessibleName(tr("Events from the journal"));
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_liveTable);
    m_stack->addWidget(m_historyTable);

    m_message = new RiskToneLabel(this);
    m_message->setObjectName(QStringLiteral("eventLogMessage"));
    m_message->setWordWrap(false);
    m_message->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(createFilterBar());
    layout->addWidget(m_message);
    layout->addWidget(createHistoryBar());
    layout->addWidget(m_stack, 1);

    connect(m_live, &QAbstractItemModel::rowsInserted, this, [this] { onLiveRowsInserted(); });
    connect(
        m_live, &QAbstractItemModel::rowsRemoved, this,
        [this](const QModelIndex &, int first, int last) { onLiveRowsRemoved(last - first + 1); });
    connect(m_liveTable->verticalScrollBar(), &QScrollBar::valueChanged, this,
            [this](int value) { onLiveScrolled(value); });

    auto *jumpShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_G), this);
    jumpShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(jumpShortcut, &QShortcut::activated, this, [this] {
        m_jump->setFocus(Qt::ShortcutFocusReason);
        m_jump->selectAll();
    });

    updateCounter();
}

QWidget *EventLogPanel::createFilterBar()
{
    auto *bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("eventLogFilterBar"));
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);

    m_type = new QComboBox(bar);
    m_type->setObjectName(QStringLiteral("eventTypeFilter"));
    m_type->setAccessibleName(tr("Event type filter"));
    m_type->addItem(tr("All types"));
    for (int type = firstEventType; type <= lastEventType; ++type)
        m_type->addItem(QString::fromLatin1(nameOf(static_cast<EventType>(type))), type);

    // The combo boxes may be narrower than their longest item, so that the filter bar fits a
    // dock half the width of the window.
    m_type->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_type->setMinimumContentsLength(10);

    m_instrument = new QComboBox(bar);
    m_instrument->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_instrument->setMinimumContentsLength(10);
    m_instrument->setObjectName(QStringLiteral("eventInstrumentFilter"));
    m_instrument->setAccessibleName(tr("Instrument filter"));
    m_instrument->addItem(tr("All instruments"));

    const auto *digits =
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9,]{0,26}")), bar);
    m_order = new QLineEdit(bar);
    m_order->setObjectName(QStringLiteral("eventOrderFilter"));
    m_order->setAccessibleName(tr("Order id filter"));
    m_order->setPlaceholderText(tr("Order id"));
    m_order->setClearButtonEnabled(true);
    m_order->setValidator(digits);
    // Wide enough for an eight-digit id with its commas, so a long counter cannot squeeze the
    // field to a letter: the counter elides instead.
    const int fieldWidth =
        m_order->fontMetrics().horizontalAdvance(QStringLiteral("00,000,000")) + 30;
    m_order->setMinimumWidth(fieldWidth);
    m_order->setMaximumWidth(fieldWidth + 30);

    m_jump = new QLineEdit(bar);
    m_jump->setObjectName(QStringLiteral("eventJumpField"));
    m_jump->setAccessibleName(tr("Jump to sequence number"));
    m_jump->setPlaceholderText(tr("Jump to seq\u2026"));
    m_jump->setToolTip(tr("Type a sequence number and press Enter to show that event (Ctrl+G)"));
    m_jump->setValidator(digits);
    m_jump->setMinimumWidth(fieldWidth);
    m_jump->setMaximumWidth(fieldWidth + 60);
    auto *go = new QToolButton(bar);
    go->setObjectName(QStringLiteral("eventJumpButton"));
    go->setText(tr("Go"));
    go->setAccessibleName(tr("Jump to the sequence number"));

    m_follow = new QToolButton(bar);
    m_follow->setObjectName(QStringLiteral("eventFollowButton"));
    m_follow->setText(tr("Follow live"));
    m_follow->setAccessibleName(tr("Follow live events"));
    m_follow->setToolTip(tr("Scroll to each new event. Scrolling up pauses it."));
    m_follow->setCheckable(true);
    m_follow->setChecked(true);

    m_counter = new ElidedToneLabel(bar);
    m_counter->setObjectName(QStringLiteral("eventLogCounter"));
    m_counter->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    row->addWidget(m_type);
    row->addWidget(m_instrument);
    row->addWidget(m_order);
    row->addWidget(m_jump);
    row->addWidget(go);
    row->addWidget(m_follow);
    row->addStretch(1);
    row->addWidget(m_counter);

    connect(m_type, &QComboBox::currentIndexChanged, this, [this] { applyFilterControls(); });
    connect(m_instrument, &QComboBox::currentIndexChanged, this, [this] { applyFilterControls(); });
    connect(m_order, &QLineEdit::textChanged, this, [this] { applyFilterControls(); });
    const auto jump = [this] { jumpToTypedSequence(); };
    connect(m_jump, &QLineEdit::returnPressed, this, jump);
    connect(go, &QToolButton::clicked, this, jump);
    connect(m_follow, &QToolButton::toggled, this, [this](bool on) { setFollowing(on); });
    return bar;
}

QFrame *EventLogPanel::createHistoryBar()
{
    m_historyBar = new QFrame(this);
    m_historyBar->setObjectName(QStringLiteral("eventHistoryBar"));
    m_historyBar->setFrameShape(QFrame::StyledPanel);
    auto *row = new QHBoxLayout(m_historyBar);
    row->setContentsMargins(6, 3, 6, 3);

    m_historyText = new RiskToneLabel(m_historyBar);
    m_historyText->setObjectName(QStringLiteral("eventHistoryText"));
    m_historyText->setTone(RiskToneLabel::Tone::Warning);
    QFont bold = m_historyText->font();
    bold.setBold(true);
    m_historyText->setFont(bold);

    m_earlier = new QPushButton(tr("Earlier"), m_historyBar);
    m_earlier->setObjectName(QStringLiteral("eventHistoryEarlier"));
    m_earlier->setAccessibleName(tr("Show earlier events from the journal"));
    m_later = new QPushButton(tr("Later"), m_historyBar);
    m_later->setObjectName(QStringLiteral("eventHistoryLater"));
    m_later->setAccessibleName(tr("Show later events from the journal"));
    auto *live = new QPushButton(tr("Back to live"), m_historyBar);
    live->setObjectName(QStringLiteral("eventBackToLive"));
    live->setAccessibleName(tr("Back to the live events"));

    row->addWidget(m_historyText, 1);
    row->addWidget(m_earlier);
    row->addWidget(m_later);
    row->addWidget(live);

    connect(m_earlier, &QPushButton::clicked, this, [this] { pageHistory(true); });
    connect(m_later, &QPushButton::clicked, this, [this] { pageHistory(false); });
    connect(live, &QPushButton::clicked, this, [this] { showLive(); });
    m_historyBar->hide();
    return m_historyBar;
}

QTableView *EventLogPanel::createTable(EventLogModel *model, const QString &name)
{
    auto *table = new QTableView(this);
    table->setObjectName(name);
    table->setModel(model);
    table->setFont(theme::monospaceFont());
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Scrolling by whole rows lets the panel keep its place as the oldest rows leave the top.
    table->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    table->setTabKeyNavigation(false);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    // Fixed row heights keep a table of 100,000 rows from measuring each row.
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(QFontMetrics(table->font()).height() + 6);
    QHeaderView *header = table->horizontalHeader();
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    const QFontMetrics metrics(table->font());
    const auto width = [&metrics](const char *sample) {
        return metrics.horizontalAdvance(QString::fromLatin1(sample)) + 16;
    };
    table->setColumnWidth(EventLogModel::SequenceColumn, width("99,999,999"));
    table->setColumnWidth(EventLogModel::TimeColumn, width("00:00:00.000"));
    table->setColumnWidth(EventLogModel::TypeColumn, width("TradingStatusChanged"));
    table->setColumnWidth(EventLogModel::InstrumentColumn, width("INSTRUMENT"));
    table->setColumnWidth(EventLogModel::OrderColumn, width("999999 / 999999"));

    connect(table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.data(EventLogModel::GapRole).isValid())
            jumpToSequence(index.data(EventLogModel::SequenceRole).value<quint64>());
    });
    return table;
}

void EventLogPanel::showView(const std::shared_ptr<const MarketView> &view)
{
    if (!view)
        return;
    updateInstruments(*view);
    m_live->applyView(*view);
    updateCounter();
}

void EventLogPanel::clear()
{
    showLive();
    m_live->clear();
    showMessage({}, false);
    setFollowing(true);
    updateCounter();
}

void EventLogPanel::setHistorySource(HistorySource source)
{
    m_historySource = std::move(source);
}

void EventLogPanel::updateInstruments(const MarketView &view)
{
    bool same = m_instrumentIds.size() == view.instruments.size();
    for (std::size_t i = 0; same && i < view.instruments.size(); ++i)
        same = m_instrumentIds[i] == view.instruments[i].instrument;
    if (same)
        return;

    const QVariant selected = m_instrument->currentData();
    m_updatingControls = true;
    m_instrument->clear();
    m_instrument->addItem(tr("All instruments"));
    m_instrumentIds.clear();
    for (const InstrumentQuote &quote : view.instruments) {
        m_instrument->addItem(QString::fromStdString(quote.symbol),
                              QVariant::fromValue<quint32>(quote.instrument.value()));
        m_instrumentIds.push_back(quote.instrument);
    }
    const int index = selected.isValid() ? m_instrument->findData(selected) : 0;
    m_instrument->setCurrentIndex(std::max(index, 0));
    m_updatingControls = false;
    applyFilterControls();
}

void EventLogPanel::applyFilterControls()
{
    if (m_updatingControls)
        return;
    EventLogModel::Filter filter;
    if (m_type->currentData().isValid())
        filter.type = static_cast<EventType>(m_type->currentData().toInt());
    if (m_instrument->currentData().isValid())
        filter.instrument = InstrumentId{m_instrument->currentData().value<quint32>()};
    if (const auto order = numberIn(m_order->text()))
        filter.order = OrderId{*order};

    if (filter == m_live->filter())
        return;
    m_live->setFilter(filter);
    m_history->setFilter(filter);
    if (m_following)
        setFollowing(true);
    updateCounter();
}

void EventLogPanel::setFilter(const EventLogModel::Filter &filter)
{
    showFilterInControls(filter);
    m_live->setFilter(filter);
    m_history->setFilter(filter);
    if (m_following)
        setFollowing(true);
    updateCounter();
}

void EventLogPanel::showFilterInControls(const EventLogModel::Filter &filter)
{
    m_updatingControls = true;
    m_type->setCurrentIndex(filter.type ? m_type->findData(static_cast<int>(*filter.type)) : 0);
    int instrument = 0;
    if (filter.instrument) {
        const QVariant id = QVariant::fromValue<quint32>(filter.instrument->value());
        instrument = m_instrument->findData(id);
        if (instrument < 0) {
            m_instrument->addItem(QStringLiteral("#%1").arg(filter.instrument->value()), id);
            instrument = m_instrument->count() - 1;
        }
    }
    m_instrument->setCurrentIndex(instrument);
    m_order->setText(filter.order ? QString::number(filter.order->value()) : QString());
    m_updatingControls = false;
}

void EventLogPanel::updateCounter()
{
    QString text = tr("%1 kept").arg(countText(m_live->keptEvents()));
    if (m_live->filter().active())
        text = tr("%1 shown of %2")
                   .arg(countText(static_cast<std::uint64_t>(m_live->rowCount())), text);
    const std::uint64_t missed = m_live->missedEvents();
    if (missed > 0)
        text += tr(" \u00b7 %1 missed").arg(countText(missed));
    static_cast<ElidedToneLabel *>(m_counter)->setFullText(text);
    m_counter->setTone(missed > 0 ? RiskToneLabel::Tone::Warning : RiskToneLabel::Tone::Muted);
}

bool EventLogPanel::isShowingHistory() const
{
    return m_stack->currentWidget() == m_historyTable;
}

QTableView *EventLogPanel::currentTable() const
{
    return isShowingHistory() ? m_historyTable : m_liveTable;
}

void EventLogPanel::jumpToTypedSequence()
{
    const QString typed = m_jump->text().trimmed();
    const SequenceInput input = parseSequenceInput(typed);
    switch (input.kind) {
    case SequenceInput::Kind::Empty:
        return;
    case SequenceInput::Kind::NotANumber:
        showMessage(tr("\u201c%1\u201d is not a sequence number: type digits, grouped by "
                       "commas in threes or not at all.")
                        .arg(typed),
                    true);
        return;
    case SequenceInput::Kind::OutOfRange:
        showMessage(tr("%1 is out of range: sequence numbers go up to %2.")
                        .arg(typed, countText(std::numeric_limits<std::uint64_t>::max())),
                    true);
        return;
    case SequenceInput::Kind::Number:
        jumpToSequence(input.value);
        return;
    }
}

bool EventLogPanel::jumpToSequence(SequenceNumber sequence)
{
    const QString number = countText(sequence);
    // A message from an earlier jump no longer applies.
    showMessage({}, false);
    if (isShowingHistory() && m_history->keeps(sequence)) {
        if (m_history->rowOfSequence(sequence) < 0) {
            setFilter({});
            showMessage(tr("Filters cleared to show event %1.").arg(number), false);
        }
        selectRow(m_historyTable, m_history->rowOfSequence(sequence));
        return true;
    }

    if (m_live->keeps(sequence)) {
        showLive();
        if (m_live->rowOfSequence(sequence) < 0) {
            setFilter({});
            showMessage(tr("Filters cleared to show event %1.").arg(number), false);
        }
        setFollowing(false);
        selectRow(m_liveTable, m_live->rowOfSequence(sequence));
        return true;
    }

    const SequenceNumber last = m_live->lastKeptSequence();
    if (last != 0 && sequence > last) {
        showMessage(
            tr("Event %1 has not happened yet: the last one is %2.").arg(number, countText(last)),
            true);
        return false;
    }
    if (!m_historySource) {
        showMessage(
            tr("Event %1 is not kept here and no journal is open to read it from.").arg(number),
            true);
        return false;
    }
    return showHistoryPage(sequence, kHistoryPageSize, sequence);
}

bool EventLogPanel::showHistoryPage(SequenceNumber first, std::size_t count, SequenceNumber select)
{
    if (!m_historySource || count == 0)
        return false;
    const std::vector<Event> events = m_historySource(first, count);
    if (events.empty()) {
        showMessage(tr("The journal has no event %1.").arg(countText(first)), true);
        return false;
    }

    m_history->setNames(m_live->names());
    m_history->setFilter(m_live->filter());
    m_history->showEvents(events);
    m_stack->setCurrentWidget(m_historyTable);
    m_historyBar->show();

    const SequenceNumber shownFirst = m_history->firstKeptSequence();
    const SequenceNumber shownLast = m_history->lastKeptSequence();
    m_historyText->setText(
        tr("Showing history from %1 to %2 (%3 events)")
            .arg(countText(shownFirst), countText(shownLast), countText(m_history->keptEvents())));
    m_earlier->setEnabled(shownFirst > 1);
    showMessage({}, false);

    if (!m_history->keeps(select)) {
        showMessage(tr("The journal has no event %1; the page starts at %2.")
                        .arg(countText(select), countText(shownFirst)),
                    true);
        return false;
    }
    if (m_history->rowOfSequence(select) < 0) {
        setFilter({});
        showMessage(tr("Filters cleared to show event %1.").arg(countText(select)), false);
    }
    selectRow(m_historyTable, m_history->rowOfSequence(select));
    return true;
}

void EventLogPanel::pageHistory(bool earlier)
{
    if (earlier) {
        const SequenceNumber shownFirst = m_history->firstKeptSequence();
        if (shownFirst <= 1)
            return;
        const SequenceNumber first =
            shownFirst > kHistoryPageSize ? shownFirst - kHistoryPageSize : 1;
        showHistoryPage(first, static_cast<std::size_t>(shownFirst - first), shownFirst - 1);
        return;
    }
    const SequenceNumber next = m_history->lastKeptSequence() + 1;
    if (m_live->keeps(next)) {
        // The live tail has the next events already.
        jumpToSequence(next);
        return;
    }
    if (!showHistoryPage(next, kHistoryPageSize, next) && !isShowingHistory())
        showLive();
}

void EventLogPanel::showLive()
{
    if (!isShowingHistory())
        return;
    m_stack->setCurrentWidget(m_liveTable);
    m_historyBar->hide();
    m_history->showEvents({});
    showMessage({}, false);
    if (m_following)
        setFollowing(true);
}

void EventLogPanel::selectRow(QTableView *table, int row)
{
    if (row < 0)
        return;
    const QModelIndex index = table->model()->index(row, EventLogModel::SequenceColumn);
    m_scrolling = true;
    table->setCurrentIndex(index);
    table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_scrolling = false;
}

void EventLogPanel::showMessage(const QString &text, bool problem)
{
    m_message->setText(text);
    m_message->setTone(problem ? RiskToneLabel::Tone::Warning : RiskToneLabel::Tone::Muted);
    m_message->setVisible(!text.isEmpty());
}

void EventLogPanel::setFollowing(bool following)
{
    m_following = following;
    {
        const QSignalBlocker blocker(m_follow);
        m_follow->setChecked(following);
    }
    if (following) {
        m_scrolling = true;
        m_liveTable->scrollToBottom();
        m_scrolling = false;
    }
}

void EventLogPanel::onLiveRowsInserted()
{
    if (!m_following)
        return;
    m_scrolling = true;
    m_liveTable->scrollToBottom();
    m_scrolling = false;
}

void EventLogPanel::onLiveRowsRemoved(int count)
{
    if (m_following)
        return;
    // The oldest rows left the top, so the scroll bar moves up by as many rows to keep the rows
    // being read in place.
    QScrollBar *bar = m_liveTable->verticalScrollBar();
    m_scrolling = true;
    bar->setValue(std::max(bar->value() - count, 0));
    m_scrolling = false;
}

void EventLogPanel::onLiveScrolled(int value)
{
    if (m_scrolling || isShowingHistory())
        return;
    const bool atEnd = value >= m_liveTable->verticalScrollBar()->maximum();
    if (atEnd != m_following)
        setFollowing(atEnd);
}

} // namespace bourse::ui
