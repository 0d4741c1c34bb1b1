#include "ladder_lot_spin_box.h"

#include "formatting.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace bourse::ui {

namespace {

// Parses a quantity typed with `decimals` digits after the point, such as "1,250.5" with two
// decimals, into lots: 125050. Returns nothing for text that is not a number or does not fit.
std::optional<qint64> parseLots(QString text, int decimals)
{
    text.remove(QLatin1Char(',')).remove(QLatin1Char(' '));
    const qsizetype point = text.indexOf(QLatin1Char('.'));
    const QString whole = point < 0 ? text : text.left(point);
    const QString fraction = point < 0 ? QString() : text.mid(point + 1);
    if (whole.isEmpty() && fraction.isEmpty())
        return std::nullopt;
    if (fraction.size() > decimals)
        return std::nullopt;

    qint64 lots = 0;
    const QString digits = whole + fraction.leftJustified(decimals, QLatin1Char('0'));
    for (const QChar digit : digits) {
        if (!digit.isDigit())
            return std::nullopt;
        lots = lots * 10 + digit.digitValue();
        if (lots > std::numeric_limits<int>::max())
            return std::nullopt;
    }
    return lots;
}

} // namespace

void LotSpinBox::setDecimals(int decimals)
{
    m_decimals = std::clamp(decimals, 0, 9);
    // Setting the suffix again makes the spin box format its value anew.
    setSuffix(suffix());
}

QString LotSpinBox::textFromValue(int value) const
{
    return formatQuantity(Quantity{value}, m_decimals);
}

int LotSpinBox::valueFromText(const QString &text) const
{
    return static_cast<int>(parseLots(text, m_decimals).value_or(value()));
}

QValidator::State LotSpinBox::validate(QString &text, int &) const
{
    if (text.isEmpty() || text == QStringLiteral("."))
        return QValidator::Intermediate;

    const std::optional<qint64> lots = parseLots(text, m_decimals);
    if (!lots)
        return QValidator::Invalid;
    return *lots >= minimum() && *lots <= maximum() ? QValidator::Acceptable
                                                    : QValidator::Intermediate;
}

} // namespace bourse::ui
