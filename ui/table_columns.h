#pragma once

class QTableView;

namespace bourse::ui {

// Whether the columns also fit their headers at once, before any row arrives.
enum class HeaderFit { Later, Now };

// Fits the table's columns to their contents each time it goes from no rows to some, such as
// on the first view or after a clear. Later views keep the widths, because the trader may have
// dragged them and measuring every frame would cost time.
void fitColumnsWhenFilled(QTableView *table, HeaderFit headerFit);

} // namespace bourse::ui
