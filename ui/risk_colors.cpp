#include "risk_colors.h"

#include "risk_checks.h"
#include "theme.h"

namespace bourse::ui {

QColor riskNormalColor()
{
    return theme::buyColor();
}

QColor riskWarningColor()
{
    return theme::warningColor();
}

QColor riskBreachColor()
{
    return theme::sellColor();
}

QColor riskLevelColor(RiskAlertLevel level)
{
    switch (level) {
    case RiskAlertLevel::Normal:
        return riskNormalColor();
    case RiskAlertLevel::Warning:
        return riskWarningColor();
    case RiskAlertLevel::Breach:
        return riskBreachColor();
    }
    return riskNormalColor();
}

QColor killSwitchColor()
{
    return theme::sellColor();
}

RiskAlertLevel riskLevelOf(std::int64_t basisPoints)
{
    if (basisPoints >= kLimitBasisPoints)
        return RiskAlertLevel::Breach;
    if (basisPoints >= kWarningBasisPoints)
        return RiskAlertLevel::Warning;
    return RiskAlertLevel::Normal;
}

} // namespace bourse::ui
