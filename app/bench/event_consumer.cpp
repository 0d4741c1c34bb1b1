#include "event_consumer.h"

#include <type_traits>
#include <variant>

namespace bourse::bench {

namespace {

std::uint64_t bits(std::int64_t value)
{
    return static_cast<std::uint64_t>(value);
}

} // namespace

// The payload alternatives are declared in EventType order, starting at 1, so the index names
// the type without a second dispatch.
static_assert(std::is_same_v<std::variant_alternative_t<0, EventPayload>, OrderAccepted> &&
              static_cast<int>(EventType::OrderAccepted) == 1);
static_assert(std::is_same_v<std::variant_alternative_t<15, EventPayload>, DepthLevel> &&
              static_cast<int>(EventType::DepthLevel) == 16);

void EventConsumer::onEvent(const Event &event)
{
    const std::size_t type = event.payload.index() + 1;
    ++m_counts[type];
    // Types fit in five bits; the header joins the payload's fields in one fold.
    m_header = (event.sequence << 5) | type;
    // A switch on the index, unlike std::visit, compiles to direct inlined code with no
    // indirect call per event, as a consumer on the engine thread should.
    const EventPayload &payload = event.payload;
    switch (static_cast<EventType>(type)) {
    case EventType::OrderAccepted:
        foldPayload(*std::get_if<OrderAccepted>(&payload));
        break;
    case EventType::OrderAdded:
        foldPayload(*std::get_if<OrderAdded>(&payload));
        break;
    case EventType::OrderRejected:
        foldPayload(*std::get_if<OrderRejected>(&payload));
        break;
    case EventType::OrderCancelled:
        foldPayload(*std::get_if<OrderCancelled>(&payload));
        break;
    case EventType::OrderReduced:
        foldPayload(*std::get_if<OrderReduced>(&payload));
        break;
    case EventType::Trade:
        foldPayload(*std::get_if<Trade>(&payload));
        break;
    case EventType::TopOfBook:
        foldPayload(*std::get_if<TopOfBook>(&payload));
        break;
    case EventType::DepthLevel:
        foldPayload(*std::get_if<DepthLevel>(&payload));
        break;
    default: // payloads that a stream of limit orders and cancels does not produce
        fold(0);
        break;
    }
}

// The five products are independent, so they overlap in the pipeline; only the final
// multiply depends on the previous checksum.
void EventConsumer::fold(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d)
{
    const std::uint64_t mixed = m_header * 0x87c37b91114253d5ULL + a * 0x9e3779b97f4a7c15ULL +
                                b * 0xc2b2ae3d27d4eb4fULL + c * 0x165667b19e3779f9ULL +
                                d * 0xd6e8feb86659fd93ULL;
    m_checksum = (m_checksum ^ mixed) * 0x100000001b3ULL;
}

void EventConsumer::foldPayload(const OrderAccepted &accepted)
{
    fold(accepted.id.value(), bits(accepted.limit.value()), bits(accepted.quantity.value()),
         static_cast<std::uint64_t>(accepted.side));
}

void EventConsumer::foldPayload(const OrderAdded &added)
{
    fold(added.id.value(), bits(added.price.value()), bits(added.quantity.value()),
         static_cast<std::uint64_t>(added.side));
}

void EventConsumer::foldPayload(const OrderRejected &rejected)
{
    fold(rejected.id.value(), static_cast<std::uint64_t>(rejected.reason));
}

void EventConsumer::foldPayload(const OrderCancelled &cancelled)
{
    fold(cancelled.id.value(), bits(cancelled.price.value()), bits(cancelled.quantity.value()),
         static_cast<std::uint64_t>(cancelled.reason));
}

void EventConsumer::foldPayload(const OrderReduced &reduced)
{
    fold(reduced.id.value(), bits(reduced.reducedBy.value()), bits(reduced.remaining.value()));
}

void EventConsumer::foldPayload(const Trade &trade)
{
    fold(trade.maker.value(), trade.taker.value(), bits(trade.price.value()),
         bits(trade.quantity.value()));
}

void EventConsumer::foldPayload(const TopOfBook &top)
{
    fold(bits(top.bidPrice.value()), bits(top.bidQuantity.value()), bits(top.askPrice.value()),
         bits(top.askQuantity.value()));
}

void EventConsumer::foldPayload(const DepthLevel &level)
{
    fold(bits(level.price.value()), bits(level.quantity.value()), level.orderCount,
         static_cast<std::uint64_t>(level.side));
}

} // namespace bourse::bench
