#include "event_log_model.h"

#include "event_text.h"

#include "formatting.h"
#include "risk_colors.h"
#include "theme.h"

#include <algorithm>
#include <concepts>
#include <type_traits>

namespace bourse::ui {

namespace {

template <typename Payload>
concept NamesOneOrder = requires(const Payload &payload)
{
    {
        payload.id
        } -> std::convertible_to<OrderId>;
};

QString orderText(OrderId id)
{
    return id.value() == 0 ? QString() : QString::number(id.value());
}

// Inserts `value` into the sorted `values`. Returns false when it was there already.
template <typename Id>
bool insertSorted(std::vector<Id> &values, Id value)
{
    const auto found = std::lower_bound(values.begin(), values.end(), value);
    if (found != values.end() && *found == value)
        return false;
    values.insert(found, value);
    return true;
}

InstrumentDefinition definitionOf(const InstrumentQuote &quote)
{
    InstrumentDefinition definition;
    definition.id = quote.instrument;
    const std::size_t symbolLength = std::min(quote.symbol.size(), definition.symbol.size());
    std::copy_n(quote.symbol.begin(), symbolLength, definition.symbol.begin());
    definition.currency = currencyCode(quote.currency);
    definition.priceDecimals = static_cast<std::uint8_t>(quote.priceDecimals);
    definition.quantityDecimals = static_cast<std::uint8_t>(quote.quantityDecimals);
    definition.tickSize = quote.tickSize;
    definition.lotSize = quote.lotSize;
    return definition;
}

} // namespace

std::pair<OrderId, OrderId> ordersOf(const Event &event)
{
    return std::visit(
        [](const auto &payload) -> std::pair<OrderId, OrderId> {
            using Payload = std::decay_t<decltype(payload)>;
            if constexpr (std::is_same_v<Payload, Trade>)
                return {payload.maker, payload.taker};
            else if constexpr (NamesOneOrder<Payload>)
                return {payload.id, OrderId{}};
            else
                return {};
        },
        event.payload);
}

EventLogModel::EventLogModel(std::size_t capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max<std::size_t>(capacity, 1))
    , m_entries(m_capacity)
    , m_rows(m_capacity)
    , m_names(std::make_unique<EventNames>())
{
}

EventLogModel::~EventLogModel() = default;

void EventLogModel::applyView(const MarketView &view)
{
    if (view.lastSequence < m_lastViewSequence)
        clear();
    m_lastViewSequence = view.lastSequence;
    updateNames(view);

    const std::vector<Event> &events = view.recentEvents;
    // Only what went missing between two views the log received counts as missed: what the
    // first view does not carry happened before the log began.
    const bool firstView = !m_viewSeen;
    if (firstView) {
        m_viewSeen = true;
        m_historyEnd = events.empty() ? view.lastSequence : events.front().sequence - 1;
    }
    const auto upper = std::upper_bound(
        events.begin(), events.end(), m_lastSequence,
        [](SequenceNumber sequence, const Event &event) { return sequence < event.sequence; });
    auto first = upper;
    const auto lower = std::lower_bound(
        events.begin(), upper, m_lastSequence,
        [](const Event &event, SequenceNumber sequence) { return event.sequence < sequence; });
    const auto atLast = static_cast<std::size_t>(upper - lower);
    if (m_lastSequence != 0 && atLast > m_keptAtLastSequence)
        first = upper - static_cast<std::ptrdiff_t>(atLast - m_keptAtLastSequence);
    if (first == events.end())
        return;

    std::vector<Entry> &entries = m_incoming;
    entries.clear();
    const bool continuesLast = m_lastSequence != 0 && first->sequence == m_lastSequence;
    const SequenceNumber expected = std::max(m_lastSequence, m_historyEnd) + 1;
    const std::uint64_t sequenceGap =
        !continuesLast && first->sequence > expected ? first->sequence - expected : 0;
    const std::uint64_t dropped = firstView ? 0 : view.droppedEvents;
    const std::uint64_t missed = std::max<std::uint64_t>(dropped, sequenceGap);
    if (missed > 0) {
        Entry gap;
        gap.event.sequence = sequenceGap > 0 ? expected : first->sequence;
        gap.missed = missed;
        gap.lastMissed = sequenceGap > 0 ? first->sequence - 1 : 0;
        entries.push_back(std::move(gap));
        m_missedEvents += missed;
    }

    const SequenceNumber newest = events.back().sequence;
    std::size_t atNewest = 0;
    for (auto event = first; event != events.end(); ++event) {
        noteNames(*event);
        entries.push_back(Entry{*event});
        if (event->sequence == newest)
            ++atNewest;
    }
    m_keptAtLastSequence = newest == m_lastSequence ? m_keptAtLastSequence + atNewest : atNewest;
    m_lastSequence = newest;
    append(entries);
}

void EventLogModel::append(std::vector<Entry> &entries)
{
    // Entries that the cap would drop at once are never added.
    std::size_t skipped = 0;
    if (entries.size() > m_capacity) {
        skipped = entries.size() - m_capacity;
        dropOldest(m_entries.size());
    } else if (m_entries.size() + entries.size() > m_capacity) {
        // A removal from the top costs a view time in proportion to all the rows below it. So
        // the oldest rows leave in chunks of 1/64 of the capacity rather than a few each time.
        const std::size_t excess = m_entries.size() + entries.size() - m_capacity;
        dropOldest(std::min(std::max(excess, m_capacity / 64), m_entries.size()));
    }

    const std::uint64_t firstNew = m_firstIndex + m_entries.size();
    std::vector<std::uint64_t> &shown = m_shown;
    shown.clear();
    for (std::size_t i = skipped; i < entries.size(); ++i) {
        if (entries[i].missed > 0)
            ++m_gapEntries;
        if (matches(entries[i]))
            shown.push_back(firstNew + (i - skipped));
        m_entries.push_back(std::move(entries[i]));
    }
    entries.clear();
    if (shown.empty())
        return;

    const int firstRow = rowCount();
    beginInsertRows({}, firstRow, firstRow + static_cast<int>(shown.size()) - 1);
    for (std::uint64_t index : shown)
        m_rows.push_back(index);
    endInsertRows();
}

void EventLogModel::dropOldest(std::size_t count)
{
    if (count == 0)
        return;
    const std::uint64_t newFirst = m_firstIndex + count;
    const auto keptRow = std::lower_bound(m_rows.begin(), m_rows.end(), newFirst);
    const auto removed = static_cast<int>(keptRow - m_rows.begin());
    if (removed > 0) {
        beginRemoveRows({}, 0, removed - 1);
        m_rows.dropFront(static_cast<std::size_t>(removed));
        endRemoveRows();
    }

    for (std::size_t i = 0; i < count; ++i) {
        if (m_entries.front().missed > 0)
            --m_gapEntries;
        m_entries.dropFront(1);
    }
    m_firstIndex = newFirst;
}

void EventLogModel::showEvents(const std::vector<Event> &events)
{
    beginResetModel();
    m_entries.clear();
    m_rows.clear();
    m_firstIndex = 0;
    m_gapEntries = 0;
    const std::size_t kept = std::min(events.size(), m_capacity);
    for (std::size_t i = 0; i < kept; ++i) {
        noteNames(events[i]);
        m_entries.push_back(Entry{events[i]});
    }
    m_lastSequence = m_entries.empty() ? 0 : m_entries.back().event.sequence;
    m_keptAtLastSequence = 0;
    m_lastViewSequence = 0;
    m_missedEvents = 0;
    rebuildRows();
    endResetModel();
}

void EventLogModel::clear()
{
    beginResetModel();
    m_entries.clear();
    m_rows.clear();
    m_firstIndex = 0;
    m_gapEntries = 0;
    *m_names = EventNames();
    m_namedInstruments.clear();
    m_namedAccounts.clear();
    m_lastSequence = 0;
    m_keptAtLastSequence = 0;
    m_lastViewSequence = 0;
    m_missedEvents = 0;
    m_viewSeen = false;
    m_historyEnd = 0;
    endResetModel();
}

void EventLogModel::setFilter(const Filter &filter)
{
    if (filter == m_filter)
        return;
    beginResetModel();
    m_filter = filter;
    rebuildRows();
    endResetModel();
}

void EventLogModel::rebuildRows()
{
    m_rows.clear();
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        if (matches(m_entries[i]))
            m_rows.push_back(m_firstIndex + i);
    }
}

