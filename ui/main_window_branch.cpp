// The window's part of a replay's branch: the Branch action in the Session menu and the Branch
// panel it raises.

#include "main_window.h"

#include "branch_panel.h"
#include "workspace_docks.h"

#include <QAction>
#include <QDockWidget>
#include <QLayout>
#include <QMenu>
#include <QTimer>

#include <algorithm>

namespace bourse::ui {

// Ctrl+B buys from the order ticket, so Branch takes Ctrl+Shift+B.
void MainWindow::createBranchAction()
{
    auto *action = new QAction(tr("&Branch from this moment"), this);
    action->setObjectName(QStringLiteral("branchAction"));
    action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    action->setShortcutContext(Qt::WindowShortcut);
    action->setToolTip(tr("Start a sandbox from the replay's current moment and compare its P&L "
                          "with the original's"));
    addAction(action);
    connect(action, &QAction::triggered, this, &MainWindow::branchReplay);

    // The Session menu lists it after the sources it branches.
    if (auto *session = findChild<QMenu *>(QStringLiteral("sessionMenu"))) {
        QAction *before = findChild<QAction *>(QStringLiteral("sessionReportAction"));
        session->insertAction(before, action);
    }
}

// The Branch tab shares a small place with the positions, so raising it also enlarges the dock,
// for the columns and the chart to show whole. The focus stays where the trader was, so that the
// order ticket's keys trade the branch at once.
void MainWindow::branchReplay()
{
    m_branchPanel->branchNow();
    raiseAndEnlargeDock(kBranchDock, *m_branchPanel, 60, DockFocus::Keep);
}

} // namespace bourse::ui
