#pragma once

#include "risk_types.h"

#include <QColor>

#include <cstdint>

namespace bourse::ui {

// The colours of risk levels and of the kill switch. Each call reads the current theme, so a
// widget that calls them while it paints follows a theme switch at its next update().
QColor riskNormalColor();  // a limit used below 80%
QColor riskWarningColor(); // a limit used from 80% to below 100%
QColor riskBreachColor();  // a limit used at or above 100%
QColor riskLevelColor(RiskAlertLevel level);

QColor killSwitchColor(); // the fill of the kill switch buttons and its frame

// The level of a use of `basisPoints` against the alert thresholds: Normal below 8,000,
// Warning from 8,000 and Breach from 10,000, as the engine's RiskAlert events count them.
RiskAlertLevel riskLevelOf(std::int64_t basisPoints);

} // namespace bourse::ui
