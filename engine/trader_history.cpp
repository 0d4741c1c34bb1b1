#include "trader_history.h"

#include "trader_view.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <queue>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

namespace bourse {

namespace {

// The order an event names without naming its account, or zero.
template <typename Payload>
OrderId orderNamedBy(const Payload &payload)
{
    if constexpr (std::is_same_v<Payload, OrderAdded> || std::is_same_v<Payload, OrderCancelled> ||
                  std::is_same_v<Payload, OrderReduced> || std::is_same_v<Payload, OrderReplaced> ||
                  std::is_same_v<Payload, OrderParked> || std::is_same_v<Payload, StopTriggered>) {
        return payload.id;
    } else {
        return OrderId{};
    }
}

// Collects the trader's events from the newest back. An event that names an order but not its
// account (a cancel, a replace) waits until the scan reaches the order's OrderAccepted, which
// names the account: the trader's are kept, the others dropped. Orders are counted as
// TraderViewBuilder lists them, to know when the scan has read far enough.
class TraderHistoryScan {
public:
    TraderHistoryScan(const Engine &engine, const std::vector<AccountId> &accounts)
        : m_accounts(accounts)
    {
        for (const AccountId account : accounts) {
            for (const OrderId id : engine.risk().workingOrders(account)) {
                m_working.emplace(id.value(), false);
            }
        }
        m_workingNotFound = m_working.size();
    }

    // Takes the next older event.
    void add(const Event &event)
    {
        std::visit([this, &event](const auto &payload) { on(event, payload); }, event.payload);
    }

    bool hasEverything() const
    {
        if (m_workingNotFound > 0 || m_notices < TraderViewBuilder::kNoticesKept ||
            m_fills < TraderViewBuilder::kFillsKept ||
            m_finishes.size() < TraderViewBuilder::kFinishedOrdersKept) {
            return false;
        }
        // An order entered before the scan's start and ended after the oldest of the finished
        // orders kept would be listed too, so every waiting order that ended after it must be
        // found first. An order of the market that waits is dropped once found.
        return m_waitingNewest.empty() || *m_waitingNewest.rbegin() < m_finishes.top();
    }

    // The kept events, oldest first.
    std::vector<Event> takeEvents()
    {
        std::sort(m_kept.begin(), m_kept.end(),
                  [](const Event &a, const Event &b) { return a.sequence < b.sequence; });
        return std::move(m_kept);
    }

private:
    // The events of an order whose OrderAccepted the scan has not reached yet, newest first,
    // and the sequence number of its newest event, where a finished order ended.
    struct Waiting {
        SequenceNumber newest = 0;
        std::vector<Event> events;
    };

    bool isTrader(AccountId account) const
    {
        return account.value() != 0 &&
               std::find(m_accounts.begin(), m_accounts.end(), account) != m_accounts.end();
    }

    void on(const Event &event, const OrderAccepted &accepted)
    {
        const auto waiting = m_waiting.find(accepted.id.value());
        SequenceNumber ended = event.sequence;
        if (waiting != m_waiting.end()) {
            ended = waiting->second.newest;
            if (isTrader(accepted.account)) {
                std::move(waiting->second.events.begin(), waiting->second.events.end(),
                          std::back_inserter(m_kept));
            }
            m_waitingNewest.erase(m_waitingNewest.find(waiting->second.newest));
            m_waiting.erase(waiting);
        }
        if (!isTrader(accepted.account)) {
            return;
        }
        m_kept.push_back(event);

        // The newest entry of an order id the engine has working is that order's. An older
        // entry of the same id is of an order that ended before it.
        const auto working = m_working.find(accepted.id.value());
        if (working != m_working.end() && !working->second) {
            working->second = true;
            --m_workingNotFound;
            return;
        }
        addFinish(ended);
    }

    // A rejection naming an order that is working then, which has later events or is working
    // still, is of a cancel or replace, unless its reason is one only a new order gets.
    void on(const Event &event, const OrderRejected &rejected)
    {
        if (rejected.id.value() == 0) {
            if (rejectsSettings(rejected) &&
                (isTrader(rejected.account) || rejected.account.value() == 0)) {
                m_kept.push_back(event);
                ++m_notices;
            }
            return;
        }
        if (!isTrader(rejected.account)) {
            return;
        }
        const auto working = m_working.find(rejected.id.value());
        const bool workingThen = m_waiting.contains(rejected.id.value()) ||
                                 (working != m_working.end() && !working->second);
        if (workingThen && rejected.reason != RejectReason::DuplicateOrderId) {
            wait(rejected.id, event.sequence, &event);
            return;
        }
        m_kept.push_back(event);
        addFinish(event.sequence);
    }

