#include "blotter_model.h"

#include "formatting.h"
#include "theme.h"

#include <algorithm>
#include <tuple>

namespace bourse::ui {

namespace {

// GCC and Clang provide 128-bit integers as an extension, and __extension__ keeps -Wpedantic
// quiet.
__extension__ using Wide = __int128;

QVariant alignment(bool right)
{
    return QVariant::fromValue(Qt::AlignVCenter | (right ? Qt::AlignRight : Qt::AlignLeft));
}

QString textOf(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString sideText(Side side)
{
    return side == Side::Buy ? BlotterOrdersModel::tr("Buy") : BlotterOrdersModel::tr("Sell");
}

QColor sideColor(Side side)
{
    return side == Side::Buy ? theme::buyColor() : theme::sellColor();
}

QString typeText(OrderType type)
{
    switch (type) {
    case OrderType::Limit:
        return BlotterOrdersModel::tr("Limit");
    case OrderType::Market:
        return BlotterOrdersModel::tr("Market");
    case OrderType::Stop:
        return BlotterOrdersModel::tr("Stop");
    case OrderType::StopLimit:
        return BlotterOrdersModel::tr("Stop limit");
    }
    return {};
}

bool hasLimit(OrderType type)
{
    return type == OrderType::Limit || type == OrderType::StopLimit;
}

bool hasStop(OrderType type)
{
    return type == OrderType::Stop || type == OrderType::StopLimit;
}

// A price or quantity that is zero when the order has none shows as an empty cell.
QString optionalPrice(Price price, int decimals)
{
    return price > Price{0} ? formatPrice(price, decimals) : QString();
}

QString optionalQuantity(Quantity quantity, int decimals)
{
    return quantity > Quantity{0} ? formatQuantity(quantity, decimals) : QString();
}

QVariant decimalKey(std::int64_t units, int decimals)
{
    return QVariant::fromValue(DecimalSortKey{units, decimals});
}

bool sameDecimals(const InstrumentFormat &a, const InstrumentFormat &b)
{
    return a.priceDecimals == b.priceDecimals && a.quantityDecimals == b.quantityDecimals;
}

// The money decimals and currency of an account, from its position in the instrument, or from
// any of its positions: a fill always leaves a position behind.
std::pair<int, QString> moneyTermsOf(const MarketView &view, AccountId account,
                                     InstrumentId instrument)
{
    const OwnPosition *found = nullptr;
    for (const OwnPosition &position : view.trader.positions) {
        if (position.account != account)
            continue;
        found = &position;
        if (position.instrument == instrument)
            break;
    }
    if (!found)
        return {2, QString()};
    return {found->moneyDecimals, QString::fromStdString(found->currency)};
}

} // namespace

bool lessThan(const DecimalSortKey &a, const DecimalSortKey &b)
{
    // 10^18 times any int64 fits in 127 bits, so the scaled values compare exactly.
    const int aDecimals = std::clamp(a.decimals, 0, 18);
    const int bDecimals = std::clamp(b.decimals, 0, 18);
    const int decimals = std::max(aDecimals, bDecimals);
    Wide left = a.units;
    Wide right = b.units;
    for (int i = aDecimals; i < decimals; ++i)
        left *= 10;
    for (int i = bDecimals; i < decimals; ++i)
        right *= 10;
    return left < right;
}

OrderDisplayState displayStateOf(const OwnOrder &order)
{
    switch (order.state) {
    case OwnOrderState::Working:
        if (order.parked)
            return OrderDisplayState::Parked;
        return order.filled > Quantity{0} ? OrderDisplayState::PartlyFilled
                                          : OrderDisplayState::Working;
    case OwnOrderState::Filled:
        return OrderDisplayState::Filled;
    case OwnOrderState::Cancelled:
        return OrderDisplayState::Cancelled;
    case OwnOrderState::Rejected:
        return OrderDisplayState::Rejected;
    case OwnOrderState::Expired:
        return OrderDisplayState::Expired;
    }
    return OrderDisplayState::Working;
}

QString displayStateText(OrderDisplayState state)
{
    switch (state) {
    case OrderDisplayState::Working:
        return BlotterOrdersModel::tr("Working");
    case OrderDisplayState::PartlyFilled:
        return BlotterOrdersModel::tr("Partly filled");
    case OrderDisplayState::Parked:
        return BlotterOrdersModel::tr("Parked");
    case OrderDisplayState::Filled:
        return BlotterOrdersModel::tr("Filled");
    case OrderDisplayState::Cancelled:
        return BlotterOrdersModel::tr("Cancelled");
    case OrderDisplayState::Rejected:
        return BlotterOrdersModel::tr("Rejected");
    case OrderDisplayState::Expired:
        return BlotterOrdersModel::tr("Expired");
    }
    return {};
}

InstrumentFormat instrumentFormat(const MarketView &view, InstrumentId instrument)
{
    for (const InstrumentQuote &quote : view.instruments) {
        if (quote.instrument == instrument) {
            return {QString::fromStdString(quote.symbol), quote.priceDecimals,
                    quote.quantityDecimals, quote.tickSize, quote.lotSize};
        }
    }
    if (instrument == view.instrument) {
        return {QString::fromStdString(view.symbol), view.priceDecimals, view.quantityDecimals,
                view.tickSize, view.lotSize};
    }
    InstrumentFormat unknown;
    unknown.symbol = QStringLiteral("#%1").arg(instrument.value());
    return unknown;
}

// ---------------------------------------------------------------------------------------------
// Orders

BlotterOrdersModel::BlotterOrdersModel(List list, QObject *parent)
    : KeyedRowsModel(parent)
    , m_list(list)
{
}

void BlotterOrdersModel::showView(const MarketView &view)
{
    const std::vector<OwnOrder> &orders =
        m_list == List::Working ? view.trader.workingOrders : view.trader.finishedOrders;
    std::vector<BlotterOrderRow> next;
    next.reserve(orders.size());
    for (const OwnOrder &order : orders)
        next.push_back({order, instrumentFormat(view, order.instrument)});
    replaceRows(std::move(next));
}

void BlotterOrdersModel::clear()
{
    removeAllRows();
}

const OwnOrder *BlotterOrdersModel::orderAt(int row) const
{
    const BlotterOrderRow *found = rowAt(row);
    return found ? &found->order : nullptr;
}

void BlotterOrdersModel::setEditable(bool editable)
{
    if (editable == m_editable)
        return;
    m_editable = editable;
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {});
}

int BlotterOrdersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool BlotterOrdersModel::isEditableCell(const BlotterOrderRow &row, int column) const
{
    if (!m_editable || m_list != List::Working || row.order.state != OwnOrderState::Working)
        return false;
    switch (column) {
    case PriceColumn:
        return hasLimit(row.order.type);
    case StopColumn:
        return hasStop(row.order.type) && row.order.parked;
    case QuantityColumn:
    case RemainingColumn:
        return true;
    default:
        return false;
    }
}

Qt::ItemFlags BlotterOrdersModel::flags(const QModelIndex &index) const
{
    const BlotterOrderRow *row = index.isValid() ? rowAt(index.row()) : nullptr;
    if (!row)
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (isEditableCell(*row, index.column()))
        flags |= Qt::ItemIsEditable;
    return flags;
}

QVariant BlotterOrdersModel::data(const QModelIndex &index, int role) const
{
    const BlotterOrderRow *row = index.isValid() ? rowAt(index.row()) : nullptr;
    if (!row || index.column() >= ColumnCount)
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(*row, column);
    case Qt::EditRole:
        return editData(*row, column);
    case Qt::ToolTipRole:
        if (column == ReasonColumn || column == StateColumn)
            return QString::fromStdString(row->order.reason);
        return {};
    case Qt::TextAlignmentRole:
        return alignment(column != AccountColumn && column != InstrumentColumn &&
                         column != SideColumn && column != TypeColumn &&
                         column != TimeInForceColumn && column != StateColumn &&
                         column != ReasonColumn);
    case Qt::ForegroundRole:
        return foregroundData(*row, column);
    case BlotterSortRole:
        return sortData(*row, column);
    case BlotterInstrumentRole:
        return row->order.instrument.value();
    case BlotterAccountRole:
        return row->order.account.value();
    case BlotterOrderIdRole:
        return QVariant::fromValue<qulonglong>(row->order.id.value());
    case BlotterStateRole:
        return static_cast<int>(displayStateOf(row->order));
    default:
        return {};
    }
}

