#include "blotter_panel.h"

#include "blotter_filter.h"
#include "blotter_model.h"
#include "formatting.h"
#include "order_gateway.h"
#include "order_ticket_message.h"
#include "table_columns.h"
#include "theme.h"

#include <QAction>
#include <QComboBox>
#include <QGridLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QResizeEvent>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <initializer_list>
#include <memory>

namespace bourse::ui {

namespace {

// The text filter never gets narrower than this many average characters, so a word or an order
// id stays readable while it is typed.
constexpr int kFilterTextCharacters = 16;

// The instrument and state filters elide their text rather than push the others out.
constexpr int kFilterComboCharacters = 10;

// Puts the columns in `order` first, by logical index, so that a narrow dock shows what the
// trader acts on: the instrument, side, price and quantities before the ids and times.
void showColumnsFirst(QTableView *table, std::initializer_list<int> order)
{
    QHeaderView *header = table->horizontalHeader();
    int visual = 0;
    for (int column : order)
        header->moveSection(header->visualIndex(column), visual++);
}

std::size_t indexOf(BlotterPanel::Tab tab)
{
    return static_cast<std::size_t>(tab);
}

QTableView *createTable(QAbstractItemModel *model, const QString &name,
                        const QString &accessibleName, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setObjectName(name);
    table->setAccessibleName(accessibleName);
    table->setModel(model);
    table->setFont(theme::monospaceFont());
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->setCornerButtonEnabled(false);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    QHeaderView *rows = table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(table->fontMetrics().height() + 6);
    QHeaderView *columns = table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setStretchLastSection(true);
    columns->setSectionsMovable(true);
    // No sort column at first, so each table keeps the view's order (the oldest working order
    // first, the newest finished order and fill first) until a header is clicked.
    columns->setSortIndicator(-1, Qt::AscendingOrder);
    table->setSortingEnabled(true);
    fitColumnsWhenFilled(table, HeaderFit::Now);
    return table;
}

QString replaceText(const ReplaceOrder &replace, const InstrumentFormat &format)
{
    QString text = BlotterPanel::tr("replace order %1:").arg(replace.id.value());
    if (replace.limit > Price{0}) {
        text +=
            BlotterPanel::tr(" price %1,").arg(formatPrice(replace.limit, format.priceDecimals));
    }
    if (replace.stopPrice > Price{0}) {
        text += BlotterPanel::tr(" stop price %1,")
                    .arg(formatPrice(replace.stopPrice, format.priceDecimals));
    }
    return text + BlotterPanel::tr(" remaining %1")
                      .arg(formatQuantity(replace.quantity, format.quantityDecimals));
}

QString notQueued()
{
    return BlotterPanel::tr(
        "the session did not queue it, because no simulation runs or its queue is full.");
}

} // namespace

// The filters above the blotter's tables. They take one row while the panel is wide enough for
// the text filter at its minimum width beside the others. Otherwise the text filter and the
// cancel button go above the instrument and state filters. The minimum size is that of two
// rows, so a dock can narrow the panel until the two rows no longer fit.
class BlotterFilterBar final : public QWidget {
public:
    BlotterFilterBar(QLineEdit *text, QComboBox *instrument, QComboBox *state, QPushButton *cancel,
                     QWidget *parent)
        : QWidget(parent)
        , m_layout(new QGridLayout(this))
        , m_text(text)
        , m_instrument(instrument)
        , m_state(state)
        , m_cancel(cancel)
    {
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        m_layout->setContentsMargins(0, 0, 0, 0);
        place(false);
    }

    bool isWrapped() const { return m_wrapped; }

