#pragma once

#include <QKeySequence>
#include <QObject>
#include <QString>

#include <vector>

class QAction;
class QDockWidget;
class QMainWindow;
class QMenu;
class QWidget;

namespace bourse::ui {

// The panels of the main window, each in a QDockWidget with an object name, which
// QMainWindow::saveState() records it by, and an accessible name. Each dock has a View menu
// action that shows or hides it, and a window-wide shortcut that brings it forward with the
// keyboard focus.
class PanelDocks : public QObject {
    Q_OBJECT

public:
    struct Panel {
        QDockWidget *dock = nullptr;
        QAction *focusAction = nullptr; // "Go to" with the shortcut
    };

    explicit PanelDocks(QMainWindow &window);

    // The way a panel fills its dock. A panel whose minimum size is large (a form, a
    // dashboard) scrolls, so that it does not hold the whole window above the screen's size.
    enum class Fit { Fill, Scroll };

    // Puts `panel` in a new dock of the window, named `objectName`, titled `title`. The panel
    // gets the title as its accessible name when it has none. An empty `focusKey` gives the
    // dock no shortcut. The dock is added to the right area; a workspace arranges it later.
    QDockWidget *add(const char *objectName, const QString &title, QWidget *panel,
                     const QKeySequence &focusKey, Fit fit = Fit::Fill);

    const std::vector<Panel> &panels() const { return m_panels; }
    QDockWidget *dock(const QString &objectName) const;

    // Adds the show/hide action of every dock to `menu`, then a "Go to panel" submenu with
    // the focus actions and the actions that move the focus to the next or previous panel.
    void fillMenu(QMenu &menu) const;

    // Shows the dock if it is hidden, brings its tab forward, and gives the keyboard focus to
    // its first widget that takes focus from the keyboard.
    static void focusDock(QDockWidget &dock);

    // Moves the keyboard focus to the next open dock, in the order the docks were added,
    // or to the previous one when `step` is negative. With no dock focused, the first one.
    void focusNeighbour(int step);

private:
    QMainWindow &m_window;
    std::vector<Panel> m_panels;
    QAction *m_nextPanel;
    QAction *m_previousPanel;
};

} // namespace bourse::ui
