#pragma once

#include "order_ticket_input.h"
#include "types.h"

#include <QAbstractSpinBox>

#include <optional>

namespace bourse::ui {

// The ladder's order quantity: a spin box over whole lots that shows them with the instrument's
// quantity decimals, formatted as every other quantity of the terminal. With two decimals, 125
// units show as "1.25", and typing "1.25" means 125 units. The quantity is a 64-bit count of
// units, so an instrument with eight decimals still takes orders above 21.47.
//
// The text is the value. It is read by readOrderQuantity(), the rule of the order ticket, so the
// ladder and the ticket report the same problem for the same quantity. Typed text that is not a
// valid order quantity stays in the box as typed: quantity() is empty and problem() gives the
// reason, naming the instrument's limit or lot rule. The box never replaces the text with a clamped
// value, neither when it loses focus nor when the instrument's limits change under it.
//
// The arrows step by a lot between the smallest and largest lot multiples inside the limits.
class LotSpinBox : public QAbstractSpinBox {
    Q_OBJECT

public:
    explicit LotSpinBox(QWidget *parent = nullptr);

    // Sets the instrument's quantity decimals (0 to 9), lot size and order limits. The text
    // stays, and is read again under the new terms.
    void setTerms(int decimals, Quantity lotSize, QuantityLimits limits);
    int decimals() const { return m_decimals; }
    Quantity lotSize() const { return m_lotSize; }
    QuantityLimits limits() const { return m_limits; }

    // Returns the smallest or largest lot multiple inside the limits, or nothing when there is
    // none.
    std::optional<Quantity> lowestQuantity() const;
    std::optional<Quantity> highestQuantity() const;

    // Returns the typed quantity when it is a valid order quantity.
    std::optional<Quantity> quantity() const;
    // Shows `quantity` formatted. A quantity outside the limits shows as invalid.
    void setQuantity(Quantity quantity);

    // Returns why the typed text is not a valid order quantity, as a sentence, or an empty
    // string when it is valid.
    QString problem() const;

    void stepBy(int steps) override;
    StepEnabled stepEnabled() const override;
    QValidator::State validate(QString &text, int &position) const override;
    void fixup(QString &text) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // The text in the box changed, by typing, stepping or setQuantity().
    void typedTextChanged();

protected:
    void focusOutEvent(QFocusEvent *event) override;

private:
    TypedValue<Quantity> read() const;
    // Returns the typed number in units, ignoring the lot and the limits, when the text is one.
    std::optional<std::int64_t> typedUnits() const;
    // Rewrites a valid quantity in the terminal's format ("2000.5" as "2,000.50").
    void normalize();

    int m_decimals = 0;
    Quantity m_lotSize{1};
    QuantityLimits m_limits;
};

} // namespace bourse::ui