    QSize minimumSizeHint() const override
    {
        const int spacing = std::max(m_layout->horizontalSpacing(), 0);
        const int top = m_text->minimumWidth() + spacing + m_cancel->minimumSizeHint().width();
        const int bottom =
            m_instrument->minimumSizeHint().width() + spacing + m_state->minimumSizeHint().width();
        const int height =
            std::max(m_text->sizeHint().height(), m_cancel->sizeHint().height()) +
            std::max(m_layout->verticalSpacing(), 0) +
            std::max(m_instrument->sizeHint().height(), m_state->sizeHint().height());
        return {std::max(top, bottom), height};
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QWidget::resizeEvent(event);
        const bool wrapped = event->size().width() < oneRowWidth();
        if (wrapped != m_wrapped) {
            place(wrapped);
            updateGeometry();
        }
    }

private:
    // The width of one row with the text filter at its minimum width.
    int oneRowWidth() const
    {
        const int spacing = std::max(m_layout->horizontalSpacing(), 0);
        return m_text->minimumWidth() + m_instrument->sizeHint().width() +
               m_state->sizeHint().width() + m_cancel->sizeHint().width() + 3 * spacing;
    }

    void place(bool wrapped)
    {
        for (QWidget *widget :
             std::initializer_list<QWidget *>{m_text, m_instrument, m_state, m_cancel})
            m_layout->removeWidget(widget);
        for (int column = 0; column < 4; ++column)
            m_layout->setColumnStretch(column, 0);

        if (wrapped) {
            m_layout->addWidget(m_text, 0, 0, 1, 2);
            m_layout->addWidget(m_cancel, 0, 2);
            m_layout->addWidget(m_instrument, 1, 0);
            m_layout->addWidget(m_state, 1, 1, 1, 2);
            m_layout->setColumnStretch(1, 1);
        } else {
            m_layout->addWidget(m_text, 0, 0);
            m_layout->addWidget(m_instrument, 0, 1);
            m_layout->addWidget(m_state, 0, 2);
            m_layout->addWidget(m_cancel, 0, 3);
        }
        m_layout->setColumnStretch(0, 1);
        m_wrapped = wrapped;
    }

    QGridLayout *m_layout;
    QLineEdit *m_text;
    QComboBox *m_instrument;
    QComboBox *m_state;
    QPushButton *m_cancel;
    bool m_wrapped = false;
};

BlotterPanel::BlotterPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("blotterPanel"));
    setAccessibleName(tr("Blotter"));
    createFilterBar();
    createTables();
    createActions();
    layOutPanel();
    updateTabTitles();
    setGateway(nullptr);
}

BlotterPanel::~BlotterPanel() = default;

void BlotterPanel::createFilterBar()
{
    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("blotterFilterText"));
    m_text->setAccessibleName(tr("Filter text"));
    m_text->setPlaceholderText(tr("Filter"));
    m_text->setClearButtonEnabled(true);
    m_text->setMinimumWidth(m_text->fontMetrics().averageCharWidth() * kFilterTextCharacters);
    connect(m_text, &QLineEdit::textChanged, this, &BlotterPanel::applyFilters);

    m_instrument = new QComboBox(this);
    m_instrument->setObjectName(QStringLiteral("blotterFilterInstrument"));
    m_instrument->setAccessibleName(tr("Filter by instrument"));
    m_instrument->addItem(tr("All instruments"));
    m_instrument->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_instrument->setMinimumContentsLength(kFilterComboCharacters);
    connect(m_instrument, &QComboBox::currentIndexChanged, this, &BlotterPanel::applyFilters);

    m_state = new QComboBox(this);
    m_state->setObjectName(QStringLiteral("blotterFilterState"));
    m_state->setAccessibleName(tr("Filter by order state"));
    m_state->addItem(tr("All states"));
    m_state->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_state->setMinimumContentsLength(kFilterComboCharacters);
    for (OrderDisplayState state :
         {OrderDisplayState::Working, OrderDisplayState::PartlyFilled, OrderDisplayState::Parked,
          OrderDisplayState::Filled, OrderDisplayState::Cancelled, OrderDisplayState::Rejected,
          OrderDisplayState::Expired})
        m_state->addItem(displayStateText(state), static_cast<int>(state));
    connect(m_state, &QComboBox::currentIndexChanged, this, &BlotterPanel::applyFilters);
}

