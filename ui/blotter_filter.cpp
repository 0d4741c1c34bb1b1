#include "blotter_filter.h"

#include "blotter_model.h"

namespace bourse::ui {

BlotterFilterModel::BlotterFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(BlotterSortRole);
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void BlotterFilterModel::setText(const QString &text)
{
    setFilterFixedString(text.trimmed());
}

void BlotterFilterModel::setInstrument(std::optional<InstrumentId> instrument)
{
    if (instrument == m_instrument)
        return;
    m_instrument = instrument;
    invalidateRowsFilter();
}

void BlotterFilterModel::setStates(const std::set<int> &states)
{
    if (states == m_states)
        return;
    m_states = states;
    invalidateRowsFilter();
}

bool BlotterFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex first = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_instrument) {
        const QVariant instrument = first.data(BlotterInstrumentRole);
        if (instrument.toUInt() != m_instrument->value())
            return false;
    }
    if (!m_states.empty()) {
        const QVariant state = first.data(BlotterStateRole);
        if (state.isValid() && !m_states.contains(state.toInt()))
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

bool BlotterFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant leftKey = left.data(sortRole());
    const QVariant rightKey = right.data(sortRole());
    const QMetaType decimal = QMetaType::fromType<DecimalSortKey>();
    if (leftKey.metaType() == decimal && rightKey.metaType() == decimal)
        return ui::lessThan(leftKey.value<DecimalSortKey>(), rightKey.value<DecimalSortKey>());
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace bourse::ui
