#include "ladder_panel.h"

#include "formatting.h"
#include "ladder_delegate.h"
#include "ladder_lot_spin_box.h"
#include "ladder_model.h"
#include "ladder_order_check.h"
#include "order_gateway.h"
#include "theme.h"

#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <limits>

namespace bourse::ui {

namespace {

// Rows above and below the centre: more than any screen shows, so the ladder always fills the
// panel, and few enough that a view updates them well within a frame.
constexpr int kRowsEachSide = 50;

// A check result older than this is requested again, since positions and limits move.
constexpr std::chrono::milliseconds kCheckRefresh{500};

// The lines under the ladder: a buy and a sell warning for the selected row and a notice or a
// quantity problem.
constexpr int kWarningLines = 3;

// The columns that show quantities, left to right.
constexpr std::array kQuantityColumns{LadderModel::WorkingBuysColumn, LadderModel::BidSizeColumn,
                                      LadderModel::AskSizeColumn, LadderModel::WorkingSellsColumn,
                                      LadderModel::VolumeColumn};

// Pixels around a cell's text: the delegate's padding on each side and a margin for the grid.
constexpr int kCellMargins = 2 * 6 + 4;

// The check's text names the verdict already, as in "rejected: position limit, ...".
QString withoutVerdict(const QString &text)
{
    const QString verdict = QStringLiteral("rejected:");
    return text.startsWith(verdict, Qt::CaseInsensitive) ? text.mid(verdict.size()).trimmed()
                                                         : text;
}

// The order limits of the focus instrument, from its quote in the view. A view without one has
// the engine's limits.
QuantityLimits quantityLimits(const MarketView *view)
{
    QuantityLimits limits;
    if (!view)
        return limits;
    for (const InstrumentQuote &quote : view->instruments) {
        if (quote.instrument == view->instrument)
            limits = QuantityLimits{quote.minimumQuantity, quote.maximumQuantity};
    }
    return limits;
}

QString sideName(Side side)
{
    return side == Side::Buy ? LadderPanel::tr("Buy") : LadderPanel::tr("Sell");
}

} // namespace

LadderPanel::LadderPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new LadderModel(kRowsEachSide, this))
    , m_check(new LadderOrderCheck(this))
{
    setObjectName(QStringLiteral("ladderPanel"));
    setAccessibleName(tr("Order book ladder"));

    createControls();
    createTable();

    m_warning = new QLabel(this);
    m_warning->setObjectName(QStringLiteral("ladderWarning"));
    m_warning->setAccessibleName(tr("Order warning"));
    m_warning->setWordWrap(false);
    m_warning->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // One line per warning at a fixed height: a warning that comes and goes must not resize
    // the ladder and move its rows under the mouse. A line too long for the panel is elided,
    // and the tooltip carries every line in full.
    m_warning->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    m_warning->setFixedHeight(kWarningLines * m_warning->fontMetrics().lineSpacing() + 2);
    m_warning->setTextInteractionFlags(Qt::TextSelectableByMouse);
    applyWarningPalette();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_quantity->parentWidget());
    layout->addWidget(m_table, 1);
    layout->addWidget(m_warning);

    setTabOrder(m_quantity, m_account);
    setTabOrder(m_account, m_centre);
    setTabOrder(m_centre, m_table);

    connect(m_model, &LadderModel::recentred, this, &LadderPanel::centreTable);
    connect(m_model, &LadderModel::windowMoved, this, [this] {
        syncSelection();
        if (m_mousePosition)
            mouseMoved(*m_mousePosition);
    });
    connect(m_check, &LadderOrderCheck::rejectionsChanged, this, &LadderPanel::showWarnings);
}

LadderPanel::~LadderPanel() = default;

