#pragma once

#include <QSpinBox>

namespace bourse::ui {

// A spin box of whole lots that shows them with the instrument's quantity decimals, formatted
// as every other quantity of the terminal: 125 lots with two decimals show as "1.25", and
// typing "1.25" sets 125 lots. Its value is an int, so its maximum is 2^31 - 1 lots.
class LotSpinBox : public QSpinBox {
    Q_OBJECT

public:
    using QSpinBox::QSpinBox;

    // Sets the digits after the point, 0 to 9.
    void setDecimals(int decimals);
    int decimals() const { return m_decimals; }

protected:
    QString textFromValue(int value) const override;
    int valueFromText(const QString &text) const override;
    QValidator::State validate(QString &text, int &position) const override;

private:
    int m_decimals = 0;
};

} // namespace bourse::ui
