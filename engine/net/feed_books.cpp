#include "feed_books.h"

#include <algorithm>

namespace bourse::net::feed {

namespace {

constexpr InstrumentId kBookInstrument{1};

BookDepth depthOf(const Body &body, BookDepth current)
{
    if (std::holds_alternative<OrderMessage>(body) || std::holds_alternative<OrderSnapshot>(body))
        return BookDepth::Orders;
    if (std::holds_alternative<LevelUpdate>(body) || std::holds_alternative<BookSnapshot>(body))
        return BookDepth::Levels;
    if (const auto *instrument = std::get_if<InstrumentDefinition>(&body))
        return instrument->depth;
    return current;
}

} // namespace

replay::DepthUpdate depthUpdateOf(std::uint64_t sequence, const Body &body)
{
    replay::DepthUpdate update;
    update.firstId = update.lastId = replay::UpdateId{sequence};
    if (const auto *book = std::get_if<BookSnapshot>(&body)) {
        update.kind = replay::DepthKind::Snapshot;
        for (const Level &level : book->bids)
            update.bids.push_back({level.price, level.size});
        for (const Level &level : book->asks)
            update.asks.push_back({level.price, level.size});
    } else if (const auto *levels = std::get_if<LevelUpdate>(&body)) {
        update.exchangeTime = levels->time;
        for (const LevelChange &change : levels->changes)
            (change.side == Side::Buy ? update.bids : update.asks)
                .push_back({change.price, change.size});
    }
    // A trade or a status change on a level stream is an empty delta that keeps the ids
    // consecutive.
    return update;
}

std::string_view nameOf(StreamState state)
{
    switch (state) {
    case StreamState::AwaitingSnapshot:
        return "awaiting snapshot";
    case StreamState::Live:
        return "live";
    case StreamState::Stale:
        return "stale";
    }
    return "unknown";
}

// One topic's book and its sequence: messages in order are applied, missing ones make the book
// stale, and a snapshot drops the kept messages it already contains and applies those after it.
class FeedStream {
public:
    FeedStream(FeedBooks &owner, std::string topic, std::uint64_t session)
        : m_owner(owner)
        , m_topic(std::move(topic))
        , m_session(session)
    {
        resetBook(BookDepth::Orders);
    }

    std::uint64_t session() const { return m_session; }
    std::uint64_t highestSeen() const { return m_highestSeen; }
    StreamState state() const { return m_state; }
    BookDepth depth() const { return m_depth; }
    const Engine *engine() const { return m_engine.get(); }
    const replay::DepthBook *depthBook() const { return m_depthBook.get(); }

    void apply(const Message &message)
    {
        if (!std::holds_alternative<InstrumentDefinition>(message.body))
            m_highestSeen = std::max(m_highestSeen, message.sequence);
        const BookDepth depth = depthOf(message.body, m_depth);
        if (depth != m_depth)
            switchDepth(depth);

        if (const auto *instrument = std::get_if<InstrumentDefinition>(&message.body)) {
            m_definition = *instrument;
            notify(message);
            return;
        }
        if (std::holds_alternative<Heartbeat>(message.body)) {
            heartbeat(message.sequence);
            return;
        }
        if (std::holds_alternative<BookSnapshot>(message.body) ||
            std::holds_alternative<OrderSnapshot>(message.body)) {
            snapshot(message);
            return;
        }
        sequenced(message);
    }

    void markNoSuchTopic()
    {
        if (m_state != StreamState::Live)
            m_staleReason = "the publisher has no topic " + m_topic +
                            " (its snapshot reply was empty): waiting for a snapshot";
    }

    StreamSummary summary() const
    {
        StreamSummary summary;
        summary.topic = m_topic;
        summary.depth = m_depth;
        summary.state = m_state;
        summary.session = m_session;
        summary.lastSequence = m_lastSequence;
        summary.staleReason = m_staleReason;
        if (m_depth == BookDepth::Orders) {
            const OrderBook &book = m_engine->book();
            summary.bidLevels = book.levelCount(Side::Buy);
            summary.askLevels = book.levelCount(Side::Sell);
            if (summary.bidLevels > 0)
                summary.bid =
                    Level{book.level(Side::Buy, 0).price, book.level(Side::Buy, 0).quantity};
            if (summary.askLevels > 0)
                summary.ask =
                    Level{book.level(Side::Sell, 0).price, book.level(Side::Sell, 0).quantity};
            return summary;
        }
        const replay::BestLevels top = m_depthBook->top();
        summary.bidLevels = m_depthBook->levelCount(Side::Buy);
        summary.askLevels = m_depthBook->levelCount(Side::Sell);
        if (top.bid)
            summary.bid = Level{top.bid->price, top.bid->size};
        if (top.ask)
            summary.ask = Level{top.ask->price, top.ask->size};
        return summary;
    }

private:
    FeedStatistics &statistics() { return m_owner.m_statistics; }

