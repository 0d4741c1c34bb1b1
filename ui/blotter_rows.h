#pragma once

#include <QAbstractTableModel>

#include <cstddef>
#include <iterator>
#include <set>
#include <utility>
#include <vector>

namespace bourse::ui {

// A table whose rows have a key, such as an order id, and follow a list that each view replaces.
// replaceRows() brings the rows in line with the new list, in its order. Rows whose key left are
// removed and rows with a new key are inserted. A row that stays is updated in place, with
// dataChanged over the cells that differ. So a view in which nothing changed emits nothing, and
// a selection or an open editor survives the views. Only a row that changed places relative to
// the others is removed and inserted again.
//
// Row needs `Key key() const`, where Key has operator< and operator==. The derived model states
// which cells differ between two versions of a row.
template <typename Row>
class KeyedRowsModel : public QAbstractTableModel {
public:
    using Key = decltype(std::declval<const Row &>().key());

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
    }

    // The row at a model row, or nullptr outside the table.
    const Row *rowAt(int row) const
    {
        if (row < 0 || row >= static_cast<int>(m_rows.size()))
            return nullptr;
        return &m_rows[static_cast<std::size_t>(row)];
    }

    // The model row with the key, or -1.
    int rowOf(const Key &key) const
    {
        for (std::size_t row = 0; row < m_rows.size(); ++row) {
            if (m_rows[row].key() == key)
                return static_cast<int>(row);
        }
        return -1;
    }

protected:
    // Whether a cell shows something else in `after` than in `before`.
    virtual bool cellDiffers(const Row &before, const Row &after, int column) const = 0;

    const std::vector<Row> &rows() const { return m_rows; }

    // Makes the rows those of `next`, in its order. A key repeated in `next` keeps its first row.
    void replaceRows(std::vector<Row> next)
    {
        next = withoutRepeatedKeys(std::move(next));
        std::set<Key> nextKeys;
        for (const Row &row : next)
            nextKeys.insert(row.key());
        removeRowsWhere([&nextKeys](const Row &row) { return !nextKeys.contains(row.key()); });

        std::set<Key> shownKeys;
        for (const Row &row : m_rows)
            shownKeys.insert(row.key());

        std::size_t position = 0;
        while (position < next.size()) {
            if (position < m_rows.size() && m_rows[position].key() == next[position].key()) {
                updateRow(position, std::move(next[position]));
                ++position;
            } else if (!shownKeys.contains(next[position].key())) {
                position = insertNewRows(next, position, shownKeys);
            } else {
                // The row here comes later in `next`, so the order changed, which the lists of a
                // view are not expected to do. It leaves here and comes back where it belongs.
                shownKeys.erase(m_rows[position].key());
                removeRange(position, position + 1);
            }
        }
        if (m_rows.size() > next.size())
            removeRange(next.size(), m_rows.size());
    }

    // Removes every row, for a new session.
    void removeAllRows()
    {
        if (m_rows.empty())
            return;
        beginResetModel();
        m_rows.clear();
        endResetModel();
    }

private:
    static std::vector<Row> withoutRepeatedKeys(std::vector<Row> rows)
    {
        std::set<Key> seen;
        std::vector<Row> unique;
        unique.reserve(rows.size());
        for (Row &row : rows) {
            if (seen.insert(row.key()).second)
                unique.push_back(std::move(row));
        }
        return unique;
    }

    template <typename Predicate>
    void removeRowsWhere(Predicate leaves)
    {
        // From the bottom up, one removal per run of adjacent rows, so that earlier row numbers
        // stay valid.
        std::size_t end = m_rows.size();
        while (end > 0) {
            if (!leaves(m_rows[end - 1])) {
                --end;
                continue;
            }
            std::size_t first = end - 1;
            while (first > 0 && leaves(m_rows[first - 1]))
                --first;
            removeRange(first, end);
            end = first;
        }
    }

    void removeRange(std::size_t first, std::size_t end)
    {
        beginRemoveRows({}, static_cast<int>(first), static_cast<int>(end) - 1);
        m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(first),
                     m_rows.begin() + static_cast<std::ptrdiff_t>(end));
        endRemoveRows();
    }

    // Inserts the run of rows of `next` from `first` whose keys are not shown, and returns the
    // end of the run.
    std::size_t insertNewRows(std::vector<Row> &next, std::size_t first, std::set<Key> &shownKeys)
    {
        std::size_t end = first;
        while (end < next.size() && !shownKeys.contains(next[end].key()))
            ++end;

        beginInsertRows({}, static_cast<int>(first), static_cast<int>(end) - 1);
        m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(first),
                      std::make_move_iterator(next.begin() + static_cast<std::ptrdiff_t>(first)),
                      std::make_move_iterator(next.begin() + static_cast<std::ptrdiff_t>(end)));
        for (std::size_t row = first; row < end; ++row)
            shownKeys.insert(m_rows[row].key());
        endInsertRows();
        return end;
    }

    // Replaces one row and emits dataChanged from its first to its last changed cell.
    void updateRow(std::size_t position, Row next)
    {
        Row &row = m_rows[position];
        int first = -1;
        int last = -1;
        for (int column = 0; column < columnCount(); ++column) {
            if (!cellDiffers(row, next, column))
                continue;
            if (first < 0)
                first = column;
            last = column;
        }
        row = std::move(next);
        if (first < 0)
            return;
        const int modelRow = static_cast<int>(position);
        emit dataChanged(index(modelRow, first), index(modelRow, last));
    }

    std::vector<Row> m_rows;
};

} // namespace bourse::ui
