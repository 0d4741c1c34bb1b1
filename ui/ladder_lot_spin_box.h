#pragma once

#include <QSpinBox>

#include <optional>

namespace bourse::ui {

// A spin box of whole lots that shows them with the instrument's quantity decimals, formatted
// as every other quantity of the terminal: 125 lots with two decimals show as "1.25", and
// typing "1.25" sets 125 lots. Its value is an int, so its maximum is 2^31 - 1 lots.
//
// A typed number that is out of range or not a multiple of the single step stays in the box as
// typed: the box reports it through hasAcceptableInput() and problem() and keeps its last valid
// value, rather than dropping keys or replacing the text when it loses focus.
class LotSpinBox : public QSpinBox {
    Q_OBJECT

public:
    explicit LotSpinBox(QWidget *parent = nullptr);

    // Sets the digits after the point, 0 to 9.
    void setDecimals(int decimals);
    int decimals() const { return m_decimals; }

    // Why the typed text is not a quantity the box accepts, as a sentence; empty when it is.
    QString problem() const;

signals:
    // The text in the box changed, by typing or by a new value. QSpinBox::textChanged follows
    // only the values the box accepts.
    void typedTextChanged();

protected:
    QString textFromValue(int value) const override;
    int valueFromText(const QString &text) const override;
    QValidator::State validate(QString &text, int &position) const override;
    void focusOutEvent(QFocusEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    std::optional<qint64> acceptedLots(const QString &text) const;

    int m_decimals = 0;
};

} // namespace bourse::ui
