#include "report_html.h"

#include "report_chart.h"
#include "report_text.h"

#include "event_text.h"
#include "portfolio.h"

#include <algorithm>

namespace bourse::cli::report {

namespace {

// Extra decimals of an average price beyond the instrument's, as the positions panel shows it.
constexpr int kAverageExtraDecimals = 2;

constexpr const char *kNetColor = "#1f5fbf";
constexpr const char *kRealizedColor = "#6b6b6b";
constexpr const char *kPriceColor = "#44546a";
constexpr const char *kBuyColor = "#1a7f37";
constexpr const char *kSellColor = "#c62828";

constexpr const char *kStyle = R"(body { font: 14px/1.45 "DejaVu Sans", Arial, sans-serif;
  color: #1a1a1a; background: #fff; max-width: 1000px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #bbb; }
p { margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #c8c8c8; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef0f3; }
td { white-space: nowrap; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.text { white-space: normal; }
figure { margin: 12px 0 20px; }
figcaption { font-size: 12px; color: #333; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 12px; fill: #1a1a1a; }
svg .title { font-size: 14px; font-weight: bold; }
svg .background { fill: #fff; }
svg .frame { fill: none; stroke: #555; stroke-width: 1; }
svg .grid { stroke: #e0e0e0; stroke-width: 1; }
svg .zero { stroke: #777; stroke-width: 1; stroke-dasharray: 2 3; }
svg .tick { stroke: #555; stroke-width: 1; }
svg .series { fill: none; stroke-width: 1.8; }
svg .marker { stroke: none; fill-opacity: 0.85; }
.notice { border: 1px solid #b08900; background: #fff8e1; padding: 8px 12px; }
dt { font-weight: bold; margin-top: 6px; }
dd { margin: 2px 0 0 16px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  table { font-size: 8pt; }
  th, td { padding: 2px 4px; }
  h2 { break-after: avoid; }
  figure, tr, dt, dd { break-inside: avoid; }
  thead { display: table-header-group; }
}
)";

// State shared by the parts of the document: the report, the time format and the chart axes.
struct Context {
    const SessionReport &report;
    bool withDate = false; // the events span more than one UTC day
    AxisKind axis = AxisKind::Time;
    // The start of every chart's horizontal axis: the first account opening or trade shown. The
    // journal's first event can be far earlier, such as an instrument added at time zero.
    SeriesPoint chartStart;

    std::string time(Timestamp value) const { return formatTime(value, withDate); }
    std::string symbol(InstrumentId id) const
    {
        const InstrumentDefinition *definition = report.definition(id);
        const std::string text = definition ? textOf(definition->symbol) : std::string();
        return text.empty() ? "instrument " + std::to_string(id.value()) : text;
    }
    int priceDecimals(InstrumentId id) const
    {
        const InstrumentDefinition *definition = report.definition(id);
        return definition ? definition->priceDecimals : 0;
    }
    int quantityDecimals(InstrumentId id) const
    {
        const InstrumentDefinition *definition = report.definition(id);
        return definition ? definition->quantityDecimals : 0;
    }
};

std::string accountName(AccountId account)
{
    return account.value() == 0 ? "every account" : "account " + std::to_string(account.value());
}

std::string accountList(const std::vector<AccountId> &accounts)
{
    std::string text;
    for (std::size_t index = 0; index < accounts.size(); ++index) {
        if (index > 0)
            text += index + 1 == accounts.size() ? " and " : ", ";
        text += accountName(accounts[index]);
    }
    return text;
}

// The layout of a table cell. A plain cell does not wrap, a number is right-aligned, and a text
// cell wraps.
enum class CellKind : std::uint8_t { Plain, Number, Text };

std::string cell(const std::string &text, CellKind kind = CellKind::Plain,
                 const std::string &attributes = {})
{
    const char *classAttribute = kind == CellKind::Number ? " class=\"number\""
                                 : kind == CellKind::Text ? " class=\"text\""
                                                          : "";
    return std::string("<td") + classAttribute + attributes + ">" + escapeXml(text) + "</td>";
}

std::string headerRow(std::initializer_list<const char *> titles)
{
    std::string row = "<thead><tr>";
    for (const char *title : titles)
        row += std::string("<th>") + title + "</th>";
    return row + "</tr></thead>\n";
}

std::string currencyOf(const AccountSettings &settings)
{
    const std::string code = textOf(settings.currency);
    return code.empty() ? "money units" : code;
}

void appendHead(std::string &out, const SessionReport &report)
{
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"generator\" content=\"bourse-engine report\">\n"
           "<title>Session report: " +
           escapeXml(report.journalPath) + "</title>\n<style>\n" + kStyle +
           "</style>\n</head>\n<body>\n";
}

void appendOverview(std::string &out, const Context &context)
{
    const SessionReport &report = context.report;
    out += "<h1>Session report</h1>\n<p>Journal <code>" + escapeXml(report.journalPath) +
           "</code>: " + formatCount(report.events) + " events";
    if (report.events > 0) {
        out += ", sequence " + formatCount(report.first.sequence) + " to " +
               formatCount(report.last.sequence) + ", from " +
               escapeXml(formatTime(report.first.time, true)) + " to " +
               escapeXml(formatTime(report.last.time, true)) + " UTC";
    }
    out += ".</p>\n<p>Accounts: " + escapeXml(accountList(report.requestedAccounts)) +
           ". Times are UTC; a time without a date counts from midnight, as in replayed data and "
           "scenarios. Money is exact, in each account's currency and decimals.</p>\n";

    if (!report.missingAccounts.empty()) {
        out += "<p class=\"notice\" id=\"missing-accounts\">Never opened in this journal: " +
               escapeXml(accountList(report.missingAccounts)) + ".</p>\n";
    }
    if (!report.hasTraderActivity()) {
        out += "<p class=\"notice\" id=\"no-activity\">No trader activity: the journal has no "
               "fill and no risk event of " +
               escapeXml(accountList(report.requestedAccounts)) + ".</p>\n";
    }
}

std::string drawdownText(const AccountReport &account, const Context &context)
{
    const Drawdown &drawdown = account.drawdown;
    if (drawdown.amount == Money{0})
        return "none";
    const int decimals = account.settings.moneyDecimals;
    return "from " + groupedDecimal(drawdown.peak.value, decimals) + " at " +
           context.time(drawdown.peak.time) + " (sequence " + formatCount(drawdown.peak.sequence) +
           ") to " + groupedDecimal(drawdown.trough.value, decimals) + " at " +
           context.time(drawdown.trough.time) + " (sequence " +
           formatCount(drawdown.trough.sequence) + ")";
}

// One row of the statistics table: a name, then one cell per account.
struct StatisticRow {
    const char *key; // the cells' data-statistic attribute
    const char *title;
    std::vector<std::string> values;
    bool number = true;
};

std::vector<StatisticRow> statisticRows(const Context &context)
{
    std::vector<StatisticRow> rows = {
        {"currency", "Currency", {}, false},
        {"fills", "Trades (fills)", {}},
        {"round-trips-closed", "Round trips closed", {}},
        {"round-trips-open", "Round trips still open", {}},
        {"win-rate", "Win rate", {}},
        {"average-holding", "Average holding time", {}},
        {"drawdown", "Largest drawdown", {}},
        {"drawdown-period", "Largest drawdown, peak to trough", {}, false},
        {"fees", "Total fees", {}},
        {"realized", "Realized P&L, before fees", {}},
        {"unrealized", "Unrealized P&L", {}},
        {"net", "Net P&L (realized - fees + unrealized)", {}},
    };
    for (const AccountReport &account : context.report.accounts) {
        const AccountStatistics statistics = statisticsOf(account, context.report.positions);
        const int decimals = account.settings.moneyDecimals;
        const auto money = [&](Money amount) {
            return statistics.inRange ? formatMoney(amount, decimals) : "out of range";
        };
        const std::string wins = formatCount(statistics.wins) + " of " +
                                 formatCount(statistics.closedRoundTrips) + " (" +
                                 formatPercent(statistics.wins, statistics.closedRoundTrips) + ")";
        const std::string holding = statistics.closedRoundTrips > 0
                                        ? formatDuration(statistics.averageHoldingNanoseconds)
                                        : "\u2014";
        const std::vector<std::string> values = {
            currencyOf(account.settings) + ", " + std::to_string(decimals) + " decimals",
            formatCount(account.fills),
            formatCount(statistics.closedRoundTrips),
            formatCount(statistics.openRoundTrips),
            wins,
            holding,
            formatMoney(account.drawdown.amount, decimals),
            drawdownText(account, context),
            money(statistics.fees),
            money(statistics.realized),
            money(statistics.unrealized),
            money(statistics.net),
        };
        for (std::size_t index = 0; index < rows.size(); ++index)
            rows[index].values.push_back(values[index]);
    }
    return rows;
}

void appendStatistics(std::string &out, const Context &context)
{
    const SessionReport &report = context.report;
    if (report.accounts.empty())
        return;
    out += "<h2 id=\"statistics\">Statistics</h2>\n<p>The <a href=\"#definitions\">definitions"
           "</a> below state how each figure is computed.</p>\n<table>\n<thead><tr><th></th>";
    for (const AccountReport &account : report.accounts)
        out += "<th>" + escapeXml(accountName(account.settings.id)) + "</th>";
    out += "</tr></thead>\n<tbody>\n";

    for (const StatisticRow &row : statisticRows(context)) {
        out += std::string("<tr><th>") + escapeXml(row.title) + "</th>";
        for (std::size_t index = 0; index < row.values.size(); ++index) {
            const std::string attributes =
                " data-account=\"" + std::to_string(report.accounts[index].settings.id.value()) +
                "\" data-statistic=\"" + row.key + "\"";
            out +=
                cell(row.values[index], row.number ? CellKind::Number : CellKind::Text, attributes);
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
}

void appendProfitCharts(std::string &out, const Context &context)
{
    const SessionReport &report = context.report;
    const bool anyFill =
        std::any_of(report.accounts.begin(), report.accounts.end(),
                    [](const AccountReport &account) { return account.fills > 0; });
    if (!anyFill)
        return;
    out += "<h2 id=\"profit-and-loss\">P&amp;L over time</h2>\n";
    for (const AccountReport &account : report.accounts) {
        if (account.fills == 0)
            continue;
        ChartSpec chart;
        chart.title = "P&L of " + accountName(account.settings.id) + " (" +
                      currencyOf(account.settings) + ")";
        chart.valueTitle = "P&L (" + currencyOf(account.settings) + ")";
        chart.valueDecimals = account.settings.moneyDecimals;
        chart.axis = context.axis;
        chart.from = context.chartStart;
        chart.to = report.last;
        chart.showZero = true;
        chart.lines.push_back({"net P&L", kNetColor, false, account.netCurve.points()});
        chart.lines.push_back(
            {"realized P&L after fees", kRealizedColor, true, account.realizedCurve.points()});

        out += "<figure>\n" + renderChart(chart) +
               "<figcaption>Net P&amp;L is realized P&amp;L "
               "less fees plus the unrealized P&amp;L of the open positions at the last trade "
               "price, taken after each trade that changed it (" +
               formatCount(account.netCurve.added()) + " values";
        if (account.netCurve.added() > account.netCurve.points().size())
            out += ", thinned to the first, lowest, highest and last value of each run of events";
        out += ").</figcaption>\n</figure>\n";
    }
}

std::string averageText(const PositionRow &row, int priceDecimals)
{
    if (row.quantity == Quantity{0})
        return "";
    const Checked<std::int64_t> units = roundAveragePrice(row.average, kAverageExtraDecimals);
    if (!units.ok() || priceDecimals + kAverageExtraDecimals > kMaximumDecimals)
        return "?";
    return groupedDecimal(units.value, priceDecimals + kAverageExtraDecimals);
}

void appendPositions(std::string &out, const Context &context)
{
    const SessionReport &report = context.report;
    if (report.positions.empty())
        return;
    out += "<h2 id=\"positions\">Positions at the end</h2>\n<table>\n";
    out += headerRow({"Account", "Instrument", "Position", "Average price", "Mark", "Realized",
                      "Unrealized", "Fees", "Fills"});
    out += "<tbody>\n";
    for (const PositionRow &row : report.positions) {
        const int priceDecimals = context.priceDecimals(row.instrument);
        out += "<tr data-account=\"" + std::to_string(row.account.value()) +
               "\" data-instrument=\"" + escapeXml(context.symbol(row.instrument)) + "\">";
        out += cell(accountName(row.account)) + cell(context.symbol(row.instrument));
        out += cell(groupedDecimal(row.quantity.value(), context.quantityDecimals(row.instrument)),
                    CellKind::Number);
        out += cell(averageText(row, priceDecimals), CellKind::Number);
        out += cell(row.mark > Price{0} ? groupedDecimal(row.mark.value(), priceDecimals) : "",
                    CellKind::Number);
        out += cell(formatMoney(row.realized, row.moneyDecimals), CellKind::Number);
        out += cell(formatMoney(row.unrealized, row.moneyDecimals), CellKind::Number);
        out += cell(formatMoney(row.fees, row.moneyDecimals), CellKind::Number);
        out += cell(formatCount(row.fills), CellKind::Number) + "</tr>\n";
    }
    out += "</tbody>\n</table>\n<p>The mark is the last trade price, or the instrument's "
           "reference price before its first trade, as the terminal's positions panel marks "
           "positions. Realized P&amp;L is before fees.</p>\n";
}

void appendInstrumentChart(std::string &out, const Context &context,
                           const InstrumentReport &instrument)
{
    const std::string symbol = context.symbol(instrument.definition.id);
    const std::string currency = textOf(instrument.definition.currency);
    ChartSpec chart;
    chart.title = symbol + ": trade prices and the reported accounts' fills";
    chart.valueTitle = currency.empty() ? "price" : "price (" + currency + ")";
    chart.valueDecimals = instrument.definition.priceDecimals;
    chart.axis = context.axis;
    chart.from = context.chartStart;
    chart.to = context.report.last;
    chart.lines.push_back({"last trade price", kPriceColor, false, instrument.prices.points()});
    chart.markers.push_back({"buy (" + formatCount(instrument.buys.added()) + ")", kBuyColor,
                             MarkerShape::TriangleUp, instrument.buys.points()});
    chart.markers.push_back({"sell (" + formatCount(instrument.sells.added()) + ")", kSellColor,
                             MarkerShape::TriangleDown, instrument.sells.points()});

    const bool thinned = instrument.prices.added() > instrument.prices.points().size() ||
                         instrument.buys.added() > instrument.buys.points().size() ||
                         instrument.sells.added() > instrument.sells.points().size();
    out += "<figure>\n" + renderChart(chart) + "<figcaption>" + formatCount(instrument.trades) +
           " trades in " + escapeXml(symbol) + " by every account; markers are the fills of " +
           escapeXml(accountList(context.report.requestedAccounts)) + " at their prices";
    if (thinned)
        out += ". Lines and markers are thinned to the first, lowest, highest and last value of "
               "each run of events, so spikes stay visible";
    out += ".</figcaption>\n</figure>\n";
}

void appendInstrumentCharts(std::string &out, const Context &context)
{
    bool first = true;
    for (const auto &[id, instrument] : context.report.instruments) {
        if (instrument.buys.empty() && instrument.sells.empty())
            continue;
        if (first)
            out += "<h2 id=\"trades\">Trades by instrument</h2>\n";
        first = false;
        appendInstrumentChart(out, context, instrument);
    }
}

std::string eventText(Timestamp time, SequenceNumber sequence, const Context &context)
{
    return context.time(time) + " (" + formatCount(sequence) + ")";
}

void appendRoundTripRow(std::string &out, const Context &context, const AccountReport &account,
                        const RoundTrip &trip)
{
    const int decimals = account.settings.moneyDecimals;
    out += "<tr>" + cell(accountName(account.settings.id)) + cell(context.symbol(trip.instrument));
    out += cell(trip.direction == Side::Buy ? "long" : "short");
    out += cell(eventText(trip.opened, trip.openedSequence, context), CellKind::Number);
    out += cell(trip.isClosed() ? eventText(trip.closed, trip.closedSequence, context) : "open",
                CellKind::Number);
    out += cell(trip.isClosed() ? formatDuration(trip.closed.value() - trip.opened.value()) : "",
                CellKind::Number);
    out += cell(
        groupedDecimal(trip.largestQuantity.value(), context.quantityDecimals(trip.instrument)),
        CellKind::Number);
    out += cell(formatCount(trip.fills), CellKind::Number);
    out += cell(formatMoney(trip.realized, decimals), CellKind::Number);
    out += cell(formatMoney(trip.fees, decimals), CellKind::Number);
    const Checked<Money> net = subtractMoney(trip.realized, trip.fees);
    out += cell(net.ok() ? formatMoney(net.value, decimals) : "out of range", CellKind::Number) +
           "</tr>\n";
}

void appendRoundTrips(std::string &out, const Context &context)
{
    std::size_t total = 0;
    for (const AccountReport &account : context.report.accounts)
        total += account.roundTrips.size();
    if (total == 0)
        return;

    out += "<h2 id=\"round-trips\">Round trips</h2>\n<table>\n";
    out += headerRow({"Account", "Instrument", "Side", "Opened (sequence)", "Closed (sequence)",
                      "Held", "Largest position", "Fills", "Realized", "Fees", "Net"});
    out += "<tbody>\n";
    std::size_t shown = 0;
    for (const AccountReport &account : context.report.accounts) {
        for (const RoundTrip &trip : account.roundTrips) {
            if (shown++ == kMaximumTableRows)
                break;
            appendRoundTripRow(out, context, account, trip);
        }
    }
    out += "</tbody>\n</table>\n";
    if (total > kMaximumTableRows) {
        out += "<p>The first " + formatCount(kMaximumTableRows) + " of " + formatCount(total) +
               " round trips are listed; the statistics count every one.</p>\n";
    }
}

const char *kindName(RiskKind kind)
{
    switch (kind) {
    case RiskKind::Rejection:
        return "rejection";
    case RiskKind::Alert:
        return "alert";
    case RiskKind::KillSwitch:
        return "kill switch";
    }
    return "";
}

void appendRiskEvents(std::string &out, const Context &context)
{
    const SessionReport &report = context.report;
    const auto &counts = report.riskCounts;
    const std::uint64_t total = counts[0] + counts[1] + counts[2];
    out += "<h2 id=\"risk-events\">Risk events</h2>\n";
    if (total == 0) {
        out += "<p>No risk rejection, alert or kill switch change.</p>\n";
        return;
    }
    out += "<p>Rejections: " + formatCount(counts[0]) + ", alerts: " + formatCount(counts[1]) +
           ", kill switch changes: " + formatCount(counts[2]) + ".</p>\n<table>\n";
    out += headerRow(
        {"Sequence", "Time", "Account", "Instrument", "Order", "Kind", "Rule", "Description"});
    out += "<tbody>\n";
    for (const RiskRow &row : report.riskRows) {
        out += "<tr data-kind=\"" + std::string(kindName(row.kind)) + "\">";
        out += cell(formatCount(row.sequence), CellKind::Number) +
               cell(context.time(row.time), CellKind::Number);
        out += cell(accountName(row.account));
        out += cell(row.instrument.value() != 0 ? context.symbol(row.instrument) : "");
        out += cell(row.order.value() != 0 ? "#" + std::to_string(row.order.value()) : "",
                    CellKind::Number);
        out += cell(kindName(row.kind)) + cell(std::string(nameOf(row.rule)));
        out += cell(row.text, CellKind::Text) + "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    if (total > report.riskRows.size()) {
        out += "<p>The first " + formatCount(report.riskRows.size()) + " of " + formatCount(total) +
               " risk events are listed.</p>\n";
    }
}

void appendDefinitions(std::string &out)
{
    out += R"(<h2 id="definitions">Definitions</h2>
<dl>
<dt>Trades (fills)</dt><dd>The FillPosted events of the account: one per side of a trade that the
account took part in, so a trade between two orders of the account counts twice.</dd>
<dt>Round trip</dt><dd>A position in one account and instrument from flat to flat again. A fill
that takes the position across zero closes one round trip and opens the next. Its realized P&amp;L
belongs to the round trip it closes, and its fee is split by quantity, rounded half to even, the
round trip it opens taking the rest. A round trip is still open when the journal ends before the
position is flat again.</dd>
<dt>Win rate</dt><dd>Closed round trips whose realized P&amp;L, before fees, is above zero,
divided by all closed round trips. Open round trips do not count.</dd>
<dt>Average holding time</dt><dd>The mean over closed round trips of the time from the fill that
opened each to the fill that closed it, truncated to the nanosecond.</dd>
<dt>Net P&amp;L curve</dt><dd>Realized P&amp;L less fees plus unrealized P&amp;L, summed over
the account's positions, starting at zero when the account opened. It is taken after each trade
that changes it, once the trade's fills are posted. Unrealized P&amp;L values each open position
at its instrument's last trade price, as the terminal does, and the curve holds its value until
the next change.</dd>
<dt>Largest drawdown</dt><dd>The largest fall of the net P&amp;L curve from its running peak to
a later value. The peak shown is the last time the curve stood at that running peak before the
trough. Only values the curve takes after a trade count, so a fall and recovery between two
trades does not.</dd>
<dt>Total fees</dt><dd>The sum of the fees of the account's fills, rebates subtracted.</dd>
<dt>Realized and unrealized P&amp;L</dt><dd>The engine's own figures at the last event: realized
P&amp;L on closed quantity against the weighted average entry price, before fees; unrealized
P&amp;L of the open quantity at the mark. Every amount is exact in the account's money units.</dd>
</dl>
)";
}

SeriesPoint chartStart(const SessionReport &report)
{
    SeriesPoint start = report.last;
    const auto include = [&](const SeriesPoint &point) {
        if (point.sequence < start.sequence)
            start = point;
    };
    for (const AccountReport &account : report.accounts) {
        if (account.fills > 0)
            include(account.opening);
    }
    for (const auto &[id, instrument] : report.instruments) {
        const bool hasFills = !instrument.buys.empty() || !instrument.sells.empty();
        if (hasFills && !instrument.prices.empty())
            include(instrument.prices.points().front());
    }
    return start;
}

} // namespace

std::string renderReportHtml(const SessionReport &report)
{
    Context context{report, false, AxisKind::Time, SeriesPoint{}};
    context.chartStart = chartStart(report);
    context.withDate = !isTimeOfDay(context.chartStart.time) &&
                       utcDay(context.chartStart.time) != utcDay(report.last.time);
    context.axis = report.last.time > context.chartStart.time ? AxisKind::Time : AxisKind::Sequence;

    std::string out;
    appendHead(out, report);
    appendOverview(out, context);
    appendStatistics(out, context);
    appendProfitCharts(out, context);
    appendPositions(out, context);
    appendInstrumentCharts(out, context);
    appendRoundTrips(out, context);
    appendRiskEvents(out, context);
    appendDefinitions(out);
    out += "</body>\n</html>\n";
    return out;
}

} // namespace bourse::cli::report
