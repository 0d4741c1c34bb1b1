#pragma once

// Helpers shared by the engine's matching tests: an event recorder, order builders and a
// text form of every payload, so that two event streams can be compared field by field.

#include "engine.h"
#include "engine_printers.h"

#include <QString>

#include <string>
#include <variant>
#include <vector>

namespace bourse::test {

// Records every event, the engine's state hash when each was published (when given the
// engine), and the number of commands that ended.
class EngineRecorder : public EventHandler {
public:
    EngineRecorder() = default;
    explicit EngineRecorder(const Engine &engine)
        : m_engine(&engine)
    {
    }

    void onEvent(const Event &event) override
    {
        events.push_back(event);
        if (m_engine)
            hashes.push_back(m_engine->stateHash());
    }
    void onCommandEnd() override { ++commandEnds; }

    template <typename T>
    std::vector<T> all() const
    {
        std::vector<T> found;
        for (const Event &event : events) {
            if (const auto *payload = std::get_if<T>(&event.payload))
                found.push_back(*payload);
        }
        return found;
    }

    std::vector<EventType> types() const
    {
        std::vector<EventType> found;
        for (const Event &event : events)
            found.push_back(typeOf(event.payload));
        return found;
    }

    void clear()
    {
        events.clear();
        hashes.clear();
        commandEnds = 0;
    }

    std::vector<Event> events;
    std::vector<std::uint64_t> hashes;
    int commandEnds = 0;

private:
    const Engine *m_engine = nullptr;
};

inline NewOrder limitOrder(std::uint64_t id, Side side, std::int64_t quantity, std::int64_t price)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.limit = Price{price};
    order.quantity = Quantity{quantity};
    return order;
}

inline NewOrder marketOrder(std::uint64_t id, Side side, std::int64_t quantity)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.type = OrderType::Market;
    order.quantity = Quantity{quantity};
    return order;
}

inline NewOrder stopOrder(std::uint64_t id, Side side, std::int64_t quantity, std::int64_t stop)
{
    NewOrder order = marketOrder(id, side, quantity);
    order.type = OrderType::Stop;
    order.stopPrice = Price{stop};
    return order;
}

inline NewOrder stopLimitOrder(std::uint64_t id, Side side, std::int64_t quantity,
                               std::int64_t stop, std::int64_t limit)
{
    NewOrder order = limitOrder(id, side, quantity, limit);
    order.type = OrderType::StopLimit;
    order.stopPrice = Price{stop};
    return order;
}

inline NewOrder withAccount(NewOrder order, std::uint32_t account)
{
    order.account = AccountId{account};
    return order;
}

inline NewOrder withInstrument(NewOrder order, std::uint32_t instrument)
{
    order.instrument = InstrumentId{instrument};
    return order;
}

// Ids of the orders resting at a price, front of the queue first.
inline std::vector<std::uint64_t> idsAt(const OrderBook &book, Side side, std::int64_t price)
{
    std::vector<std::uint64_t> ids;
    for (const Order *order : book.ordersAt(side, Price{price}))
        ids.push_back(order->id.value());
    return ids;
}

