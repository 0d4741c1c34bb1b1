#include "risk_limits_model.h"

#include "formatting.h"
#include "risk_colors.h"
#include "risk_rows.h"
#include "risk_terms.h"
#include "theme.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>

namespace bourse::ui {

namespace {

// The order of rules within one instrument: money first, then positions and counts, then the
// limits on each order.
int displayRank(RiskRule rule)
{
    static constexpr std::array order{
        RiskRule::DailyLoss,     RiskRule::BuyingPower,   RiskRule::PositionLong,
        RiskRule::PositionShort, RiskRule::OpenOrders,    RiskRule::OrderRate,
        RiskRule::OrderQuantity, RiskRule::OrderNotional, RiskRule::PriceBand};
    const auto found = std::find(order.begin(), order.end(), rule);
    return static_cast<int>(found - order.begin());
}

bool limitRowLess(const RiskLimitRow &a, const RiskLimitRow &b)
{
    if (a.instrument != b.instrument)
        return a.instrument < b.instrument;
    if (displayRank(a.rule) != displayRank(b.rule))
        return displayRank(a.rule) < displayRank(b.rule);
    return a.rule < b.rule;
}

// Returns the quantity decimals of a limit's instrument. An account-wide limit uses the decimals
// that every instrument shares, or whole lots when they differ.
int quantityDecimalsOf(const MarketView &view, InstrumentId instrument)
{
    if (instrument.value() == 0)
        return sharedQuantityDecimals(view).value_or(0);
    const InstrumentQuote *quote = findQuote(view, instrument);
    return quote ? quote->quantityDecimals : 0;
}

// A value of a limit in its rule's unit, as RiskDecision lists the units per rule.
QString valueText(RiskRule rule, std::int64_t value, int quantityDecimals, int moneyDecimals)
{
    switch (rule) {
    case RiskRule::OrderQuantity:
    case RiskRule::PositionLong:
    case RiskRule::PositionShort:
        return formatQuantity(Quantity{value}, quantityDecimals);
    case RiskRule::OrderNotional:
    case RiskRule::DailyLoss:
    case RiskRule::BuyingPower:
        return formatMoney(Money{value}, moneyDecimals);
    case RiskRule::OrderRate:
        return QCoreApplication::translate("bourse::ui::RiskLimitsModel", "%1/s")
            .arg(formatCount(value));
    case RiskRule::PriceBand:
        return QCoreApplication::translate("bourse::ui::RiskLimitsModel", "%1 bp")
            .arg(formatCount(value));
    default:
        return formatCount(value);
    }
}

RiskLimitRow standingRow(const MarketView &view, const LimitUse &use, int moneyDecimals)
{
    const int quantityDecimals = quantityDecimalsOf(view, use.instrument);
    RiskLimitRow row;
    row.rule = use.rule;
    row.scope = use.scope;
    row.instrument = use.instrument;
    if (use.instrument.value() != 0)
        row.symbol = symbolOf(view, use.instrument);
    row.use = valueText(use.rule, use.use, quantityDecimals, moneyDecimals);
    row.limit = valueText(use.rule, use.limit, quantityDecimals, moneyDecimals);
    row.basisPoints = use.basisPoints;
    return row;
}

void appendPerOrderRows(const MarketView &view, const RiskLimits &limits, int moneyDecimals,
                        std::vector<RiskLimitRow> &rows)
{
    const int quantityDecimals = quantityDecimalsOf(view, InstrumentId{});
    const auto add = [&](RiskRule rule, std::int64_t limit) {
        // Zero disables a rule.
        if (limit <= 0)
            return;
        RiskLimitRow row;
        row.rule = rule;
        row.scope = LimitScope::AccountDefault;
        row.limit = valueText(rule, limit, quantityDecimals, moneyDecimals);
        rows.push_back(std::move(row));
    };
    add(RiskRule::OrderQuantity, limits.maximumOrderQuantity.value());
    add(RiskRule::OrderNotional, limits.maximumOrderNotional.value());
    add(RiskRule::PriceBand, limits.priceBandBasisPoints);
}

} // namespace

std::vector<RiskLimitRow> riskLimitRows(const MarketView &view, AccountId account)
{
    std::vector<RiskLimitRow> rows;
    const int moneyDecimals = moneyDecimalsOf(view.trader, account);
    if (const RiskMonitor *monitor = findMonitor(view.trader, account)) {
        for (const LimitUse &use : monitor->limits)
            rows.push_back(standingRow(view, use, moneyDecimals));
    }
    if (const RiskLimits *limits = findLimits(view.trader, account))
        appendPerOrderRows(view, *limits, moneyDecimals, rows);
    std::stable_sort(rows.begin(), rows.end(), limitRowLess);
    return rows;
}

RiskLimitsModel::RiskLimitsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void RiskLimitsModel::setRows(std::vector<RiskLimitRow> rows)
{
    const RowEdits edits{
        [this](int row) { beginInsertRows({}, row, row); },
        [this] { endInsertRows(); },
        [this](int row) { beginRemoveRows({}, row, row); },
        [this] { endRemoveRows(); },
        [this](int row) { emit dataChanged(index(row, 0), index(row, ColumnCount - 1)); },
    };
    mergeSortedRows(m_rows, std::move(rows), limitRowLess, edits);
}

void RiskLimitsModel::clear()
{
    setRows({});
}

int RiskLimitsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RiskLimitsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RiskLimitsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const RiskLimitRow &limit = row(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(limit, index.column());
    case Qt::AccessibleTextRole:
        if (index.column() == UtilizationColumn && limit.basisPoints)
            return tr("%1 used").arg(utilizationText(*limit.basisPoints));
        return displayData(limit, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() >= UseColumn)
            return (Qt::AlignRight | Qt::AlignVCenter).toInt();
        return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
    case Qt::ForegroundRole:
        if (index.column() == UseColumn && !limit.basisPoints)
            return theme::mutedTextColor();
        if (index.column() == UtilizationColumn && limit.basisPoints &&
            riskLevelOf(*limit.basisPoints) != RiskAlertLevel::Normal)
            return riskLevelColor(riskLevelOf(*limit.basisPoints));
        return {};
    case UtilizationRole:
        if (limit.basisPoints)
            return QVariant::fromValue<qint64>(*limit.basisPoints);
        return {};
    case LevelRole:
        if (limit.basisPoints)
            return static_cast<int>(riskLevelOf(*limit.basisPoints));
        return {};
    default:
        return {};
    }
}

QVariant RiskLimitsModel::displayData(const RiskLimitRow &row, int column) const
{
    switch (column) {
    case RuleColumn:
        return riskRuleTitle(row.rule);
    case ScopeColumn:
        return limitScopeTitle(row.scope);
    case InstrumentColumn:
        return row.instrument.value() == 0 ? tr("All") : row.symbol;
    case UseColumn:
        return row.basisPoints ? row.use : tr("each order");
    case LimitColumn:
        return row.limit;
    case UtilizationColumn:
        return row.basisPoints ? utilizationText(*row.basisPoints) : QString();
    default:
        return {};
    }
}

QVariant RiskLimitsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole) {
        if (section >= UseColumn)
            return (Qt::AlignRight | Qt::AlignVCenter).toInt();
        return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
    }
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case RuleColumn:
        return tr("Rule");
    case ScopeColumn:
        return tr("Scope");
    case InstrumentColumn:
        return tr("Instrument");
    case UseColumn:
        return tr("Use");
    case LimitColumn:
        return tr("Limit");
    case UtilizationColumn:
        return tr("Utilization");
    default:
        return {};
    }
}

Qt::ItemFlags RiskLimitsModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace bourse::ui