    void on(const Event &event, const RiskRejected &rejected)
    {
        keepNotice(event, isTrader(rejected.account));
    }

    void on(const Event &event, const KillSwitchChanged &changed)
    {
        keepNotice(event, changed.account.value() == 0 || isTrader(changed.account));
    }

    void on(const Event &event, const RiskAlert &alert)
    {
        keepNotice(event, isTrader(alert.account));
    }

    void on(const Event &event, const RiskLimitsSet &set)
    {
        keepNotice(event, isTrader(set.account));
    }

    void on(const Event &event, const Trade &trade)
    {
        const bool maker = isTrader(trade.makerAccount);
        const bool taker = isTrader(trade.takerAccount);
        if (!maker && !taker) {
            return;
        }
        m_kept.push_back(event);
        if (maker) {
            wait(trade.maker, event.sequence, nullptr);
        }
        if (taker && trade.taker != trade.maker) {
            wait(trade.taker, event.sequence, nullptr);
        }
    }

    void on(const Event &event, const FillPosted &posted)
    {
        if (isTrader(posted.account)) {
            m_kept.push_back(event);
            ++m_fills;
        }
    }

    template <typename Other>
    void on(const Event &event, const Other &payload)
    {
        const OrderId id = orderNamedBy(payload);
        if (id.value() != 0) {
            wait(id, event.sequence, &event);
        }
    }

    void keepNotice(const Event &event, bool trader)
    {
        if (trader) {
            m_kept.push_back(event);
            ++m_notices;
        }
    }

    // Holds an event of an order until its entry is found. A null event only marks when the
    // order last changed, for an event that is kept already.
    void wait(OrderId id, SequenceNumber sequence, const Event *event)
    {
        auto [waiting, added] = m_waiting.try_emplace(id.value());
        if (added) {
            waiting->second.newest = sequence;
            m_waitingNewest.insert(sequence);
        }
        if (event != nullptr) {
            waiting->second.events.push_back(*event);
        }
    }

    void addFinish(SequenceNumber ended)
    {
        m_finishes.push(ended);
        if (m_finishes.size() > TraderViewBuilder::kFinishedOrdersKept) {
            m_finishes.pop();
        }
    }

    const std::vector<AccountId> &m_accounts;
    // The trader's orders that the engine has working, and whether the scan found their entry.
    std::unordered_map<std::uint64_t, bool> m_working;
    std::size_t m_workingNotFound = 0;
    std::unordered_map<std::uint64_t, Waiting> m_waiting; // by order id
    std::multiset<SequenceNumber> m_waitingNewest;        // Waiting::newest of each
    // The sequence numbers at which the newest kFinishedOrdersKept of the finished orders found
    // so far ended, the oldest on top.
    std::priority_queue<SequenceNumber, std::vector<SequenceNumber>, std::greater<>> m_finishes;
    std::size_t m_notices = 0;
    std::size_t m_fills = 0;
    std::vector<Event> m_kept;
};

} // namespace

TraderHistory readTraderHistory(EventHistory &history, const Engine &engine,
                                const std::vector<AccountId> &accounts,
                                std::uint64_t maximumEventsRead)
{
    TraderHistory result;
    TraderHistoryScan scan(engine, accounts);
    std::vector<Event> run;
    bool reachedFirst = false;
    while (!scan.hasEverything() && result.eventsRead < maximumEventsRead) {
        run.clear();
        if (!history.readOlder(run)) {
            result.error = history.error();
            reachedFirst = result.error.empty();
            break;
        }
        for (auto event = run.rbegin(); event != run.rend(); ++event) {
            scan.add(*event);
        }
        result.eventsRead += run.size();
        if (!run.empty()) {
            result.oldestRead = run.front().sequence;
        }
    }
    result.complete = reachedFirst || scan.hasEverything();
    result.events = scan.takeEvents();
    return result;
}

} // namespace bourse