QVariant BlotterOrdersModel::displayData(const BlotterOrderRow &row, int column) const
{
    const OwnOrder &order = row.order;
    const int priceDecimals = row.format.priceDecimals;
    const int quantityDecimals = row.format.quantityDecimals;
    if (!order.requestKnown && isRequestColumn(column))
        return QString();
    switch (column) {
    case IdColumn:
        return QString::number(order.id.value());
    case TimeColumn: {
        const Timestamp time = m_list == List::Working ? order.entered : order.updated;
        return time.value() != 0 ? formatTimeOfDay(time, TimePrecision::Milliseconds) : QString();
    }
    case AccountColumn:
        return QString::number(order.account.value());
    case InstrumentColumn:
        return row.format.symbol;
    case SideColumn:
        return sideText(order.side);
    case TypeColumn:
        return typeText(order.type);
    case TimeInForceColumn:
        return textOf(nameOf(order.timeInForce));
    case PriceColumn:
        return optionalPrice(order.limit, priceDecimals);
    case StopColumn:
        return optionalPrice(order.stopPrice, priceDecimals);
    case QuantityColumn:
        return formatQuantity(order.quantity, quantityDecimals);
    case DisplayColumn:
        return optionalQuantity(order.displayQuantity, quantityDecimals);
    case FilledColumn:
        return formatQuantity(order.filled, quantityDecimals);
    case RemainingColumn:
        return formatQuantity(order.remaining, quantityDecimals);
    case StateColumn: {
        const QString state = displayStateText(displayStateOf(order));
        // Against a replay the fill model, not an exchange, decides what an order fills.
        if (order.branch)
            return tr("%1 (branch)").arg(state);
        return order.simulated ? tr("%1 (simulated)").arg(state) : state;
    }
    case ReasonColumn:
        return QString::fromStdString(order.reason);
    default:
        return {};
    }
}

