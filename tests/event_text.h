#pragma once

#include "events.h"

#include <QString>

#include <string>
#include <type_traits>
#include <variant>

namespace bourse::test {

namespace detail {

inline std::string number(std::int64_t value)
{
    return std::to_string(value);
}
inline std::string number(std::uint64_t value)
{
    return std::to_string(value);
}
inline std::string number(std::uint32_t value)
{
    return std::to_string(value);
}

template <typename Enum>
requires std::is_enum_v<Enum> std::string number(Enum value)
{
    return std::to_string(static_cast<int>(value));
}

struct PayloadText {
    std::string operator()(const OrderAccepted &e) const
    {
        return "OrderAccepted id=" + number(e.id.value()) + " side=" + number(e.side) +
               " type=" + number(e.type) + " limit=" + number(e.limit.value()) +
               " quantity=" + number(e.quantity.value());
    }
    std::string operator()(const OrderAdded &e) const
    {
        return "OrderAdded id=" + number(e.id.value()) + " side=" + number(e.side) +
               " price=" + number(e.price.value()) + " quantity=" + number(e.quantity.value()) +
               " origin=" + number(e.origin);
    }
    std::string operator()(const OrderRejected &e) const
    {
        return "OrderRejected id=" + number(e.id.value()) + " reason=" + number(e.reason);
    }
    std::string operator()(const OrderCancelled &e) const
    {
        return "OrderCancelled id=" + number(e.id.value()) + " side=" + number(e.side) +
               " price=" + number(e.price.value()) + " quantity=" + number(e.quantity.value()) +
               " reason=" + number(e.reason);
    }
    std::string operator()(const OrderReduced &e) const
    {
        return "OrderReduced id=" + number(e.id.value()) + " side=" + number(e.side) +
               " price=" + number(e.price.value()) + " reducedBy=" + number(e.reducedBy.value()) +
               " remaining=" + number(e.remaining.value());
    }
    std::string operator()(const Trade &e) const
    {
        return "Trade maker=" + number(e.maker.value()) + " taker=" + number(e.taker.value()) +
               " aggressor=" + number(e.aggressor) + " price=" + number(e.price.value()) +
               " quantity=" + number(e.quantity.value()) +
               " makerRemaining=" + number(e.makerRemaining.value());
    }
    std::string operator()(const TradingStatusChanged &e) const
    {
        return "TradingStatusChanged status=" + number(e.status);
    }
};

} // namespace detail

// Every field of a payload as text. Tests compare descriptions instead of payloads, which
// have no operator==, and a failed comparison prints both sides in full.
inline QString describe(const EventPayload &payload)
{
    return QString::fromStdString(std::visit(detail::PayloadText{}, payload));
}

// Every field of an event, header included, as text.
inline QString describe(const Event &event)
{
    return QStringLiteral("#%1 t=%2 instrument=%3 %4")
        .arg(event.sequence)
        .arg(event.time.value())
        .arg(event.instrument.value())
        .arg(describe(event.payload));
}

} // namespace bourse::test
