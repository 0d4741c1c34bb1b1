// The syntax of event lines and the conversion of events to lines and JSON.

#include "event_text.h"

#include <type_traits>

namespace bourse {

namespace {

FieldSyntaxEntry subject(std::string_view key, FieldType type)
{
    return {key, {}, FieldSyntax::Subject, type, {}};
}

FieldSyntaxEntry subjectFallback(std::string_view key, FieldType type)
{
    return {key, {}, FieldSyntax::SubjectFallback, type, {}};
}

FieldSyntaxEntry value(std::string_view key, FieldType type)
{
    return {key, {}, FieldSyntax::Value, type, {}};
}

FieldSyntaxEntry atPrice(std::string_view key = "price")
{
    return {key, {}, FieldSyntax::AtPrice, FieldType::Price, {}};
}

template <typename Enum>
FieldSyntaxEntry word(std::string_view key, FieldType type)
{
    return {key, {}, FieldSyntax::Word, type, wordsOf<Enum>()};
}

FieldSyntaxEntry printedWord(std::string_view key, FieldType type, std::string_view printed)
{
    return {key, {}, FieldSyntax::Word, type, {printed}};
}

FieldSyntaxEntry keyed(std::string_view key, std::string_view keyword, FieldType type)
{
    return {key, keyword, FieldSyntax::Keyed, type, {}};
}

FieldSyntaxEntry jsonOnly(std::string_view key, FieldType type)
{
    return {key, {}, FieldSyntax::JsonOnly, type, {}};
}

std::vector<EventSyntax> buildSyntax()
{
    using T = FieldType;
    const FieldSyntaxEntry order = subject("order", T::Label);
    const FieldSyntaxEntry instrument = jsonOnly("instrument", T::Symbol);
    const FieldSyntaxEntry side = word<Side>("side", T::Side);
    return {
        {"instrument-added",
         {subject("instrument", T::Symbol), keyed("tick", "tick", T::Price),
          keyed("lot", "lot", T::Quantity), keyed("price_decimals", "price-decimals", T::Integer),
          keyed("quantity_decimals", "quantity-decimals", T::Integer),
          keyed("currency", "currency", T::Text), keyed("multiplier", "multiplier", T::Integer),
          keyed("minimum", "min", T::Quantity), keyed("maximum", "max", T::Quantity),
          keyed("band", "band", T::BasisPoints), keyed("reference", "reference", T::Price),
          keyed("status", "status", T::Status)}},
        {"account-configured",
         {subject("account", T::Account), keyed("stp", "stp", T::SelfTradePrevention)}},
        {"accepted",
         {order, side, value("instrument", T::Symbol), value("quantity", T::Quantity),
          printedWord("type", T::OrderType, "market"), atPrice(), keyed("stop", "stop", T::Price),
          word<TimeInForce>("time_in_force", T::TimeInForce), keyed("expiry", "until", T::Time),
          printedWord("liquidity", T::Liquidity, "post-only"),
          keyed("display", "display", T::Quantity), keyed("protection", "protection", T::Price),
          keyed("account", "account", T::Account),
          keyed("client_order_id", "client-id", T::Integer),
          keyed("stp", "stp", T::SelfTradePrevention)}},
        {"added",
         {order, side, value("quantity", T::Quantity), atPrice(),
          keyed("origin", "origin", T::OrderOrigin), instrument}},
        {"rejected",
         {order, subjectFallback("instrument", T::Symbol),
          word<RejectReason>("reason", T::RejectReason), keyed("account", "account", T::Account),
          keyed("client_order_id", "client-id", T::Integer)}},
        {"cancelled",
         {order, side, value("quantity", T::Quantity), atPrice(),
          word<CancelReason>("reason", T::CancelReason), instrument}},
        {"reduced",
         {order, side, atPrice(), keyed("reduced_by", "by", T::Quantity),
          keyed("remaining", "left", T::Quantity), instrument}},
        {"trade",
         {subject("instrument", T::Symbol), value("quantity", T::Quantity), atPrice(),
          keyed("maker", "maker", T::Label), keyed("taker", "taker", T::Label),
          word<Side>("aggressor", T::Side), keyed("notional", "notional", T::Notional),
          keyed("maker_remaining", "maker-left", T::Quantity),
          keyed("maker_account", "maker-account", T::Account),
          keyed("taker_account", "taker-account", T::Account)}},
        {"status", {subject("instrument", T::Symbol), word<TradingStatus>("status", T::Status)}},
        {"replaced",
         {order, side, value("quantity", T::Quantity), atPrice(),
          keyed("previous_price", "was", T::Price), keyed("stop", "stop", T::Price),
          keyed("priority", "priority", T::QueuePriority), instrument}},
        {"parked",
         {order, side, value("quantity", T::Quantity), keyed("stop", "stop", T::Price),
          instrument}},
        {"triggered", {order, keyed("last_trade_price", "last", T::Price), instrument}},
        {"refilled",
         {order, side, value("displayed", T::Quantity), atPrice(),
          keyed("reserve", "reserve", T::Quantity), instrument}},
        {"uncrossed", {subject("instrument", T::Symbol), value("volume", T::Quantity), atPrice()}},
        {"top-of-book",
         {subject("instrument", T::Symbol), keyed("bid_price", "bid", T::Price),
          keyed("bid_quantity", "bid-size", T::Quantity), keyed("ask_price", "ask", T::Price),
          keyed("ask_quantity", "ask-size", T::Quantity)}},
        {"depth",
         {subject("instrument", T::Symbol), side, value("quantity", T::Quantity), atPrice(),
          keyed("order_count", "orders", T::Integer)}},
        {"account-opened",
         {subject("account", T::Account), keyed("type", "type", T::Text),
          keyed("currency", "currency", T::Text), keyed("decimals", "decimals", T::Integer),
          keyed("balance", "balance", T::Text), keyed("maker_fee", "maker", T::Text),
          keyed("taker_fee", "taker", T::Text), keyed("per_unit_fee", "per-unit", T::Text),
          keyed("minimum_fee", "minimum", T::Text)}},
        {"fill",
         {subject("account", T::Account), side, value("instrument", T::Symbol),
          value("quantity", T::Quantity), atPrice(), keyed("role", "role", T::Text),
          keyed("fee", "fee", T::Text), keyed("realized", "realized", T::Text),
          keyed("cash", "cash", T::Text), keyed("position", "position", T::Quantity),
          jsonOnly("trade_sequence", T::Integer)}},
        // Quantities and money amounts of the risk kinds are Text, compared as printed, because
        // an account's default limits have no instrument to take quantity decimals from.
        {"risk-limits",
         {subject("account", T::Account), value("instrument", T::Symbol),
          keyed("order_size", "order-size", T::Text),
          keyed("order_notional", "order-notional", T::Text),
          keyed("long_position", "long", T::Text), keyed("short_position", "short", T::Text),
          keyed("band", "band", T::BasisPoints), keyed("open_orders", "open-orders", T::Integer),
          keyed("orders_per_second", "rate", T::Integer),
          keyed("daily_loss", "daily-loss", T::Text),
          keyed("buying_power", "buying-power", T::Text)}},
        {"kill-switch", {subject("account", T::Account), keyed("scope", "scope", T::Text)}},
        {"risk-rejected",
         {order, subjectFallback("instrument", T::Symbol), keyed("rule", "rule", T::Text),
          keyed("scope", "scope", T::Text), keyed("kill_switch", "kill-switch", T::Text), side,
          keyed("current", "current", T::Text), keyed("working", "working", T::Text),
          keyed("this_order", "this-order", T::Text), keyed("would_be", "would-be", T::Text),
          keyed("limit", "limit", T::Text), keyed("account", "account", T::Account),
          keyed("client_order_id", "client-id", T::Integer)}},
        {"risk-alert",
         {subject("account", T::Account), value("instrument", T::Symbol),
          keyed("rule", "rule", T::Text), keyed("scope", "scope", T::Text),
          keyed("level", "level", T::Text), keyed("use", "use", T::Text),
          keyed("limit", "limit", T::Text), keyed("utilization", "utilization", T::Text)}},
    };
}

// The bit of RiskLimitsSet::overridden for the limit of a rule, or 0 for a rule that no
// instrument override sets.
std::uint16_t overrideFieldOf(RiskRule rule)
{
    switch (rule) {
    case RiskRule::OrderQuantity:
        return static_cast<std::uint16_t>(RiskLimitField::OrderQuantity);
    case RiskRule::OrderNotional:
        return static_cast<std::uint16_t>(RiskLimitField::OrderNotional);
    case RiskRule::PositionLong:
        return static_cast<std::uint16_t>(RiskLimitField::LongPosition);
    case RiskRule::PositionShort:
        return static_cast<std::uint16_t>(RiskLimitField::ShortPosition);
    case RiskRule::PriceBand:
        return static_cast<std::uint16_t>(RiskLimitField::PriceBand);
    case RiskRule::OpenOrders:
        return static_cast<std::uint16_t>(RiskLimitField::OpenOrders);
    case RiskRule::OrderRate:
        return static_cast<std::uint16_t>(RiskLimitField::OrdersPerSecond);
    default:
        return 0;
    }
}

// The inputs of a risk decision that its rule uses, as risk_checks.h lists them for
// RiskDecision. wouldBe and limit belong to every rule whose decision has a unit.
struct DecisionInputs {
    bool side = false;
    bool current = false;
    bool working = false;
    bool order = false;
};

DecisionInputs inputsOf(RiskRule rule)
{
    switch (rule) {
    case RiskRule::OrderQuantity:
    case RiskRule::OrderNotional:
        return {.order = true};
    case RiskRule::PriceBand:
    case RiskRule::OpenOrders:
    case RiskRule::OrderRate:
        return {.current = true, .order = true};
    case RiskRule::PositionLong:
    case RiskRule::PositionShort:
        return {.side = true, .current = true, .working = true, .order = true};
    case RiskRule::DailyLoss:
        return {.current = true, .working = true};
    case RiskRule::BuyingPower:
        return {.side = true, .working = true, .order = true};
    default:
        return {};
    }
}

// A decision's value: a scaled decimal for quantities, money and prices, else an integer.
std::string formatDecisionValue(const RiskRejected &rejected, std::int64_t value)
{
    const bool scaled = rejected.unit == RiskUnit::Quantity || rejected.unit == RiskUnit::Money ||
                        rejected.unit == RiskUnit::Price;
    return scaled ? formatDecimal(value, rejected.decimals) : std::to_string(value);
}

// Fills an EventDescription with the canonical text of each field.
class Describer {
public:
    Describer(const Event &event, const EventNames &names)
        : m_event(event)
        , m_names(names)
        , m_instrument(names.instrument(event.instrument))
    {
    }

