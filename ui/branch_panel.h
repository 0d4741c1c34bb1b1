#pragma once

#include "market_view.h"

#include <QWidget>

#include <array>
#include <functional>
#include <memory>
#include <vector>

class QLabel;
class QPushButton;

namespace bourse {
class Session;
}

namespace bourse::ui {

// The object name of the Branch panel's dock, which saved workspaces record.
inline constexpr char kBranchDock[] = "branchDock";

// The total P&L of a replay's original run and of its branch over market time, as two lines on
// one chart, with the branch moment marked. Drawn with QPainter from the latest view.
class BranchCurveChart : public QWidget {
    Q_OBJECT

public:
    explicit BranchCurveChart(QWidget *parent = nullptr);

    // Shows the curve of `comparison`, or an empty chart for nothing.
    void setComparison(const BranchComparison *comparison);
    const std::vector<BranchSample> &samples() const { return m_samples; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<BranchSample> m_samples;
    Timestamp m_moment;
    int m_moneyDecimals = 2;
};

// Branch of a replay: from the replay's current moment, a sandbox seeded from a snapshot of the
// trader's simulated orders, positions and queue places takes the trader's next orders, while
// the original run carries on without them. The panel shows the branch moment, the original's
// and the branch's P&L, position and fills side by side with their difference, both P&L curves
// on one chart, and the Branch button. Before any branch it explains what Branch does, and where
// the session cannot branch, such as in a simulation, it gives the reason.
class BranchPanel : public QWidget {
    Q_OBJECT

public:
    enum Row { RealizedRow, UnrealizedRow, FeesRow, TotalRow, PositionRow, FillsRow, RowCount };
    enum Column { OriginalColumn, BranchColumn, DifferenceColumn, ColumnCount };

    explicit BranchPanel(QWidget *parent = nullptr);

    // The session that Branch acts on; it may return null.
    void setSessionSource(std::function<Session *()> source);

    void showView(const std::shared_ptr<const MarketView> &view);
    // Forgets the comparison, as when another session starts.
    void clear();

    // Branches the session at its current moment, or shows why it cannot.
    void branchNow();

    // The text of one cell of the comparison, and the line above it.
    QString cellText(Row row, Column column) const;
    QString statusText() const;
    QPushButton *branchButton() const { return m_branch; }
    const BranchCurveChart &curve() const { return *m_curve; }

private:
    void showComparison(const BranchComparison &comparison);
    void showNoComparison();
    void setCell(Row row, Column column, const QString &text);

    std::function<Session *()> m_sessionSource;
    std::shared_ptr<const MarketView> m_view;
    QLabel *m_status;
    QLabel *m_currency;
    QPushButton *m_branch;
    std::array<std::array<QLabel *, ColumnCount>, RowCount> m_cells{};
    BranchCurveChart *m_curve;
};

} // namespace bourse::ui
