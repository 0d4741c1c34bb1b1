// Every field of an event as named values, written as a JSON object or as a CSV row with a
// fixed set of columns.

#include "journal_tools.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <type_traits>
#include <variant>

namespace bourse::cli::journal_tools {

namespace {

enum class ValueKind : std::uint8_t {
    Signed,
    Unsigned,
    Text,
    Price,    // an integer in ticks, with a decimal text in the instrument's price scale
    Quantity, // an integer in lots, with a decimal text in the instrument's quantity scale
};

// The payload fields of every event type. Types that share a field name share its column.
enum class Field : std::uint8_t {
    OrderId,
    Side,
    OrderType,
    Limit,
    Price,
    PreviousPrice,
    StopPrice,
    ProtectionPrice,
    LastTradePrice,
    Quantity,
    DisplayQuantity,
    ReducedBy,
    Remaining,
    Displayed,
    Reserve,
    TimeInForce,
    Liquidity,
    SelfTradePrevention,
    ExpiryNs,
    Account,
    ClientOrderId,
    Reason,
    Origin,
    Priority,
    Maker,
    Taker,
    Aggressor,
    MakerRemaining,
    MakerAccount,
    TakerAccount,
    Volume,
    Status,
    BidPrice,
    BidQuantity,
    AskPrice,
    AskQuantity,
    OrderCount,
    DefinitionId,
    DefinitionSymbol,
    Currency,
    PriceDecimals,
    QuantityDecimals,
    TickSize,
    LotSize,
    MinimumQuantity,
    MaximumQuantity,
    Multiplier,
    PriceBandBasisPoints,
    ReferencePrice,
    InitialStatus,
    AccountType,
    MoneyDecimals,
    MakerFeeRate,
    TakerFeeRate,
    PerUnitFee,
    MinimumFee,
    OpeningBalance,
    TradeSequence,
    Instrument,
    Role,
    Fee,
    RealizedProfitAndLoss,
    CashBalance,
    Position,
    MaximumOrderQuantity,
    MaximumOrderNotional,
    MaximumLongPosition,
    MaximumShortPosition,
    MaximumOpenOrders,
    MaximumOrdersPerSecond,
    DailyLossLimit,
    MarginBuyingPower,
    Overridden,
    KillSwitch,
    Rule,
    LimitScope,
    Unit,
    Decimals,
    Current,
    Working,
    ThisOrder,
    WouldBe,
    RiskLimit,
    AlertLevel,
    Use,
    UtilizationBasisPoints,
    Count,
};

constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::Count);

struct FieldInfo {
    std::string_view name;
    ValueKind kind;
};

// Indexed by Field. A renamed entry renames a CSV column and a JSON key.
constexpr std::array<FieldInfo, kFieldCount> kFields = {{
    {"order_id", ValueKind::Unsigned},
    {"side", ValueKind::Text},
    {"order_type", ValueKind::Text},
    {"limit", ValueKind::Price},
    {"price", ValueKind::Price},
    {"previous_price", ValueKind::Price},
    {"stop_price", ValueKind::Price},
    {"protection_price", ValueKind::Price},
    {"last_trade_price", ValueKind::Price},
    {"quantity", ValueKind::Quantity},
    {"display_quantity", ValueKind::Quantity},
    {"reduced_by", ValueKind::Quantity},
    {"remaining", ValueKind::Quantity},
    {"displayed", ValueKind::Quantity},
    {"reserve", ValueKind::Quantity},
    {"time_in_force", ValueKind::Text},
    {"liquidity", ValueKind::Text},
    {"self_trade_prevention", ValueKind::Text},
    {"expiry_ns", ValueKind::Signed},
    {"account", ValueKind::Unsigned},
    {"client_order_id", ValueKind::Unsigned},
    {"reason", ValueKind::Text},
    {"origin", ValueKind::Text},
    {"priority", ValueKind::Text},
    {"maker", ValueKind::Unsigned},
    {"taker", ValueKind::Unsigned},
    {"aggressor", ValueKind::Text},
    {"maker_remaining", ValueKind::Quantity},
    {"maker_account", ValueKind::Unsigned},
    {"taker_account", ValueKind::Unsigned},
    {"volume", ValueKind::Quantity},
    {"status", ValueKind::Text},
    {"bid_price", ValueKind::Price},
    {"bid_quantity", ValueKind::Quantity},
    {"ask_price", ValueKind::Price},
    {"ask_quantity", ValueKind::Quantity},
    {"order_count", ValueKind::Unsigned},
    {"definition_id", ValueKind::Unsigned},
    {"definition_symbol", ValueKind::Text},
    {"currency", ValueKind::Text},
    {"price_decimals", ValueKind::Unsigned},
    {"quantity_decimals", ValueKind::Unsigned},
    {"tick_size", ValueKind::Price},
    {"lot_size", ValueKind::Quantity},
    {"minimum_quantity", ValueKind::Quantity},
    {"maximum_quantity", ValueKind::Quantity},
    {"multiplier", ValueKind::Signed},
    {"price_band_basis_points", ValueKind::Signed},
    {"reference_price", ValueKind::Price},
    {"initial_status", ValueKind::Text},
    {"account_type", ValueKind::Text},
    {"money_decimals", ValueKind::Unsigned},
    {"maker_fee_ppm", ValueKind::Signed},
    {"taker_fee_ppm", ValueKind::Signed},
    {"per_unit_fee", ValueKind::Signed},
    {"minimum_fee", ValueKind::Signed},
    {"opening_balance", ValueKind::Signed},
    {"trade_sequence", ValueKind::Unsigned},
    {"instrument", ValueKind::Unsigned},
    {"role", ValueKind::Text},
    {"fee", ValueKind::Signed},
    {"realized_pnl", ValueKind::Signed},
    {"cash_balance", ValueKind::Signed},
    {"position", ValueKind::Quantity},
    {"maximum_order_quantity", ValueKind::Quantity},
    {"maximum_order_notional", ValueKind::Signed},
    {"maximum_long_position", ValueKind::Quantity},
    {"maximum_short_position", ValueKind::Quantity},
    {"maximum_open_orders", ValueKind::Signed},
    {"maximum_orders_per_second", ValueKind::Signed},
    {"daily_loss_limit", ValueKind::Signed},
    {"margin_buying_power", ValueKind::Signed},
    {"overridden", ValueKind::Unsigned},
    {"kill_switch", ValueKind::Text},
    {"rule", ValueKind::Text},
    {"limit_scope", ValueKind::Text},
    {"unit", ValueKind::Text},
    {"decimals", ValueKind::Unsigned},
    {"current", ValueKind::Signed},
    {"working", ValueKind::Signed},
    {"this_order", ValueKind::Signed},
    {"would_be", ValueKind::Signed},
    {"risk_limit", ValueKind::Signed},
    {"alert_level", ValueKind::Text},
    {"use", ValueKind::Signed},
    {"utilization_basis_points", ValueKind::Signed},
}};

const FieldInfo &infoOf(Field field)
{
    return kFields[static_cast<std::size_t>(field)];
}

// One field of one event. `decimals` is the scale of a price or quantity, or -1 when the
// instrument's definition is unknown.
struct FieldValue {
    Field field = Field::Count;
    std::int64_t signedValue = 0;
    std::uint64_t unsignedValue = 0;
    std::string_view text;
    int decimals = -1;
};

// The maximum number of fields in one payload (OrderAccepted and RiskRejected have 14).
constexpr std::size_t kMaximumFieldsPerEvent = 16;

// Fixed-size text up to its first zero byte, viewed in place.
std::string_view fixedText(std::span<const char> text)
{
    const auto end = std::find(text.begin(), text.end(), '\0');
    return {text.data(), static_cast<std::size_t>(end - text.begin())};
}

// Lists the payload fields of one event in their declaration order in events.h.
class FieldCollector {
public:
    explicit FieldCollector(const InstrumentDefinition *known)
        : m_known(known)
    {
    }