bool EventLogModel::matches(const Entry &entry) const
{
    if (entry.missed > 0)
        return true;
    const Event &event = entry.event;
    if (m_filter.type && typeOf(event.payload) != *m_filter.type)
        return false;
    if (m_filter.instrument && event.instrument != *m_filter.instrument)
        return false;
    if (m_filter.order) {
        const auto [first, second] = ordersOf(event);
        if (first != *m_filter.order && second != *m_filter.order)
            return false;
    }
    return true;
}

void EventLogModel::updateNames(const MarketView &view)
{
    bool changed = false;
    for (const InstrumentQuote &quote : view.instruments) {
        // A definition from an InstrumentAdded event, with its multiplier, comes first.
        if (insertSorted(m_namedInstruments, quote.instrument)) {
            m_names->addInstrument(definitionOf(quote));
            changed = true;
        }
    }
    for (const OwnPosition &position : view.trader.positions) {
        if (insertSorted(m_namedAccounts, position.account)) {
            AccountSettings settings;
            settings.id = position.account;
            settings.currency = currencyCode(position.currency);
            settings.moneyDecimals = static_cast<std::uint8_t>(position.moneyDecimals);
            m_names->addAccount(settings);
            changed = true;
        }
    }
    if (changed && !m_rows.empty())
        emit dataChanged(index(0, InstrumentColumn), index(rowCount() - 1, TextColumn));
}

