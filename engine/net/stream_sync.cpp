#include "stream_sync.h"

#include <variant>

namespace bourse::net {

struct StreamSynchronizer::Stream {
    bool live = false;           // in sync: live messages apply at once
    bool requestPending = false; // a SnapshotRequest is to be sent
    // A SnapshotRequest went out since the stream followed or the server instance changed.
    // Parts that arrive without one respond to another instance, so they are ignored.
    bool requestSent = false;
    StreamSequence sequence;
    std::deque<QueuedMessage> queue; // messages that arrived while not live, in order
    // The engine event the replica is exact at: the last one applied, or the snapshot's.
    SequenceNumber eventSequence = 0;

    // The snapshot being collected: its first part's fields and the events so far. A part
    // number of zero waits for the first part of a response, after a part went missing.
    std::uint64_t nextPart = 1;
    SnapshotPart collected;

    std::unique_ptr<InstrumentReplica> instrument;
    std::unique_ptr<AccountReplica> account;
};

StreamSynchronizer::StreamSynchronizer(std::size_t queueLimit)
    : m_queueLimit(queueLimit == 0 ? 1 : queueLimit)
{
}

StreamSynchronizer::~StreamSynchronizer() = default;

void StreamSynchronizer::follow(StreamKey key)
{
    if (key.kind != StreamKind::Instrument && key.kind != StreamKind::Account)
        return;
    auto &stream = m_streams[key];
    if (stream)
        return;
    stream = std::make_unique<Stream>();
    stream->requestPending = true;
}

void StreamSynchronizer::forgetAll()
{
    ++m_counters.instanceChanges;
    for (auto &[key, stream] : m_streams) {
        stream->sequence.resetTo(0);
        stream->requestSent = false;
        stream->nextPart = 1;
        stream->collected.events.clear();
        resync(key, *stream);
    }
}

void StreamSynchronizer::resynchronize(StreamKey key)
{
    Stream *stream = find(key);
    if (!stream)
        return;
    ++m_counters.gaps;
    resync(key, *stream);
}

StreamSynchronizer::Stream *StreamSynchronizer::find(StreamKey key)
{
    auto it = m_streams.find(key);
    return it != m_streams.end() ? it->second.get() : nullptr;
}

bool StreamSynchronizer::isStale(StreamKey key) const
{
    auto it = m_streams.find(key);
    return it == m_streams.end() || !it->second->live;
}

const InstrumentReplica *StreamSynchronizer::instrument(std::uint32_t id) const
{
    auto it = m_streams.find(StreamKey{StreamKind::Instrument, id});
    return it != m_streams.end() ? it->second->instrument.get() : nullptr;
}

const AccountReplica *StreamSynchronizer::account(std::uint32_t id) const
{
    auto it = m_streams.find(StreamKey{StreamKind::Account, id});
    return it != m_streams.end() ? it->second->account.get() : nullptr;
}

SequenceNumber StreamSynchronizer::eventSequence(StreamKey key) const
{
    auto it = m_streams.find(key);
    return it != m_streams.end() ? it->second->eventSequence : 0;
}

std::vector<StreamKey> StreamSynchronizer::takeSnapshotRequests()
{
    std::vector<StreamKey> keys;
    for (auto &[key, stream] : m_streams) {
        if (!stream->requestPending)
            continue;
        stream->requestPending = false;
        stream->requestSent = true;
        keys.push_back(key);
    }
    m_counters.snapshotRequests += keys.size();
    return keys;
}

// Stops applying the stream and requests a snapshot. The messages that arrive meanwhile queue.
void StreamSynchronizer::resync(StreamKey key, Stream &stream)
{
    const bool wasLive = stream.live;
    stream.live = false;
    stream.requestPending = true;
    stream.queue.clear();
    if (wasLive && m_onStale)
        m_onStale(key, true);
}

void StreamSynchronizer::onPublished(const Message &message)
{
    StreamKey key;
    const std::vector<Event> *events = nullptr;
    if (const auto *batch = std::get_if<MarketDataBatch>(&message.body)) {
        key = StreamKey{StreamKind::Instrument, message.header.streamId};
        events = &batch->events;
    } else if (const auto *reports = std::get_if<ExecutionReportBatch>(&message.body)) {
        key = StreamKey{StreamKind::Account, message.header.streamId};
        events = &reports->events;
    } else {
        return;
    }
    Stream *stream = find(key);
    if (!stream)
        return;

    const std::uint64_t sequence = message.header.sequence;
    if (!stream->live) {
        enqueue(*stream, sequence, *events);
        return;
    }
    switch (stream->sequence.accept(sequence)) {
    case SequenceVerdict::Apply:
        if (!applyEvents(key, *stream, *events))
            resync(key, *stream);
        return;
    case SequenceVerdict::Duplicate:
        ++m_counters.duplicatesDropped;
        return;
    case SequenceVerdict::Gap:
        ++m_counters.gaps;
        resync(key, *stream);
        // The message follows the gap, so the snapshot may cover less than it does.
        enqueue(*stream, sequence, *events);
        return;
    }
}

void StreamSynchronizer::enqueue(Stream &stream, std::uint64_t sequence,
                                 const std::vector<Event> &events)
{
    if (stream.queue.size() >= m_queueLimit) {
        // The snapshot on its way could only be applied with the messages dropped here, so
        // the stream requests another that covers the messages still to come.
        ++m_counters.queueOverflows;
        m_counters.queuedDropped += stream.queue.size();
        stream.queue.clear();
        stream.requestPending = true;
    }
    stream.queue.push_back(QueuedMessage{sequence, events});
}

bool StreamSynchronizer::applyEvents(StreamKey key, Stream &stream, std::span<const Event> events)
{
    std::size_t applied = 0;
    bool fits = true;
    for (const Event &event : events) {
        fits = stream.instrument ? stream.instrument->apply(event) : stream.account->apply(event);
        if (!fits)
            break;
        stream.eventSequence = event.sequence;
        ++applied;
    }
    m_counters.eventsApplied += applied;
    if (!fits)
        noteMismatch(key, stream);
    if (applied != 0 && m_onEvents)
        m_onEvents(key, events.first(applied));
    return fits;
}

void StreamSynchronizer::noteMismatch(StreamKey key, const Stream &stream)
{
    ++m_counters.mismatches;
    const std::string &reason =
        stream.instrument ? stream.instrument->mismatch() : stream.account->mismatch();
    m_lastMismatch = describe(key) + ": " + reason;
}

void StreamSynchronizer::onSnapshotPart(const Message &message)
{
    const auto *part = std::get_if<SnapshotPart>(&message.body);
    if (!part)
        return;
    const StreamKey key{part->kind, part->streamId};
    Stream *stream = find(key);
    // Not followed, a response to a request that an earlier response made moot, or to a request
    // sent to an earlier server instance.
    if (!stream || stream->live || !stream->requestSent)
        return;

    const std::uint64_t number = message.header.sequence;
    if (number == 1) {
        stream->collected =
            SnapshotPart{part->kind, part->streamId, part->coversSequence, part->eventSequence, {}};
        stream->nextPart = 1;
    } else if (stream->nextPart == 0) {
        return; // the rest of a response that lost a part; its loss was counted once
    }
    const bool agrees = number == stream->nextPart &&
                        part->coversSequence == stream->collected.coversSequence &&
                        part->eventSequence == stream->collected.eventSequence;
    if (!agrees) {
        ++m_counters.lostParts;
        stream->nextPart = 0;
        stream->collected.events.clear();
        stream->requestPending = true;
        return;
    }

    auto &events = stream->collected.events;
    events.insert(events.end(), part->events.begin(), part->events.end());
    ++stream->nextPart;
    if (message.header.flags & kLastPartFlag)
        applySnapshot(key, *stream);
}

void StreamSynchronizer::applySnapshot(StreamKey key, Stream &stream)
{
    stream.nextPart = 1;
    stream.instrument.reset();
    stream.account.reset();
    if (key.kind == StreamKind::Instrument)
        stream.instrument = std::make_unique<InstrumentReplica>(InstrumentId{key.id});
    else
        stream.account = std::make_unique<AccountReplica>(AccountId{key.id});

    for (const Event &event : stream.collected.events) {
        const bool fits =
            stream.instrument ? stream.instrument->apply(event) : stream.account->apply(event);
        if (!fits) {
            noteMismatch(key, stream);
            stream.requestPending = true;
            return;
        }
    }
    stream.collected.events.clear();
    stream.eventSequence = stream.collected.eventSequence;
    ++m_counters.snapshotsApplied;
    stream.requestPending = false;
    stream.sequence.resetTo(stream.collected.coversSequence);
    drainQueue(key, stream);
}

// Applies the queued messages after what the snapshot covers. A gap among them means the
// snapshot is older than the queue reaches, or a message was lost while queued: either way the
// stream takes another snapshot, and keeps the messages from the gap on.
void StreamSynchronizer::drainQueue(StreamKey key, Stream &stream)
{
    while (!stream.queue.empty()) {
        QueuedMessage &message = stream.queue.front();
        switch (stream.sequence.accept(message.sequence)) {
        case SequenceVerdict::Duplicate:
            ++m_counters.duplicatesDropped;
            stream.queue.pop_front();
            break;
        case SequenceVerdict::Apply:
            if (!applyEvents(key, stream, message.events)) {
                resync(key, stream);
                return;
            }
            stream.queue.pop_front();
            break;
        case SequenceVerdict::Gap:
            ++m_counters.gaps;
            stream.requestPending = true;
            return;
        }
    }
    stream.live = true;
    if (m_onStale)
        m_onStale(key, false);
}

} // namespace bourse::net