    std::span<const FieldValue> collect(const EventPayload &payload)
    {
        m_count = 0;
        std::visit([this](const auto &event) { add(event); }, payload);
        return {m_values.data(), m_count};
    }

private:
    FieldValue &next(Field field)
    {
        FieldValue &value = m_values[m_count++];
        value = FieldValue{};
        value.field = field;
        return value;
    }
    void number(Field field, std::int64_t value) { next(field).signedValue = value; }
    void number(Field field, std::uint64_t value) { next(field).unsignedValue = value; }
    void text(Field field, std::string_view text) { next(field).text = text; }
    void price(Field field, Price price)
    {
        FieldValue &value = next(field);
        value.signedValue = price.value();
        value.decimals = m_known ? m_known->priceDecimals : -1;
    }
    void quantity(Field field, Quantity quantity)
    {
        FieldValue &value = next(field);
        value.signedValue = quantity.value();
        value.decimals = m_known ? m_known->quantityDecimals : -1;
    }

    void add(const OrderAccepted &accepted)
    {
        number(Field::OrderId, accepted.id.value());
        text(Field::Side, wordOf(accepted.side));
        text(Field::OrderType, wordOf(accepted.type));
        price(Field::Limit, accepted.limit);
        quantity(Field::Quantity, accepted.quantity);
        number(Field::Account, std::uint64_t{accepted.account.value()});
        number(Field::ClientOrderId, accepted.clientOrderId.value());
        text(Field::TimeInForce, wordOf(accepted.timeInForce));
        text(Field::Liquidity, wordOf(accepted.liquidity));
        text(Field::SelfTradePrevention, wordOf(accepted.selfTradePrevention));
        price(Field::StopPrice, accepted.stopPrice);
        quantity(Field::DisplayQuantity, accepted.displayQuantity);
        price(Field::ProtectionPrice, accepted.protectionPrice);
        number(Field::ExpiryNs, accepted.expiry.value());
    }