void EventLogModel::setNames(const EventNames &names)
{
    *m_names = names;
    if (!m_rows.empty())
        emit dataChanged(index(0, InstrumentColumn), index(rowCount() - 1, TextColumn));
}

void EventLogModel::noteNames(const Event &event)
{
    if (const auto *added = std::get_if<InstrumentAdded>(&event.payload)) {
        insertSorted(m_namedInstruments, added->definition.id);
        m_names->addInstrument(added->definition);
    } else if (const auto *opened = std::get_if<AccountOpened>(&event.payload)) {
        insertSorted(m_namedAccounts, opened->settings.id);
        m_names->addAccount(opened->settings);
    }
}

SequenceNumber EventLogModel::firstKeptSequence() const
{
    for (const Entry &entry : m_entries) {
        if (entry.missed == 0)
            return entry.event.sequence;
    }
    return 0;
}

SequenceNumber EventLogModel::lastKeptSequence() const
{
    for (auto entry = m_entries.rbegin(); entry != m_entries.rend(); ++entry) {
        if (entry->missed == 0)
            return entry->event.sequence;
    }
    return 0;
}

bool EventLogModel::keeps(SequenceNumber sequence) const
{
    auto found = std::lower_bound(
        m_entries.begin(), m_entries.end(), sequence,
        [](const Entry &entry, SequenceNumber value) { return entry.event.sequence < value; });
    for (; found != m_entries.end() && found->event.sequence == sequence; ++found) {
        if (found->missed == 0)
            return true;
    }
    return false;
}

int EventLogModel::rowOfSequence(SequenceNumber sequence) const
{
    auto row = std::lower_bound(m_rows.begin(), m_rows.end(), sequence,
                                [this](std::uint64_t index, SequenceNumber value) {
                                    return m_entries[index - m_firstIndex].event.sequence < value;
                                });
    for (; row != m_rows.end(); ++row) {
        const Entry &entry = m_entries[*row - m_firstIndex];
        if (entry.event.sequence != sequence)
            break;
        if (entry.missed == 0)
            return static_cast<int>(row - m_rows.begin());
    }
    return -1;
}

const EventLogModel::Entry &EventLogModel::entryAt(int row) const
{
    return m_entries[m_rows[static_cast<std::size_t>(row)] - m_firstIndex];
}

