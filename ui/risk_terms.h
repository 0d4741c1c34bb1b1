#pragma once

#include "market_view.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace bourse::ui {

// The words and look-ups that the risk dashboard, its models and the status bar share.

// The trader's name of a rule, such as "Long position" or "Daily loss".
QString riskRuleTitle(RiskRule rule);

// Where a limit comes from: "Account", "Instrument", "Cash balance" or "Global".
QString limitScopeTitle(LimitScope scope);

// "Off", "Pause", "Cancel all" or "Flatten".
QString killSwitchTitle(KillSwitchScope scope);

// A use in basis points as a percentage with two decimals: 7999 is "79.99%".
QString utilizationText(std::int64_t basisPoints);

// The risk monitor of an account, or nullptr when the view has none for it.
const RiskMonitor *findMonitor(const TraderView &trader, AccountId account);

// The account-wide limits of an account, or nullptr when the view has none for it.
const RiskLimits *findLimits(const TraderView &trader, AccountId account);

// The money decimals of an account, taken from its positions, because the monitor does not
// carry them. An account without a position shows money with 2 decimals.
int moneyDecimalsOf(const TraderView &trader, AccountId account);

// The market watch row of an instrument, or nullptr when the view does not list it.
const InstrumentQuote *findQuote(const MarketView &view, InstrumentId instrument);

// The symbol of an instrument, "#<id>" for one the view does not list.
QString symbolOf(const MarketView &view, InstrumentId instrument);

// The quantity decimals that every instrument of the view shares, or nothing when they differ
// or there is none. An account-wide quantity limit applies to each instrument in its own lots,
// so it shows in these decimals, or as whole lots without them.
std::optional<int> sharedQuantityDecimals(const MarketView &view);

} // namespace bourse::ui