    void add(const OrderAdded &added)
    {
        number(Field::OrderId, added.id.value());
        text(Field::Side, wordOf(added.side));
        price(Field::Price, added.price);
        quantity(Field::Quantity, added.quantity);
        text(Field::Origin, wordOf(added.origin));
    }

    void add(const OrderRejected &rejected)
    {
        number(Field::OrderId, rejected.id.value());
        text(Field::Reason, wordOf(rejected.reason));
        number(Field::ClientOrderId, rejected.clientOrderId.value());
        number(Field::Account, std::uint64_t{rejected.account.value()});
    }

    void add(const OrderCancelled &cancelled)
    {
        number(Field::OrderId, cancelled.id.value());
        text(Field::Side, wordOf(cancelled.side));
        price(Field::Price, cancelled.price);
        quantity(Field::Quantity, cancelled.quantity);
        text(Field::Reason, wordOf(cancelled.reason));
    }

    void add(const OrderReduced &reduced)
    {
        number(Field::OrderId, reduced.id.value());
        text(Field::Side, wordOf(reduced.side));
        price(Field::Price, reduced.price);
        quantity(Field::ReducedBy, reduced.reducedBy);
        quantity(Field::Remaining, reduced.remaining);
    }

    void add(const Trade &trade)
    {
        number(Field::Maker, trade.maker.value());
        number(Field::Taker, trade.taker.value());
        text(Field::Aggressor, wordOf(trade.aggressor));
        price(Field::Price, trade.price);
        quantity(Field::Quantity, trade.quantity);
        quantity(Field::MakerRemaining, trade.makerRemaining);
        number(Field::MakerAccount, std::uint64_t{trade.makerAccount.value()});
        number(Field::TakerAccount, std::uint64_t{trade.takerAccount.value()});
    }

    void add(const TradingStatusChanged &changed) { text(Field::Status, wordOf(changed.status)); }

    // The prices and quantities of a definition are in the scale it defines itself.
    void add(const InstrumentAdded &added)
    {
        const InstrumentDefinition &definition = added.definition;
        m_known = &definition;
        number(Field::DefinitionId, std::uint64_t{definition.id.value()});
        text(Field::DefinitionSymbol, fixedText(definition.symbol));
        text(Field::Currency, fixedText(definition.currency));
        number(Field::PriceDecimals, std::uint64_t{definition.priceDecimals});
        number(Field::QuantityDecimals, std::uint64_t{definition.quantityDecimals});
        price(Field::TickSize, definition.tickSize);
        quantity(Field::LotSize, definition.lotSize);
        quantity(Field::MinimumQuantity, definition.minimumQuantity);
        quantity(Field::MaximumQuantity, definition.maximumQuantity);
        number(Field::Multiplier, definition.multiplier);
        number(Field::PriceBandBasisPoints, std::int64_t{definition.priceBandBasisPoints});
        price(Field::ReferencePrice, definition.referencePrice);
        text(Field::InitialStatus, wordOf(definition.initialStatus));
    }