// Returns the text an editor starts from: the plain number, which the edit reads back exactly.
QVariant BlotterOrdersModel::editData(const BlotterOrderRow &row, int column) const
{
    const OwnOrder &order = row.order;
    switch (column) {
    case PriceColumn:
        return editableText(order.limit.value(), row.format.priceDecimals);
    case StopColumn:
        return editableText(order.stopPrice.value(), row.format.priceDecimals);
    case QuantityColumn:
        return editableText((order.filled + order.remaining).value(), row.format.quantityDecimals);
    case RemainingColumn:
        return editableText(order.remaining.value(), row.format.quantityDecimals);
    default:
        return displayData(row, column);
    }
}

QVariant BlotterOrdersModel::sortData(const BlotterOrderRow &row, int column) const
{
    const OwnOrder &order = row.order;
    const int priceDecimals = row.format.priceDecimals;
    const int quantityDecimals = row.format.quantityDecimals;
    switch (column) {
    case IdColumn:
        return QVariant::fromValue<qulonglong>(order.id.value());
    case TimeColumn: {
        const Timestamp time = m_list == List::Working ? order.entered : order.updated;
        return QVariant::fromValue<qlonglong>(time.value());
    }
    case AccountColumn:
        return order.account.value();
    case SideColumn:
    case TypeColumn:
    case TimeInForceColumn:
        return displayData(row, column);
    case PriceColumn:
        return decimalKey(order.limit.value(), priceDecimals);
    case StopColumn:
        return decimalKey(order.stopPrice.value(), priceDecimals);
    case QuantityColumn:
        return decimalKey(order.quantity.value(), quantityDecimals);
    case DisplayColumn:
        return decimalKey(order.displayQuantity.value(), quantityDecimals);
    case FilledColumn:
        return decimalKey(order.filled.value(), quantityDecimals);
    case RemainingColumn:
        return decimalKey(order.remaining.value(), quantityDecimals);
    case StateColumn:
        return static_cast<int>(displayStateOf(order));
    default:
        return displayData(row, column);
    }
}