namespace detail {

inline std::string join(std::initializer_list<std::int64_t> words)
{
    std::string text;
    for (std::int64_t word : words)
        text += ' ' + std::to_string(word);
    return text;
}

template <typename Enum>
std::int64_t n(Enum value)
{
    if constexpr (std::is_enum_v<Enum>)
        return static_cast<std::int64_t>(value);
    else
        return static_cast<std::int64_t>(value.value());
}

struct PayloadFields {
    std::string operator()(const OrderAccepted &e) const
    {
        return join({n(e.id), n(e.side), n(e.type), n(e.limit), n(e.quantity), n(e.account),
                     n(e.clientOrderId), n(e.timeInForce), n(e.liquidity), n(e.selfTradePrevention),
                     n(e.stopPrice), n(e.displayQuantity), n(e.protectionPrice), n(e.expiry)});
    }
    std::string operator()(const OrderAdded &e) const
    {
        return join({n(e.id), n(e.side), n(e.price), n(e.quantity), n(e.origin)});
    }
    std::string operator()(const OrderRejected &e) const
    {
        return join({n(e.id), n(e.reason), n(e.clientOrderId), n(e.account)});
    }
    std::string operator()(const OrderCancelled &e) const
    {
        return join({n(e.id), n(e.side), n(e.price), n(e.quantity), n(e.reason)});
    }
    std::string operator()(const OrderReduced &e) const
    {
        return join({n(e.id), n(e.side), n(e.price), n(e.reducedBy), n(e.remaining)});
    }
    std::string operator()(const Trade &e) const
    {
        return join({n(e.maker), n(e.taker), n(e.aggressor), n(e.price), n(e.quantity),
                     n(e.makerRemaining), n(e.makerAccount), n(e.takerAccount)});
    }
    std::string operator()(const TradingStatusChanged &e) const { return join({n(e.status)}); }
    std::string operator()(const InstrumentAdded &e) const
    {
        const InstrumentDefinition &d = e.definition;
        return std::string(d.symbol.data(), d.symbol.size()) +
               join({n(d.id), d.priceDecimals, d.quantityDecimals, n(d.tickSize), n(d.lotSize),
                     n(d.minimumQuantity), n(d.maximumQuantity), d.multiplier,
                     d.priceBandBasisPoints, n(d.referencePrice), n(d.initialStatus)});
    }
    std::string operator()(const AccountConfigured &e) const
    {
        return join({n(e.account), n(e.selfTradePrevention)});
    }
    std::string operator()(const OrderReplaced &e) const
    {
        return join({n(e.id), n(e.side), n(e.previousPrice), n(e.price), n(e.quantity),
                     n(e.stopPrice), n(e.priority)});
    }
    std::string operator()(const OrderParked &e) const
    {
        return join({n(e.id), n(e.side), n(e.stopPrice), n(e.quantity)});
    }
    std::string operator()(const StopTriggered &e) const
    {
        return join({n(e.id), n(e.lastTradePrice)});
    }
    std::string operator()(const OrderRefilled &e) const
    {
        return join({n(e.id), n(e.side), n(e.price), n(e.displayed), n(e.reserve)});
    }
    std::string operator()(const AuctionUncrossed &e) const
    {
        return join({n(e.price), n(e.volume)});
    }
    std::string operator()(const TopOfBook &e) const
    {
        return join({n(e.bidPrice), n(e.bidQuantity), n(e.askPrice), n(e.askQuantity)});
    }
    std::string operator()(const DepthLevel &e) const
    {
        return join({n(e.side), n(e.price), n(e.quantity), e.orderCount});
    }
    std::string operator()(const AccountOpened &e) const
    {
        const AccountSettings &settings = e.settings;
        const AccountFees &fees = settings.fees;
        return std::string(settings.currency.data(), settings.currency.size()) +
               join({n(settings.id), settings.moneyDecimals, n(settings.type),
                     fees.maker.partsPerMillion, fees.taker.partsPerMillion, n(fees.perUnit),
                     n(fees.minimum), n(e.openingBalance)});
    }
    std::string operator()(const FillPosted &e) const
    {
        return join({static_cast<std::int64_t>(e.tradeSequence), n(e.account), n(e.instrument),
                     n(e.side), n(e.role), n(e.price), n(e.quantity), n(e.fee),
                     n(e.realizedProfitAndLoss), n(e.cashBalance), n(e.position)});
    }
    std::string operator()(const RiskLimitsSet &e) const
    {
        const RiskLimits &limits = e.limits;
        return join({n(e.account), n(limits.maximumOrderQuantity), n(limits.maximumOrderNotional),
                     n(limits.maximumLongPosition), n(limits.maximumShortPosition),
                     limits.priceBandBasisPoints, limits.maximumOpenOrders,
                     limits.maximumOrdersPerSecond, n(limits.dailyLossLimit),
                     n(limits.marginBuyingPower), e.overridden});
    }
    std::string operator()(const KillSwitchChanged &e) const
    {
        return join({n(e.account), n(e.scope)});
    }
    std::string operator()(const RiskRejected &e) const
    {
        return join({n(e.id), n(e.account), n(e.clientOrderId), n(e.rule), n(e.scope),
                     n(e.killSwitch), n(e.unit), e.decimals, n(e.side), e.current, e.working,
                     e.order, e.wouldBe, e.limit});
    }
    std::string operator()(const RiskAlert &e) const
    {
        return join(
            {n(e.account), n(e.rule), n(e.scope), n(e.level), e.use, e.limit, e.basisPoints});
    }
};

} // namespace detail

// Every field of an event as text: sequence, time, instrument, type name and payload.
inline QString fieldsOf(const Event &event)
{
    const std::string payload = std::visit(detail::PayloadFields{}, event.payload);
    return QStringLiteral("#%1 t=%2 i=%3 %4%5")
        .arg(event.sequence)
        .arg(event.time.value())
        .arg(event.instrument.value())
        .arg(QString::fromUtf8(nameOf(typeOf(event.payload)).data()),
             QString::fromStdString(payload));
}

} // namespace bourse::test