    void resetBook(BookDepth depth)
    {
        m_depth = depth;
        m_engine = std::make_unique<Engine>(kBookInstrument);
        m_depthBook = std::make_unique<replay::DepthBook>(replay::DepthSequencing::Consecutive);
        m_applier = OrderApplier{};
    }

    // A stream whose messages turn out to be of the other depth starts again from a snapshot.
    void switchDepth(BookDepth depth)
    {
        const bool started = m_state != StreamState::AwaitingSnapshot || !m_buffer.empty();
        resetBook(depth);
        m_buffer.clear();
        if (started) {
            m_state = StreamState::AwaitingSnapshot;
            m_staleReason = "the stream changed to " +
                            std::string(depth == BookDepth::Orders ? "orders" : "levels");
            request();
        }
    }

    void sequenced(const Message &message)
    {
        if (m_state == StreamState::AwaitingSnapshot && !m_joined) {
            m_joined = true;
            if (message.sequence == 1) {
                startEmpty();
            } else {
                m_staleReason = "joined at sequence " + std::to_string(message.sequence) +
                                ": waiting for a snapshot";
                request();
            }
        }
        if (m_state != StreamState::Live) {
            keep(message);
            return;
        }
        if (message.sequence <= m_lastSequence) {
            ++statistics().duplicates;
            return;
        }
        if (message.sequence != m_lastSequence + 1) {
            markStale(message.sequence);
            keep(message);
            return;
        }
        applyInOrder(message);
    }

    // The stream was seen from its first message, so the book before it is empty.
    void startEmpty()
    {
        m_state = StreamState::Live;
        m_lastSequence = 0;
        m_staleReason.clear();
        if (m_depth == BookDepth::Levels) {
            m_depthBook->apply(depthUpdateOf(0, BookSnapshot{}));
            notify(Message{0, BookSnapshot{}});
        } else {
            notify(Message{0, OrderSnapshot{}});
        }
    }

    void heartbeat(std::uint64_t sequence)
    {
        if (m_state == StreamState::AwaitingSnapshot && !m_joined) {
            m_joined = true;
            if (sequence == 0) {
                startEmpty();
            } else {
                m_staleReason =
                    "joined at sequence " + std::to_string(sequence) + ": waiting for a snapshot";
                request();
            }
            return;
        }
        // The subscriber receives a publisher's messages in the order they were sent, so a
        // heartbeat naming a later message than the last applied one means that message is lost.
        if (m_state == StreamState::Live && sequence > m_lastSequence)
            markStale(sequence);
    }

    void snapshot(const Message &message)
    {
        m_joined = true;
        if (m_state == StreamState::Live && message.sequence <= m_lastSequence) {
            // Two snapshots at one sequence number must describe one book; when they do not,
            // neither can be trusted.
            if (message.sequence == m_lastSequence && !matchesBook(message.body))
                contradict("a snapshot at sequence " + std::to_string(message.sequence) +
                           " differs from the book at that sequence");
            else
                ++statistics().duplicates;
            return;
        }
        if (m_depth == BookDepth::Orders) {
            m_engine = std::make_unique<Engine>(kBookInstrument);
            m_applier.load(*m_engine, std::get<OrderSnapshot>(message.body));
        } else {
            m_depthBook = std::make_unique<replay::DepthBook>(replay::DepthSequencing::Consecutive);
            m_depthBook->apply(depthUpdateOf(message.sequence, message.body));
        }
        ++statistics().snapshots;
        m_state = StreamState::Live;
        m_lastSequence = message.sequence;
        m_staleReason.clear();
        m_requested = false;
        notify(message);
        checkCrossed();
        drainKept();
    }

