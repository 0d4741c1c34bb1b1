// The window's help for panels that need more room than the workspace gives their dock.

#include "main_window.h"

#include "workspace_docks.h"

#include <QDockWidget>
#include <QLayout>
#include <QTimer>

#include <algorithm>

namespace bourse::ui {

// Raises a dock's tab and enlarges the dock to its panel's preferred size: at most 45% of the
// window's width and `heightPercent` of its height. A dock already larger keeps its size. With
// DockFocus::Keep the keyboard focus stays where it was, such as in the order ticket, whose keys
// must go on working after a shortcut that only shows a panel.
void MainWindow::raiseAndEnlargeDock(const char *dockName, const QWidget &panel, int heightPercent,
                                     DockFocus focus)
{
    QDockWidget *dock = m_docks->dock(QString::fromLatin1(dockName));
    if (!dock)
        return;
    if (focus == DockFocus::Take) {
        PanelDocks::focusDock(*dock);
    } else {
        if (dock->isHidden())
            dock->show();
        dock->raise();
    }

    // The workspace applies its shares on the first pass of the event loop after the window
    // shows, so the widening waits for that pass to come after it.
    QTimer::singleShot(0, this, [this, dock, &panel, heightPercent] {
        if (dock->isFloating() || !dock->isVisible())
            return;
        const QSize hint = panel.sizeHint();
        const int preferredWidth = std::min(hint.width() + 24, width() * 45 / 100);
        const int preferredHeight = std::min(hint.height() + 48, height() * heightPercent / 100);
        // NOTE: with several columns, QMainWindow::resizeDocks() moves the separator only part
        // of the way (Qt 6.4: 436 of 503 pixels at 1400x850), so it repeats a few times.
        for (int attempt = 0; attempt < 4 && dock->width() < preferredWidth - 2; ++attempt) {
            resizeDocks({dock}, {preferredWidth}, Qt::Horizontal);
            layout()->activate();
        }
        for (int attempt = 0; attempt < 4 && dock->height() < preferredHeight - 2; ++attempt) {
            resizeDocks({dock}, {preferredHeight}, Qt::Vertical);
            layout()->activate();
        }
    });
}

} // namespace bourse::ui
