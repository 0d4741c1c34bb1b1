#include "workspace_manager.h"

#include "logging.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QMetaClassInfo>
#include <QMetaProperty>
#include <QSettings>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <map>

namespace bourse::ui {

namespace {

const QString currentKey = QStringLiteral("workspaces/current");
const QString savedNamesKey = QStringLiteral("workspaces/saved");

constexpr std::array<Qt::Corner, 4> corners{Qt::TopLeftCorner, Qt::TopRightCorner,
                                            Qt::BottomLeftCorner, Qt::BottomRightCorner};

// The settings group of one workspace. Names are percent-encoded, so a name may hold a slash
// or any other character that QSettings gives a meaning in keys.
QString groupOf(const QString &name)
{
    return QStringLiteral("workspaces/layouts/%1/")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(name)));
}

// The arrangement a workspace was left in, and for a saved workspace the one it was saved
// with, which a reset returns to.
QString lastArrangement(const QString &name)
{
    return groupOf(name) + QStringLiteral("last/");
}

QString defaultArrangement(const QString &name)
{
    return groupOf(name) + QStringLiteral("default/");
}

const WorkspaceLayout *builtinNamed(const QString &name)
{
    for (const WorkspaceLayout &layout : builtinWorkspaces()) {
        if (layout.name == name)
            return &layout;
    }
    return nullptr;
}

const WorkspaceLayout &defaultLayout()
{
    return builtinWorkspaces().front();
}

// The class info in which a panel lists the properties a workspace keeps.
constexpr char panelPropertiesInfo[] = "workspaceProperties";

// The properties of `widget` that a workspace keeps, from its class info.
QStringList keptProperties(const QWidget &widget)
{
    const QMetaObject *meta = widget.metaObject();
    const int index = meta->indexOfClassInfo(panelPropertiesInfo);
    if (index < 0 || widget.objectName().isEmpty())
        return {};
    QStringList names = QString::fromLatin1(meta->classInfo(index).value()).split(QLatin1Char(','));
    for (QString &name : names)
        name = name.trimmed();
    names.removeAll(QString());
    return names;
}

// The widgets of `dock` whose properties a workspace keeps, the dock's own widget included.
QList<QWidget *> panelsWithProperties(QDockWidget &dock)
{
    QList<QWidget *> panels = dock.findChildren<QWidget *>();
    panels.removeIf([](const QWidget *widget) { return keptProperties(*widget).isEmpty(); });
    return panels;
}

// The settings key of one kept property, under the arrangement's prefix.
QString panelPropertyKey(const QString &prefix, const QDockWidget &dock, const QWidget &panel,
                         const QString &property)
{
    return prefix +
           QStringLiteral("panels/%1/%2/%3").arg(dock.objectName(), panel.objectName(), property);
}

QStringList savedNames(const QSettings &settings)
{
    QStringList names = settings.value(savedNamesKey).toStringList();
    names.removeIf([](const QString &name) { return name.isEmpty() || builtinNamed(name); });
    names.removeDuplicates();
    std::sort(names.begin(), names.end(), [](const QString &left, const QString &right) {
        return left.compare(right, Qt::CaseInsensitive) < 0;
    });
    return names;
}

} // namespace

WorkspaceManager::WorkspaceManager(QMainWindow &window, QObject *parent)
    : QObject(parent)
    , m_window(window)
{
}

QStringList WorkspaceManager::availableNames()
{
    QStringList names;
    for (const WorkspaceLayout &layout : builtinWorkspaces())
        names.append(layout.name);
    names.append(savedNames(QSettings()));
    return names;
}

bool WorkspaceManager::isBuiltin(const QString &name)
{
    return builtinNamed(name) != nullptr;
}

bool WorkspaceManager::contains(const QString &name)
{
    return availableNames().contains(name);
}

void WorkspaceManager::restoreLast()
{
    QString name = QSettings().value(currentKey).toString();
    if (!contains(name))
        name = defaultLayout().name;

    const WorkspaceLayout *builtin = builtinNamed(name);
    arrange(builtin ? *builtin : defaultLayout());
    if (!restoreSaved(lastArrangement(name), true) && !builtin)
        restoreSaved(defaultArrangement(name), true);
    m_current = name;
    emit currentChanged(m_current);
}