    bool matchesBook(const Body &body) const
    {
        if (const auto *orders = std::get_if<OrderSnapshot>(&body))
            return m_depth == BookDepth::Orders &&
                   OrderApplier::snapshotOf(*m_engine).orders == orders->orders;
        const auto &book = std::get<BookSnapshot>(body);
        if (m_depth != BookDepth::Levels)
            return false;
        const auto sameSide = [this](Side side, const std::vector<Level> &levels) {
            const std::vector<replay::BookLevel> held = m_depthBook->levels(side);
            return std::equal(held.begin(), held.end(), levels.begin(), levels.end(),
                              [](const replay::BookLevel &left, const Level &right) {
                                  return left.price == right.price && left.size == right.size;
                              });
        };
        return sameSide(Side::Buy, book.bids) && sameSide(Side::Sell, book.asks);
    }

    // Applies the kept messages that follow the snapshot, and drops those it already contains.
    void drainKept()
    {
        while (!m_buffer.empty() && m_state == StreamState::Live) {
            const Message message = std::move(m_buffer.front());
            m_buffer.pop_front();
            if (message.sequence <= m_lastSequence) {
                ++statistics().duplicates;
            } else if (message.sequence == m_lastSequence + 1) {
                applyInOrder(message);
            } else {
                markStale(message.sequence);
                m_buffer.push_front(message);
            }
        }
    }

    void applyInOrder(const Message &message)
    {
        m_lastSequence = message.sequence;
        ++statistics().events;
        if (const auto *order = std::get_if<OrderMessage>(&message.body);
            order && m_depth == BookDepth::Orders) {
            if (auto problem = contradiction(*order)) {
                contradict(*problem);
                return;
            }
        }

        if (m_depth == BookDepth::Levels) {
            m_depthBook->apply(depthUpdateOf(message.sequence, message.body));
        } else if (const auto *order = std::get_if<OrderMessage>(&message.body)) {
            m_applier.apply(*m_engine, *order);
        } else if (const auto *trade = std::get_if<Trade>(&message.body)) {
            m_applier.apply(*m_engine, *trade);
        } else if (const auto *status = std::get_if<StatusChange>(&message.body)) {
            m_applier.apply(*m_engine, *status);
        }
        notify(message);
        checkCrossed();
    }

    void notify(const Message &message)
    {
        if (m_owner.m_observer)
            m_owner.m_observer->applied(m_topic, m_depth, message);
    }

    // An order message that cannot be true of the book held, which is then wrong. A message that
    // names an unknown order is not one: the book may have joined after the order's add.
    std::optional<std::string> contradiction(const OrderMessage &order) const
    {
        const Order *resting = m_engine->findOrder(order.id);
        if (!resting)
            return std::nullopt;
        const std::string id = std::to_string(order.id.value());
        if (order.action == OrderAction::Add)
            return "order " + id + " is added again while it rests";
        if (order.action == OrderAction::Execute && order.quantity > resting->remaining)
            return "an execution of " + std::to_string(order.quantity.value()) + " on order " + id +
                   ", which has " + std::to_string(resting->remaining.value()) + " left";
        return std::nullopt;
    }

    void checkCrossed()
    {
        if (m_state != StreamState::Live)
            return;
        std::optional<Price> bid;
        std::optional<Price> ask;
        if (m_depth == BookDepth::Orders) {
            if (const Order *best = m_engine->book().bestOrder(Side::Buy))
                bid = best->price;
            if (const Order *best = m_engine->book().bestOrder(Side::Sell))
                ask = best->price;
        } else {
            const replay::BestLevels top = m_depthBook->top();
            if (top.bid)
                bid = top.bid->price;
            if (top.ask)
                ask = top.ask->price;
        }
        if (bid && ask && *bid >= *ask)
            contradict("crossed: bid " + std::to_string(bid->value()) + " >= ask " +
                       std::to_string(ask->value()));
    }

    // The book is known to be wrong: it is shown stale until a snapshot replaces it.
    void contradict(const std::string &reason)
    {
        ++statistics().contradictions;
        m_state = StreamState::Stale;
        m_staleReason = reason + ": waiting for a snapshot";
        request();
    }

    void markStale(std::uint64_t received)
    {
        ++statistics().gaps;
        m_state = StreamState::Stale;
        m_staleReason = "sequence " + std::to_string(m_lastSequence + 1) + " is missing (" +
                        std::to_string(received) + " received): waiting for a snapshot";
        request();
    }

    void keep(const Message &message)
    {
        if (m_buffer.size() >= m_owner.m_bufferLimit) {
            m_buffer.pop_front();
            ++statistics().discarded;
        }
        m_buffer.push_back(message);
    }

    void request()
    {
        if (m_requested)
            return;
        m_requested = true;
        if (m_owner.m_handler)
            m_owner.m_handler->snapshotRequested(m_topic);
    }