// The cells of what was asked, which a rejected order rebuilt from a journal does not know.
bool BlotterOrdersModel::isRequestColumn(int column)
{
    switch (column) {
    case SideColumn:
    case TypeColumn:
    case TimeInForceColumn:
    case PriceColumn:
    case StopColumn:
    case QuantityColumn:
    case DisplayColumn:
        return true;
    default:
        return false;
    }
}

QVariant BlotterOrdersModel::foregroundData(const BlotterOrderRow &row, int column) const
{
    if (column == SideColumn)
        return sideColor(row.order.side);
    const bool rejected = row.order.state == OwnOrderState::Rejected;
    if (rejected && (column == StateColumn || column == ReasonColumn))
        return theme::errorColor();
    return {};
}

QVariant BlotterOrdersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::ToolTipRole && (section == QuantityColumn || section == RemainingColumn))
        return tr("Edit to replace the order: the quantity includes what has filled, the "
                  "remaining quantity does not.");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn:
        return tr("Order");
    case TimeColumn:
        return m_list == List::Working ? tr("Entered") : tr("Ended");
    case AccountColumn:
        return tr("Account");
    case InstrumentColumn:
        return tr("Instrument");
    case SideColumn:
        return tr("Side");
    case TypeColumn:
        return tr("Type");
    case TimeInForceColumn:
        return tr("TIF");
    case PriceColumn:
        return tr("Price");
    case StopColumn:
        return tr("Stop");
    case QuantityColumn:
        return tr("Qty");
    case DisplayColumn:
        return tr("Display");
    case FilledColumn:
        return tr("Filled");
    case RemainingColumn:
        return tr("Remaining");
    case StateColumn:
        return tr("State");
    case ReasonColumn:
        return tr("Reason");
    default:
        return {};
    }
}

std::optional<TypedValue<ReplaceOrder>> BlotterOrdersModel::replaceFor(int row, int column,
                                                                       const QString &text) const
{
    const BlotterOrderRow *found = rowAt(row);
    if (!found || m_list != List::Working || found->order.state != OwnOrderState::Working)
        return TypedValue<ReplaceOrder>{{}, tr("Only a working order can be replaced.")};

    const OwnOrder &order = found->order;
    const InstrumentFormat &format = found->format;
    // A replace always states the remaining quantity, and a zero price keeps the order's own.
    ReplaceOrder replace{order.id, Price{}, order.remaining, Price{}};
    switch (column) {
    case PriceColumn:
    case StopColumn: {
        const bool stop = column == StopColumn;
        const auto price = readPrice(text, stop ? tr("Stop price") : tr("Price"),
                                     format.priceDecimals, format.tickSize);
        if (!price.ok())
            return TypedValue<ReplaceOrder>{{}, price.problem};
        if (price.value == (stop ? order.stopPrice : order.limit))
            return std::nullopt;
        if (stop)
            replace.stopPrice = price.value;
        else
            replace.limit = price.value;
        break;
    }
    case QuantityColumn: {
        const auto quantity =
            readQuantity(text, tr("Quantity"), format.quantityDecimals, format.lotSize);
        if (!quantity.ok())
            return TypedValue<ReplaceOrder>{{}, quantity.problem};
        if (quantity.value <= order.filled) {
            return TypedValue<ReplaceOrder>{
                {},
                tr("Quantity %1 must be above the filled %2.")
                    .arg(formatQuantity(quantity.value, format.quantityDecimals),
                         formatQuantity(order.filled, format.quantityDecimals))};
        }
        replace.quantity = quantity.value - order.filled;
        break;
    }
    case RemainingColumn: {
        const auto quantity =
            readQuantity(text, tr("Remaining quantity"), format.quantityDecimals, format.lotSize);
        if (!quantity.ok())
            return TypedValue<ReplaceOrder>{{}, quantity.problem};
        replace.quantity = quantity.value;
        break;
    }
    default:
        return TypedValue<ReplaceOrder>{{},
                                        tr("Only the price, stop price and quantities of an "
                                           "order can be replaced.")};
    }

    const bool quantityEdit = column == QuantityColumn || column == RemainingColumn;
    if (quantityEdit && replace.quantity == order.remaining)
        return std::nullopt;
    return TypedValue<ReplaceOrder>{replace, {}};
}

