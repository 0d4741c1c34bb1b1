#pragma once

#include <QString>
#include <QStringList>
#include <QtCore/qnamespace.h>

#include <array>
#include <vector>

namespace bourse::ui {

// The object names of the panel docks. QMainWindow::saveState() records docks by object name,
// so a name, once shipped, must not change: saved workspaces would lose that dock.
namespace dock {
inline constexpr char marketWatch[] = "marketWatchDock";
inline constexpr char ladder[] = "ladderDock";
inline constexpr char chart[] = "chartDock";
inline constexpr char depthChart[] = "depthChartDock";
inline constexpr char timeAndSales[] = "timeAndSalesDock";
inline constexpr char orderTicket[] = "orderTicketDock";
inline constexpr char blotter[] = "blotterDock";
inline constexpr char positions[] = "positionsDock";
inline constexpr char risk[] = "riskDock";
inline constexpr char eventLog[] = "eventLogDock";
inline constexpr char journalHistory[] = "journalHistoryDock";
} // namespace dock

// The place of one dock in a built-in workspace, relative to the docks placed before it.
struct DockPlacement {
    enum class Kind {
        Area,       // after the docks in `area`: below them at the sides, right of them
                    // at the top and bottom
        RightOf,    // beside `anchor`, to its right, sharing its height
        Below,      // under `anchor`, sharing its width
        TabbedWith, // a tab behind `anchor`
    };

    QString dock;
    Kind kind = Kind::Area;
    Qt::DockWidgetArea area = Qt::LeftDockWidgetArea; // for Area, and when `anchor` is missing
    QString anchor;
};

// A share of the window's width or height that a dock gets once the window is shown.
struct DockShare {
    QString dock;
    double share = 0.0; // 0 to 1
};

// A workspace the terminal ships. Docks that no placement names are hidden, and listed in the
// View menu, where the trader can show them.
struct WorkspaceLayout {
    QString name;
    std::vector<DockPlacement> placements;
    std::vector<DockShare> widths;
    std::vector<DockShare> heights;
    QStringList raised; // the tab in front, where docks share a place
    // Which dock area owns each corner of the window: top left, top right, bottom left,
    // bottom right, as QMainWindow::setCorner() takes them. By default the left and right
    // areas run the full height, so a dock dragged to the top or bottom sits between them.
    std::array<Qt::DockWidgetArea, 4> corners{Qt::LeftDockWidgetArea, Qt::RightDockWidgetArea,
                                              Qt::LeftDockWidgetArea, Qt::RightDockWidgetArea};
};

// The built-in workspaces, the default first: Trading, Charts and Risk.
const std::vector<WorkspaceLayout> &builtinWorkspaces();

} // namespace bourse::ui