    EventDescription describe()
    {
        std::visit([this](const auto &payload) { add(payload); }, m_event.payload);
        return std::move(m_description);
    }

private:
    void set(std::string key, std::string text) { m_description.fields[std::move(key)] = text; }
    void setLabel(std::string key, OrderId id) { set(std::move(key), m_names.orderLabel(id)); }
    void setPrice(std::string key, Price price)
    {
        set(std::move(key), formatPrice(price, m_instrument));
    }
    void setQuantity(std::string key, Quantity quantity)
    {
        set(std::move(key), formatQuantity(quantity, m_instrument));
    }
    void setAccount(std::string key, AccountId account)
    {
        if (account.value() != 0)
            set(std::move(key), m_names.accountName(account));
    }
    void setInstrument() { set("instrument", m_names.symbol(m_event.instrument)); }

    void add(const InstrumentAdded &added)
    {
        const InstrumentDefinition &definition = added.definition;
        m_instrument = definition;
        m_description.kind = "instrument-added";
        set("instrument", textOf(definition.symbol));
        setPrice("tick", definition.tickSize);
        setQuantity("lot", definition.lotSize);
        set("price_decimals", std::to_string(definition.priceDecimals));
        set("quantity_decimals", std::to_string(definition.quantityDecimals));
        if (!textOf(definition.currency).empty())
            set("currency", textOf(definition.currency));
        set("multiplier", std::to_string(definition.multiplier));
        setQuantity("minimum", definition.minimumQuantity);
        setQuantity("maximum", definition.maximumQuantity);
        set("band", std::to_string(definition.priceBandBasisPoints) + "bp");
        if (definition.referencePrice.value() != 0)
            setPrice("reference", definition.referencePrice);
        set("status", std::string(wordOf(definition.initialStatus)));
    }

