#include "workspace_docks.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QScrollArea>

namespace bourse::ui {

namespace {

// The first widget inside `root`, in tab order, that takes the focus from the keyboard; the
// root itself when it does.
QWidget *firstFocusable(QWidget *root)
{
    if (auto *scroll = qobject_cast<QScrollArea *>(root); scroll && scroll->widget())
        root = scroll->widget();
    if (root->focusProxy())
        root = root->focusProxy();
    if ((root->focusPolicy() & Qt::TabFocus) && root->isEnabled())
        return root;
    for (QWidget *widget = root->nextInFocusChain(); widget && widget != root;
         widget = widget->nextInFocusChain()) {
        if (!root->isAncestorOf(widget))
            continue;
        if ((widget->focusPolicy() & Qt::TabFocus) && widget->isEnabled() &&
            widget->isVisibleTo(root))
            return widget;
    }
    return nullptr;
}

} // namespace

PanelDocks::PanelDocks(QMainWindow &window)
    : QObject(&window)
    , m_window(window)
    , m_nextPanel(new QAction(tr("Next panel"), &window))
    , m_previousPanel(new QAction(tr("Previous panel"), &window))
{
    // F6 and Shift+F6 move between the panes of a window in most desktop applications.
    m_nextPanel->setObjectName(QStringLiteral("nextPanelAction"));
    m_nextPanel->setShortcut(QKeySequence(Qt::Key_F6));
    m_previousPanel->setObjectName(QStringLiteral("previousPanelAction"));
    m_previousPanel->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F6));
    for (QAction *action : {m_nextPanel, m_previousPanel}) {
        action->setShortcutContext(Qt::WindowShortcut);
        window.addAction(action);
    }
    connect(m_nextPanel, &QAction::triggered, this, [this] { focusNeighbour(1); });
    connect(m_previousPanel, &QAction::triggered, this, [this] { focusNeighbour(-1); });
}

QDockWidget *PanelDocks::add(const char *objectName, const QString &title, QWidget *panel,
                             const QKeySequence &focusKey, Fit fit)
{
    auto *dock = new QDockWidget(title, &m_window);
    dock->setObjectName(QString::fromLatin1(objectName));
    dock->setAccessibleName(title);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    if (panel->accessibleName().isEmpty())
        panel->setAccessibleName(title);
    if (fit == Fit::Scroll) {
        auto *scroll = new QScrollArea(dock);
        scroll->setObjectName(panel->objectName() + QStringLiteral("Scroll"));
        scroll->setAccessibleName(title);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setFocusPolicy(Qt::NoFocus);
        scroll->setWidgetResizable(true);
        scroll->setWidget(panel);
        dock->setWidget(scroll);
    } else {
        dock->setWidget(panel);
    }
    m_window.addDockWidget(Qt::RightDockWidgetArea, dock);

    QAction *toggle = dock->toggleViewAction();
    toggle->setObjectName(QString::fromLatin1(objectName) + QStringLiteral("Toggle"));

    auto *focus = new QAction(title, &m_window);
    focus->setObjectName(QString::fromLatin1(objectName) + QStringLiteral("Focus"));
    focus->setShortcut(focusKey);
    focus->setShortcutContext(Qt::WindowShortcut);
    m_window.addAction(focus);
    connect(focus, &QAction::triggered, dock, [dock] { focusDock(*dock); });

    m_panels.push_back({dock, focus});
    return dock;
}

QDockWidget *PanelDocks::dock(const QString &objectName) const
{
    for (const Panel &panel : m_panels) {
        if (panel.dock->objectName() == objectName)
            return panel.dock;
    }
    return nullptr;
}

void PanelDocks::fillMenu(QMenu &menu) const
{
    for (const Panel &panel : m_panels)
        menu.addAction(panel.dock->toggleViewAction());

    QMenu *goTo = menu.addMenu(tr("&Go to panel"));
    goTo->setObjectName(QStringLiteral("goToPanelMenu"));
    for (const Panel &panel : m_panels)
        goTo->addAction(panel.focusAction);
    goTo->addSeparator();
    goTo->addAction(m_nextPanel);
    goTo->addAction(m_previousPanel);
}

void PanelDocks::focusDock(QDockWidget &dock)
{
    if (dock.isHidden())
        dock.show();
    dock.raise();
    if (dock.isFloating())
        dock.activateWindow();
    QWidget *content = dock.widget();
    if (!content)
        return;
    if (QWidget *target = firstFocusable(content))
        target->setFocus(Qt::ShortcutFocusReason);
}

void PanelDocks::focusNeighbour(int step)
{
    std::vector<QDockWidget *> open;
    for (const Panel &panel : m_panels) {
        // A dock behind another's tab is open but not visible; it counts too.
        if (panel.dock->toggleViewAction()->isChecked())
            open.push_back(panel.dock);
    }
    if (open.empty())
        return;

    const QWidget *focused = QApplication::focusWidget();
    const auto count = static_cast<std::ptrdiff_t>(open.size());
    std::ptrdiff_t next = 0;
    for (std::ptrdiff_t i = 0; i < count; ++i) {
        if (focused && open[static_cast<std::size_t>(i)]->isAncestorOf(focused)) {
            next = ((i + (step < 0 ? -1 : 1)) % count + count) % count;
            break;
        }
    }
    focusDock(*open[static_cast<std::size_t>(next)]);
}

} // namespace bourse::ui
