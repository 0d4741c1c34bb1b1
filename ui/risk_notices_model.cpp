#include "risk_notices_model.h"

#include "formatting.h"
#include "risk_colors.h"
#include "risk_terms.h"
#include "theme.h"

#include <algorithm>

namespace bourse::ui {

RiskNoticesModel::RiskNoticesModel(std::size_t maxRows, QObject *parent)
    : QAbstractTableModel(parent)
    , m_maxRows(std::max<std::size_t>(maxRows, 1))
{
}

void RiskNoticesModel::setAccount(AccountId account)
{
    if (account == m_account)
        return;
    clear();
    m_account = account;
}

void RiskNoticesModel::clear()
{
    beginResetModel();
    m_notices.clear();
    m_newestSequence = 0;
    m_lastViewSequence = 0;
    endResetModel();
}

bool RiskNoticesModel::concerns(const RiskNotice &notice) const
{
    return notice.account == m_account || notice.account.value() == 0;
}

void RiskNoticesModel::applyView(const MarketView &view)
{
    if (view.lastSequence < m_lastViewSequence)
        clear();
    m_lastViewSequence = view.lastSequence;

    // The view lists notices newest first, so the new ones are a prefix of it.
    std::vector<const RiskNotice *> fresh;
    for (const RiskNotice &notice : view.trader.riskNotices) {
        if (notice.sequence <= m_newestSequence)
            break;
        if (concerns(notice))
            fresh.push_back(&notice);
    }
    if (!view.trader.riskNotices.empty())
        m_newestSequence = std::max(m_newestSequence, view.trader.riskNotices.front().sequence);
    if (fresh.empty())
        return;

    // Notices that the cap would remove at once are never inserted.
    const std::size_t count = std::min(fresh.size(), m_maxRows);
    beginInsertRows({}, 0, static_cast<int>(count) - 1);
    for (std::size_t i = count; i > 0; --i)
        m_notices.push_front(*fresh[i - 1]);
    endInsertRows();

    if (m_notices.size() > m_maxRows) {
        beginRemoveRows({}, static_cast<int>(m_maxRows), static_cast<int>(m_notices.size()) - 1);
        m_notices.resize(m_maxRows);
        endRemoveRows();
    }
}

int RiskNoticesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_notices.size());
}

int RiskNoticesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RiskNoticesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const RiskNotice &risk = notice(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case TimeColumn:
            return formatTimeOfDay(risk.time, TimePrecision::Milliseconds);
        case RuleColumn:
            // A notice without a rule reports a change of settings, such as new limits.
            return risk.rule == RiskRule::None ? tr("Settings") : riskRuleTitle(risk.rule);
        case TextColumn:
            return QString::fromStdString(risk.text);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == TextColumn)
            return QString::fromStdString(risk.text);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == TimeColumn)
            return theme::mutedTextColor();
        if (index.column() == RuleColumn && risk.rule == RiskRule::KillSwitch)
            return killSwitchColor();
        return {};
    default:
        return {};
    }
}

QVariant RiskNoticesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case RuleColumn:
        return tr("Rule");
    case TextColumn:
        return tr("Decision");
    default:
        return {};
    }
}

Qt::ItemFlags RiskNoticesModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace bourse::ui