const Event *EventLogModel::eventAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    const Entry &entry = entryAt(row);
    return entry.missed > 0 ? nullptr : &entry.event;
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const Entry &entry = entryAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return entry.missed > 0 ? gapData(entry, index.column())
                                : displayData(entry, index.column());
    case Qt::ToolTipRole:
        if (index.column() == TextColumn)
            return entry.missed > 0 ? gapData(entry, TextColumn) : displayData(entry, TextColumn);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SequenceColumn || index.column() == OrderColumn)
            return (Qt::AlignRight | Qt::AlignVCenter).toInt();
        return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
    case Qt::ForegroundRole:
        return foreground(entry, index.column());
    case SequenceRole:
        return QVariant::fromValue<quint64>(entry.event.sequence);
    case GapRole:
        if (entry.missed > 0)
            return QVariant::fromValue<quint64>(entry.missed);
        return {};
    default:
        return {};
    }
}

QVariant EventLogModel::displayData(const Entry &entry, int column) const
{
    const Event &event = entry.event;
    switch (column) {
    case SequenceColumn:
        return formatCount(static_cast<std::int64_t>(event.sequence));
    case TimeColumn:
        return formatTimeOfDay(event.time, TimePrecision::Milliseconds);
    case TypeColumn:
        return QString::fromLatin1(nameOf(typeOf(event.payload)));
    case InstrumentColumn:
        if (event.instrument.value() == 0)
            return QString();
        return QString::fromStdString(m_names->symbol(event.instrument));
    case OrderColumn: {
        const auto [first, second] = ordersOf(event);
        if (second.value() == 0)
            return orderText(first);
        return QStringLiteral("%1 / %2").arg(orderText(first), orderText(second));
    }
    case TextColumn:
        return QString::fromStdString(formatEvent(event, *m_names));
    default:
        return {};
    }
}

QVariant EventLogModel::gapData(const Entry &entry, int column) const
{
    switch (column) {
    case SequenceColumn:
        if (entry.lastMissed == 0)
            return QString();
        return formatCount(static_cast<std::int64_t>(entry.event.sequence));
    case TypeColumn:
        return tr("Gap");
    case TextColumn:
        if (entry.lastMissed == 0)
            return tr("%1 events missed").arg(formatCount(static_cast<std::int64_t>(entry.missed)));
        return tr("%1 events missed, sequences %2 to %3")
            .arg(formatCount(static_cast<std::int64_t>(entry.missed)),
                 formatCount(static_cast<std::int64_t>(entry.event.sequence)),
                 formatCount(static_cast<std::int64_t>(entry.lastMissed)));
    default:
        return QString();
    }
}

QVariant EventLogModel::foreground(const Entry &entry, int column) const
{
    if (entry.missed > 0)
        return riskWarningColor();
    if (column == SequenceColumn || column == TimeColumn)
        return theme::mutedTextColor();
    if (column != TypeColumn)
        return {};

    switch (typeOf(entry.event.payload)) {
    case EventType::Trade:
        return std::get<Trade>(entry.event.payload).aggressor == Side::Buy ? theme::buyColor()
                                                                           : theme::sellColor();
    case EventType::OrderRejected:
    case EventType::RiskRejected:
        return theme::errorColor();
    case EventType::KillSwitchChanged:
        return killSwitchColor();
    case EventType::RiskAlert:
        return riskWarningColor();
    case EventType::TopOfBook:
    case EventType::DepthLevel:
        return theme::mutedTextColor();
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole) {
        if (section == SequenceColumn || section == OrderColumn)
            return (Qt::AlignRight | Qt::AlignVCenter).toInt();
        return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
    }
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case SequenceColumn:
        return tr("Seq");
    case TimeColumn:
        return tr("Time");
    case TypeColumn:
        return tr("Type");
    case InstrumentColumn:
        return tr("Instrument");
    case OrderColumn:
        return tr("Order");
    case TextColumn:
        return tr("Event");
    default:
        return {};
    }
}

Qt::ItemFlags EventLogModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace bourse::ui
