#include "workspace_layouts.h"

#include "branch_panel.h"
#include "connection_panel.h"
#include "instructor_panel.h"

namespace bourse::ui {

namespace {

using Kind = DockPlacement::Kind;

// Every built-in workspace places its docks in the left area only, side by side and one
// under another. With no central widget, QMainWindow gives the width the docks leave over to
// the side areas, so docks split across the left and right areas would not keep their shares.
DockPlacement inArea(const char *dock)
{
    return {QString::fromLatin1(dock), Kind::Area, Qt::LeftDockWidgetArea, {}};
}

DockShare share(const char *dock, double fraction)
{
    return {QString::fromLatin1(dock), fraction};
}

DockPlacement placed(const char *dock, Kind kind, const char *anchor)
{
    return {QString::fromLatin1(dock), kind, Qt::LeftDockWidgetArea, QString::fromLatin1(anchor)};
}

// Market watch on the left with the tape under it, the chart in the middle over the orders
// and positions, and the ladder over the order ticket on the right: watch, read, act.
WorkspaceLayout tradingLayout()
{
    WorkspaceLayout layout;
    layout.name = QStringLiteral("Trading");
    layout.placements = {
        inArea(dock::marketWatch),
        placed(dock::chart, Kind::RightOf, dock::marketWatch),
        placed(dock::ladder, Kind::RightOf, dock::chart),
        placed(dock::timeAndSales, Kind::Below, dock::marketWatch),
        placed(dock::depthChart, Kind::TabbedWith, dock::chart),
        placed(dock::blotter, Kind::Below, dock::chart),
        placed(dock::eventLog, Kind::TabbedWith, dock::blotter),
        placed(dock::positions, Kind::RightOf, dock::blotter),
        placed(dock::risk, Kind::TabbedWith, dock::positions),
        placed(dock::orderTicket, Kind::Below, dock::ladder),
        // The instructor waits behind the tape, the tallest place, until a training scenario
        // raises it and widens the column.
        placed(kInstructorDock, Kind::TabbedWith, dock::timeAndSales),
        // The comparison of a replay's branch sits with the positions it compares.
        placed(kBranchDock, Kind::TabbedWith, dock::positions),
        // The link to a server waits behind the event log, its counters beside the events.
        placed(kConnectionDock, Kind::TabbedWith, dock::eventLog),
    };
    layout.widths = {share(dock::marketWatch, 0.22), share(dock::chart, 0.52),
                     share(dock::ladder, 0.26),      share(dock::blotter, 0.29),
                     share(dock::eventLog, 0.29),    share(dock::positions, 0.23),
                     share(dock::risk, 0.23)};
    layout.heights = {share(dock::marketWatch, 0.3), share(dock::timeAndSales, 0.7),
                      share(dock::chart, 0.58),      share(dock::blotter, 0.42),
                      share(dock::ladder, 0.5),      share(dock::orderTicket, 0.5)};
    layout.raised = {QString::fromLatin1(dock::chart), QString::fromLatin1(dock::blotter),
                     QString::fromLatin1(dock::positions), QString::fromLatin1(dock::timeAndSales)};
    return layout;
}

// The candles as large as they can be, with the depth chart under them. The instruments on
// the left and the book and tape on the right give context. No trading panels.
WorkspaceLayout chartsLayout()
{
    WorkspaceLayout layout;
    layout.name = QStringLiteral("Charts");
    layout.placements = {
        inArea(dock::marketWatch),
        placed(dock::chart, Kind::RightOf, dock::marketWatch),
        placed(dock::ladder, Kind::RightOf, dock::chart),
        placed(dock::depthChart, Kind::Below, dock::chart),
        placed(dock::timeAndSales, Kind::Below, dock::ladder),
        placed(kInstructorDock, Kind::TabbedWith, dock::ladder),
    };
    layout.raised = {QString::fromLatin1(dock::ladder)};
    // The market watch is wide enough for the symbol, last price and change.
    layout.widths = {share(dock::marketWatch, 0.24), share(dock::chart, 0.51),
                     share(dock::ladder, 0.25)};
    layout.heights = {share(dock::chart, 0.68), share(dock::depthChart, 0.32),
                      share(dock::ladder, 0.55), share(dock::timeAndSales, 0.45)};
    return layout;
}

// The risk dashboard down the left, the event log large beside it, and the positions and
// working orders under the log, where a breach is traced and acted on.
WorkspaceLayout riskLayout()
{
    WorkspaceLayout layout;
    layout.name = QStringLiteral("Risk");
    layout.placements = {
        inArea(dock::risk),
        placed(dock::eventLog, Kind::RightOf, dock::risk),
        placed(dock::journalHistory, Kind::TabbedWith, dock::eventLog),
        placed(dock::positions, Kind::Below, dock::eventLog),
        placed(dock::blotter, Kind::RightOf, dock::positions),
        placed(kInstructorDock, Kind::TabbedWith, dock::risk),
        placed(kBranchDock, Kind::TabbedWith, dock::positions),
        placed(kConnectionDock, Kind::TabbedWith, dock::eventLog),
    };
    // The risk dashboard is wide enough for every kill switch button.
    layout.widths = {share(dock::risk, 0.5), share(dock::eventLog, 0.5),
                     share(dock::positions, 0.22), share(dock::blotter, 0.28)};
    layout.heights = {share(dock::eventLog, 0.56), share(dock::positions, 0.44)};
    layout.raised = {QString::fromLatin1(dock::eventLog), QString::fromLatin1(dock::risk)};
    return layout;
}

} // namespace

const std::vector<WorkspaceLayout> &builtinWorkspaces()
{
    static const std::vector<WorkspaceLayout> layouts{tradingLayout(), chartsLayout(),
                                                      riskLayout()};
    return layouts;
}

} // namespace bourse::ui
