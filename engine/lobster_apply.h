#pragma once

#include "engine.h"
#include "lobster.h"

#include <cstddef>
#include <cstdint>
#include <unordered_set>

namespace bourse::lobster {

// Orders created for quantity that no message describes take ids from here up. LOBSTER ids are
// read as non-negative int64 values, so they stay below it. The feed's snapshots carry only the
// id, so a subscriber recognizes a recovered order by an id at or above this base.
inline constexpr std::uint64_t kRecoveredIdBase = std::uint64_t{1} << 63;

inline bool isRecovered(OrderId id)
{
    return id.value() >= kRecoveredIdBase;
}

// The change a cancel, delete or execution message makes to the order it names.
enum class RestingChange { Cancel, Delete, Execute };

// Applies LOBSTER-style order messages to an Engine's book, one at a time: the steps shared by
// the LOBSTER replay and the order-level books of the remote feed.
//
// A message that names quantity the book cannot attribute to its order takes it from recovered
// orders at that price, then from unconfirmed ones. What is still missing is counted as an
// unexplained message, and for an execution it reaches the tape as an unseen trade. A delete
// of less than the order's size leaves the rest as a recovered order.
//
// Unconfirmed orders are those the caller marks with markUnconfirmed(), because their level was
// out of sight for a while. Without marks the set stays empty and plays no part.
//
// The engine is passed to every call so that the caller may replace it (from a snapshot) and
// keep the counters and the next recovered id.
class MessageApplier {
public:
    // Applies a message of a LOBSTER message file.
    void apply(Engine &engine, const Message &message);

    // Adds an order. An add that the book rejects (a duplicate id, an invalid price or quantity)
    // counts as an unexplained message and changes nothing.
    void add(Engine &engine, OrderId id, Side side, Price price, Quantity quantity, Timestamp time,
             OrderOrigin origin = OrderOrigin::MarketData);

    // Takes `quantity` off the order `id` resting on `side` at `price`, or off the quantity at
    // that price that the book cannot attribute when the order is unknown or rests elsewhere.
    void applyToRestingOrder(Engine &engine, RestingChange change, OrderId id, Side side,
                             Price price, Quantity quantity, Timestamp time);

    // Adds quantity that no message describes as an order of origin Recovered at the back of
    // the level, with the next recovered id.
    void addRecovered(Engine &engine, Side side, Price price, Quantity quantity, Timestamp time);

    // Keeps later recovered ids above `id`, an id restored from a snapshot.
    void reserveRecoveredId(OrderId id);

    // Marks the orders at a level, except recovered ones, as unconfirmed.
    void markUnconfirmed(const Engine &engine, Side side, Price price);
    // Drops `id`, an order the caller removed from the book, from the unconfirmed orders.
    void forget(OrderId id) { m_unconfirmed.erase(id); }

    // Messages naming quantity the book did not hold, or an order it rejected.
    std::size_t unexplainedMessages() const { return m_unexplained; }
    // Orders added by addRecovered(), directly or for the rest of a delete.
    std::size_t recoveredOrders() const { return m_recovered; }

private:
    Quantity takeUnattributed(Engine &engine, Side side, Price price, Quantity wanted,
                              bool executes, Timestamp time);
    void forgetIfGone(const Engine &engine, OrderId id);

    std::uint64_t m_nextRecoveredId = kRecoveredIdBase;
    std::size_t m_unexplained = 0;
    std::size_t m_recovered = 0;

    // Orders whose level was out of sight at some time since they were added. What happened
    // to them there is unknown, so their quantity may stand for orders no message named.
    std::unordered_set<OrderId> m_unconfirmed;
};

} // namespace bourse::lobster