bool WorkspaceManager::switchTo(const QString &name)
{
    if (!contains(name))
        return false;
    saveCurrent();

    const WorkspaceLayout *builtin = builtinNamed(name);
    arrange(builtin ? *builtin : defaultLayout());
    if (!restoreSaved(lastArrangement(name), false) && !builtin)
        restoreSaved(defaultArrangement(name), false);
    setCurrent(name);
    return true;
}

void WorkspaceManager::saveCurrent()
{
    if (!m_persistent || m_current.isEmpty())
        return;
    QSettings settings;
    storeArrangement(settings, lastArrangement(m_current));
}

bool WorkspaceManager::saveAs(const QString &name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty() || !m_persistent)
        return false;

    QSettings settings;
    storeArrangement(settings, lastArrangement(trimmed));
    if (!isBuiltin(trimmed)) {
        storeArrangement(settings, defaultArrangement(trimmed));
        QStringList names = savedNames(settings);
        if (!names.contains(trimmed)) {
            names.append(trimmed);
            settings.setValue(savedNamesKey, names);
        }
    }
    emit workspacesChanged();
    setCurrent(trimmed);
    return true;
}

bool WorkspaceManager::remove(const QString &name)
{
    if (!m_persistent || isBuiltin(name) || !contains(name))
        return false;

    QSettings settings;
    settings.remove(groupOf(name).chopped(1));
    QStringList names = savedNames(settings);
    names.removeAll(name);
    settings.setValue(savedNamesKey, names);
    qCInfo(lcUi) << "workspace deleted:" << name;

    if (name == m_current) {
        // The deleted workspace must not be saved again on the way out, so no switchTo().
        arrange(defaultLayout());
        restoreSaved(lastArrangement(defaultLayout().name), false);
        setCurrent(defaultLayout().name);
    }
    emit workspacesChanged();
    return true;
}

void WorkspaceManager::resetCurrent()
{
    if (const WorkspaceLayout *builtin = builtinNamed(m_current)) {
        if (m_persistent)
            QSettings().remove(lastArrangement(m_current).chopped(1));
        arrange(*builtin);
        return;
    }
    arrange(defaultLayout());
    restoreSaved(defaultArrangement(m_current), false);
}

void WorkspaceManager::windowShown()
{
    // The shares hold once the layout has placed the docks at the window's size, which happens
    // on the first pass of the event loop after the show.
    QTimer::singleShot(0, this, &WorkspaceManager::applyShares);
}

std::vector<QDockWidget *> WorkspaceManager::docks() const
{
    const QList<QDockWidget *> children =
        m_window.findChildren<QDockWidget *>(QString(), Qt::FindDirectChildrenOnly);
    return {children.begin(), children.end()};
}

QDockWidget *WorkspaceManager::dockNamed(const QString &name) const
{
    if (name.isEmpty())
        return nullptr;
    return m_window.findChild<QDockWidget *>(name, Qt::FindDirectChildrenOnly);
}

void WorkspaceManager::arrange(const WorkspaceLayout &layout)
{
    const std::vector<QDockWidget *> all = docks();
    for (QDockWidget *dock : all) {
        dock->setFloating(false);
        m_window.removeDockWidget(dock);
    }
    for (std::size_t i = 0; i < corners.size(); ++i)
        m_window.setCorner(corners[i], layout.corners[i]);

    // Tabs come last: QMainWindow::splitDockWidget() against a dock in a tab group leaves
    // the group without its tab bar (Qt 6.4).
    std::vector<DockPlacement> placements = resolve(layout);
    std::stable_partition(placements.begin(), placements.end(), [](const DockPlacement &placement) {
        return placement.kind != DockPlacement::Kind::TabbedWith;
    });
    std::vector<QDockWidget *> placed;
    for (const DockPlacement &placement : placements) {
        QDockWidget *dock = dockNamed(placement.dock);
        place(placement, dock, dockNamed(placement.anchor));
        dock->show();
        placed.push_back(dock);
    }

    // A dock that the workspace does not show waits on the right, where the View menu shows
    // it when asked.
    for (QDockWidget *dock : all) {
        if (std::find(placed.begin(), placed.end(), dock) != placed.end())
            continue;
        m_window.addDockWidget(Qt::RightDockWidgetArea, dock);
        dock->hide();
    }
    for (const QString &name : layout.raised) {
        if (QDockWidget *dock = dockNamed(name))
            dock->raise();
    }

    // The panels' kept settings start from their defaults, which a saved arrangement restored
    // after this overrides.
    resetPanelProperties();

    m_pendingShares = &layout;
    if (m_window.isVisible())
        applyShares();
}

