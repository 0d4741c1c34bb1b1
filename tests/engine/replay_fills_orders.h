#pragma once

// The instrument, trader and orders that the fill model's hand-built cases share.

#include "engine.h"
#include "events.h"

namespace bourse::replay_test {

inline constexpr AccountId kTrader{1};
inline constexpr Timestamp kTime{1'000};

inline InstrumentDefinition testInstrument()
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    definition.symbol = {'T', 'E', 'S', 'T'};
    definition.currency = currencyCode("USD");
    definition.priceDecimals = 2; // 1000 is $10.00
    return definition;
}

inline NewOrder limitOrder(Side side, std::int64_t price, std::int64_t quantity,
                           TimeInForce timeInForce = TimeInForce::Gtc)
{
    NewOrder order;
    order.side = side;
    order.limit = Price{price};
    order.quantity = Quantity{quantity};
    order.timeInForce = timeInForce;
    order.account = kTrader;
    return order;
}

inline NewOrder marketOrder(Side side, std::int64_t quantity)
{
    NewOrder order = limitOrder(side, 0, quantity);
    order.type = OrderType::Market;
    order.timeInForce = TimeInForce::Ioc;
    return order;
}

} // namespace bourse::replay_test