    void add(const AccountConfigured &configured)
    {
        number(Field::Account, std::uint64_t{configured.account.value()});
        text(Field::SelfTradePrevention, wordOf(configured.selfTradePrevention));
    }

    void add(const OrderReplaced &replaced)
    {
        number(Field::OrderId, replaced.id.value());
        text(Field::Side, wordOf(replaced.side));
        price(Field::PreviousPrice, replaced.previousPrice);
        price(Field::Price, replaced.price);
        quantity(Field::Quantity, replaced.quantity);
        price(Field::StopPrice, replaced.stopPrice);
        text(Field::Priority, wordOf(replaced.priority));
    }

    void add(const OrderParked &parked)
    {
        number(Field::OrderId, parked.id.value());
        text(Field::Side, wordOf(parked.side));
        price(Field::StopPrice, parked.stopPrice);
        quantity(Field::Quantity, parked.quantity);
    }

    void add(const StopTriggered &triggered)
    {
        number(Field::OrderId, triggered.id.value());
        price(Field::LastTradePrice, triggered.lastTradePrice);
    }

    void add(const OrderRefilled &refilled)
    {
        number(Field::OrderId, refilled.id.value());
        text(Field::Side, wordOf(refilled.side));
        price(Field::Price, refilled.price);
        quantity(Field::Displayed, refilled.displayed);
        quantity(Field::Reserve, refilled.reserve);
    }

    void add(const AuctionUncrossed &uncrossed)
    {
        price(Field::Price, uncrossed.price);
        quantity(Field::Volume, uncrossed.volume);
    }

    void add(const TopOfBook &top)
    {
        price(Field::BidPrice, top.bidPrice);
        quantity(Field::BidQuantity, top.bidQuantity);
        price(Field::AskPrice, top.askPrice);
        quantity(Field::AskQuantity, top.askQuantity);
    }

    void add(const DepthLevel &level)
    {
        text(Field::Side, wordOf(level.side));
        price(Field::Price, level.price);
        quantity(Field::Quantity, level.quantity);
        number(Field::OrderCount, std::uint64_t{level.orderCount});
    }

    // Money amounts are integers in units of the account's money scale.
    void add(const AccountOpened &opened)
    {
        const AccountSettings &settings = opened.settings;
        number(Field::Account, std::uint64_t{settings.id.value()});
        text(Field::Currency, fixedText(settings.currency));
        number(Field::MoneyDecimals, std::uint64_t{settings.moneyDecimals});
        text(Field::AccountType, nameOf(settings.type));
        number(Field::MakerFeeRate, settings.fees.maker.partsPerMillion);
        number(Field::TakerFeeRate, settings.fees.taker.partsPerMillion);
        number(Field::PerUnitFee, settings.fees.perUnit.value());
        number(Field::MinimumFee, settings.fees.minimum.value());
        number(Field::OpeningBalance, opened.openingBalance.value());
    }

    void add(const FillPosted &fill)
    {
        number(Field::TradeSequence, fill.tradeSequence);
        number(Field::Account, std::uint64_t{fill.account.value()});
        number(Field::Instrument, std::uint64_t{fill.instrument.value()});
        text(Field::Side, wordOf(fill.side));
        text(Field::Role, nameOf(fill.role));
        price(Field::Price, fill.price);
        quantity(Field::Quantity, fill.quantity);
        number(Field::Fee, fill.fee.value());
        number(Field::RealizedProfitAndLoss, fill.realizedProfitAndLoss.value());
        number(Field::CashBalance, fill.cashBalance.value());
        quantity(Field::Position, fill.position);
    }