void LadderPanel::createControls()
{
    auto *bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("ladderControls"));

    m_quantity = new LotSpinBox(bar);
    m_quantity->setObjectName(QStringLiteral("ladderQuantity"));
    m_quantity->setAccessibleName(tr("Order quantity"));
    m_quantity->setToolTip(tr("The quantity a click in the ladder trades"));
    m_quantity->setAccelerated(true);

    m_account = new QComboBox(bar);
    m_account->setObjectName(QStringLiteral("ladderAccount"));
    m_account->setAccessibleName(tr("Account"));
    m_account->setToolTip(tr("The account a click in the ladder trades for"));
    m_account->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    // As wide as its longest account name: a narrow dock must not cut "Account 12" short.
    m_account->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Fixed);

    m_centre = new QToolButton(bar);
    m_centre->setObjectName(QStringLiteral("ladderCentre"));
    m_centre->setText(tr("Centre"));
    m_centre->setAccessibleName(tr("Centre on the market"));
    m_centre->setToolTip(tr("Centre the ladder on the market price (Space or C)"));
    m_centre->setFocusPolicy(Qt::StrongFocus);

    auto *quantityLabel = new QLabel(tr("Qty"), bar);
    quantityLabel->setBuddy(m_quantity);

    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(quantityLabel);
    layout->addWidget(m_quantity);
    layout->addWidget(m_account);
    layout->addStretch(1);
    layout->addWidget(m_centre);

    connect(m_centre, &QToolButton::clicked, this, &LadderPanel::recentre);
    connect(m_quantity, &LotSpinBox::typedTextChanged, this, &LadderPanel::showQuantityState);
    connect(m_account, &QComboBox::currentIndexChanged, this, &LadderPanel::updateCheckedOrders);
}

void LadderPanel::createTable()
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("ladderView"));
    m_table->setAccessibleName(tr("Price ladder"));
    m_table->setAccessibleDescription(
        tr("Click the bid column to buy and the ask column to sell at the row's price. "
           "Up and Down select a price, B buys, S sells, Delete cancels your orders there, "
           "Space centres on the market."));
    m_table->setModel(m_model);
    m_table->setItemDelegate(new LadderDelegate(m_table));
    m_table->setFont(theme::monospaceFont());
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setTabKeyNavigation(false);
    // The ladder moves only by its own rules; the view must not scroll to a current cell.
    m_table->setAutoScroll(false);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // By pixel, so that the centre row sits in the middle of the panel at any height.
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setFocusPolicy(Qt::StrongFocus);
    m_table->setMouseTracking(true);

    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 4);

    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionsClickable(false);
    // layOutColumns() sets every width: fixed, so that the user does not drag them.
    columns->setSectionResizeMode(QHeaderView::Fixed);
    columns->setMinimumSectionSize(
        m_table->fontMetrics().horizontalAdvance(QStringLiteral("0000")));
    applyTerms();

    m_table->installEventFilter(this);
    m_table->viewport()->installEventFilter(this);
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &LadderPanel::updateVisibleRows);
}

void LadderPanel::applyTerms()
{
    applyQuantityTerms();
    // The instrument's last valid quantity, or its smallest order.
    const Quantity smallest = m_quantity->lowestQuantity().value_or(
        std::max(m_view ? m_view->lotSize : Quantity{1}, Quantity{1}));
    m_quantity->setQuantity(Quantity{m_quantities.value(m_instrument.value(), smallest.value())});

    // Wide enough for the largest price the window may show, with the padding of the delegate.
    const std::optional<Price> top = m_model->priceAt(0);
    const QString widest = formatPrice(top.value_or(Price{999999}), m_model->priceDecimals());
    const int width = m_table->fontMetrics().horizontalAdvance(widest + QStringLiteral("00")) + 12;
    m_table->horizontalHeader()->resizeSection(LadderModel::PriceColumn, width);
    layOutColumns();
}

