#pragma once

#include "types.h"

#include <QString>

namespace bourse::ui {

// A price or quantity read from text the trader typed, or the reason it is invalid.
template <typename Value>
struct TypedValue {
    Value value{};
    QString problem; // a sentence that names the field and what is wrong; empty when valid

    bool ok() const { return problem.isEmpty(); }
};

// Reads a price in units of 10^-decimals from text such as "101.25", digit by digit through
// parseDecimal, never through a binary float. Surrounding spaces are ignored, and so are
// trailing zeros past the scale ("101.250" at two decimals), commas between groups of three
// digits as the panels display them ("1,000.5") and a trailing point ("10."). The price must
// be above zero, at most kMaximumPrice and a multiple of `tickSize`. `field` names the value in
// the problem, as in "Limit price 101.03 is not a multiple of the tick size 0.05".
TypedValue<Price> readPrice(const QString &text, const QString &field, int decimals,
                            Price tickSize);

// Reads a quantity in units of 10^-decimals as readPrice() reads a price. It must be above zero,
// at most kMaximumQuantity and a multiple of `lotSize`.
TypedValue<Quantity> readQuantity(const QString &text, const QString &field, int decimals,
                                  Quantity lotSize);

// The smallest and largest quantity of one order of an instrument (InstrumentQuote).
struct QuantityLimits {
    Quantity minimum{1};
    Quantity maximum = kMaximumQuantity;
};

// Reads the quantity of an order as readQuantity() does, and also checks it against the
// instrument's `limits`, which the engine rejects an order outside of. The problem names the
// limit in the instrument's decimals, as in "Quantity 5001 is above the instrument's maximum
// order quantity 5,000."
TypedValue<Quantity> readOrderQuantity(const QString &text, const QString &field, int decimals,
                                       Quantity lotSize, QuantityLimits limits);

// Plain decimal text for an editor, with no grouping: 12345 at two decimals is "123.45", which
// readPrice() and readQuantity() read back as the same value.
QString editableText(std::int64_t units, int decimals);

} // namespace bourse::ui
