#include "market_watch_panel.h"

#include "market_watch_delegate.h"
#include "market_watch_model.h"
#include "theme.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace bourse::ui {

namespace {

constexpr int kColumnPadding = 20;
constexpr int kRowPadding = 6;
constexpr int kSparklineWidth = 90;

// Text as wide as the widest value a column usually shows, in the table's fixed-pitch font.
QString sampleText(int column)
{
    switch (column) {
    case MarketWatchModel::SymbolColumn:
        return QStringLiteral("WWWWWWWW");
    case MarketWatchModel::LastColumn:
    case MarketWatchModel::BidColumn:
    case MarketWatchModel::AskColumn:
        return QStringLiteral("00000.0000");
    case MarketWatchModel::ChangeColumn:
        return QStringLiteral("+0000.0000");
    case MarketWatchModel::ChangePercentColumn:
        return QStringLiteral("+000.00%");
    case MarketWatchModel::BidSizeColumn:
    case MarketWatchModel::AskSizeColumn:
        return QStringLiteral("000,000");
    case MarketWatchModel::VolumeColumn:
    case MarketWatchModel::TradesColumn:
        return QStringLiteral("00,000,000");
    case MarketWatchModel::StatusColumn:
        return QStringLiteral("Quotes only");
    default:
        return {};
    }
}

} // namespace

MarketWatchPanel::MarketWatchPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new MarketWatchModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("marketWatchPanel"));
    setAccessibleName(tr("Market watch"));
    m_model->setObjectName(QStringLiteral("marketWatchModel"));
    m_proxy->setObjectName(QStringLiteral("marketWatchSortModel"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(MarketWatchModel::SortRole);

    m_table->setObjectName(QStringLiteral("marketWatchTable"));
    m_table->setAccessibleName(tr("Market watch"));
    m_table->setAccessibleDescription(
        tr("One row per instrument. Selecting a row makes it the focus instrument."));
    m_table->setModel(m_proxy);
    m_table->setItemDelegateForColumn(MarketWatchModel::SparklineColumn,
                                      new SparklineDelegate(m_table));
    m_table->setFont(theme::monospaceFont());
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    // Tab leaves the table for the next widget, and the arrow keys move between rows.
    m_table->setTabKeyNavigation(false);
    configureColumns();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    setFocusProxy(m_table);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this](const QItemSelection &selected) { onSelectionChanged(selected); });
    connect(m_table, &QAbstractItemView::activated, this,
            [this](const QModelIndex &index) { chooseRow(index); });
}

void MarketWatchPanel::configureColumns()
{
    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + kRowPadding);

    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setStretchLastSection(true);
    m_widthWithSizes = 0;
    for (int column = 0; column < MarketWatchModel::ColumnCount; ++column) {
        const QString header = m_model->headerData(column, Qt::Horizontal).toString();
        const int text = std::max(m_table->fontMetrics().horizontalAdvance(sampleText(column)),
                                  columns->fontMetrics().horizontalAdvance(header));
        const int width =
            column == MarketWatchModel::SparklineColumn ? kSparklineWidth : text + kColumnPadding;
        m_table->setColumnWidth(column, width);
        m_widthWithSizes += width;
    }

    // Rows keep the engine's order until the trader clicks a header. A third click restores it.
    m_table->setSortingEnabled(true);
    columns->setSortIndicatorClearable(true);
    columns->setSortIndicator(-1, Qt::AscendingOrder);
}

void MarketWatchPanel::showView(const std::shared_ptr<const MarketView> &view)
{
    if (!view)
        return;

    const bool firstRows = m_model->rowCount() == 0;
    m_model->applyView(*view);
    // The symbol column fits the symbols once they are known, which are mostly shorter than
    // its sample, so that a narrow dock still shows the change. Not every view: the trader may
    // have dragged it.
    if (firstRows && m_model->rowCount() > 0)
        m_table->resizeColumnToContents(MarketWatchModel::SymbolColumn);
    const bool focusChanged = m_focus != view->instrument;
    m_focus = view->instrument;
    if (focusChanged || !m_table->selectionModel()->hasSelection())
        selectFocusRow(focusChanged);
}

void MarketWatchPanel::clear()
{
    m_model->clear();
    m_focus.reset();
    m_selected.reset();
}

void MarketWatchPanel::selectFocusRow(bool scroll)
{
    const int row = m_focus ? m_model->rowOf(*m_focus) : -1;
    if (row < 0)
        return;

    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_followingFocus = true;
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                          QItemSelectionModel::Rows);
    m_followingFocus = false;
    m_selected = m_focus;
    if (scroll)
        m_table->scrollTo(index);
}

void MarketWatchPanel::onSelectionChanged(const QItemSelection &selected)
{
    if (m_followingFocus || selected.isEmpty())
        return;
    chooseRow(selected.indexes().constFirst());
}

void MarketWatchPanel::chooseRow(const QModelIndex &proxyIndex)
{
    const QModelIndex source = m_proxy->mapToSource(proxyIndex);
    if (!source.isValid())
        return;

    const InstrumentId instrument = m_model->instrumentAt(source.row());
    if (m_selected == instrument)
        return;
    m_selected = instrument;
    emit instrumentSelected(instrument);
}

void MarketWatchPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateSizeColumns();
}

void MarketWatchPanel::updateSizeColumns()
{
    // The bid and ask sizes are the first to go when the panel is narrow. The panel's width is
    // used for the table's, which the layout only sets after this event.
    const bool hide = width() < m_widthWithSizes;
    if (m_table->isColumnHidden(MarketWatchModel::BidSizeColumn) == hide)
        return;
    m_table->setColumnHidden(MarketWatchModel::BidSizeColumn, hide);
    m_table->setColumnHidden(MarketWatchModel::AskSizeColumn, hide);
}

} // namespace bourse::ui