void LadderPanel::applyQuantityTerms()
{
    const int decimals = m_view ? m_view->quantityDecimals : 0;
    const Quantity lotSize = m_view ? m_view->lotSize : Quantity{1};
    const QuantityLimits limits = quantityLimits(m_view.get());
    if (decimals == m_quantity->decimals() && lotSize == m_quantity->lotSize() &&
        limits.minimum == m_quantity->limits().minimum &&
        limits.maximum == m_quantity->limits().maximum)
        return;
    // The typed text stays: a quantity the new limits refuse shows as invalid, not clamped.
    m_quantity->setTerms(decimals, lotSize, limits);
}

void LadderPanel::showView(const std::shared_ptr<const MarketView> &view)
{
    if (!view)
        return;

    const bool newInstrument = view->instrument != m_instrument;
    m_view = view;
    if (newInstrument) {
        // The quantity stays with its instrument, for when the trader comes back to it.
        if (const std::optional<Quantity> quantity = m_quantity->quantity();
            quantity && m_instrument.value() != 0)
            m_quantities.insert(m_instrument.value(), quantity->value());
        m_instrument = view->instrument;
        m_press.reset();
        m_model->holdWindow(false);
        m_table->viewport()->unsetCursor();
        m_selectedPrice.reset();
    }
    m_model->applyView(*view);
    if (newInstrument) {
        // The columns fit the new instrument's sizes from the narrowest width again.
        m_textLengths.fill(0);
        m_minimumWidths.fill(0);
        applyTerms();
    } else {
        // An instrument's definition can reach the session after its first trade.
        applyQuantityTerms();
    }
    widenQuantityColumns();

    updateAccounts(view->trader.accounts);
    updateCheckedOrders();
    m_check->poll();
    if (view->replayStale != m_shownStale) {
        m_shownStale = view->replayStale;
        showWarnings();
    }
    m_check->refreshOlderThan(kCheckRefresh);
}

void LadderPanel::widenQuantityColumns()
{
    // The ladder font is monospaced, so the longest text is the widest. Only the rows of the
    // window are read, a bounded amount of work per view. The best levels and the order
    // columns are bold, which is wider.
    QFont bold = m_table->font();
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    bool widened = false;
    for (const int column : kQuantityColumns) {
        const auto at = static_cast<std::size_t>(column);
        for (int row = 0; row < m_model->rowCount(); ++row) {
            const QString text = m_model->index(row, column).data().toString();
            if (text.size() <= m_textLengths[at])
                continue;
            m_textLengths[at] = text.size();
            m_minimumWidths[at] = metrics.horizontalAdvance(text) + kCellMargins;
            widened = true;
        }
    }
    if (widened)
        layOutColumns();
}

// Gives each quantity column the width its longest text needs and shares what the viewport has
// left among them equally. A viewport too narrow for them all scrolls rather than cut a size.
void LadderPanel::layOutColumns()
{
    QHeaderView *columns = m_table->horizontalHeader();
    const int base = m_table->fontMetrics().horizontalAdvance(QStringLiteral("0000"));
    int required = 0;
    for (const int column : kQuantityColumns)
        required += std::max(base, m_minimumWidths[static_cast<std::size_t>(column)]);

    const int available =
        m_table->viewport()->width() - columns->sectionSize(LadderModel::PriceColumn);
    const int count = static_cast<int>(std::size(kQuantityColumns));
    const int spare = std::max(0, available - required);
    int given = 0;
    for (int i = 0; i < count; ++i) {
        const int column = kQuantityColumns[static_cast<std::size_t>(i)];
        // The last column takes the pixels the division leaves over.
        const int share = i + 1 < count ? spare / count : spare - given;
        given += share;
        const int minimum = std::max(base, m_minimumWidths[static_cast<std::size_t>(column)]);
        columns->resizeSection(column, minimum + share);
    }
}

