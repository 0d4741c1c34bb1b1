#pragma once

#include "accounts_view.h"

#include <QTabWidget>
#include <QTimer>

#include <functional>
#include <memory>

namespace bourse::ui {

class AccountsModel;
class ElidedLabel;

// The accounts dock: working orders, finished orders, fills and positions in tabs, each tab
// titled with its row count. It polls a source of AccountsView snapshots four times a second,
// since the read models behind it are brought up to date about that often.
class AccountsPanel : public QTabWidget {
    Q_OBJECT

public:
    using Source = std::function<std::shared_ptr<const AccountsView>()>;

    explicit AccountsPanel(QWidget *parent = nullptr);

    // Polls `source` from now on; an empty source stops polling and clears the tables.
    void setSource(Source source);

    // Shows a view at once, as the poll does.
    void applyView(const AccountsView &view);

    AccountsModel *model(int tab) const;
    QString errorText() const;

private:
    void poll();
    void updateTitles(const AccountsView &view);

    Source m_source;
    std::shared_ptr<const AccountsView> m_view;
    std::vector<AccountsModel *> m_models;
    ElidedLabel *m_error; // in the tab bar's corner: why the tables may be out of date
    QTimer m_timer;
};

} // namespace bourse::ui
