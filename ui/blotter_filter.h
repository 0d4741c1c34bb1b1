#pragma once

#include "types.h"

#include <QSortFilterProxyModel>

#include <optional>
#include <set>

namespace bourse::ui {

// Sorts and filters one blotter table. A row passes when any of its cells contains the text
// (case-insensitive), its instrument is the chosen one, and its state is among the chosen ones.
// Prices and quantities sort by value across instruments of different decimals, from
// BlotterSortRole.
class BlotterFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit BlotterFilterModel(QObject *parent = nullptr);

    void setText(const QString &text);
    // Nothing shows every instrument.
    void setInstrument(std::optional<InstrumentId> instrument);
    // Values of OrderDisplayState, where an empty set shows every state. Rows without a state, such
    // as fills, pass whatever the set.
    void setStates(const std::set<int> &states);

    std::optional<InstrumentId> instrument() const { return m_instrument; }
    const std::set<int> &states() const { return m_states; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    std::optional<InstrumentId> m_instrument;
    std::set<int> m_states;
};

} // namespace bourse::ui