void LadderPanel::updateAccounts(const std::vector<AccountId> &accounts)
{
    if (accounts == m_accounts)
        return;

    const AccountId chosen = orderAccount();
    m_accounts = accounts;
    const QSignalBlocker blocker(m_account);
    m_account->clear();
    for (const AccountId account : accounts)
        m_account->addItem(tr("Account %1").arg(account.value()), account.value());

    const int index = m_account->findData(chosen.value());
    m_account->setCurrentIndex(index >= 0 ? index : 0);
}

void LadderPanel::clear()
{
    m_view.reset();
    m_instrument = InstrumentId{};
    m_accounts.clear();
    m_account->clear();
    m_selectedPrice.reset();
    m_hover.reset();
    m_press.reset();
    m_notice.clear();
    m_textLengths.fill(0);
    m_minimumWidths.fill(0);
    m_model->holdWindow(false);
    m_model->clear();
    m_check->setOrders({});
    m_table->clearSelection();
    showWarnings();
}

void LadderPanel::setGateway(OrderGateway *gateway)
{
    m_gateway = gateway;
    m_check->setGateway(gateway);
    m_notice.clear();
    updateCheckedOrders();
    showWarnings();
}

void LadderPanel::recentre()
{
    m_model->recentre();
}

std::optional<Quantity> LadderPanel::orderQuantity() const
{
    return m_quantity->quantity();
}

void LadderPanel::setOrderQuantity(Quantity quantity)
{
    m_quantity->setQuantity(quantity);
}

AccountId LadderPanel::orderAccount() const
{
    const QVariant account = m_account->currentData();
    return account.isValid() ? AccountId{account.value<quint32>()} : AccountId{};
}

QString LadderPanel::warningText() const
{
    return m_warningLines.join(QLatin1Char('\n'));
}

void LadderPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    elideWarnings();
}

void LadderPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyWarningPalette();
}

void LadderPanel::applyWarningPalette()
{
    // Read at each theme change rather than kept, so a switch of theme recolours the line.
    QPalette palette = m_warning->palette();
    palette.setColor(QPalette::WindowText, theme::errorColor());
    m_warning->setPalette(palette);
    showQuantityState();
}

void LadderPanel::showQuantityState()
{
    // Typed text that is not a valid quantity stays as typed, in the error colour, and the
    // warning line states why. Clicks send nothing until it is fixed.
    const bool valid = m_quantity->quantity().has_value();
    QPalette palette = m_quantity->palette();
    palette.setColor(QPalette::Text, valid ? QApplication::palette(m_quantity).color(QPalette::Text)
                                           : theme::errorColor());
    m_quantity->setPalette(palette);
    m_quantity->setToolTip(valid ? tr("The quantity a click in the ladder trades")
                                 : m_quantity->problem());
    updateCheckedOrders();
    showWarnings();
}

std::optional<NewOrder> LadderPanel::orderAt(Target target) const
{
    const AccountId account = orderAccount();
    const std::optional<Quantity> quantity = orderQuantity();
    if (!m_view || account.value() == 0 || target.price.value() <= 0 || !quantity)
        return std::nullopt;

    NewOrder order;
    order.side = target.side;
    order.type = OrderType::Limit;
    order.timeInForce = TimeInForce::Gtc;
    order.limit = target.price;
    order.quantity = *quantity;
    order.instrument = m_view->instrument;
    order.account = account;
    return order;
}

// Sets a notice that explains why when trading is not possible.
bool LadderPanel::tradingAllowed()
{
    if (!m_gateway) {
        setNotice(tr("Trading is off: no session takes orders."));
        return false;
    }
    if (orderAccount().value() == 0) {
        setNotice(tr("No order sent: the session has no account to trade for."));
        return false;
    }
    return true;
}

void LadderPanel::submitAt(Target target)
{
    if (!tradingAllowed())
        return;

    const std::optional<NewOrder> order = orderAt(target);
    if (!order)
        return;

    const bool queued = m_gateway->submit(*order);
    setNotice(queued ? QString()
                     : tr("%1 at %2 not sent: the session takes no orders now.")
                           .arg(sideName(target.side),
                                formatPrice(target.price, m_model->priceDecimals())));
}