    // Quantities are in the lots of the event's instrument. An account's defaults, with
    // instrument zero, apply to each instrument in its own lots, so they have no decimal text.
    void add(const RiskLimitsSet &changed)
    {
        const RiskLimits &limits = changed.limits;
        number(Field::Account, std::uint64_t{changed.account.value()});
        quantity(Field::MaximumOrderQuantity, limits.maximumOrderQuantity);
        number(Field::MaximumOrderNotional, limits.maximumOrderNotional.value());
        quantity(Field::MaximumLongPosition, limits.maximumLongPosition);
        quantity(Field::MaximumShortPosition, limits.maximumShortPosition);
        number(Field::PriceBandBasisPoints, limits.priceBandBasisPoints);
        number(Field::MaximumOpenOrders, limits.maximumOpenOrders);
        number(Field::MaximumOrdersPerSecond, limits.maximumOrdersPerSecond);
        number(Field::DailyLossLimit, limits.dailyLossLimit.value());
        number(Field::MarginBuyingPower, limits.marginBuyingPower.value());
        number(Field::Overridden, std::uint64_t{changed.overridden});
    }

    void add(const KillSwitchChanged &changed)
    {
        number(Field::Account, std::uint64_t{changed.account.value()});
        text(Field::KillSwitch, nameOf(changed.scope));
    }

    // The decision's values are integers in `unit`, scaled by 10^-decimals.
    void add(const RiskRejected &rejected)
    {
        number(Field::OrderId, rejected.id.value());
        number(Field::Account, std::uint64_t{rejected.account.value()});
        number(Field::ClientOrderId, rejected.clientOrderId.value());
        text(Field::Rule, nameOf(rejected.rule));
        text(Field::LimitScope, nameOf(rejected.scope));
        text(Field::KillSwitch, nameOf(rejected.killSwitch));
        text(Field::Unit, unitWord(rejected.unit));
        number(Field::Decimals, std::uint64_t{rejected.decimals});
        text(Field::Side, wordOf(rejected.side));
        number(Field::Current, rejected.current);
        number(Field::Working, rejected.working);
        number(Field::ThisOrder, rejected.order);
        number(Field::WouldBe, rejected.wouldBe);
        number(Field::RiskLimit, rejected.limit);
    }

    void add(const RiskAlert &alert)
    {
        number(Field::Account, std::uint64_t{alert.account.value()});
        text(Field::Rule, nameOf(alert.rule));
        text(Field::LimitScope, nameOf(alert.scope));
        text(Field::AlertLevel, nameOf(alert.level));
        number(Field::Use, alert.use);
        number(Field::RiskLimit, alert.limit);
        number(Field::UtilizationBasisPoints, alert.basisPoints);
    }

    static std::string_view unitWord(RiskUnit unit)
    {
        switch (unit) {
        case RiskUnit::None:
            return "none";
        case RiskUnit::Quantity:
            return "quantity";
        case RiskUnit::Money:
            return "money";
        case RiskUnit::Price:
            return "price";
        case RiskUnit::Count:
            return "count";
        }
        return "unknown";
    }

    const InstrumentDefinition *m_known;
    std::array<FieldValue, kMaximumFieldsPerEvent> m_values{};
    std::size_t m_count = 0;
};

bool isScaled(ValueKind kind)
{
    return kind == ValueKind::Price || kind == ValueKind::Quantity;
}

std::string_view symbolOf(const InstrumentDefinition *known)
{
    return known ? fixedText(known->symbol) : std::string_view();
}

// Text as a JSON string. Most text, such as every enumeration word, has nothing to escape and
// is copied as it is, and jsonQuoted escapes the rest.
void appendJsonString(OutputBuffer &out, std::string_view text)
{
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte >= 0x20 && byte < 0x80 && c != '"' && c != '\\';
    });
    if (!plain) {
        out.append(jsonQuoted(text));
        return;
    }
    out.append("\"");
    out.append(text);
    out.append("\"");
}

void appendJsonNumber(OutputBuffer &out, const FieldValue &value, ValueKind kind)
{
    if (kind == ValueKind::Unsigned) {
        out.appendNumber(value.unsignedValue);
    } else {
        out.appendNumber(value.signedValue);
    }
}

