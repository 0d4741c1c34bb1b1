#pragma once

#include "fixed_ring.h"
#include "market_view.h"

#include <QAbstractTableModel>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace bourse {
// From engine/event_text.h, which this header leaves out because the tests have a header of
// the same name on their include path.
class EventNames;
} // namespace bourse

namespace bourse::ui {

// The engine's event stream as a log: one row per event, oldest first, and one gap row where
// events never reached the log. The model keeps at most the last `capacity` entries. When
// full, it removes the oldest rows from the top, 1/64 of the capacity at a time. It resets only
// for a new session, a new filter or a page of history.
//
// Rows contain the events themselves. Their text is formatted by data(), for the rows a view
// paints, not for every event on arrival. A filter selects the rows as events arrive, so a view
// costs time in proportion to its new events, not to the rows kept.
class EventLogModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        SequenceColumn,
        TimeColumn,
        TypeColumn,
        InstrumentColumn,
        OrderColumn,
        TextColumn,
        ColumnCount
    };
    enum Role {
        SequenceRole = Qt::UserRole + 1, // the event's sequence number (quint64)
        // For a gap row, the number of events missed there (quint64), invalid for an event.
        // The row's SequenceRole is then the first sequence number missed.
        GapRole,
    };

    // A selection of the rows to show. An empty field matches every event. A gap row matches
    // every filter, because the events it replaces might have matched.
    struct Filter {
        std::optional<EventType> type;
        std::optional<InstrumentId> instrument;
        std::optional<OrderId> order; // any order the event names: both sides of a trade

        bool active() const { return type || instrument || order; }
        friend bool operator==(const Filter &, const Filter &) = default;
    };

    explicit EventLogModel(std::size_t capacity = 100'000, QObject *parent = nullptr);
    ~EventLogModel() override;

    // Appends the view's events that are not kept yet. A gap row comes first when events were
    // missed since the last view, which the view's dropped events or missing sequence numbers
    // show. An event is new when its sequence number is above the last kept one. Derived market
    // data shares the sequence number of the engine event before it, so of the events at the
    // last kept number, those beyond the count already kept are new. A view whose lastSequence
    // is below the previous view's starts a new session, so the log is cleared first.
    void applyView(const MarketView &view);

    // Replaces the rows with `events`, oldest first, as a page of history read from a journal.
    // Only the first `capacity` of them are kept, because a page starts where it was asked to.
    void showEvents(const std::vector<Event> &events);

    void clear();

    void setFilter(const Filter &filter);
    const Filter &filter() const { return m_filter; }

    // Adds the names of the view's instruments and accounts that the event text uses.
    void updateNames(const MarketView &view);
    const EventNames &names() const { return *m_names; }
    void setNames(const EventNames &names);

    std::size_t capacity() const { return m_capacity; }
    std::size_t keptEvents() const { return m_entries.size() - m_gapEntries; }
    // The events missed since the session began, which gap rows stand for.
    std::uint64_t missedEvents() const { return m_missedEvents; }
    // The first and last kept sequence numbers, or zero when nothing is kept.
    SequenceNumber firstKeptSequence() const;
    SequenceNumber lastKeptSequence() const;
    // Whether an event with the sequence number is kept, shown or filtered out.
    bool keeps(SequenceNumber sequence) const;
    // The row of the first shown event with the sequence number, or -1 when none is shown.
    int rowOfSequence(SequenceNumber sequence) const;
    // The event of a row, or nullptr for a gap row.
    const Event *eventAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Entry {
        Event event;                   // for a gap, only its sequence: the first one missed
        std::uint64_t missed = 0;      // above zero for a gap row
        SequenceNumber lastMissed = 0; // the last sequence number a gap misses, if any
    };

    const Entry &entryAt(int row) const;
    bool matches(const Entry &entry) const;
    // Moves the entries in: `entries` is left empty, with its capacity kept for the next view.
    void append(std::vector<Entry> &entries);
    void dropOldest(std::size_t count);
    void rebuildRows();
    void noteNames(const Event &event);
    QVariant displayData(const Entry &entry, int column) const;
    QVariant gapData(const Entry &entry, int column) const;
    QVariant foreground(const Entry &entry, int column) const;

    std::size_t m_capacity;
    FixedRing<Entry> m_entries;     // oldest first
    std::uint64_t m_firstIndex = 0; // the number of entries appended before m_entries.front()
    std::size_t m_gapEntries = 0;
    FixedRing<std::uint64_t> m_rows; // the entries shown, by index since the first appended
    // Reused from view to view, so that a view of a few thousand events allocates nothing.
    std::vector<Entry> m_incoming;
    std::vector<std::uint64_t> m_shown;
    Filter m_filter;
    std::unique_ptr<EventNames> m_names;
    std::vector<InstrumentId> m_namedInstruments; // sorted
    std::vector<AccountId> m_namedAccounts;       // sorted
    SequenceNumber m_lastSequence = 0;            // of the last kept event
    std::size_t m_keptAtLastSequence = 0;
    SequenceNumber m_lastViewSequence = 0;
    // Whether a view came since the log was cleared. The events before the first view, such as
    // those of a journal that the session continues, are history, not missed events.
    bool m_viewSeen = false;
    SequenceNumber m_historyEnd = 0; // the last sequence number before the first view's events
    std::uint64_t m_missedEvents = 0;
};

// The order ids an event names, the first one first: both sides of a trade (maker, then
// taker) and one order for the other order events. Zero ids stand for no order.
std::pair<OrderId, OrderId> ordersOf(const Event &event);

} // namespace bourse::ui