    void add(const AccountConfigured &configured)
    {
        m_description.kind = "account-configured";
        set("account", m_names.accountName(configured.account));
        set("stp", std::string(wordOf(configured.selfTradePrevention)));
    }

    void add(const OrderAccepted &accepted)
    {
        m_description.kind = "accepted";
        setLabel("order", accepted.id);
        set("side", std::string(wordOf(accepted.side)));
        setInstrument();
        setQuantity("quantity", accepted.quantity);
        set("type", std::string(wordOf(accepted.type)));
        if (accepted.type == OrderType::Limit || accepted.type == OrderType::StopLimit)
            setPrice("price", accepted.limit);
        if (accepted.type == OrderType::Stop || accepted.type == OrderType::StopLimit)
            setPrice("stop", accepted.stopPrice);
        set("time_in_force", std::string(wordOf(accepted.timeInForce)));
        if (accepted.timeInForce == TimeInForce::Gtd || accepted.expiry.value() != 0)
            set("expiry", formatTime(accepted.expiry));
        set("liquidity", std::string(wordOf(accepted.liquidity)));
        if (accepted.displayQuantity.value() != 0)
            setQuantity("display", accepted.displayQuantity);
        if (accepted.protectionPrice.value() != 0)
            setPrice("protection", accepted.protectionPrice);
        setAccount("account", accepted.account);
        if (accepted.clientOrderId.value() != 0)
            set("client_order_id", std::to_string(accepted.clientOrderId.value()));
        if (accepted.selfTradePrevention != SelfTradePrevention::AccountDefault)
            set("stp", std::string(wordOf(accepted.selfTradePrevention)));
    }