bool BlotterOrdersModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const BlotterOrderRow *row = index.isValid() ? rowAt(index.row()) : nullptr;
    if (role != Qt::EditRole || !row || !isEditableCell(*row, index.column()))
        return false;

    const auto replace = replaceFor(index.row(), index.column(), value.toString());
    if (!replace)
        return false;
    if (!replace->ok()) {
        emit editRejected(replace->problem);
        return false;
    }
    emit replaceRequested(replace->value);
    return true;
}

bool BlotterOrdersModel::cellDiffers(const BlotterOrderRow &before, const BlotterOrderRow &after,
                                     int column) const
{
    const OwnOrder &a = before.order;
    const OwnOrder &b = after.order;
    const bool decimalsDiffer = !sameDecimals(before.format, after.format);
    if (isRequestColumn(column) && a.requestKnown != b.requestKnown)
        return true;
    switch (column) {
    case IdColumn:
        return a.id != b.id;
    case TimeColumn:
        return a.entered != b.entered || a.updated != b.updated;
    case AccountColumn:
        return a.account != b.account;
    case InstrumentColumn:
        return before.format.symbol != after.format.symbol;
    case SideColumn:
        return a.side != b.side;
    case TypeColumn:
        return a.type != b.type;
    case TimeInForceColumn:
        return a.timeInForce != b.timeInForce;
    case PriceColumn:
        return a.limit != b.limit || decimalsDiffer;
    case StopColumn:
        return a.stopPrice != b.stopPrice || a.parked != b.parked || decimalsDiffer;
    case QuantityColumn:
        return a.quantity != b.quantity || a.filled != b.filled || decimalsDiffer;
    case DisplayColumn:
        return a.displayQuantity != b.displayQuantity || decimalsDiffer;
    case FilledColumn:
        return a.filled != b.filled || decimalsDiffer;
    case RemainingColumn:
        return a.remaining != b.remaining || decimalsDiffer;
    case StateColumn:
        return displayStateOf(a) != displayStateOf(b) || a.reason != b.reason ||
               a.simulated != b.simulated || a.branch != b.branch;
    case ReasonColumn:
        return a.reason != b.reason || a.state != b.state;
    default:
        return false;
    }
}

// ---------------------------------------------------------------------------------------------
// Fills

BlotterFillsModel::BlotterFillsModel(QObject *parent)
    : KeyedRowsModel(parent)
{
}

void BlotterFillsModel::showView(const MarketView &view)
{
    std::vector<BlotterFillRow> next;
    next.reserve(view.trader.fills.size());
    for (const OwnFill &fill : view.trader.fills) {
        BlotterFillRow row;
        row.fill = fill;
        row.format = instrumentFormat(view, fill.instrument);
        std::tie(row.moneyDecimals, row.currency) =
            moneyTermsOf(view, fill.account, fill.instrument);
        next.push_back(std::move(row));
    }
    replaceRows(std::move(next));
}

void BlotterFillsModel::clear()
{
    removeAllRows();
}

const OwnFill *BlotterFillsModel::fillAt(int row) const
{
    const BlotterFillRow *found = rowAt(row);
    return found ? &found->fill : nullptr;
}

int BlotterFillsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags BlotterFillsModel::flags(const QModelIndex &index) const
{
    return index.isValid() && rowAt(index.row()) ? Qt::ItemIsEnabled | Qt::ItemIsSelectable
                                                 : Qt::NoItemFlags;
}

QVariant BlotterFillsModel::data(const QModelIndex &index, int role) const
{
    const BlotterFillRow *row = index.isValid() ? rowAt(index.row()) : nullptr;
    if (!row || index.column() >= ColumnCount)
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(*row, column);
    case Qt::TextAlignmentRole:
        return alignment(column != AccountColumn && column != InstrumentColumn &&
                         column != SideColumn && column != LiquidityColumn);
    case Qt::ForegroundRole:
        if (column == SideColumn)
            return sideColor(row->fill.side);
        return {};
    case BlotterSortRole:
        return sortData(*row, column);
    case BlotterInstrumentRole:
        return row->fill.instrument.value();
    case BlotterAccountRole:
        return row->fill.account.value();
    case BlotterOrderIdRole:
        return QVariant::fromValue<qulonglong>(row->fill.order.value());
    default:
        return {};
    }
}