void BlotterPanel::createTables()
{
    m_working = new BlotterOrdersModel(BlotterOrdersModel::List::Working, this);
    m_finished = new BlotterOrdersModel(BlotterOrdersModel::List::Finished, this);
    m_fills = new BlotterFillsModel(this);
    connect(m_working, &BlotterOrdersModel::replaceRequested, this, &BlotterPanel::sendReplace);
    connect(m_working, &BlotterOrdersModel::editRejected, this, [this](const QString &problem) {
        m_message->setMessage(problem, MessageLine::Tone::Problem);
    });

    const std::vector<std::pair<QAbstractItemModel *, QString>> sources{
        {m_working, QStringLiteral("blotterWorkingTable")},
        {m_finished, QStringLiteral("blotterFinishedTable")},
        {m_fills, QStringLiteral("blotterFillsTable")}};
    const QStringList accessibleNames{tr("Working orders"), tr("Finished orders"), tr("Fills")};
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("blotterTabs"));
    m_tabs->setAccessibleName(tr("Blotter tables"));
    m_tabs->setDocumentMode(true);
    for (std::size_t i = 0; i < sources.size(); ++i) {
        auto *filter = new BlotterFilterModel(this);
        filter->setSourceModel(sources[i].first);
        auto *table = createTable(filter, sources[i].second,
                                  accessibleNames[static_cast<qsizetype>(i)], m_tabs);
        connect(table, &QTableView::doubleClicked, this, &BlotterPanel::selectInstrument);
        m_filters.push_back(filter);
        m_tables.push_back(table);
        m_tabs->addTab(table, QString());
    }

    using Orders = BlotterOrdersModel;
    for (Tab tab : {Tab::Working, Tab::Finished}) {
        showColumnsFirst(table(tab),
                         {Orders::IdColumn, Orders::InstrumentColumn, Orders::SideColumn,
                          Orders::PriceColumn, Orders::QuantityColumn, Orders::FilledColumn,
                          Orders::RemainingColumn, Orders::StateColumn});
    }
    using Fills = BlotterFillsModel;
    showColumnsFirst(table(Tab::Fills),
                     {Fills::TimeColumn, Fills::InstrumentColumn, Fills::SideColumn,
                      Fills::PriceColumn, Fills::QuantityColumn, Fills::FeeColumn,
                      Fills::LiquidityColumn});

    QTableView *working = table(Tab::Working);
    working->setColumnHidden(BlotterOrdersModel::ReasonColumn, true);
    working->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(working, &QTableView::customContextMenuRequested, this, &BlotterPanel::showContextMenu);
    connect(m_working, &QAbstractItemModel::rowsInserted, this, &BlotterPanel::updateTabTitles);
    connect(m_working, &QAbstractItemModel::rowsRemoved, this, &BlotterPanel::updateTabTitles);
    connect(m_finished, &QAbstractItemModel::rowsInserted, this, &BlotterPanel::updateTabTitles);
    connect(m_finished, &QAbstractItemModel::rowsRemoved, this, &BlotterPanel::updateTabTitles);
    connect(m_fills, &QAbstractItemModel::rowsInserted, this, &BlotterPanel::updateTabTitles);
    connect(m_fills, &QAbstractItemModel::rowsRemoved, this, &BlotterPanel::updateTabTitles);
}

// Delete cancels while the working table has the focus. An open editor takes the key first.
void BlotterPanel::createActions()
{
    m_cancelAction = new QAction(tr("Cancel selected orders"), this);
    m_cancelAction->setObjectName(QStringLiteral("blotterCancelAction"));
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Delete));
    m_cancelAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    table(Tab::Working)->addAction(m_cancelAction);
    connect(m_cancelAction, &QAction::triggered, this, &BlotterPanel::cancelSelected);

    m_cancel = new QPushButton(tr("Cancel selected (Del)"), this);
    m_cancel->setObjectName(QStringLiteral("blotterCancel"));
    m_cancel->setAccessibleName(tr("Cancel the selected orders"));
    connect(m_cancel, &QPushButton::clicked, this, &BlotterPanel::cancelSelected);

    m_message = new MessageLine(this);
    m_message->setObjectName(QStringLiteral("blotterMessage"));
    m_message->setAccessibleName(tr("Blotter message"));
}

void BlotterPanel::layOutPanel()
{
    m_filterBar = new BlotterFilterBar(m_text, m_instrument, m_state, m_cancel, this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_message);
}

bool BlotterPanel::filtersWrapped() const
{
    return m_filterBar->isWrapped();
}