    void add(const OrderAdded &added)
    {
        m_description.kind = "added";
        setLabel("order", added.id);
        set("side", std::string(wordOf(added.side)));
        setQuantity("quantity", added.quantity);
        setPrice("price", added.price);
        if (added.origin != OrderOrigin::OrderEntry)
            set("origin", std::string(wordOf(added.origin)));
        setInstrument();
    }

    void add(const OrderRejected &rejected)
    {
        m_description.kind = "rejected";
        if (rejected.id.value() != 0)
            setLabel("order", rejected.id);
        setInstrument();
        set("reason", std::string(wordOf(rejected.reason)));
        setAccount("account", rejected.account);
        if (rejected.clientOrderId.value() != 0)
            set("client_order_id", std::to_string(rejected.clientOrderId.value()));
    }

    void add(const OrderCancelled &cancelled)
    {
        m_description.kind = "cancelled";
        setLabel("order", cancelled.id);
        set("side", std::string(wordOf(cancelled.side)));
        setQuantity("quantity", cancelled.quantity);
        if (cancelled.price.value() != 0)
            setPrice("price", cancelled.price);
        set("reason", std::string(wordOf(cancelled.reason)));
        setInstrument();
    }

    void add(const OrderReduced &reduced)
    {
        m_description.kind = "reduced";
        setLabel("order", reduced.id);
        set("side", std::string(wordOf(reduced.side)));
        setPrice("price", reduced.price);
        setQuantity("reduced_by", reduced.reducedBy);
        setQuantity("remaining", reduced.remaining);
        setInstrument();
    }

    void add(const Trade &trade)
    {
        m_description.kind = "trade";
        setInstrument();
        setQuantity("quantity", trade.quantity);
        setPrice("price", trade.price);
        setLabel("maker", trade.maker);
        setLabel("taker", trade.taker);
        set("aggressor", std::string(wordOf(trade.aggressor)));
        set("notional", formatNotional(trade.price, trade.quantity, m_instrument));
        setQuantity("maker_remaining", trade.makerRemaining);
        setAccount("maker_account", trade.makerAccount);
        setAccount("taker_account", trade.takerAccount);
    }

    void add(const TradingStatusChanged &changed)
    {
        m_description.kind = "status";
        setInstrument();
        set("status", std::string(wordOf(changed.status)));
    }

    void add(const OrderReplaced &replaced)
    {
        m_description.kind = "replaced";
        setLabel("order", replaced.id);
        set("side", std::string(wordOf(replaced.side)));
        setQuantity("quantity", replaced.quantity);
        // A Stop order enters as a market order, so it has no limit price to show.
        if (replaced.price.value() != 0)
            setPrice("price", replaced.price);
        if (replaced.previousPrice.value() != 0)
            setPrice("previous_price", replaced.previousPrice);
        if (replaced.stopPrice.value() != 0)
            setPrice("stop", replaced.stopPrice);
        set("priority", std::string(wordOf(replaced.priority)));
        setInstrument();
    }

