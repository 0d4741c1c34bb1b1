#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace bourse::ui {

// The row operations of a table model, which mergeSortedRows() reports as it edits the rows.
// Each is called with the row as it is at that moment, before the begin call's matching end.
struct RowEdits {
    std::function<void(int row)> beginInsert;
    std::function<void()> endInsert;
    std::function<void(int row)> beginRemove;
    std::function<void()> endRemove;
    std::function<void(int row)> changed;
};

// Brings `rows` to `target`, both sorted by `keyLess`, one row at a time. Rows whose key is not
// in `target` are removed, keys new to `rows` are inserted, and a row whose key stays is
// replaced and reported as changed when it differs. So a view over the model keeps its
// selection and scroll position, which a reset would lose. O(rows + target).
template <typename Row, typename KeyLess>
void mergeSortedRows(std::vector<Row> &rows, std::vector<Row> target, KeyLess keyLess,
                     const RowEdits &edits)
{
    std::size_t row = 0;
    for (Row &next : target) {
        while (row < rows.size() && keyLess(rows[row], next)) {
            edits.beginRemove(static_cast<int>(row));
            rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(row));
            edits.endRemove();
        }

        const bool sameKey = row < rows.size() && !keyLess(next, rows[row]);
        if (sameKey) {
            if (!(rows[row] == next)) {
                rows[row] = std::move(next);
                edits.changed(static_cast<int>(row));
            }
        } else {
            edits.beginInsert(static_cast<int>(row));
            rows.insert(rows.begin() + static_cast<std::ptrdiff_t>(row), std::move(next));
            edits.endInsert();
        }
        ++row;
    }

    if (row < rows.size()) {
        for (std::size_t last = rows.size(); last > row; --last) {
            edits.beginRemove(static_cast<int>(last - 1));
            rows.pop_back();
            edits.endRemove();
        }
    }
}

} // namespace bourse::ui
