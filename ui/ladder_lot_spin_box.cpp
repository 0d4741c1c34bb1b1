#include "ladder_lot_spin_box.h"

#include "formatting.h"
#include "money.h"

#include <QCoreApplication>
#include <QFocusEvent>
#include <QLineEdit>
#include <QStyle>
#include <QStyleOptionSpinBox>

#include <algorithm>

namespace bourse::ui {

namespace {

// Returns whether `text` is a number above every quantity the box takes, such as twenty nines:
// digits, with digit groups and a point, whose value is past `highest` or past 64 bits.
bool aboveRange(const QString &text, int decimals, std::int64_t highest)
{
    QString digits = text.trimmed();
    digits.remove(QLatin1Char(',')).remove(QLatin1Char(' '));
    if (digits.isEmpty() || digits.startsWith(QLatin1Char('-')))
        return false;
    const DecimalValue parsed = parseDecimal(digits.toStdString(), decimals);
    if (parsed.error == DecimalError::OutOfRange)
        return true;
    return parsed.error == DecimalError::None && parsed.units > highest;
}

} // namespace

LotSpinBox::LotSpinBox(QWidget *parent)
    : QAbstractSpinBox(parent)
{
    connect(lineEdit(), &QLineEdit::textChanged, this, &LotSpinBox::typedTextChanged);
    connect(this, &QAbstractSpinBox::editingFinished, this, &LotSpinBox::normalize);
    setQuantity(Quantity{1});
}

void LotSpinBox::setTerms(int decimals, Quantity lotSize, QuantityLimits limits)
{
    m_decimals = std::clamp(decimals, 0, 9);
    m_lotSize = std::clamp(lotSize, Quantity{1}, kMaximumQuantity);
    m_limits = limits;
    updateGeometry();
    // The text is the same, but whether it is valid may not be.
    emit typedTextChanged();
}

std::optional<Quantity> LotSpinBox::lowestQuantity() const
{
    const std::int64_t lot = m_lotSize.value();
    const std::int64_t minimum = std::max<std::int64_t>(m_limits.minimum.value(), 1);
    const std::int64_t lowest = minimum / lot * lot + (minimum % lot == 0 ? 0 : lot);
    const std::optional<Quantity> highest = highestQuantity();
    if (!highest || lowest > highest->value())
        return std::nullopt;
    return Quantity{lowest};
}

std::optional<Quantity> LotSpinBox::highestQuantity() const
{
    const std::int64_t lot = m_lotSize.value();
    const std::int64_t maximum = std::min(m_limits.maximum, kMaximumQuantity).value();
    const std::int64_t highest = maximum / lot * lot;
    if (highest <= 0 || highest < m_limits.minimum.value())
        return std::nullopt;
    return Quantity{highest};
}

TypedValue<Quantity> LotSpinBox::read() const
{
    return readOrderQuantity(lineEdit()->text(), tr("Quantity"), m_decimals, m_lotSize, m_limits);
}

std::optional<std::int64_t> LotSpinBox::typedUnits() const
{
    const TypedValue<Quantity> typed =
        readQuantity(lineEdit()->text(), tr("Quantity"), m_decimals, Quantity{1});
    if (!typed.ok())
        return std::nullopt;
    return typed.value.value();
}

std::optional<Quantity> LotSpinBox::quantity() const
{
    const TypedValue<Quantity> typed = read();
    if (!typed.ok())
        return std::nullopt;
    return typed.value;
}

void LotSpinBox::setQuantity(Quantity quantity)
{
    lineEdit()->setText(formatQuantity(quantity, m_decimals));
}

QString LotSpinBox::problem() const
{
    return read().problem;
}

void LotSpinBox::stepBy(int steps)
{
    const std::optional<Quantity> lowest = lowestQuantity();
    const std::optional<Quantity> highest = highestQuantity();
    if (steps == 0 || !lowest || !highest)
        return;

    const std::int64_t lot = m_lotSize.value();
    // No step goes past the ends, so a count of lots beyond the whole range changes nothing,
    // and capping it keeps the product below 2^63.
    const std::int64_t span = (highest->value() - lowest->value()) / lot + 1;
    const std::int64_t lots = std::clamp<std::int64_t>(steps, -span, span);

    std::int64_t target = lowest->value();
    if (aboveRange(lineEdit()->text(), m_decimals, highest->value())) {
        // Above the range, the first step down lands on the largest quantity.
        if (lots > 0)
            return;
        target = highest->value();
    } else if (const std::optional<std::int64_t> units = typedUnits()) {
        // From between two lot multiples, the first step lands on the nearer one that way.
        const std::int64_t below = *units / lot * lot;
        if (below == *units)
            target = *units + lots * lot;
        else
            target = below + (lots > 0 ? lots : lots + 1) * lot;
    }
    setQuantity(Quantity{std::clamp(target, lowest->value(), highest->value())});
    lineEdit()->selectAll();
}

QAbstractSpinBox::StepEnabled LotSpinBox::stepEnabled() const
{
    const std::optional<Quantity> lowest = lowestQuantity();
    const std::optional<Quantity> highest = highestQuantity();
    if (isReadOnly() || !lowest || !highest)
        return StepNone;
    if (aboveRange(lineEdit()->text(), m_decimals, highest->value()))
        return StepDownEnabled;
    const std::optional<std::int64_t> units = typedUnits();
    if (!units)
        return StepUpEnabled | StepDownEnabled;

    StepEnabled enabled = StepNone;
    if (*units < highest->value())
        enabled |= StepUpEnabled;
    if (*units > lowest->value())
        enabled |= StepDownEnabled;
    return enabled;
}

QValidator::State LotSpinBox::validate(QString &text, int &) const
{
    // Any text stays in the box as typed, even when it is not a valid order quantity, so that
    // the trader can read what was typed and problem() states what is wrong with it, in the words
    // of the order ticket. Dropping a key instead would change the quantity without a word: a
    // third decimal dropped from "2.55" leaves a valid "2.5".
    const TypedValue<Quantity> typed =
        readOrderQuantity(text, tr("Quantity"), m_decimals, m_lotSize, m_limits);
    return typed.ok() ? QValidator::Acceptable : QValidator::Intermediate;
}

void LotSpinBox::fixup(QString &) const
{
    // Nothing: replacing invalid text with a clamped value would hide the mistake.
}

void LotSpinBox::normalize()
{
    if (const std::optional<Quantity> valid = quantity()) {
        const QString text = formatQuantity(*valid, m_decimals);
        if (text != lineEdit()->text())
            lineEdit()->setText(text);
    }
}

void LotSpinBox::focusOutEvent(QFocusEvent *event)
{
    // QAbstractSpinBox would interpret and rewrite the text, so only the line edit gets the event.
    QCoreApplication::sendEvent(lineEdit(), event);
    QWidget::focusOutEvent(event);
    normalize();
    emit editingFinished();
}

QSize LotSpinBox::sizeHint() const
{
    ensurePolished();
    // Room for nine digits in groups and what the instrument's decimals add.
    const QString widest = formatQuantity(Quantity{999'999'999}, m_decimals);
    const QFontMetrics metrics = fontMetrics();
    const QSize text(metrics.horizontalAdvance(widest + QLatin1Char(' ')),
                     lineEdit()->sizeHint().height());
    QStyleOptionSpinBox option;
    initStyleOption(&option);
    return style()->sizeFromContents(QStyle::CT_SpinBox, &option, text, this);
}

QSize LotSpinBox::minimumSizeHint() const
{
    return sizeHint();
}

} // namespace bourse::ui