std::vector<DockPlacement> WorkspaceManager::resolve(const WorkspaceLayout &layout) const
{
    std::vector<DockPlacement> resolved;
    const auto isResolved = [&resolved](const QString &name) {
        return std::any_of(
            resolved.begin(), resolved.end(),
            [&name](const DockPlacement &placement) { return placement.dock == name; });
    };
    // A dock the window lacks leaves its place to the first dock placed against it, and the
    // docks after that one are placed against the one that took the place.
    std::map<QString, QString> tookPlaceOf;
    for (const DockPlacement &wanted : layout.placements) {
        if (!dockNamed(wanted.dock) || isResolved(wanted.dock))
            continue;
        DockPlacement placement = wanted;
        // Anchors come earlier in a layout, so this follows at most every placement once.
        std::size_t steps = 0;
        while (!placement.anchor.isEmpty() && !isResolved(placement.anchor) &&
               ++steps <= layout.placements.size()) {
            if (const auto taken = tookPlaceOf.find(placement.anchor); taken != tookPlaceOf.end()) {
                placement.anchor = taken->second;
                continue;
            }
            const auto missing = std::find_if(
                layout.placements.begin(), layout.placements.end(),
                [&](const DockPlacement &other) { return other.dock == placement.anchor; });
            tookPlaceOf[placement.anchor] = placement.dock;
            if (missing == layout.placements.end() || missing->dock == placement.dock) {
                placement.anchor.clear();
                break;
            }
            placement.kind = missing->kind;
            placement.area = missing->area;
            placement.anchor = missing->anchor;
        }
        if (!isResolved(placement.anchor)) {
            placement.kind = DockPlacement::Kind::Area;
            placement.anchor.clear();
        }
        resolved.push_back(placement);
    }
    return resolved;
}

void WorkspaceManager::place(const DockPlacement &placement, QDockWidget *dock, QDockWidget *anchor)
{
    using Kind = DockPlacement::Kind;
    if (!anchor || placement.kind == Kind::Area) {
        m_window.addDockWidget(placement.area, dock);
        return;
    }
    switch (placement.kind) {
    case Kind::RightOf:
        m_window.splitDockWidget(anchor, dock, Qt::Horizontal);
        break;
    case Kind::Below:
        m_window.splitDockWidget(anchor, dock, Qt::Vertical);
        break;
    case Kind::TabbedWith:
        m_window.tabifyDockWidget(anchor, dock);
        break;
    case Kind::Area:
        break;
    }
}

void WorkspaceManager::applyShares()
{
    if (!m_pendingShares)
        return;
    const WorkspaceLayout &layout = *std::exchange(m_pendingShares, nullptr);

    const auto resize = [this](const std::vector<DockShare> &shares, Qt::Orientation orientation,
                               int extent) {
        QList<QDockWidget *> resized;
        QList<int> sizes;
        for (const DockShare &share : shares) {
            QDockWidget *dock = dockNamed(share.dock);
            if (!dock || dock->isHidden())
                continue;
            resized.append(dock);
            sizes.append(static_cast<int>(share.share * extent));
        }
        if (!resized.isEmpty())
            m_window.resizeDocks(resized, sizes, orientation);
    };
    resize(layout.widths, Qt::Horizontal, m_window.width());
    resize(layout.heights, Qt::Vertical, m_window.height());
}