void LadderPanel::cancelAt(Side side, Price price)
{
    const std::vector<LadderModel::WorkingOrder> orders = m_model->workingOrdersAt(side, price);
    if (orders.empty() || !tradingAllowed())
        return;

    bool queued = true;
    for (const LadderModel::WorkingOrder &order : orders)
        queued = m_gateway->cancel(order.id) && queued;
    setNotice(queued ? QString()
                     : tr("Cancel at %1 not sent in full: the session takes no orders now.")
                           .arg(formatPrice(price, m_model->priceDecimals())));
}

void LadderPanel::replaceAt(Side side, Price from, Price to)
{
    const std::vector<LadderModel::WorkingOrder> orders = m_model->workingOrdersAt(side, from);
    if (orders.empty() || !tradingAllowed())
        return;

    bool queued = true;
    for (const LadderModel::WorkingOrder &order : orders) {
        ReplaceOrder replace;
        replace.id = order.id;
        replace.limit = to;
        replace.quantity = order.remaining;
        queued = m_gateway->replace(replace) && queued;
    }
    setNotice(queued ? QString()
                     : tr("Move to %1 not sent in full: the session takes no orders now.")
                           .arg(formatPrice(to, m_model->priceDecimals())));
}

void LadderPanel::setNotice(const QString &notice)
{
    if (notice == m_notice)
        return;
    m_notice = notice;
    showWarnings();
}

void LadderPanel::updateCheckedOrders()
{
    // The hovered cell is what a click would send; without one, the selected row is what B
    // and S would send.
    std::vector<Target> targets;
    if (m_hover)
        targets.push_back(*m_hover);
    else if (m_selectedPrice)
        targets = {{Side::Buy, *m_selectedPrice}, {Side::Sell, *m_selectedPrice}};

    std::vector<NewOrder> orders;
    for (const Target &target : targets) {
        if (const std::optional<NewOrder> order = orderAt(target))
            orders.push_back(*order);
    }
    m_check->setOrders(orders);
}

void LadderPanel::showWarnings()
{
    std::vector<LadderModel::Warning> warnings;
    QStringList lines;
    // First, because the sizes above are then the last ones known, not the market's.
    if (m_view && !m_view->replayStale.empty())
        lines.push_back(tr("Stale book: %1").arg(QString::fromStdString(m_view->replayStale)));
    for (const LadderOrderCheck::Rejection &rejection : m_check->rejections()) {
        const NewOrder &order = rejection.order;
        const QString price = formatPrice(order.limit, m_model->priceDecimals());
        const QString text = tr("%1 %2 at %3 would be rejected: %4")
                                 .arg(sideName(order.side),
                                      formatQuantity(order.quantity, m_model->quantityDecimals()),
                                      price, withoutVerdict(rejection.text));
        warnings.push_back({order.limit, order.side, text});
        lines.push_back(text);
    }
    if (!m_quantity->quantity())
        lines.push_back(tr("No order is sent: %1").arg(m_quantity->problem()));
    else if (!m_notice.isEmpty())
        lines.push_back(m_notice);

    m_model->setWarnings(std::move(warnings));
    m_warningLines = lines;
    m_warning->setToolTip(lines.join(QLatin1Char('\n')));
    elideWarnings();
}

void LadderPanel::elideWarnings()
{
    const QFontMetrics metrics = m_warning->fontMetrics();
    const int width = m_warning->contentsRect().width();
    QStringList shown;
    for (const QString &line :
         std::as_const(m_warningLines)
             .first(std::min<qsizetype>(m_warningLines.size(), kWarningLines)))
        // In the middle, so that the limit or the rule at the end of a line stays readable.
        shown.push_back(metrics.elidedText(line, Qt::ElideMiddle, width));
    m_warning->setText(shown.join(QLatin1Char('\n')));
}

} // namespace bourse::ui