    void add(const OrderParked &parked)
    {
        m_description.kind = "parked";
        setLabel("order", parked.id);
        set("side", std::string(wordOf(parked.side)));
        setQuantity("quantity", parked.quantity);
        setPrice("stop", parked.stopPrice);
        setInstrument();
    }

    void add(const StopTriggered &triggered)
    {
        m_description.kind = "triggered";
        setLabel("order", triggered.id);
        setPrice("last_trade_price", triggered.lastTradePrice);
        setInstrument();
    }

    void add(const OrderRefilled &refilled)
    {
        m_description.kind = "refilled";
        setLabel("order", refilled.id);
        set("side", std::string(wordOf(refilled.side)));
        setQuantity("displayed", refilled.displayed);
        setPrice("price", refilled.price);
        setQuantity("reserve", refilled.reserve);
        setInstrument();
    }

    void add(const AuctionUncrossed &uncrossed)
    {
        m_description.kind = "uncrossed";
        setInstrument();
        setQuantity("volume", uncrossed.volume);
        setPrice("price", uncrossed.price);
    }

    void add(const TopOfBook &top)
    {
        m_description.kind = "top-of-book";
        setInstrument();
        if (top.bidQuantity.value() != 0) {
            setPrice("bid_price", top.bidPrice);
            setQuantity("bid_quantity", top.bidQuantity);
        }
        if (top.askQuantity.value() != 0) {
            setPrice("ask_price", top.askPrice);
            setQuantity("ask_quantity", top.askQuantity);
        }
    }

    void add(const DepthLevel &level)
    {
        m_description.kind = "depth";
        setInstrument();
        set("side", std::string(wordOf(level.side)));
        setQuantity("quantity", level.quantity);
        setPrice("price", level.price);
        set("order_count", std::to_string(level.orderCount));
    }

    void add(const AccountOpened &opened)
    {
        const AccountSettings &settings = opened.settings;
        const int decimals = settings.moneyDecimals;
        m_description.kind = "account-opened";
        set("account", m_names.accountName(settings.id));
        set("type", std::string(nameOf(settings.type)));
        if (!textOf(settings.currency).empty())
            set("currency", textOf(settings.currency));
        set("decimals", std::to_string(decimals));
        set("balance", formatDecimal(opened.openingBalance.value(), decimals));
        set("maker_fee", formatFeeRate(settings.fees.maker));
        set("taker_fee", formatFeeRate(settings.fees.taker));
        if (settings.fees.perUnit.value() != 0)
            set("per_unit_fee", formatDecimal(settings.fees.perUnit.value(), decimals));
        if (settings.fees.minimum.value() != 0)
            set("minimum_fee", formatDecimal(settings.fees.minimum.value(), decimals));
    }

    void add(const FillPosted &fill)
    {
        const int decimals = m_names.moneyDecimals(fill.account);
        m_description.kind = "fill";
        set("account", m_names.accountName(fill.account));
        set("side", std::string(wordOf(fill.side)));
        setInstrument();
        setQuantity("quantity", fill.quantity);
        setPrice("price", fill.price);
        set("role", std::string(nameOf(fill.role)));
        set("fee", formatDecimal(fill.fee.value(), decimals));
        set("realized", formatDecimal(fill.realizedProfitAndLoss.value(), decimals));
        set("cash", formatDecimal(fill.cashBalance.value(), decimals));
        setQuantity("position", fill.position);
        set("trade_sequence", std::to_string(fill.tradeSequence));
    }

    void add(const RiskLimitsSet &changed)
    {
        const RiskLimits &limits = changed.limits;
        m_description.kind = "risk-limits";
        set("account", m_names.accountName(changed.account));
        if (m_event.instrument.value() != 0)
            setInstrument();
        setLimit(changed, "order_size", RiskRule::OrderQuantity,
                 limits.maximumOrderQuantity.value());
        setLimit(changed, "order_notional", RiskRule::OrderNotional,
                 limits.maximumOrderNotional.value());
        setLimit(changed, "long_position", RiskRule::PositionLong,
                 limits.maximumLongPosition.value());
        setLimit(changed, "short_position", RiskRule::PositionShort,
                 limits.maximumShortPosition.value());
        setLimit(changed, "band", RiskRule::PriceBand, limits.priceBandBasisPoints);
        setLimit(changed, "open_orders", RiskRule::OpenOrders, limits.maximumOpenOrders);
        setLimit(changed, "orders_per_second", RiskRule::OrderRate, limits.maximumOrdersPerSecond);
        setLimit(changed, "daily_loss", RiskRule::DailyLoss, limits.dailyLossLimit.value());
        setLimit(changed, "buying_power", RiskRule::BuyingPower, limits.marginBuyingPower.value());
    }

