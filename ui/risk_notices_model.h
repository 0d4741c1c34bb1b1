#pragma once

#include "market_view.h"

#include <QAbstractTableModel>
#include <QString>

#include <cstddef>
#include <deque>

namespace bourse::ui {

// The recent risk decisions of one account, newest first: rejections, alerts, limit changes
// and kill switches, with the notices on every account (account zero, the global kill switch).
// New notices are inserted at the top and the oldest beyond `maxRows` removed, so the model
// resets only when the account changes or a new session starts.
class RiskNoticesModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TimeColumn, RuleColumn, TextColumn, ColumnCount };

    // TraderView::riskNotices contains at most 200, so more rows would never fill.
    explicit RiskNoticesModel(std::size_t maxRows = 200, QObject *parent = nullptr);

    // Shows the notices of `account` from now on, which resets the rows when it changes.
    void setAccount(AccountId account);
    AccountId account() const { return m_account; }

    // Inserts the view's notices of the account that are newer than the newest shown. A view
    // whose lastSequence is below the previous one's starts a new session, so the rows are
    // cleared first.
    void applyView(const MarketView &view);
    void clear();

    const RiskNotice &notice(int row) const { return m_notices.at(static_cast<std::size_t>(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    bool concerns(const RiskNotice &notice) const;

    std::size_t m_maxRows;
    AccountId m_account;
    std::deque<RiskNotice> m_notices; // newest first
    SequenceNumber m_newestSequence = 0;
    SequenceNumber m_lastViewSequence = 0;
};

} // namespace bourse::ui
