#include "live_feed.h"

#include "depth_replay.h"
#include "engine.h"
#include "replayed_instrument.h"

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace bourse::net::feed {

namespace {

// How long the network thread waits for input before it looks at the stop request again.
constexpr std::chrono::milliseconds kPollWait{20};

// A publisher sends a heartbeat on every topic whenever it has sent nothing for its heartbeat
// interval (200 ms by default, FeedPublisherOptions), A feed silent for this long has
// therefore stopped or lost its link, and its books may no longer be the market's.
constexpr std::chrono::milliseconds kSilenceLimit{3000};

// An item the network thread hands to the engine thread: a change to a stream's book, or the
// stream's new stale reason (empty once it is live again).
struct Arrival {
    enum class Kind : std::uint8_t { Change, Status };
    Kind kind = Kind::Change;
    std::size_t feed = 0;
    std::string topic;
    BookDepth depth = BookDepth::Orders;
    Message message;         // for a change
    std::string staleReason; // for a status
};

// The sentence a stream that is not live shows, with what happens next. It leaves out the
// topic, because the panels name the instrument, and the status bar shows the sentence's start.
std::string staleSentence(const StreamSummary &summary, const FeedSubscription &feed)
{
    if (feed.snapshotEndpoint.empty())
        return summary.staleReason +
               " (the feed has no snapshot endpoint, so only a snapshot in the stream clears it)";
    return summary.staleReason + " (snapshot requested from " + feed.snapshotEndpoint + ")";
}

std::string silenceSentence(const FeedSubscription &feed)
{
    return "no message from " + feed.endpoint + " for " +
           std::to_string(kSilenceLimit.count() / 1000) +
           " s: the publisher may have stopped, so the book shows its state before the silence";
}

// The network side: the subscriber's sockets, polled on a thread of their own from start() to
// the destructor. take() may be called from any other thread.
class Receiver {
public:
    explicit Receiver(std::vector<FeedSubscription> feeds)
        : m_feeds(feeds)
        , m_subscriber(m_context, std::move(feeds))
    {
        for (std::size_t feed = 0; feed < m_subscriber.feedCount(); ++feed) {
            m_observers.push_back(std::make_unique<Observer>(*this, feed));
            m_subscriber.setObserver(feed, m_observers.back().get());
        }
    }

    ~Receiver()
    {
        m_stop.store(true, std::memory_order_relaxed);
        if (m_thread.joinable())
            m_thread.join();
    }

    Receiver(const Receiver &) = delete;
    Receiver &operator=(const Receiver &) = delete;

    // Connects every socket on the calling thread, before start().
    std::optional<std::string> connect() { return m_subscriber.connect(); }

    // ZeroMQ sockets may move to another thread, as they do here, behind the memory barrier
    // that starting a thread is.
    void start()
    {
        m_thread = std::thread([this] { run(); });
    }

    // Appends everything that arrived since the last call to `out`, oldest first.
    void take(std::deque<Arrival> &out)
    {
        std::lock_guard lock(m_mutex);
        if (out.empty())
            std::swap(out, m_arrivals);
        else
            std::move(m_arrivals.begin(), m_arrivals.end(), std::back_inserter(out));
        m_arrivals.clear();
    }

    const FeedSubscription &subscription(std::size_t feed) const { return m_feeds.at(feed); }

private:
    class Observer final : public FeedBookObserver {
    public:
        Observer(Receiver &owner, std::size_t feed)
            : m_owner(owner)
            , m_feed(feed)
        {
        }

        void applied(const std::string &topic, BookDepth depth, const Message &message) override
        {
            m_owner.m_received.push_back(
                {Arrival::Kind::Change, m_feed, topic, depth, message, {}});
        }

    private:
        Receiver &m_owner;
        std::size_t m_feed;
    };

    void run()
    {
        while (!m_stop.load(std::memory_order_relaxed)) {
            m_subscriber.poll(kPollWait);
            noteStates();
            if (m_received.empty())
                continue;
            std::lock_guard lock(m_mutex);
            std::move(m_received.begin(), m_received.end(), std::back_inserter(m_arrivals));
            m_received.clear();
        }
    }

    // Queues the stale reason of every stream whose reason changed, after the changes that led
    // to it, so that the engine thread shows a book as live only once its engine contains the
    // snapshot.
    void noteStates()
    {
        for (std::size_t feed = 0; feed < m_subscriber.feedCount(); ++feed) {
            const bool silent = isSilent(feed);
            for (const StreamSummary &summary : m_subscriber.books(feed).summaries()) {
                std::string reason;
                if (summary.state != StreamState::Live)
                    reason = staleSentence(summary, m_feeds[feed]);
                else if (silent)
                    reason = silenceSentence(m_feeds[feed]);
                auto [known, added] = m_reasons.try_emplace({feed, summary.topic}, reason);
                if (!added && known->second == reason)
                    continue;
                known->second = reason;
                Arrival status{Arrival::Kind::Status, feed, summary.topic, summary.depth, {}, {}};
                status.staleReason = reason;
                m_received.push_back(std::move(status));
            }
        }
    }

    // Whether `feed` has sent nothing, not even a heartbeat, for kSilenceLimit. A payload ends the
    // silence, and a stream whose sequence numbers then continue is live again at once.
    bool isSilent(std::size_t feed)
    {
        const auto now = std::chrono::steady_clock::now();
        if (m_lastPayloads.size() <= feed) {
            m_lastPayloads.resize(feed + 1, {0, now});
        }
        auto &[count, since] = m_lastPayloads[feed];
        const std::size_t received = m_subscriber.payloadsReceived(feed);
        if (received != count) {
            count = received;
            since = now;
        }
        return now - since >= kSilenceLimit;
    }

    std::vector<FeedSubscription> m_feeds;
    zmq::context_t m_context; // before the subscriber, whose sockets must close first
    FeedSubscriber m_subscriber;
    std::vector<std::unique_ptr<Observer>> m_observers;
    // Network thread only: what the current poll produced, and each stream's last reason.
    std::deque<Arrival> m_received;
    std::map<std::pair<std::size_t, std::string>, std::string> m_reasons;
    // Per feed: the payloads received at the last look, and since when that count has not moved.
    std::vector<std::pair<std::size_t, std::chrono::steady_clock::time_point>> m_lastPayloads;

    std::mutex m_mutex;
    // NOTE: unbounded. While the session is paused, the feed's messages pile up here until it
    // plays again, at about 100 bytes each plus what a snapshot carries.
    std::deque<Arrival> m_arrivals;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

// Hands a level stream's changes, one at a time, to replay::DepthReplay.
class SingleUpdateReader final : public replay::DepthReader {
public:
    void set(replay::DepthUpdate update) { m_next = std::move(update); }

    bool read(replay::DepthUpdate &update) override
    {
        if (!m_next)
            return false;
        update = std::move(*m_next);
        m_next.reset();
        return true;
    }

    const std::optional<replay::InputError> &error() const override { return m_error; }

private:
    std::optional<replay::DepthUpdate> m_next;
    std::optional<replay::InputError> m_error; // never set: the decoder checked every field
};

std::optional<Timestamp> timeOf(const Body &body)
{
    if (const auto *order = std::get_if<OrderMessage>(&body))
        return order->time;
    if (const auto *levels = std::get_if<LevelUpdate>(&body))
        return levels->time;
    if (const auto *trade = std::get_if<Trade>(&body))
        return trade->time;
    if (const auto *status = std::get_if<StatusChange>(&body))
        return status->time;
    return std::nullopt;
}

class LiveFeed final : public ReplayFeed {
public:
    LiveFeed(Engine &engine, std::vector<FeedSubscription> feeds)
        : m_engine(engine)
        , m_receiver(feeds)
        , m_staleReason("no message yet from " + feeds.front().endpoint)
    {
        for (const FeedSubscription &feed : feeds) {
            if (!feed.topics.empty()) {
                m_requestedTopic = feed.topics.front();
                break;
            }
        }
    }

    std::optional<std::string> connect()
    {
        std::optional<std::string> problem = m_receiver.connect();
        if (!problem)
            m_receiver.start();
        return problem;
    }

    Step step() override
    {
        if (m_failure)
            return Step::Failed;
        if (!fill())
            return Step::Waiting;
        const Arrival arrival = std::move(m_pending.front());
        m_pending.pop_front();
        if (!follows(arrival))
            return Step::Applied;
        if (arrival.kind == Arrival::Kind::Status) {
            m_staleReason = arrival.staleReason;
            return Step::Applied;
        }
        apply(arrival);
        ++m_messages;
        return m_failure ? Step::Failed : Step::Applied;
    }

    std::optional<Timestamp> nextTime() const override
    {
        if (!fill())
            return std::nullopt;
        return timeOf(m_pending.front().message.body).value_or(m_lastTime);
    }

    std::string error() const override { return m_failure.value_or(std::string()); }
    std::size_t messages() const override { return m_messages; }
    std::string staleReason() const override { return m_staleReason; }
    bool live() const override { return true; }

private:
    bool fill() const
    {
        if (m_pending.empty())
            m_receiver.take(m_pending);
        return !m_pending.empty();
    }

    // The first stream that arrives with the requested topic, or with any topic when no feed lists
    // one, is the one the engine follows.
    bool follows(const Arrival &arrival)
    {
        if (!m_followed) {
            if (m_requestedTopic && arrival.topic != *m_requestedTopic)
                return false;
            m_followed = {arrival.feed, arrival.topic};
        }
        return m_followed->first == arrival.feed && m_followed->second == arrival.topic;
    }

    void apply(const Arrival &arrival)
    {
        const Message &message = arrival.message;
        const std::optional<Timestamp> time = timeOf(message.body);
        if (time)
            m_lastTime = *time;
        if (const auto *definition = std::get_if<InstrumentDefinition>(&message.body)) {
            define(arrival.topic, *definition);
            return;
        }
        define(arrival.topic, InstrumentDefinition{arrival.depth, 0, 0, 1, 1});
        if (arrival.depth == BookDepth::Levels)
            applyLevels(message);
        else
            applyOrders(message);
    }

    // Adds the instrument once. A later definition that changes its terms is not applied.
    // TODO: show such a change as a stale reason: the book's prices would then mean another
    // scale than the one the panels show.
    void define(const std::string &topic, const InstrumentDefinition &definition)
    {
        if (m_defined)
            return;
        m_defined = true;
        bourse::InstrumentDefinition terms =
            replay::replayedInstrument(topic, definition.priceDecimals, definition.sizeDecimals);
        terms.tickSize = Price{definition.tick};
        terms.lotSize = Quantity{definition.lot};
        m_engine.addInstrument(terms, m_lastTime);
    }

    void applyOrders(const Message &message)
    {
        if (const auto *order = std::get_if<OrderMessage>(&message.body))
            m_orders.apply(m_engine, *order);
        else if (const auto *trade = std::get_if<Trade>(&message.body))
            m_orders.apply(m_engine, *trade);
        else if (const auto *status = std::get_if<StatusChange>(&message.body))
            m_orders.apply(m_engine, *status);
        else if (const auto *snapshot = std::get_if<OrderSnapshot>(&message.body))
            replaceOrders(*snapshot);
    }

    // Brings the book to a snapshot's orders with as few changes as it takes, so that the
    // queue places of the orders that the snapshot keeps, and of the trader's paper orders
    // behind them, survive. An order whose side or price changed is deleted and added again.
    // NOTE: an added order joins the back of its level, so where the snapshot places a new
    // order ahead of a kept one, the book's queue order differs from the publisher's.
    void replaceOrders(const OrderSnapshot &snapshot)
    {
        std::unordered_map<OrderId, RestingOrder> listed;
        for (const RestingOrder &order : snapshot.orders)
            listed.emplace(order.id, order);

        std::vector<const Order *> resting;
        for (Side side : {Side::Buy, Side::Sell})
            m_engine.book().forEachOrder(side,
                                         [&](const Order &order) { resting.push_back(&order); });
        std::vector<OrderId> deleted;
        std::vector<std::pair<OrderId, Quantity>> reduced;
        for (const Order *order : resting) {
            const auto found = listed.find(order->id);
            if (found == listed.end() || found->second.side != order->side ||
                found->second.price != order->price || found->second.quantity > order->remaining) {
                deleted.push_back(order->id);
                continue;
            }
            if (found->second.quantity < order->remaining)
                reduced.emplace_back(order->id, order->remaining - found->second.quantity);
            listed.erase(found);
        }
        for (const OrderId id : deleted)
            m_engine.applyDelete(id, m_lastTime);
        for (const auto &[id, quantity] : reduced)
            m_engine.applyReduce(id, quantity, m_lastTime);

        OrderSnapshot added;
        for (const RestingOrder &order : snapshot.orders) {
            if (listed.contains(order.id))
                added.orders.push_back(order);
        }
        m_orders.load(m_engine, added, m_lastTime);
    }

    void applyLevels(const Message &message)
    {
        // A stream's first message decides its depth, and a stream that changes depth starts
        // again from a snapshot, which replaces every level.
        if (!m_levels)
            m_levels = std::make_unique<replay::DepthReplay>(m_engine, m_levelReader,
                                                             replay::DepthSequencing::Consecutive);
        m_levelReader.set(depthUpdateOf(message.sequence, message.body));
        if (m_levels->step() == replay::DepthReplay::Step::Failed) {
            m_failure = "topic " + m_followed->second + ", sequence " +
                        std::to_string(message.sequence) + ": " +
                        (m_levels->error() ? m_levels->error()->toString()
                                           : std::string("the engine rejected a level"));
            return;
        }
        // A level stream's trade takes no liquidity that the levels show, which the next level
        // update changes, but it prints on the tape and in the chart.
        if (const auto *trade = std::get_if<Trade>(&message.body))
            m_engine.applyUnseenTrade(trade->aggressor, trade->price, trade->quantity, trade->time);
        else if (const auto *status = std::get_if<StatusChange>(&message.body))
            m_engine.applyStatus(status->status, status->time);
    }

    Engine &m_engine;
    mutable Receiver m_receiver;
    mutable std::deque<Arrival> m_pending; // taken from the receiver, not applied yet
    std::optional<std::string> m_requestedTopic;
    std::optional<std::pair<std::size_t, std::string>> m_followed;
    bool m_defined = false;
    OrderApplier m_orders;
    SingleUpdateReader m_levelReader;
    std::unique_ptr<replay::DepthReplay> m_levels;
    Timestamp m_lastTime;
    std::size_t m_messages = 0;
    std::string m_staleReason;
    std::optional<std::string> m_failure;
};

} // namespace

std::unique_ptr<ReplayFeed> openLiveFeed(std::vector<FeedSubscription> feeds, Engine &engine,
                                         std::string &error)
{
    if (feeds.empty()) {
        error = "no feed given: name at least one feed endpoint";
        return nullptr;
    }
    auto feed = std::make_unique<LiveFeed>(engine, std::move(feeds));
    if (std::optional<std::string> problem = feed->connect()) {
        error = "cannot subscribe to " + *problem;
        return nullptr;
    }
    return feed;
}

} // namespace bourse::net::feed
