#include "accounts_panel.h"

#include "accounts_model.h"
#include "elided_label.h"
#include "theme.h"

#include <QHeaderView>
#include <QPalette>
#include <QTableView>

#include <array>

namespace bourse::ui {

namespace {

constexpr int kPollMilliseconds = 250;
constexpr int kErrorWidth = 360;

QTableView *createAccountsTable(AccountsModel *model, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setModel(model);
    table->setFont(theme::monospaceFont());
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->setCornerButtonEnabled(false);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    QHeaderView *rows = table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(table->fontMetrics().height() + 6);
    QHeaderView *columns = table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionResizeMode(QHeaderView::ResizeToContents);
    columns->setStretchLastSection(true);
    return table;
}

} // namespace

AccountsPanel::AccountsPanel(QWidget *parent)
    : QTabWidget(parent)
    , m_error(new ElidedLabel(this))
{
    m_error->setObjectName(QStringLiteral("accountsError"));
    // Elided to a bounded width, so that a long error never covers the tabs; the whole text is
    // in its tooltip.
    m_error->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_error->setMaximumWidth(kErrorWidth);
    m_error->setMinimumWidth(kErrorWidth);
    // The palette's BrightText is the theme's error colour, so the text follows a theme switch.
    m_error->setForegroundRole(QPalette::BrightText);
    setCornerWidget(m_error, Qt::TopRightCorner);
    setObjectName(QStringLiteral("accountsPanel"));
    setDocumentMode(true);
    const std::array<AccountsModel::Table, 4> tables{
        AccountsModel::Table::WorkingOrders, AccountsModel::Table::FinishedOrders,
        AccountsModel::Table::Fills, AccountsModel::Table::Positions};
    for (AccountsModel::Table table : tables) {
        auto *model = new AccountsModel(table, this);
        m_models.push_back(model);
        addTab(createAccountsTable(model, this), QString());
    }
    updateTitles(AccountsView{});
    m_timer.setInterval(kPollMilliseconds);
    connect(&m_timer, &QTimer::timeout, this, &AccountsPanel::poll);
}

void AccountsPanel::setSource(Source source)
{
    m_source = std::move(source);
    m_view.reset();
    for (AccountsModel *model : m_models)
        model->clear();
    updateTitles(AccountsView{});
    m_error->setFullText({});
    if (!m_source) {
        m_timer.stop();
        return;
    }
    m_timer.start();
    poll();
}

void AccountsPanel::poll()
{
    if (!m_source)
        return;
    std::shared_ptr<const AccountsView> view = m_source();
    if (!view || view == m_view)
        return;
    m_view = std::move(view);
    applyView(*m_view);
}

void AccountsPanel::applyView(const AccountsView &view)
{
    for (AccountsModel *model : m_models)
        model->applyView(view);
    updateTitles(view);
    // The tables keep what was read last, and the corner shows why they may be behind.
    m_error->setFullText(QString::fromStdString(view.error));
}

void AccountsPanel::updateTitles(const AccountsView &view)
{
    setTabText(0, tr("Working (%1)").arg(view.workingOrders.size()));
    setTabText(1, tr("Finished (%1)").arg(view.finishedOrders.size()));
    setTabText(2, tr("Fills (%1)").arg(view.fills.size()));
    setTabText(3, tr("Positions (%1)").arg(view.positions.size()));
}

QString AccountsPanel::errorText() const
{
    return m_error->fullText();
}

AccountsModel *AccountsPanel::model(int tab) const
{
    return tab >= 0 && tab < static_cast<int>(m_models.size())
               ? m_models[static_cast<std::size_t>(tab)]
               : nullptr;
}

} // namespace bourse::ui