    // Sets one limit of a RiskLimitsSet where it applies. An account's defaults show the enabled
    // (nonzero) limits. An instrument override shows the fields that `overridden` marks, zeros
    // included, because a zero there disables the rule for that instrument.
    void setLimit(const RiskLimitsSet &changed, std::string key, RiskRule rule, std::int64_t amount)
    {
        const bool applies = m_event.instrument.value() == 0
                                 ? amount != 0
                                 : (changed.overridden & overrideFieldOf(rule)) != 0;
        if (applies)
            set(std::move(key), formatLimitAmount(rule, changed.account, amount));
    }

    void add(const KillSwitchChanged &changed)
    {
        m_description.kind = "kill-switch";
        // Account zero is the global switch, which covers every account.
        set("account", changed.account.value() == 0 ? "all" : m_names.accountName(changed.account));
        set("scope", std::string(nameOf(changed.scope)));
    }

    void add(const RiskRejected &rejected)
    {
        m_description.kind = "risk-rejected";
        if (rejected.id.value() != 0)
            setLabel("order", rejected.id);
        setInstrument();
        set("rule", std::string(nameOf(rejected.rule)));
        if (rejected.scope != LimitScope::None)
            set("scope", std::string(nameOf(rejected.scope)));
        if (rejected.killSwitch != KillSwitchScope::None)
            set("kill_switch", std::string(nameOf(rejected.killSwitch)));
        setDecisionValues(rejected);
        setAccount("account", rejected.account);
        if (rejected.clientOrderId.value() != 0)
            set("client_order_id", std::to_string(rejected.clientOrderId.value()));
    }

    // The values of a rejection that its rule uses, in the decision's unit and decimals. A rule
    // without a unit, such as the kill switch, decided on no value.
    void setDecisionValues(const RiskRejected &rejected)
    {
        if (rejected.unit == RiskUnit::None)
            return;
        const DecisionInputs inputs = inputsOf(rejected.rule);
        if (inputs.side)
            set("side", std::string(wordOf(rejected.side)));
        if (inputs.current)
            set("current", formatDecisionValue(rejected, rejected.current));
        if (inputs.working)
            set("working", formatDecisionValue(rejected, rejected.working));
        if (inputs.order)
            set("this_order", formatDecisionValue(rejected, rejected.order));

        // A price band's distance and limit are basis points of the reference, not prices.
        if (rejected.rule == RiskRule::PriceBand) {
            set("would_be", std::to_string(rejected.wouldBe) + "bp");
            set("limit", std::to_string(rejected.limit) + "bp");
        } else {
            set("would_be", formatDecisionValue(rejected, rejected.wouldBe));
            set("limit", formatDecisionValue(rejected, rejected.limit));
        }
    }

    void add(const RiskAlert &alert)
    {
        m_description.kind = "risk-alert";
        set("account", m_names.accountName(alert.account));
        if (m_event.instrument.value() != 0)
            setInstrument();
        set("rule", std::string(nameOf(alert.rule)));
        if (alert.scope != LimitScope::None)
            set("scope", std::string(nameOf(alert.scope)));
        set("level", std::string(nameOf(alert.level)));
        set("use", formatLimitAmount(alert.rule, alert.account, alert.use));
        set("limit", formatLimitAmount(alert.rule, alert.account, alert.limit));
        // One basis point is 0.01%, so two decimals keep the value exact.
        set("utilization", formatDecimal(alert.basisPoints, 2) + "%");
    }