void appendJsonField(OutputBuffer &out, const FieldValue &value)
{
    const FieldInfo &info = infoOf(value.field);
    out.append(",\"");
    out.append(info.name);
    out.append("\":");
    if (info.kind == ValueKind::Text) {
        appendJsonString(out, value.text);
        return;
    }
    appendJsonNumber(out, value, info.kind);
    if (isScaled(info.kind) && value.decimals >= 0) {
        out.append(",\"");
        out.append(info.name);
        out.append("_decimal\":\"");
        out.append(formatDecimal(value.signedValue, value.decimals));
        out.append("\"");
    }
}

// RFC 4180: a field with a comma, a double quote, CR or LF goes in double quotes, with each
// double quote doubled.
void appendCsvText(OutputBuffer &out, std::string_view text)
{
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(text);
        return;
    }
    std::string quoted = "\"";
    for (const char c : text) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    quoted += '"';
    out.append(quoted);
}

// The cells of the payload columns, one row at a time.
void appendCsvFields(OutputBuffer &out, std::span<const FieldValue> values)
{
    std::array<const FieldValue *, kFieldCount> byField{};
    for (const FieldValue &value : values) {
        byField[static_cast<std::size_t>(value.field)] = &value;
    }
    for (std::size_t index = 0; index < kFieldCount; ++index) {
        const FieldInfo &info = kFields[index];
        const FieldValue *value = byField[index];
        out.append(",");
        if (value && info.kind == ValueKind::Text) {
            appendCsvText(out, value->text);
        } else if (value) {
            appendJsonNumber(out, *value, info.kind);
        }
        if (!isScaled(info.kind)) {
            continue;
        }
        out.append(",");
        if (value && value->decimals >= 0) {
            out.append(formatDecimal(value->signedValue, value->decimals));
        }
    }
}

} // namespace

std::vector<std::string> csvColumns()
{
    std::vector<std::string> columns = {"sequence",   "time",   "time_ns",
                                        "instrument", "symbol", "type"};
    for (const FieldInfo &info : kFields) {
        columns.emplace_back(info.name);
        if (isScaled(info.kind)) {
            columns.push_back(std::string(info.name) + "_decimal");
        }
    }
    return columns;
}

void appendJsonEvent(OutputBuffer &out, const Event &event, const InstrumentDefinition *known)
{
    out.append("{\"sequence\":");
    out.appendNumber(std::uint64_t{event.sequence});
    out.append(",\"time\":\"");
    out.append(formatTime(event.time));
    out.append("\",\"time_ns\":");
    out.appendNumber(event.time.value());
    out.append(",\"instrument\":");
    out.appendNumber(std::uint64_t{event.instrument.value()});
    if (const std::string_view symbol = symbolOf(known); !symbol.empty()) {
        out.append(",\"symbol\":");
        appendJsonString(out, symbol);
    }
    out.append(",\"type\":\"");
    out.append(nameOf(typeOf(event.payload)));
    out.append("\"");

    FieldCollector collector(known);
    for (const FieldValue &value : collector.collect(event.payload)) {
        appendJsonField(out, value);
    }
    out.append("}");
}

void appendCsvHeader(OutputBuffer &out)
{
    const std::vector<std::string> columns = csvColumns();
    for (std::size_t index = 0; index < columns.size(); ++index) {
        out.append(index == 0 ? "" : ",");
        out.append(columns[index]);
    }
    out.append("\r\n");
}

void appendCsvEvent(OutputBuffer &out, const Event &event, const InstrumentDefinition *known)
{
    out.appendNumber(std::uint64_t{event.sequence});
    out.append(",");
    out.append(formatTime(event.time));
    out.append(",");
    out.appendNumber(event.time.value());
    out.append(",");
    out.appendNumber(std::uint64_t{event.instrument.value()});
    out.append(",");
    appendCsvText(out, symbolOf(known));
    out.append(",");
    out.append(nameOf(typeOf(event.payload)));

    FieldCollector collector(known);
    appendCsvFields(out, collector.collect(event.payload));
    out.append("\r\n");
}

} // namespace bourse::cli::journal_tools
