#pragma once

#include "events.h"

#include <array>
#include <cstdint>

namespace bourse::bench {

// Events seen per type, indexed by the EventType value.
using EventCounts = std::array<std::uint64_t, 256>;

// A handler that does the least work a real consumer must do: it reads every event, counts it
// by type and folds its sequence number and main fields into a checksum. Printing the checksum
// keeps the compiler from discarding the events, and two replays of the same stream must
// produce the same checksum.
class EventConsumer : public EventHandler {
public:
    void onEvent(const Event &event) override;
    void onCommandEnd() override { ++m_commandEnds; }

    const EventCounts &counts() const { return m_counts; }
    std::uint64_t count(EventType type) const { return m_counts[static_cast<std::size_t>(type)]; }
    std::uint64_t checksum() const { return m_checksum; }
    std::uint64_t commandEnds() const { return m_commandEnds; }

private:
    // Folds the current event's header and up to four of its fields into the checksum.
    void fold(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0, std::uint64_t d = 0);

    void foldPayload(const OrderAccepted &accepted);
    void foldPayload(const OrderAdded &added);
    void foldPayload(const OrderRejected &rejected);
    void foldPayload(const OrderCancelled &cancelled);
    void foldPayload(const OrderReduced &reduced);
    void foldPayload(const Trade &trade);
    void foldPayload(const TopOfBook &top);
    void foldPayload(const DepthLevel &level);

    EventCounts m_counts{};
    std::uint64_t m_header = 0; // the current event's sequence number and type
    std::uint64_t m_checksum = 0;
    std::uint64_t m_commandEnds = 0;
};

} // namespace bourse::bench
