#pragma once

#include "event_log_model.h"
#include "market_view.h"

#include <QWidget>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

class QComboBox;
class QFrame;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace bourse::ui {

class RiskToneLabel;

// The parsed text of the "Jump to sequence" field: a number, grouped by commas in threes or not
// at all, nothing, other text, or a number beyond the 64 bits of a sequence number.
struct SequenceInput {
    enum class Kind { Empty, Number, NotANumber, OutOfRange };
    Kind kind = Kind::Empty;
    std::uint64_t value = 0; // for Number
};

SequenceInput parseSequenceInput(const QString &text);

// The event log: the live event stream of the session in a table (sequence, time, type,
// instrument, order and the event's text), bounded to the last 100,000 events, with filters by
// type, instrument and order id. "Jump to sequence" selects a kept event, or reads an older one
// from the history source and shows that page of history in place of the live tail until the
// user goes back to live. While following live, the table scrolls to each new event. Scrolling
// up stops that, and scrolling to the end or the Follow button starts it again.
class EventLogPanel : public QWidget {
    Q_OBJECT

public:
    // Reads up to `count` events from sequence number `first` on, oldest first, such as from the
    // session's journal. An empty result means the source has none there.
    using HistorySource =
        std::function<std::vector<Event>(SequenceNumber first, std::size_t count)>;

    // The number of events each read of the history source requests.
    static constexpr std::size_t kHistoryPageSize = 1000;

    explicit EventLogPanel(QWidget *parent = nullptr, std::size_t capacity = 100'000);

    // Appends the view's new events. The cost is in proportion to the new events, not to the
    // rows kept, so it can run for every view, up to 60 a second.
    void showView(const std::shared_ptr<const MarketView> &view);

    // Blanks the log for a new session and returns to the live tail. The history source stays.
    void clear();

    // An empty source leaves older events unreachable.
    void setHistorySource(HistorySource source);

    // Scrolls to the event `sequence` and selects it: in the live tail when it is kept there,
    // clearing filters that hide it, or else in a page of history that begins at it. Returns
    // false, with the reason shown in the panel, when no event has that sequence number within
    // reach.
    bool jumpToSequence(SequenceNumber sequence);
    // Jumps to the sequence number in the "Jump to sequence" field, or shows why it cannot.
    void jumpToTypedSequence();

    // Leaves a page of history for the live tail.
    void showLive();
    bool isShowingHistory() const;

    void setFilter(const EventLogModel::Filter &filter);
    const EventLogModel::Filter &filter() const { return m_live->filter(); }

    // Whether the live table scrolls to each new event.
    void setFollowing(bool following);
    bool isFollowing() const { return m_following; }

    EventLogModel *liveModel() const { return m_live; }
    EventLogModel *historyModel() const { return m_history; }
    QTableView *liveTable() const { return m_liveTable; }
    QTableView *historyTable() const { return m_historyTable; }
    // The table on screen: the live tail or the page of history.
    QTableView *currentTable() const;

private:
    QWidget *createFilterBar();
    QFrame *createHistoryBar();
    QTableView *createTable(EventLogModel *model, const QString &name);
    void updateInstruments(const MarketView &view);
    void applyFilterControls();
    void showFilterInControls(const EventLogModel::Filter &filter);
    void updateCounter();
    // Reads a page of history and shows it with the event `select` selected. Returns false, and
    // shows the reason, when the source has no events there or not `select`.
    bool showHistoryPage(SequenceNumber first, std::size_t count, SequenceNumber select);
    void pageHistory(bool earlier);
    void selectRow(QTableView *table, int row);
    void showMessage(const QString &text, bool problem);
    void onLiveRowsInserted();
    void onLiveRowsRemoved(int count);
    void onLiveScrolled(int value);

    EventLogModel *m_live;
    EventLogModel *m_history;
    HistorySource m_historySource;
    std::vector<InstrumentId> m_instrumentIds; // in the instrument combo, after "All"

    QComboBox *m_type = nullptr;
    QComboBox *m_instrument = nullptr;
    QLineEdit *m_order = nullptr;
    QLineEdit *m_jump = nullptr;
    QToolButton *m_follow = nullptr;
    RiskToneLabel *m_counter = nullptr;
    RiskToneLabel *m_message = nullptr;
    QFrame *m_historyBar = nullptr;
    RiskToneLabel *m_historyText = nullptr;
    QPushButton *m_earlier = nullptr;
    QPushButton *m_later = nullptr;
    QStackedWidget *m_stack = nullptr;
    QTableView *m_liveTable = nullptr;
    QTableView *m_historyTable = nullptr;

    bool m_following = true;
    bool m_scrolling = false; // the panel itself is moving the live table's scroll bar
    bool m_updatingControls = false;
};

} // namespace bourse::ui