    // An amount in the unit of a rule's limit: a quantity in the quantity decimals of the limit,
    // money in the account's decimals, a price band in basis points, and a count of orders as
    // it is.
    std::string formatLimitAmount(RiskRule rule, AccountId account, std::int64_t amount) const
    {
        switch (rule) {
        case RiskRule::OrderQuantity:
        case RiskRule::PositionLong:
        case RiskRule::PositionShort:
            return formatDecimal(amount, limitQuantityDecimals());
        case RiskRule::OrderNotional:
        case RiskRule::DailyLoss:
        case RiskRule::BuyingPower:
            return formatDecimal(amount, m_names.moneyDecimals(account));
        case RiskRule::PriceBand:
            return std::to_string(amount) + "bp";
        default:
            return std::to_string(amount);
        }
    }

    // The quantity decimals of a limit of the event's instrument, or of an account-wide limit,
    // which counts lots of whatever instrument an order names. Those print in the decimals that
    // every known instrument shares, as the scenario language writes them, and as whole lots
    // when the instruments differ.
    int limitQuantityDecimals() const
    {
        if (m_event.instrument.value() != 0)
            return m_instrument.quantityDecimals;
        return m_names.sharedQuantityDecimals().value_or(0);
    }

    // A fee rate in basis points with two decimals, such as "4.00bp" or "-0.25bp".
    static std::string formatFeeRate(FeeRate rate)
    {
        return formatDecimal(rate.partsPerMillion, 2) + "bp";
    }

    const Event &m_event;
    const EventNames &m_names;
    InstrumentDefinition m_instrument;
    EventDescription m_description;
};

bool hasSubject(const EventSyntax &syntax, const EventDescription &description)
{
    for (const FieldSyntaxEntry &entry : syntax.fields) {
        if (entry.syntax == FieldSyntax::Subject && description.find(entry.key))
            return true;
    }
    return false;
}

bool isShown(const FieldSyntaxEntry &entry, const std::string &value)
{
    return std::find(entry.printedWords.begin(), entry.printedWords.end(), value) !=
           entry.printedWords.end();
}

} // namespace

std::span<const EventSyntax> eventSyntax()
{
    static const std::vector<EventSyntax> syntax = buildSyntax();
    return syntax;
}

const EventSyntax *eventSyntax(std::string_view kind)
{
    for (const EventSyntax &syntax : eventSyntax()) {
        if (syntax.kind == kind)
            return &syntax;
    }
    return nullptr;
}

EventDescription describeEvent(const Event &event, const EventNames &names)
{
    return Describer(event, names).describe();
}

std::string formatText(const EventDescription &description)
{
    const EventSyntax *syntax = eventSyntax(description.kind);
    std::string line(description.kind);
    if (!syntax)
        return line;

    const bool subjectPresent = hasSubject(*syntax, description);
    for (const FieldSyntaxEntry &entry : syntax->fields) {
        const std::string *value = description.find(entry.key);
        if (!value)
            continue;
        switch (entry.syntax) {
        case FieldSyntax::SubjectFallback:
            if (!subjectPresent)
                line.append(" ").append(*value);
            break;
        case FieldSyntax::Subject:
        case FieldSyntax::Value:
            line.append(" ").append(*value);
            break;
        case FieldSyntax::AtPrice:
            line.append(" @ ").append(*value);
            break;
        case FieldSyntax::Word:
            if (isShown(entry, *value))
                line.append(" ").append(*value);
            break;
        case FieldSyntax::Keyed:
            line.append(" ").append(entry.keyword).append(" ").append(*value);
            break;
        case FieldSyntax::JsonOnly:
            break;
        }
    }
    return line;
}

std::string formatJsonMembers(const EventDescription &description)
{
    std::string members = "\"event\":" + jsonQuoted(description.kind);
    const EventSyntax *syntax = eventSyntax(description.kind);
    if (!syntax)
        return members;
    for (const FieldSyntaxEntry &entry : syntax->fields) {
        if (const std::string *value = description.find(entry.key))
            members.append(",")
                .append(jsonQuoted(entry.key))
                .append(":")
                .append(jsonQuoted(*value));
    }
    return members;
}

std::string formatEvent(const Event &event, const EventNames &names)
{
    return formatText(describeEvent(event, names));
}

std::string formatEventJson(const Event &event, const EventNames &names)
{
    return "{\"sequence\":" + std::to_string(event.sequence) +
           ",\"time\":" + jsonQuoted(formatTime(event.time)) +
           ",\"time_ns\":" + std::to_string(event.time.value()) + "," +
           formatJsonMembers(describeEvent(event, names)) + "}";
}

} // namespace bourse