void BlotterPanel::showView(const std::shared_ptr<const MarketView> &view)
{
    if (!view)
        return;
    m_view = view;
    updateInstrumentFilter(*view);
    m_working->showView(*view);
    m_finished->showView(*view);
    m_fills->showView(*view);
}

void BlotterPanel::clear()
{
    m_view.reset();
    m_working->clear();
    m_finished->clear();
    m_fills->clear();
    m_instruments.clear();
    const QSignalBlocker blocker(m_instrument);
    while (m_instrument->count() > 1)
        m_instrument->removeItem(1);
    m_message->setMessage({}, MessageLine::Tone::Hint);
    applyFilters();
    updateTabTitles();
}

void BlotterPanel::setGateway(OrderGateway *gateway)
{
    m_gateway = gateway;
    const bool trading = gateway != nullptr;
    m_working->setEditable(trading);
    m_cancel->setEnabled(trading);
    m_cancelAction->setEnabled(trading);
    m_message->setMessage(trading ? QString() : tr("Trading is off: no session takes orders."),
                          MessageLine::Tone::Hint);
}

BlotterFilterModel *BlotterPanel::filter(Tab tab) const
{
    return m_filters[indexOf(tab)];
}

QTableView *BlotterPanel::table(Tab tab) const
{
    return m_tables[indexOf(tab)];
}

QString BlotterPanel::message() const
{
    return m_message->fullText();
}

void BlotterPanel::updateInstrumentFilter(const MarketView &view)
{
    std::vector<std::pair<InstrumentId, std::string>> instruments;
    instruments.reserve(view.instruments.size());
    for (const InstrumentQuote &quote : view.instruments)
        instruments.emplace_back(quote.instrument, quote.symbol);
    if (instruments == m_instruments)
        return;

    const QVariant chosen = m_instrument->currentData();
    const QSignalBlocker blocker(m_instrument);
    while (m_instrument->count() > 1)
        m_instrument->removeItem(1);
    for (const auto &[id, symbol] : instruments)
        m_instrument->addItem(QString::fromStdString(symbol), id.value());
    const int index = chosen.isValid() ? m_instrument->findData(chosen) : -1;
    m_instrument->setCurrentIndex(std::max(index, 0));
    m_instruments = std::move(instruments);
    applyFilters();
}

void BlotterPanel::updateTabTitles()
{
    m_tabs->setTabText(0, tr("Working (%1)").arg(m_working->rowCount()));
    m_tabs->setTabText(1, tr("Finished (%1)").arg(m_finished->rowCount()));
    m_tabs->setTabText(2, tr("Fills (%1)").arg(m_fills->rowCount()));
}

void BlotterPanel::applyFilters()
{
    std::optional<InstrumentId> instrument;
    if (m_instrument->currentIndex() > 0)
        instrument = InstrumentId{m_instrument->currentData().toUInt()};
    std::set<int> states;
    if (m_state->currentIndex() > 0)
        states.insert(m_state->currentData().toInt());
    for (BlotterFilterModel *filter : m_filters) {
        filter->setText(m_text->text());
        filter->setInstrument(instrument);
        filter->setStates(states);
    }
}

int BlotterPanel::cancelSelected()
{
    QTableView *working = table(Tab::Working);
    const QModelIndexList selected = working->selectionModel()->selectedRows();
    if (selected.isEmpty()) {
        m_message->setMessage(tr("Select the working orders to cancel first."),
                              MessageLine::Tone::Hint);
        return 0;
    }

    std::vector<OrderId> ids;
    for (const QModelIndex &index : selected) {
        const QModelIndex source = filter(Tab::Working)->mapToSource(index);
        if (const OwnOrder *order = m_working->orderAt(source.row()))
            ids.push_back(order->id);
    }
    std::sort(ids.begin(), ids.end());
    int queued = 0;
    for (OrderId id : ids)
        queued += sendCancel(id) ? 1 : 0;
    if (ids.size() > 1 && queued == static_cast<int>(ids.size()))
        m_message->setMessage(tr("Sent: cancel %1 orders.").arg(queued), MessageLine::Tone::Report);
    return queued;
}

