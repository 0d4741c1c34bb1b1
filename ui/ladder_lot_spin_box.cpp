#include "ladder_lot_spin_box.h"

#include "formatting.h"

#include <QCoreApplication>
#include <QKeyEvent>
#include <QLineEdit>

#include <algorithm>
#include <limits>
#include <optional>

namespace bourse::ui {

namespace {

// A number typed into the box, in lots. Digits past what fits in an int set `tooLarge` rather
// than failing, so that problem() can report the number as too large instead of dropping the key.
struct TypedLots {
    bool negative = false;
    bool tooLarge = false;
    qint64 lots = 0;
};

// Parses a quantity typed with `decimals` digits after the point, such as "1,250.5" with two
// decimals, into lots: 125050. Returns nothing for text that is not a number or has more
// decimals than the instrument.
std::optional<TypedLots> parseLots(QString text, int decimals)
{
    text.remove(QLatin1Char(',')).remove(QLatin1Char(' '));
    TypedLots typed;
    if (text.startsWith(QLatin1Char('-'))) {
        typed.negative = true;
        text.remove(0, 1);
    }
    const qsizetype point = text.indexOf(QLatin1Char('.'));
    const QString whole = point < 0 ? text : text.left(point);
    const QString fraction = point < 0 ? QString() : text.mid(point + 1);
    if (whole.isEmpty() && fraction.isEmpty())
        return std::nullopt;
    if (fraction.size() > decimals)
        return std::nullopt;

    const QString digits = whole + fraction.leftJustified(decimals, QLatin1Char('0'));
    for (const QChar digit : digits) {
        if (!digit.isDigit())
            return std::nullopt;
        typed.lots = std::min<qint64>(typed.lots * 10 + digit.digitValue(),
                                      qint64{std::numeric_limits<int>::max()} + 1);
    }
    typed.tooLarge = typed.lots > std::numeric_limits<int>::max();
    return typed;
}

} // namespace

LotSpinBox::LotSpinBox(QWidget *parent)
    : QSpinBox(parent)
{
    connect(lineEdit(), &QLineEdit::textChanged, this, &LotSpinBox::typedTextChanged);
}

void LotSpinBox::setDecimals(int decimals)
{
    m_decimals = std::clamp(decimals, 0, 9);
    // Setting the suffix again makes the spin box format its value anew.
    setSuffix(suffix());
}

QString LotSpinBox::problem() const
{
    const QString text = lineEdit()->text();
    const std::optional<TypedLots> typed = parseLots(text, m_decimals);
    if (!typed)
        return tr("Type a quantity.");
    if (typed->negative || typed->lots < minimum())
        return tr("%1 is below the minimum quantity %2.").arg(text, textFromValue(minimum()));
    if (typed->tooLarge || typed->lots > maximum())
        return tr("%1 is above the maximum quantity %2.").arg(text, textFromValue(maximum()));
    if (singleStep() > 1 && typed->lots % singleStep() != 0)
        return tr("%1 is not a multiple of the lot size %2.")
            .arg(text, textFromValue(singleStep()));
    return {};
}

std::optional<qint64> LotSpinBox::acceptedLots(const QString &text) const
{
    const std::optional<TypedLots> typed = parseLots(text, m_decimals);
    if (!typed || typed->negative || typed->tooLarge || typed->lots < minimum() ||
        typed->lots > maximum())
        return std::nullopt;
    if (singleStep() > 1 && typed->lots % singleStep() != 0)
        return std::nullopt;
    return typed->lots;
}

QString LotSpinBox::textFromValue(int value) const
{
    return formatQuantity(Quantity{value}, m_decimals);
}

int LotSpinBox::valueFromText(const QString &text) const
{
    return static_cast<int>(acceptedLots(text).value_or(value()));
}

QValidator::State LotSpinBox::validate(QString &text, int &) const
{
    // Text that is a number, or the start of one, stays in the box even when out of range, so
    // the trader keeps what was typed and problem() states what is wrong with it.
    if (text.isEmpty() || text == QStringLiteral(".") || text == QStringLiteral("-"))
        return QValidator::Intermediate;
    if (!parseLots(text, m_decimals))
        return QValidator::Invalid;
    return acceptedLots(text) ? QValidator::Acceptable : QValidator::Intermediate;
}

void LotSpinBox::focusOutEvent(QFocusEvent *event)
{
    // QAbstractSpinBox would put the last valid value back in place of an invalid text, which
    // hides the mistake: the box keeps the text instead, and the panel shows it as invalid.
    if (hasAcceptableInput()) {
        QSpinBox::focusOutEvent(event);
        return;
    }
    QCoreApplication::sendEvent(lineEdit(), event);
    QWidget::focusOutEvent(event);
}

void LotSpinBox::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !hasAcceptableInput()) {
        event->ignore();
        return;
    }
    QSpinBox::keyPressEvent(event);
}

} // namespace bourse::ui
