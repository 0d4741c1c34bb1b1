#pragma once

#include "workspace_layouts.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <vector>

class QDockWidget;
class QMainWindow;
class QSettings;

namespace bourse::ui {

// Arranges the docks of a main window into named workspaces and keeps them in QSettings:
// the built-in ones (Trading, Charts, Risk) and those the trader saves. A workspace stores
// QMainWindow::saveState() and saveGeometry() under its name, and is saved again whenever the
// trader leaves it, so switching back finds it as it was left. The settings are the
// application's default QSettings (organisation and application name, in the XDG config
// folder on Linux); tests point QSettings::setPath() at a temporary folder.
//
// Docks are found among the window's direct children by object name, so a dock added after
// the manager was made takes part from the next arrangement on.
//
// A workspace also keeps settings of the panels in its docks. A widget in a dock that has an
// object name and lists properties in its class info `workspaceProperties` (comma separated,
// as in Q_CLASSINFO("workspaceProperties", "chosenTimeFrame")) has those properties stored with
// the arrangement and set again when the arrangement is restored. Each such property must have
// a RESET function: a built-in arrangement, a reset, and a workspace saved without a value of
// the property give it its default, so that one workspace's choice never leaks into another.
// A kept property without one is reported in the log when a workspace is arranged.
class WorkspaceManager : public QObject {
    Q_OBJECT

public:
    // QMainWindow::restoreState() rejects a state saved with another version, and the built-in
    // arrangement is used instead. Raise it when a change of docks makes old states wrong.
    static constexpr int layoutVersion = 1;

    explicit WorkspaceManager(QMainWindow &window, QObject *parent = nullptr);

    // The names of every workspace: the built-in ones in shipping order, then the saved ones
    // in alphabetical order. Reads the settings, so it works before any window exists.
    static QStringList availableNames();

    QStringList names() const { return availableNames(); }
    static bool isBuiltin(const QString &name);
    static bool contains(const QString &name);
    QString current() const { return m_current; }

    // With persistence off, nothing is written to the settings: a screenshot or a benchmark
    // run shows a workspace without changing what the trader saved. saveAs() and remove()
    // then return false.
    void setPersistent(bool persistent) { m_persistent = persistent; }
    bool isPersistent() const { return m_persistent; }

    // Arranges the workspace used last, with its window geometry, or Trading on a first start
    // or when that workspace no longer exists.
    void restoreLast();

    // Saves the current workspace, then arranges `name` as it was last left, or as its
    // default when it was never saved. The window keeps its size. Returns false, changing
    // nothing, for an unknown name.
    bool switchTo(const QString &name);

    // Stores the current arrangement under the current workspace's name.
    void saveCurrent();

    // Stores the current arrangement as a workspace called `name` (replacing one of that name)
    // and makes it current. It also becomes that workspace's default, which resetCurrent()
    // returns to. A built-in name saves a new arrangement of that workspace, not a second
    // one. Returns false for a blank name or with persistence off.
    bool saveAs(const QString &name);

    // Deletes a saved workspace. Deleting the current one switches to Trading. Returns false
    // for a built-in workspace, an unknown name, or with persistence off.
    bool remove(const QString &name);

    // Arranges the current workspace as its default: the built-in arrangement, or the one a
    // saved workspace was created with. A built-in workspace discards its saved arrangement.
    void resetCurrent();

    // Gives the docks of a built-in arrangement their shares of the window, on the next pass of
    // the event loop. Call it from the window's first showEvent(): dock sizes only hold once
    // the window has its own size.
    void windowShown();

signals:
    void workspacesChanged();
    void currentChanged(const QString &name);

private:
    std::vector<QDockWidget *> docks() const;
    QDockWidget *dockNamed(const QString &name) const;
    void arrange(const WorkspaceLayout &layout);
    std::vector<DockPlacement> resolve(const WorkspaceLayout &layout) const;
    void place(const DockPlacement &placement, QDockWidget *dock, QDockWidget *anchor);
    void applyShares();
    bool restoreSaved(const QString &key, bool withGeometry);
    void storeArrangement(QSettings &settings, const QString &prefix) const;
    void storePanelProperties(QSettings &settings, const QString &prefix) const;
    void restorePanelProperties(const QSettings &settings, const QString &prefix) const;
    void resetPanelProperties() const;
    void setCurrent(const QString &name);

    QMainWindow &m_window;
    QString m_current;
    const WorkspaceLayout *m_pendingShares = nullptr;
    bool m_persistent = true;
};

} // namespace bourse::ui
