// MainWindow's menu bar: the session actions, the View menu of panels and themes, the
// Workspace menu and the list of shortcuts.

#include "main_window.h"

#include "market_feed.h"
#include "replay_toolbar.h"
#include "workspace_docks.h"
#include "workspace_manager.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QRandomGenerator>
#include <QSettings>

namespace bourse::ui {

namespace {

const QString themeKey = QStringLiteral("appearance/theme");

} // namespace

void MainWindow::createMenus()
{
    QMenu *session = menuBar()->addMenu(tr("&Session"));
    session->setObjectName(QStringLiteral("sessionMenu"));
    QAction *simulation = session->addAction(tr("New &simulation"));
    simulation->setShortcut(QKeySequence::New);
    connect(simulation, &QAction::triggered, this,
            [this] { startSimulation(QRandomGenerator::global()->generate64()); });
    QAction *open = session->addAction(tr("&Open recorded market\u2026"));
    connect(open, &QAction::triggered, this, &MainWindow::openReplayFile);
    QAction *training = session->addAction(tr("Open &training scenario\u2026"));
    training->setObjectName(QStringLiteral("openTrainingAction"));
    connect(training, &QAction::triggered, this, &MainWindow::openTrainingScenario);
    createRemoteActions(*session);
    m_sessionReport = session->addAction(tr("Session &report\u2026"));
    m_sessionReport->setObjectName(QStringLiteral("sessionReportAction"));
    m_sessionReport->setToolTip(
        tr("Write the session's P&L, trades, risk events and statistics as an HTML report"));
    m_sessionReport->setEnabled(false);
    connect(m_sessionReport, &QAction::triggered, this, [this] {
        if (m_sessionReportHandler)
            m_sessionReportHandler();
    });
    session->addSeparator();
    QAction *quit = session->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    m_docks->fillMenu(*view);
    view->addSeparator();
    createThemeMenu(*view);

    createWorkspaceMenu();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    QAction *shortcuts = help->addAction(tr("&Keyboard shortcuts"));
    // F1 buys from the order ticket, so help is not on it.
    shortcuts->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    connect(shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
}

void MainWindow::createThemeMenu(QMenu &view)
{
    QMenu *themes = view.addMenu(tr("&Theme"));
    themes->setObjectName(QStringLiteral("themeMenu"));
    m_themeActions = new QActionGroup(this);
    for (theme::Theme choice : {theme::Theme::Dark, theme::Theme::Light}) {
        QAction *action =
            themes->addAction(choice == theme::Theme::Dark ? tr("&Dark") : tr("&Light"));
        action->setObjectName(QStringLiteral("theme_%1").arg(theme::themeName(choice)));
        action->setCheckable(true);
        action->setChecked(theme::current() == choice);
        m_themeActions->addAction(action);
        connect(action, &QAction::triggered, this, [this, choice] {
            setTheme(choice);
            if (m_persistent)
                QSettings().setValue(themeKey, theme::themeName(choice));
        });
    }
}

void MainWindow::setTheme(theme::Theme choice)
{
    theme::apply(*qApp, choice);
    for (QAction *action : m_themeActions->actions())
        action->setChecked(action->objectName() ==
                           QStringLiteral("theme_") + theme::themeName(choice));
    // The toolbar draws its icons in the theme's colours when it is made.
    createToolBar();
    if (const auto &view = m_feed->currentView())
        m_toolBar->setView(*view);
}

std::optional<theme::Theme> MainWindow::savedTheme()
{
    return theme::parseTheme(QSettings().value(themeKey).toString());
}

void MainWindow::setSettingsPersistent(bool persistent)
{
    m_persistent = persistent;
    m_workspaces->setPersistent(persistent);
}

void MainWindow::createWorkspaceMenu()
{
    m_workspaceMenu = menuBar()->addMenu(tr("&Workspace"));
    m_workspaceMenu->setObjectName(QStringLiteral("workspaceMenu"));
    rebuildWorkspaceMenu();
}

void MainWindow::rebuildWorkspaceMenu()
{
    m_workspaceMenu->clear();
    delete m_workspaceChoices;
    m_workspaceChoices = new QActionGroup(this);
    int position = 0;
    const QStringList names = m_workspaces->names();
    for (const QString &name : names) {
        QAction *action = m_workspaceMenu->addAction(name);
        action->setObjectName(QStringLiteral("workspace_%1").arg(name));
        action->setCheckable(true);
        action->setChecked(name == m_workspaces->current());
        // Ctrl+Shift+1 to Ctrl+Shift+9 switch to the first nine workspaces.
        if (++position <= 9)
            action->setShortcut(
                QKeySequence(Qt::CTRL | Qt::SHIFT | static_cast<Qt::Key>(Qt::Key_0 + position)));
        m_workspaceChoices->addAction(action);
        connect(action, &QAction::triggered, this, [this, name] { m_workspaces->switchTo(name); });
    }
    m_workspaceMenu->addSeparator();

    QAction *saveAs = m_workspaceMenu->addAction(tr("&Save workspace as\u2026"));
    saveAs->setObjectName(QStringLiteral("saveWorkspaceAsAction"));
    saveAs->setEnabled(m_persistent);
    connect(saveAs, &QAction::triggered, this, &MainWindow::saveWorkspaceAs);

    QAction *remove = m_workspaceMenu->addAction(tr("&Delete workspace"));
    remove->setObjectName(QStringLiteral("deleteWorkspaceAction"));
    remove->setEnabled(m_persistent && !WorkspaceManager::isBuiltin(m_workspaces->current()));
    connect(remove, &QAction::triggered, this, &MainWindow::deleteWorkspace);

    QAction *reset = m_workspaceMenu->addAction(tr("&Reset to default"));
    reset->setObjectName(QStringLiteral("resetWorkspaceAction"));
    connect(reset, &QAction::triggered, m_workspaces, &WorkspaceManager::resetCurrent);
}

void MainWindow::saveWorkspaceAs()
{
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Save workspace"), tr("Name of the workspace:"),
                              QLineEdit::Normal, m_workspaces->current(), &ok)
            .trimmed();
    if (!ok || name.isEmpty())
        return;
    if (name != m_workspaces->current() && WorkspaceManager::contains(name) &&
        QMessageBox::question(this, tr("Save workspace"),
                              tr("A workspace called %1 exists. Replace it?").arg(name)) !=
            QMessageBox::Yes)
        return;
    m_workspaces->saveAs(name);
}

void MainWindow::deleteWorkspace()
{
    const QString name = m_workspaces->current();
    if (QMessageBox::question(this, tr("Delete workspace"),
                              tr("Delete the workspace %1?").arg(name)) == QMessageBox::Yes)
        m_workspaces->remove(name);
}

void MainWindow::showShortcuts()
{
    QString rows;
    const QList<QAction *> actions = findChildren<QAction *>();
    for (const QAction *action : actions) {
        if (action->shortcut().isEmpty())
            continue;
        rows += QStringLiteral("<tr><td>%1</td><td>&nbsp;&nbsp;%2</td></tr>")
                    .arg(action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                         action->text().remove(QLatin1Char('&')).toHtmlEscaped());
    }
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard shortcuts"),
                    QStringLiteral("<table>%1</table>").arg(rows), QMessageBox::Close, this);
    box.setObjectName(QStringLiteral("shortcutsDialog"));
    box.exec();
}

} // namespace bourse::ui
