// Messages about a trader's orders, held behind the same gate as the replies: the messages of
// the account streams and the account snapshots wait until the journal committed, and with
// `replicate` the stream acknowledged, every event they report. A terminal then never sees a
// fill or an order state that a crash or a failover undoes. Market data is not held
// (docs/scale-out.md, "Standby and failover", gives the reason).

#include "server.h"

namespace bourse::net {

// A message of an account stream waits for the engine's last event at the time it is sent,
// which includes every event it reports. Once one waits, the later ones wait behind it, so that
// each stream's messages leave in the order of their sequence numbers.
void Server::publish(const Topic &topic, std::span<const std::uint8_t> bytes)
{
    const bool report = topic[0] == static_cast<std::uint8_t>(StreamKind::Account);
    if (report) {
        const SequenceNumber last = m_engine->lastSequence();
        if (!m_heldReports.empty() || committedSequence() < last) {
            m_heldReports.push_back({topic, {bytes.begin(), bytes.end()}, last});
            return;
        }
    }
    sendPublication(topic, bytes);
}

void Server::sendPublication(const Topic &topic, std::span<const std::uint8_t> bytes)
{
    m_publish.send(zmq::const_buffer(topic.data(), topic.size()), zmq::send_flags::sndmore);
    m_publish.send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::none);
}

// Held snapshots go after the held messages, because a snapshot waits for at least the events
// of every message numbered before the sequence it covers.
void Server::sendCommittedReports()
{
    const SequenceNumber committed = committedSequence();
    while (!m_heldReports.empty() && m_heldReports.front().waitFor <= committed) {
        const HeldReport &front = m_heldReports.front();
        sendPublication(front.topic, front.bytes);
        m_heldReports.pop_front();
    }
    while (!m_heldSnapshots.empty() && m_heldSnapshots.front().waitFor <= committed) {
        const HeldSnapshot &front = m_heldSnapshots.front();
        // A peer that left requests the snapshot again after its Hello.
        const auto peer = m_snapshots.peers.find(front.identity);
        if (peer != m_snapshots.peers.end() && peer->second.key == front.key &&
            peer->second.welcomed)
            sendSnapshotParts(m_snapshots, front.identity, front.parts);
        m_heldSnapshots.pop_front();
    }
}

} // namespace bourse::net