bool WorkspaceManager::restoreSaved(const QString &key, bool withGeometry)
{
    const QSettings settings;
    const QByteArray state = settings.value(key + QStringLiteral("state")).toByteArray();
    if (state.isEmpty())
        return false;

    const QVariantList savedCorners = settings.value(key + QStringLiteral("corners")).toList();
    if (savedCorners.size() == static_cast<qsizetype>(corners.size())) {
        for (std::size_t i = 0; i < corners.size(); ++i) {
            const auto area =
                static_cast<Qt::DockWidgetArea>(savedCorners.at(static_cast<qsizetype>(i)).toInt());
            if (area == Qt::LeftDockWidgetArea || area == Qt::RightDockWidgetArea ||
                area == Qt::TopDockWidgetArea || area == Qt::BottomDockWidgetArea)
                m_window.setCorner(corners[i], area);
        }
    }
    if (withGeometry)
        m_window.restoreGeometry(settings.value(key + QStringLiteral("geometry")).toByteArray());
    if (!m_window.restoreState(state, layoutVersion)) {
        qCWarning(lcUi) << "the saved layout" << key
                        << "is damaged or from another version; using the default arrangement";
        return false;
    }
    m_pendingShares = nullptr;
    restorePanelProperties(settings, key);
    return true;
}

void WorkspaceManager::restorePanelProperties(const QSettings &settings,
                                              const QString &prefix) const
{
    for (QDockWidget *dock : docks()) {
        for (QWidget *panel : panelsWithProperties(*dock)) {
            for (const QString &property : keptProperties(*panel)) {
                const QString key = panelPropertyKey(prefix, *dock, *panel, property);
                if (!settings.contains(key))
                    continue;
                // The settings file stores numbers as text, which setProperty() converts.
                if (!panel->setProperty(property.toLatin1().constData(), settings.value(key))) {
                    qCWarning(lcUi) << "ignoring the saved value" << settings.value(key) << "of"
                                    << key << "because the panel's property rejects it";
                }
            }
        }
    }
}

void WorkspaceManager::resetPanelProperties() const
{
    for (QDockWidget *dock : docks()) {
        for (QWidget *panel : panelsWithProperties(*dock)) {
            const QMetaObject *meta = panel->metaObject();
            for (const QString &property : keptProperties(*panel)) {
                const QMetaProperty kept =
                    meta->property(meta->indexOfProperty(property.toLatin1().constData()));
                if (!kept.isResettable() || !kept.reset(panel)) {
                    qCWarning(lcUi) << "the panel" << panel->objectName() << "keeps" << property
                                    << "in workspaces but cannot reset it to its default";
                }
            }
        }
    }
}

void WorkspaceManager::storePanelProperties(QSettings &settings, const QString &prefix) const
{
    settings.remove(prefix + QStringLiteral("panels"));
    for (QDockWidget *dock : docks()) {
        for (const QWidget *panel : panelsWithProperties(*dock)) {
            for (const QString &property : keptProperties(*panel)) {
                settings.setValue(panelPropertyKey(prefix, *dock, *panel, property),
                                  panel->property(property.toLatin1().constData()));
            }
        }
    }
}

void WorkspaceManager::storeArrangement(QSettings &settings, const QString &prefix) const
{
    settings.setValue(prefix + QStringLiteral("state"), m_window.saveState(layoutVersion));
    settings.setValue(prefix + QStringLiteral("geometry"), m_window.saveGeometry());
    QVariantList areas;
    for (Qt::Corner corner : corners)
        areas.append(static_cast<int>(m_window.corner(corner)));
    settings.setValue(prefix + QStringLiteral("corners"), areas);
    storePanelProperties(settings, prefix);
}

void WorkspaceManager::setCurrent(const QString &name)
{
    m_current = name;
    if (m_persistent)
        QSettings().setValue(currentKey, name);
    emit currentChanged(name);
}

} // namespace bourse::ui