bool BlotterPanel::sendCancel(OrderId id)
{
    if (!m_gateway)
        return false;
    const bool queued = m_gateway->cancel(id);
    if (queued) {
        m_message->setMessage(tr("Sent: cancel order %1.").arg(id.value()),
                              MessageLine::Tone::Report);
    } else {
        m_message->setMessage(
            tr("Cancel of order %1 not sent: %2").arg(id.value()).arg(notQueued()),
            MessageLine::Tone::Problem);
    }
    return queued;
}

void BlotterPanel::sendMassCancel(AccountId account, InstrumentId instrument)
{
    if (!m_gateway)
        return;
    const bool queued = m_gateway->massCancel(MassCancel{account, instrument});
    const QString symbol =
        m_view ? instrumentFormat(*m_view, instrument).symbol : QString::number(instrument.value());
    if (queued) {
        m_message->setMessage(
            tr("Sent: cancel every order of account %1 in %2.").arg(account.value()).arg(symbol),
            MessageLine::Tone::Report);
    } else {
        m_message->setMessage(tr("Cancel all not sent: %1").arg(notQueued()),
                              MessageLine::Tone::Problem);
    }
}

void BlotterPanel::sendReplace(const ReplaceOrder &replace)
{
    if (!m_gateway)
        return;
    const int row = m_working->rowOf({replace.id.value(), 0});
    const BlotterOrderRow *found = m_working->rowAt(row);
    const InstrumentFormat format = found ? found->format : InstrumentFormat{};
    const QString description = replaceText(replace, format);
    if (m_gateway->replace(replace))
        m_message->setMessage(tr("Sent: %1.").arg(description), MessageLine::Tone::Report);
    else
        m_message->setMessage(tr("Not sent, %1: %2").arg(description, notQueued()),
                              MessageLine::Tone::Problem);
}

void BlotterPanel::showContextMenu(const QPoint &position)
{
    QTableView *working = table(Tab::Working);
    const QModelIndex index = working->indexAt(position);
    const QModelIndex source = filter(Tab::Working)->mapToSource(index);
    const OwnOrder *order = m_working->orderAt(source.row());
    if (!order)
        return;

    QMenu menu(this);
    menu.addAction(m_cancelAction);
    QAction *editPrice = menu.addAction(tr("Edit price"));
    QAction *editQuantity = menu.addAction(tr("Edit remaining quantity"));
    const QString symbol = m_view ? instrumentFormat(*m_view, order->instrument).symbol
                                  : QString::number(order->instrument.value());
    QAction *cancelInstrument = menu.addAction(
        tr("Cancel every order of account %1 in %2").arg(order->account.value()).arg(symbol));
    const bool trading = m_gateway != nullptr;
    editPrice->setEnabled(
        trading && (m_working->flags(source.siblingAtColumn(BlotterOrdersModel::PriceColumn)) &
                    Qt::ItemIsEditable));
    editQuantity->setEnabled(trading);
    cancelInstrument->setEnabled(trading);

    const AccountId account = order->account;
    const InstrumentId instrument = order->instrument;
    QAction *chosen = menu.exec(working->viewport()->mapToGlobal(position));
    if (chosen == editPrice)
        editSelected(BlotterOrdersModel::PriceColumn);
    else if (chosen == editQuantity)
        editSelected(BlotterOrdersModel::RemainingColumn);
    else if (chosen == cancelInstrument)
        sendMassCancel(account, instrument);
}

void BlotterPanel::editSelected(int column)
{
    QTableView *working = table(Tab::Working);
    const QModelIndex current = working->currentIndex();
    if (!current.isValid())
        return;
    const QModelIndex cell = current.siblingAtColumn(column);
    working->setCurrentIndex(cell);
    working->edit(cell);
}

void BlotterPanel::selectInstrument(const QModelIndex &index)
{
    if (!index.isValid() || (index.flags() & Qt::ItemIsEditable))
        return;
    const QVariant instrument = index.data(BlotterInstrumentRole);
    if (instrument.isValid())
        emit instrumentSelected(InstrumentId{instrument.toUInt()});
}

} // namespace bourse::ui
