#include "risk_terms.h"

#include "formatting.h"

#include <QCoreApplication>

#include <algorithm>

namespace bourse::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("bourse::ui::RiskDashboard", text);
}

} // namespace

QString riskRuleTitle(RiskRule rule)
{
    switch (rule) {
    case RiskRule::None:
        return tr("None");
    case RiskRule::KillSwitch:
        return tr("Kill switch");
    case RiskRule::UnknownAccount:
        return tr("Unknown account");
    case RiskRule::UnknownInstrument:
        return tr("Unknown instrument");
    case RiskRule::InvalidOrder:
        return tr("Invalid order");
    case RiskRule::MissingPrice:
        return tr("Missing price");
    case RiskRule::OrderQuantity:
        return tr("Order size");
    case RiskRule::PriceBand:
        return tr("Price band");
    case RiskRule::OrderNotional:
        return tr("Order notional");
    case RiskRule::PositionLong:
        return tr("Long position");
    case RiskRule::PositionShort:
        return tr("Short position");
    case RiskRule::OpenOrders:
        return tr("Open orders");
    case RiskRule::OrderRate:
        return tr("Order rate");
    case RiskRule::DailyLoss:
        return tr("Daily loss");
    case RiskRule::BuyingPower:
        return tr("Buying power");
    case RiskRule::OutOfRange:
        return tr("Out of range");
    }
    return tr("Unknown rule");
}

QString limitScopeTitle(LimitScope scope)
{
    switch (scope) {
    case LimitScope::None:
        return {};
    case LimitScope::AccountDefault:
        return tr("Account");
    case LimitScope::InstrumentOverride:
        return tr("Instrument");
    case LimitScope::CashBalance:
        return tr("Cash balance");
    case LimitScope::Global:
        return tr("Global");
    }
    return {};
}

QString killSwitchTitle(KillSwitchScope scope)
{
    switch (scope) {
    case KillSwitchScope::None:
        return tr("Off");
    case KillSwitchScope::Pause:
        return tr("Pause");
    case KillSwitchScope::CancelAll:
        return tr("Cancel all");
    case KillSwitchScope::Flatten:
        return tr("Flatten");
    }
    return tr("Off");
}

QString utilizationText(std::int64_t basisPoints)
{
    // Basis points are hundredths of a percent, so they format as an amount with 2 decimals.
    return formatMoney(Money{basisPoints}, 2) + QLatin1Char('%');
}

const RiskMonitor *findMonitor(const TraderView &trader, AccountId account)
{
    const auto found =
        std::find_if(trader.risk.begin(), trader.risk.end(),
                     [account](const RiskMonitor &m) { return m.account == account; });
    return found != trader.risk.end() ? &*found : nullptr;
}

const RiskLimits *findLimits(const TraderView &trader, AccountId account)
{
    // `limits` is in the order of `accounts`.
    const auto found = std::find(trader.accounts.begin(), trader.accounts.end(), account);
    const auto index = static_cast<std::size_t>(found - trader.accounts.begin());
    if (found == trader.accounts.end() || index >= trader.limits.size())
        return nullptr;
    return &trader.limits[index];
}

int moneyDecimalsOf(const TraderView &trader, AccountId account)
{
    for (const OwnPosition &position : trader.positions) {
        if (position.account == account)
            return position.moneyDecimals;
    }
    return 2;
}

const InstrumentQuote *findQuote(const MarketView &view, InstrumentId instrument)
{
    const auto found =
        std::find_if(view.instruments.begin(), view.instruments.end(),
                     [instrument](const InstrumentQuote &q) { return q.instrument == instrument; });
    return found != view.instruments.end() ? &*found : nullptr;
}

QString symbolOf(const MarketView &view, InstrumentId instrument)
{
    if (const InstrumentQuote *quote = findQuote(view, instrument))
        return QString::fromStdString(quote->symbol);
    return QStringLiteral("#%1").arg(instrument.value());
}

std::optional<int> sharedQuantityDecimals(const MarketView &view)
{
    if (view.instruments.empty())
        return std::nullopt;
    const int decimals = view.instruments.front().quantityDecimals;
    for (const InstrumentQuote &quote : view.instruments) {
        if (quote.quantityDecimals != decimals)
            return std::nullopt;
    }
    return decimals;
}

} // namespace bourse::ui
