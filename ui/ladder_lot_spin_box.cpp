#include "ladder_lot_spin_box.h"

#include "formatting.h"

#include <QCoreApplication>
#include <QFocusEvent>
#include <QLineEdit>
#include <QStyle>
#include <QStyleOptionSpinBox>

#include <algorithm>

namespace bourse::ui {

namespace {

// Returns whether `text` can become a quantity by typing more: digits, the commas and spaces of
// digit groups, and one point followed by at most `decimals` digits. The box rejects any other
// key, so a letter never reaches it.
bool typeable(const QString &text, int decimals)
{
    qsizetype point = -1;
    qsizetype fractionDigits = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('.')) {
            if (point >= 0)
                return false;
            point = i;
        } else if (c.isDigit()) {
            fractionDigits += point >= 0 ? 1 : 0;
        } else if (c != QLatin1Char(',') && c != QLatin1Char(' ')) {
            return false;
        }
    }
    return fractionDigits <= decimals;
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
    if (const std::optional<std::int64_t> units = typedUnits()) {
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
    // Text on the way to a number stays in the box even when it is not a valid order quantity
    // yet, so that the trader keeps what was typed and problem() states what is wrong with it.
    if (!typeable(text, m_decimals))
        return QValidator::Invalid;
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
