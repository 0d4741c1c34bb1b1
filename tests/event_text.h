#pragma once

#include "events.h"

#include <QString>

#include <array>
#include <cstddef>
#include <cstdint>
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

inline std::string number(std::uint16_t value)
{
    return std::to_string(value);
}

inline std::string number(std::uint8_t value)
{
    return std::to_string(value);
}

template <typename Enum>
requires std::is_enum_v<Enum> std::string number(Enum value)
{
    return std::to_string(static_cast<int>(value));
}

// Fixed-size text as hex, so that bytes after a terminating zero are compared too.
template <std::size_t Size>
std::string text(const std::array<char, Size> &characters)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (const char character : characters) {
        const auto byte = static_cast<unsigned char>(character);
        hex += digits[byte >> 4];
        hex += digits[byte & 0x0f];
    }
    return hex;
}

struct PayloadText {
    std::string operator()(const OrderAccepted &e) const
    {
        return "OrderAccepted id=" + number(e.id.value()) + " side=" + number(e.side) +
               " type=" + number(e.type) + " limit=" + number(e.limit.value()) +
               " quantity=" + number(e.quantity.value()) + " account=" + number(e.account.value()) +
               " clientOrderId=" + number(e.clientOrderId.value()) +
               " timeInForce=" + number(e.timeInForce) + " liquidity=" + number(e.liquidity) +
               " selfTradePrevention=" + number(e.selfTradePrevention) +
               " stopPrice=" + number(e.stopPrice.value()) +
               " displayQuantity=" + number(e.displayQuantity.value()) +
               " protectionPrice=" + number(e.protectionPrice.value()) +
               " expiry=" + number(e.expiry.value());
    }
    std::string operator()(const OrderAdded &e) const
    {
        return "OrderAdded id=" + number(e.id.value()) + " side=" + number(e.side) +
               " price=" + number(e.price.value()) + " quantity=" + number(e.quantity.value()) +
               " origin=" + number(e.origin);
    }
    std::string operator()(const OrderRejected &e) const
    {
        return "OrderRejected id=" + number(e.id.value()) + " reason=" + number(e.reason) +
               " clientOrderId=" + number(e.clientOrderId.value()) +
               " account=" + number(e.account.value());
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
               " makerRemaining=" + number(e.makerRemaining.value()) +
               " makerAccount=" + number(e.makerAccount.value()) +
               " takerAccount=" + number(e.takerAccount.value());
    }
    std::string operator()(const TradingStatusChanged &e) const
    {
        return "TradingStatusChanged status=" + number(e.status);
    }
    std::string operator()(const InstrumentAdded &e) const
    {
        const InstrumentDefinition &d = e.definition;
        return "InstrumentAdded id=" + number(d.id.value()) + " symbol=" + text(d.symbol) +
               " currency=" + text(d.currency) + " priceDecimals=" + number(d.priceDecimals) +
               " quantityDecimals=" + number(d.quantityDecimals) +
               " tickSize=" + number(d.tickSize.value()) + " lotSize=" + number(d.lotSize.value()) +
               " minimumQuantity=" + number(d.minimumQuantity.value()) +
               " maximumQuantity=" + number(d.maximumQuantity.value()) +
               " multiplier=" + number(d.multiplier) +
               " priceBandBasisPoints=" + number(d.priceBandBasisPoints) +
               " referencePrice=" + number(d.referencePrice.value()) +
               " initialStatus=" + number(d.initialStatus);
    }
    std::string operator()(const AccountConfigured &e) const
    {
        return "AccountConfigured account=" + number(e.account.value()) +
               " selfTradePrevention=" + number(e.selfTradePrevention);
    }
    std::string operator()(const OrderReplaced &e) const
    {
        return "OrderReplaced id=" + number(e.id.value()) + " side=" + number(e.side) +
               " previousPrice=" + number(e.previousPrice.value()) +
               " price=" + number(e.price.value()) + " quantity=" + number(e.quantity.value()) +
               " stopPrice=" + number(e.stopPrice.value()) + " priority=" + number(e.priority);
    }
    std::string operator()(const OrderParked &e) const
    {
        return "OrderParked id=" + number(e.id.value()) + " side=" + number(e.side) +
               " stopPrice=" + number(e.stopPrice.value()) +
               " quantity=" + number(e.quantity.value());
    }
    std::string operator()(const StopTriggered &e) const
    {
        return "StopTriggered id=" + number(e.id.value()) +
               " lastTradePrice=" + number(e.lastTradePrice.value());
    }
    std::string operator()(const OrderRefilled &e) const
    {
        return "OrderRefilled id=" + number(e.id.value()) + " side=" + number(e.side) +
               " price=" + number(e.price.value()) + " displayed=" + number(e.displayed.value()) +
               " reserve=" + number(e.reserve.value());
    }
    std::string operator()(const AuctionUncrossed &e) const
    {
        return "AuctionUncrossed price=" + number(e.price.value()) +
               " volume=" + number(e.volume.value());
    }
    std::string operator()(const TopOfBook &e) const
    {
        return "TopOfBook bidPrice=" + number(e.bidPrice.value()) +
               " bidQuantity=" + number(e.bidQuantity.value()) +
               " askPrice=" + number(e.askPrice.value()) +
               " askQuantity=" + number(e.askQuantity.value());
    }
    std::string operator()(const DepthLevel &e) const
    {
        return "DepthLevel side=" + number(e.side) + " price=" + number(e.price.value()) +
               " quantity=" + number(e.quantity.value()) + " orderCount=" + number(e.orderCount);
    }
    std::string operator()(const AccountOpened &e) const
    {
        const AccountSettings &settings = e.settings;
        return "AccountOpened id=" + number(settings.id.value()) +
               " currency=" + text(settings.currency) +
               " moneyDecimals=" + number(settings.moneyDecimals) +
               " type=" + number(settings.type) +
               " maker=" + number(settings.fees.maker.partsPerMillion) +
               " taker=" + number(settings.fees.taker.partsPerMillion) +
               " perUnit=" + number(settings.fees.perUnit.value()) +
               " minimum=" + number(settings.fees.minimum.value()) +
               " openingBalance=" + number(e.openingBalance.value());
    }
    std::string operator()(const FillPosted &e) const
    {
        return "FillPosted tradeSequence=" + number(e.tradeSequence) +
               " account=" + number(e.account.value()) +
               " instrument=" + number(e.instrument.value()) + " side=" + number(e.side) +
               " role=" + number(e.role) + " price=" + number(e.price.value()) +
               " quantity=" + number(e.quantity.value()) + " fee=" + number(e.fee.value()) +
               " realized=" + number(e.realizedProfitAndLoss.value()) +
               " cash=" + number(e.cashBalance.value()) + " position=" + number(e.position.value());
    }
    std::string operator()(const RiskLimitsSet &e) const
    {
        const RiskLimits &limits = e.limits;
        return "RiskLimitsSet account=" + number(e.account.value()) +
               " maximumOrderQuantity=" + number(limits.maximumOrderQuantity.value()) +
               " maximumOrderNotional=" + number(limits.maximumOrderNotional.value()) +
               " maximumLongPosition=" + number(limits.maximumLongPosition.value()) +
               " maximumShortPosition=" + number(limits.maximumShortPosition.value()) +
               " priceBandBasisPoints=" + number(limits.priceBandBasisPoints) +
               " maximumOpenOrders=" + number(limits.maximumOpenOrders) +
               " maximumOrdersPerSecond=" + number(limits.maximumOrdersPerSecond) +
               " dailyLossLimit=" + number(limits.dailyLossLimit.value()) +
               " marginBuyingPower=" + number(limits.marginBuyingPower.value()) +
               " overridden=" + number(e.overridden);
    }
    std::string operator()(const KillSwitchChanged &e) const
    {
        return "KillSwitchChanged account=" + number(e.account.value()) +
               " scope=" + number(e.scope);
    }
    std::string operator()(const RiskRejected &e) const
    {
        return "RiskRejected id=" + number(e.id.value()) + " account=" + number(e.account.value()) +
               " clientOrderId=" + number(e.clientOrderId.value()) + " rule=" + number(e.rule) +
               " scope=" + number(e.scope) + " killSwitch=" + number(e.killSwitch) +
               " unit=" + number(e.unit) + " decimals=" + number(e.decimals) +
               " side=" + number(e.side) + " current=" + number(e.current) +
               " working=" + number(e.working) + " order=" + number(e.order) +
               " wouldBe=" + number(e.wouldBe) + " limit=" + number(e.limit);
    }
    std::string operator()(const RiskAlert &e) const
    {
        return "RiskAlert account=" + number(e.account.value()) + " rule=" + number(e.rule) +
               " scope=" + number(e.scope) + " level=" + number(e.level) + " use=" + number(e.use) +
               " limit=" + number(e.limit) + " basisPoints=" + number(e.basisPoints);
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