    FeedBooks &m_owner;
    std::string m_topic;
    std::uint64_t m_session;
    BookDepth m_depth = BookDepth::Orders;
    std::optional<InstrumentDefinition> m_definition;
    StreamState m_state = StreamState::AwaitingSnapshot;
    bool m_joined = false;    // a message of the stream was seen
    bool m_requested = false; // a snapshot was requested and has not come
    std::uint64_t m_lastSequence = 0;
    std::uint64_t m_highestSeen = 0; // of any message with a sequence number, applied or not
    std::string m_staleReason = "no message yet";
    std::deque<Message> m_buffer;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<replay::DepthBook> m_depthBook;
    OrderApplier m_applier;
};

FeedBooks::FeedBooks(std::size_t bufferLimit)
    : m_bufferLimit(bufferLimit)
{
}

FeedBooks::~FeedBooks() = default;

void FeedBooks::apply(const Batch &batch)
{
    if (batch.messages.empty())
        return;
    auto &stream = m_streams[batch.topic];
    if (stream && stream->session() != batch.session) {
        ++m_statistics.restarts;
        stream.reset();
    }
    if (!stream)
        stream = std::make_unique<FeedStream>(*this, batch.topic, batch.session);
    for (const Message &message : batch.messages)
        stream->apply(message);
}

void FeedBooks::applySnapshotReply(const Batch &batch)
{
    const auto found = m_streams.find(batch.topic);
    if (found == m_streams.end()) {
        reject(batch.topic, "a snapshot reply for a topic that no stream follows");
        return;
    }
    const FeedStream &stream = *found->second;
    if (batch.session != stream.session()) {
        reject(batch.topic, "a snapshot reply from session " + std::to_string(batch.session) +
                                ", but the stream follows session " +
                                std::to_string(stream.session()));
        return;
    }
    for (const Message &message : batch.messages) {
        if (isSequenced(message.body) || std::holds_alternative<Heartbeat>(message.body)) {
            reject(batch.topic, "a snapshot reply carries a message of type \"" +
                                    std::string(typeName(message.body)) +
                                    "\", but a reply carries only a definition and a snapshot");
            return;
        }
        if (message.sequence > stream.highestSeen() &&
            message.sequence - stream.highestSeen() > m_bufferLimit) {
            reject(batch.topic, "a snapshot reply at sequence " + std::to_string(message.sequence) +
                                    ", more than " + std::to_string(m_bufferLimit) +
                                    " beyond sequence " + std::to_string(stream.highestSeen()) +
                                    " of the stream");
            return;
        }
    }
    apply(batch);
}

void FeedBooks::markNoSuchTopic(const std::string &topic)
{
    const auto found = m_streams.find(topic);
    if (found != m_streams.end())
        found->second->markNoSuchTopic();
}

void FeedBooks::reject(const DecodeError &error, std::string_view topic)
{
    reject(topic, error.toString());
}

void FeedBooks::reject(std::string_view topic, const std::string &reason)
{
    ++m_statistics.rejected;
    std::string &text = m_statistics.lastRejection;
    text = m_source;
    if (!topic.empty())
        text.append(text.empty() ? "" : " ").append("topic ").append(topic);
    if (!text.empty())
        text.append(": ");
    text.append(reason);
}

std::vector<StreamSummary> FeedBooks::summaries() const
{
    std::vector<StreamSummary> summaries;
    for (const auto &[topic, stream] : m_streams)
        summaries.push_back(stream->summary());
    return summaries;
}

std::optional<StreamSummary> FeedBooks::summary(const std::string &topic) const
{
    const auto found = m_streams.find(topic);
    if (found == m_streams.end())
        return std::nullopt;
    return found->second->summary();
}

std::vector<std::string> FeedBooks::pendingSnapshots() const
{
    std::vector<std::string> topics;
    for (const auto &[topic, stream] : m_streams) {
        if (stream->state() != StreamState::Live)
            topics.push_back(topic);
    }
    return topics;
}

const Engine *FeedBooks::orderBook(const std::string &topic) const
{
    const auto found = m_streams.find(topic);
    if (found == m_streams.end() || found->second->depth() != BookDepth::Orders)
        return nullptr;
    return found->second->engine();
}

const replay::DepthBook *FeedBooks::levelBook(const std::string &topic) const
{
    const auto found = m_streams.find(topic);
    if (found == m_streams.end() || found->second->depth() != BookDepth::Levels)
        return nullptr;
    return found->second->depthBook();
}

} // namespace bourse::net::feed