QVariant BlotterFillsModel::displayData(const BlotterFillRow &row, int column) const
{
    const OwnFill &fill = row.fill;
    switch (column) {
    case TimeColumn:
        return formatTimeOfDay(fill.time, TimePrecision::Milliseconds);
    case TradeColumn:
        return QString::number(fill.tradeSequence);
    case OrderColumn:
        return QString::number(fill.order.value());
    case AccountColumn:
        return QString::number(fill.account.value());
    case InstrumentColumn:
        return row.format.symbol;
    case SideColumn:
        return sideText(fill.side);
    case PriceColumn:
        return formatPrice(fill.price, row.format.priceDecimals);
    case QuantityColumn:
        return formatQuantity(fill.quantity, row.format.quantityDecimals);
    case LiquidityColumn: {
        const QString role = fill.maker ? tr("Maker") : tr("Taker");
        if (fill.branch)
            return tr("%1 (branch)").arg(role);
        return fill.simulated ? tr("%1 (simulated)").arg(role) : role;
    }
    case FeeColumn: {
        const QString fee = formatMoney(fill.fee, row.moneyDecimals);
        return row.currency.isEmpty() ? fee : fee + QLatin1Char(' ') + row.currency;
    }
    default:
        return {};
    }
}

QVariant BlotterFillsModel::sortData(const BlotterFillRow &row, int column) const
{
    const OwnFill &fill = row.fill;
    switch (column) {
    case TimeColumn:
        return QVariant::fromValue<qlonglong>(fill.time.value());
    case TradeColumn:
        return QVariant::fromValue<qulonglong>(fill.tradeSequence);
    case OrderColumn:
        return QVariant::fromValue<qulonglong>(fill.order.value());
    case AccountColumn:
        return fill.account.value();
    case PriceColumn:
        return decimalKey(fill.price.value(), row.format.priceDecimals);
    case QuantityColumn:
        return decimalKey(fill.quantity.value(), row.format.quantityDecimals);
    case FeeColumn:
        return decimalKey(fill.fee.value(), row.moneyDecimals);
    default:
        return displayData(row, column);
    }
}

QVariant BlotterFillsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
        section >= ColumnCount)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case TradeColumn:
        return tr("Trade");
    case OrderColumn:
        return tr("Order");
    case AccountColumn:
        return tr("Account");
    case InstrumentColumn:
        return tr("Instrument");
    case SideColumn:
        return tr("Side");
    case PriceColumn:
        return tr("Price");
    case QuantityColumn:
        return tr("Qty");
    case LiquidityColumn:
        return tr("Liquidity");
    case FeeColumn:
        return tr("Fee");
    default:
        return {};
    }
}

bool BlotterFillsModel::cellDiffers(const BlotterFillRow &before, const BlotterFillRow &after,
                                    int column) const
{
    const OwnFill &a = before.fill;
    const OwnFill &b = after.fill;
    const bool decimalsDiffer = !sameDecimals(before.format, after.format);
    switch (column) {
    case TimeColumn:
        return a.time != b.time;
    case TradeColumn:
        return a.tradeSequence != b.tradeSequence;
    case OrderColumn:
        return a.order != b.order;
    case AccountColumn:
        return a.account != b.account;
    case InstrumentColumn:
        return before.format.symbol != after.format.symbol;
    case SideColumn:
        return a.side != b.side;
    case PriceColumn:
        return a.price != b.price || decimalsDiffer;
    case QuantityColumn:
        return a.quantity != b.quantity || decimalsDiffer;
    case LiquidityColumn:
        return a.maker != b.maker || a.simulated != b.simulated || a.branch != b.branch;
    case FeeColumn:
        return a.fee != b.fee || before.moneyDecimals != after.moneyDecimals ||
               before.currency != after.currency;
    default:
        return false;
    }
}

} // namespace bourse::ui
