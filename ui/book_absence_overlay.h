#pragma once

#include "market_view.h"

#include <QLabel>

#include <memory>

namespace bourse::ui {

// A notice laid over a book panel (the ladder, the depth chart) while the source has no order
// book at all, such as a file of bars. The panel then reads as "no book here", not as an empty
// or broken book. The notice covers the whole panel and follows its size, and is hidden
// otherwise.
class BookAbsenceOverlay : public QLabel {
    Q_OBJECT

public:
    explicit BookAbsenceOverlay(QWidget *panel);

    // Shows MarketView::bookUnavailable, or hides the notice when it is empty.
    void showView(const std::shared_ptr<const MarketView> &view);
    void clear();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
};

} // namespace bourse::ui
