#include "ladder_model.h"

#include "formatting.h"
#include "theme.h"

#include <QFont>

#include <algorithm>
#include <utility>

namespace bourse::ui {

namespace {

constexpr int kWarningAlpha = 110; // strong enough to see, light enough to read the size
// Rows at the top and bottom of the screen where the best bid or ask counts as leaving it: the
// ladder re-centres before the inside market touches the edge.
constexpr int kEdgeRows = 2;

std::int64_t floorToTick(std::int64_t price, std::int64_t tick)
{
    const std::int64_t remainder = ((price % tick) + tick) % tick;
    return price - remainder;
}

bool onScale(Price price)
{
    return price.value() > 0 && price <= kMaximumPrice;
}

std::vector<LadderModel::WorkingOrder> restingOrdersOf(const MarketView &view)
{
    std::vector<LadderModel::WorkingOrder> orders;
    for (const OwnOrder &order : view.trader.workingOrders) {
        // A parked stop is not in the book yet, so it has no row to rest on.
        const bool resting = order.state == OwnOrderState::Working && !order.parked &&
                             order.limit.value() > 0 && order.remaining.value() > 0;
        if (resting && order.instrument == view.instrument)
            orders.push_back({order.id, order.side, order.limit, order.remaining});
    }
    return orders;
}

std::optional<Price> lastTradeOf(const MarketView &view)
{
    if (!view.recentTrades.empty())
        return view.recentTrades.back().price;

    for (const InstrumentQuote &quote : view.instruments) {
        if (quote.instrument == view.instrument && quote.last.value() > 0)
            return quote.last;
    }
    return std::nullopt;
}

// A screen proportion, not an amount, so floating point is fine here.
QVariant fractionOf(Quantity quantity, Quantity largest)
{
    if (quantity.value() <= 0 || largest.value() <= 0)
        return {};
    return static_cast<double>(quantity.value()) / static_cast<double>(largest.value());
}

QVariant quantityText(Quantity quantity, int decimals)
{
    if (quantity.value() <= 0)
        return {};
    return formatQuantity(quantity, decimals);
}

} // namespace

LadderModel::LadderModel(int rowsEachSide, QObject *parent)
    : QAbstractTableModel(parent)
    , m_rowsEachSide(std::max(rowsEachSide, 1))
    , m_firstVisible(0)
    , m_lastVisible(2 * m_rowsEachSide)
{
    m_rows = buildRows();
    m_scale = scaleOf(m_rows);
}

void LadderModel::applyView(const MarketView &view)
{
    Terms terms;
    terms.instrument = view.instrument;
    terms.priceDecimals = view.priceDecimals;
    terms.quantityDecimals = view.quantityDecimals;
    terms.tickSize = view.tickSize.value() > 0 ? view.tickSize : Price{1};
    const bool newTerms = terms != m_terms;
    m_terms = terms;

    m_market.bids = view.bids;
    m_market.asks = view.asks;
    m_market.workingOrders = restingOrdersOf(view);
    m_market.volume = view.recentVolume;
    m_market.lastTrade = lastTradeOf(view);

    // The window moves to the market on a new instrument or tick grid, on the first price, and
    // when the best bid or ask nears the edge of the visible rows. It stays where the trader
    // scrolled it while the market is off screen for that reason. A gap follows the best
    // prices.
    const std::optional<Price> market = marketPrice();
    bool moved = false;
    if (newTerms || !m_centre)
        moved = moveWindow(market);
    else if (!m_held && market && m_marketWasVisible && (m_gap || !insideMarketShown()))
        moved = moveWindow(market);

    if (!m_held)
        m_marketWasVisible = marketVisible();
    refresh();
    if (moved) {
        emit windowMoved();
        emit recentred();
    }
}

void LadderModel::clear()
{
    m_terms = Terms{};
    m_market = Market{};
    m_warnings.clear();
    m_marketWasVisible = false;
    m_gap.reset();
    const bool moved = moveCentre(std::nullopt);
    refresh();
    if (moved)
        emit windowMoved();
}

void LadderModel::recentre()
{
    const std::optional<Price> market = marketPrice();
    if (!market)
        return;

    const bool moved = moveWindow(market);
    m_marketWasVisible = marketVisible();
    refresh();
    if (moved)
        emit windowMoved();
    emit recentred();
}

void LadderModel::scrollRows(int rows)
{
    if (!m_centre || rows == 0)
        return;

    // Bounded so that rows * tick cannot overflow: at most the whole price scale.
    const std::int64_t tick = m_terms.tickSize.value();
    const std::int64_t maximumSteps = kMaximumPrice.value() / tick;
    const std::int64_t steps = std::clamp<std::int64_t>(rows, -maximumSteps, maximumSteps);
    // Scrolling opens a gap again, so that every row shows its own price.
    const bool leftGap = m_gap.has_value();
    m_gap.reset();
    if (!moveCentre(Price{m_centre->value() + steps * tick}) && !leftGap)
        return;

    m_marketWasVisible = marketVisible();
    refresh();
    emit windowMoved();
}

void LadderModel::setVisibleRows(int first, int last)
{
    const int lastRow = rowCount() - 1;
    m_firstVisible = std::clamp(first, 0, lastRow);
    m_lastVisible = std::clamp(last, m_firstVisible, lastRow);
}

void LadderModel::holdWindow(bool held)
{
    m_held = held;
}

void LadderModel::setWarnings(std::vector<Warning> warnings)
{
    m_warnings = std::move(warnings);
    refresh();
}

bool LadderModel::moveCentre(std::optional<Price> centre)
{
    std::optional<Price> aligned;
    if (centre) {
        // The centre row always shows a tradable price: at least one tick, at most the top of
        // the price scale.
        const std::int64_t tick = m_terms.tickSize.value();
        const std::int64_t highest = floorToTick(kMaximumPrice.value(), tick);
        aligned = Price{std::clamp(floorToTick(centre->value(), tick), tick, highest)};
    }
    if (aligned == m_centre)
        return false;

    m_centre = aligned;
    return true;
}

// Moves the window to `centre`, closing the spread with a gap when it is wider than the screen.
// Returns whether any row now shows another price.
bool LadderModel::moveWindow(std::optional<Price> centre)
{
    const std::optional<Gap> gap = centre ? gapFor() : std::nullopt;
    const bool gapChanged = gap != m_gap;
    m_gap = gap;
    const bool centreChanged = moveCentre(centre);
    return gapChanged || centreChanged;
}

// A gap when a window centred on the market cannot show both best prices clear of the edge
// rows: the spread's rows and the margins on both sides need more rows than the screen has.
std::optional<LadderModel::Gap> LadderModel::gapFor() const
{
    if (m_market.bids.empty() || m_market.asks.empty())
        return std::nullopt;
    const Price bid = m_market.bids.front().price;
    const Price ask = m_market.asks.front().price;
    const std::int64_t tick = m_terms.tickSize.value();
    if (bid.value() % tick != 0 || ask.value() % tick != 0 || ask <= bid)
        return std::nullopt;

    const std::int64_t visible = m_lastVisible - m_firstVisible + 1;
    const std::int64_t margin = std::min(kEdgeRows, (m_lastVisible - m_firstVisible) / 4);
    const std::int64_t spreadRows = (ask.value() - bid.value()) / tick + 1;
    if (spreadRows + 2 * margin <= visible)
        return std::nullopt;

    // From the best ask down: each working order's price inside the spread gets a row, and the
    // empty prices on either side of it a gap row, for example `⋮ 12 ⋮`, the order, `⋮ 22 ⋮`.
    Gap gap{bid, ask, 0, {}};
    Price above = ask;
    const auto addGap = [&](Price below) {
        const std::int64_t hidden = (above.value() - below.value()) / tick - 1;
        if (hidden > 0)
            gap.segments.push_back({Price{0}, hidden});
    };
    for (const Price price : orderPricesInside(bid, ask)) {
        addGap(price);
        gap.segments.push_back({price, 0});
        above = price;
    }
    addGap(bid);

    // The segments sit around the centre row, between the best ask above and the best bid below.
    const auto size = static_cast<int>(gap.segments.size());
    gap.firstRow = m_rowsEachSide - (size - 1) / 2;
    return gap;
}

// Returns the distinct on-tick prices of the trader's working orders strictly between `bid` and
// `ask`, highest first. When they do not all fit on screen, with the best prices and a gap row
// beside each of them, it keeps those nearest the mid.
std::vector<Price> LadderModel::orderPricesInside(Price bid, Price ask) const
{
    const std::int64_t tick = m_terms.tickSize.value();
    std::vector<Price> prices;
    for (const WorkingOrder &order : m_market.workingOrders) {
        if (order.limit > bid && order.limit < ask && order.limit.value() % tick == 0)
            prices.push_back(order.limit);
    }
    std::sort(prices.begin(), prices.end());
    prices.erase(std::unique(prices.begin(), prices.end()), prices.end());

    // k prices take at most 2 k + 1 rows, and the best ask and bid two more, which must fit on
    // screen. The screen shows at most the window's 2 * rowsEachSide + 1 rows, so both best
    // prices always keep a row in the window.
    const int visible = m_lastVisible - m_firstVisible + 1;
    const auto fitting = static_cast<std::size_t>(std::max((visible - 3) / 2, 0));
    if (prices.size() > fitting) {
        // NOTE: the orders left out stay hidden in a gap until the trader scrolls to them.
        const std::int64_t mid = bid.value() + (ask.value() - bid.value()) / 2;
        const auto distance = [mid](Price price) {
            return price.value() > mid ? price.value() - mid : mid - price.value();
        };
        std::stable_sort(prices.begin(), prices.end(),
                         [&](Price left, Price right) { return distance(left) < distance(right); });
        prices.resize(fitting);
        std::sort(prices.begin(), prices.end());
    }
    std::reverse(prices.begin(), prices.end());
    return prices;
}

// The segment a row of a closed spread shows, or null when the row is above or below them.
const LadderModel::GapSegment *LadderModel::gapSegmentAt(int row) const
{
    if (!m_gap || row < m_gap->firstRow)
        return nullptr;
    const auto index = static_cast<std::size_t>(row - m_gap->firstRow);
    return index < m_gap->segments.size() ? &m_gap->segments[index] : nullptr;
}

bool LadderModel::marketVisible() const
{
    const std::optional<Price> market = marketPrice();
    if (!market)
        return false;

    // The market price of a closed spread is hidden between the best prices, so it counts as
    // visible while any row between them is.
    if (m_gap) {
        const auto lastRow = m_gap->firstRow + static_cast<int>(m_gap->segments.size()) - 1;
        return m_gap->firstRow <= m_lastVisible && lastRow >= m_firstVisible;
    }
    const int row = rowOf(*market);
    return row >= m_firstVisible && row <= m_lastVisible;
}

bool LadderModel::insideMarketShown() const
{
    const std::optional<Price> market = marketPrice();
    if (!market)
        return false;

    // Both best prices must be on screen and clear of the edge rows, so that the trader always
    // has the price to hit in view on either side. A spread wider than the screen keeps the window
    // on the market price, as moveCentre() then moves nothing.
    const int margin = std::min(kEdgeRows, (m_lastVisible - m_firstVisible) / 4);
    const auto shown = [&](Price price) {
        const int row = rowOf(price);
        return row >= m_firstVisible + margin && row <= m_lastVisible - margin;
    };
    if (!shown(*market))
        return false;
    if (!m_market.bids.empty() && !shown(m_market.bids.front().price))
        return false;
    return m_market.asks.empty() || shown(m_market.asks.front().price);
}

std::optional<Price> LadderModel::priceAt(int row) const
{
    if (!m_centre || row < 0 || row >= rowCount())
        return std::nullopt;

    // With a gap, the rows above the segments count up from the best ask and those below them
    // down from the best bid.
    const std::int64_t tick = m_terms.tickSize.value();
    Price price{m_centre->value() + static_cast<std::int64_t>(m_rowsEachSide - row) * tick};
    if (m_gap) {
        const auto firstRow = static_cast<std::int64_t>(m_gap->firstRow);
        const auto endRow = firstRow + static_cast<std::int64_t>(m_gap->segments.size());
        if (const GapSegment *segment = gapSegmentAt(row))
            price = segment->price;
        else if (row < firstRow)
            price = Price{m_gap->ask.value() + (firstRow - 1 - row) * tick};
        else
            price = Price{m_gap->bid.value() - (row - endRow) * tick};
    }
    if (!onScale(price))
        return std::nullopt;
    return price;
}

int LadderModel::rowOf(Price price) const
{
    if (!m_centre || !onScale(price))
        return -1;

    // With a gap, the rows above the segments count up from the best ask and those below them
    // down from the best bid. Of the prices between the best prices only the working orders'
    // have a row.
    std::int64_t distance = m_centre->value() - price.value();
    std::int64_t base = m_rowsEachSide;
    if (m_gap && price >= m_gap->ask) {
        distance = m_gap->ask.value() - price.value();
        base = m_gap->firstRow - 1;
    } else if (m_gap && price <= m_gap->bid) {
        distance = m_gap->bid.value() - price.value();
        base = m_gap->firstRow + static_cast<std::int64_t>(m_gap->segments.size());
    } else if (m_gap) {
        const auto &segments = m_gap->segments;
        for (std::size_t index = 0; index < segments.size(); ++index) {
            if (segments[index].price == price)
                return m_gap->firstRow + static_cast<int>(index);
        }
        return -1;
    }
    const std::int64_t tick = m_terms.tickSize.value();
    if (distance % tick != 0)
        return -1;

    const std::int64_t row = base + distance / tick;
    if (row < 0 || row >= rowCount())
        return -1;
    return static_cast<int>(row);
}

std::optional<Price> LadderModel::marketPrice() const
{
    const std::int64_t tick = m_terms.tickSize.value();
    const auto &bids = m_market.bids;
    const auto &asks = m_market.asks;
    if (!bids.empty() && !asks.empty()) {
        const std::int64_t sum = bids.front().price.value() + asks.front().price.value();
        return Price{floorToTick(sum / 2, tick)};
    }
    if (!bids.empty())
        return Price{floorToTick(bids.front().price.value(), tick)};
    if (!asks.empty())
        return Price{floorToTick(asks.front().price.value(), tick)};
    if (m_market.lastTrade)
        return Price{floorToTick(m_market.lastTrade->value(), tick)};
    return std::nullopt;
}

int LadderModel::bestBidRow() const
{
    return m_market.bids.empty() ? -1 : rowOf(m_market.bids.front().price);
}

int LadderModel::bestAskRow() const
{
    return m_market.asks.empty() ? -1 : rowOf(m_market.asks.front().price);
}

std::int64_t LadderModel::hiddenTicksAt(int row) const
{
    const GapSegment *segment = gapSegmentAt(row);
    return segment ? segment->hiddenTicks : 0;
}

std::vector<LadderModel::WorkingOrder> LadderModel::workingOrdersAt(Side side, Price price) const
{
    std::vector<WorkingOrder> orders;
    for (const WorkingOrder &order : m_market.workingOrders) {
        if (order.side == side && order.limit == price)
            orders.push_back(order);
    }
    return orders;
}

std::vector<LadderModel::Row> LadderModel::buildRows() const
{
    std::vector<Row> rows(static_cast<std::size_t>(rowCount()));
    for (int row = 0; row < rowCount(); ++row) {
        rows[static_cast<std::size_t>(row)].price = priceAt(row).value_or(Price{0});
        rows[static_cast<std::size_t>(row)].hiddenTicks = hiddenTicksAt(row);
    }

    placeBook(rows);
    placeWorkingOrders(rows);
    placeVolumeAndWarnings(rows);
    return rows;
}

void LadderModel::placeBook(std::vector<Row> &rows) const
{
    const auto rowAt = [&](Price price) -> Row * {
        const int row = rowOf(price);
        return row < 0 ? nullptr : &rows[static_cast<std::size_t>(row)];
    };
    for (const LevelSummary &level : m_market.bids) {
        if (Row *row = rowAt(level.price))
            row->bidSize += level.quantity;
    }
    for (const LevelSummary &level : m_market.asks) {
        if (Row *row = rowAt(level.price))
            row->askSize += level.quantity;
    }

    // Zero for an empty side, which no row matches: a row's price is at least one tick.
    const Price bestBid = m_market.bids.empty() ? Price{0} : m_market.bids.front().price;
    const Price bestAsk = m_market.asks.empty() ? Price{0} : m_market.asks.front().price;
    for (Row &row : rows) {
        if (row.price.value() <= 0)
            continue;
        if (bestBid.value() > 0 && row.price <= bestBid)
            row.flags |= BidToneFlag;
        if (bestAsk.value() > 0 && row.price >= bestAsk)
            row.flags |= AskToneFlag;
        if (row.price == bestBid)
            row.flags |= BestBidFlag;
        if (row.price == bestAsk)
            row.flags |= BestAskFlag;
        if (row.price == m_market.lastTrade)
            row.flags |= LastTradeFlag;
    }
}

void LadderModel::placeWorkingOrders(std::vector<Row> &rows) const
{
    for (const WorkingOrder &order : m_market.workingOrders) {
        const int index = rowOf(order.limit);
        if (index < 0)
            continue;

        Row &row = rows[static_cast<std::size_t>(index)];
        (order.side == Side::Buy ? row.workingBuys : row.workingSells) += order.remaining;
    }
}

void LadderModel::placeVolumeAndWarnings(std::vector<Row> &rows) const
{
    for (const PriceVolume &traded : m_market.volume) {
        const int index = rowOf(traded.price);
        if (index >= 0)
            rows[static_cast<std::size_t>(index)].volume += traded.quantity;
    }
    for (const Warning &warning : m_warnings) {
        const int index = rowOf(warning.price);
        if (index < 0)
            continue;

        Row &row = rows[static_cast<std::size_t>(index)];
        (warning.side == Side::Buy ? row.bidWarning : row.askWarning) = warning.text;
    }
}

LadderModel::Scale LadderModel::scaleOf(const std::vector<Row> &rows) const
{
    Scale scale;
    scale.priceDecimals = m_terms.priceDecimals;
    scale.quantityDecimals = m_terms.quantityDecimals;
    for (const Row &row : rows) {
        scale.largestSize = std::max({scale.largestSize, row.bidSize, row.askSize});
        scale.largestVolume = std::max(scale.largestVolume, row.volume);
    }
    return scale;
}

void LadderModel::refresh()
{
    std::vector<Row> before = std::exchange(m_rows, buildRows());
    const Scale scale = scaleOf(m_rows);
    // The number formats and the depth bars of every row depend on the scale.
    const bool everyRow = scale != m_scale;
    m_scale = scale;
    emitChangedRows(before, everyRow);
}

void LadderModel::emitChangedRows(const std::vector<Row> &before, bool everyRow)
{
    // One dataChanged per run of adjacent changed rows.
    int runStart = -1;
    const int rows = rowCount();
    for (int row = 0; row <= rows; ++row) {
        const auto at = static_cast<std::size_t>(row);
        const bool changed = row < rows && (everyRow || before[at] != m_rows[at]);
        if (changed && runStart < 0)
            runStart = row;

        if (!changed && runStart >= 0) {
            emit dataChanged(index(runStart, 0), index(row - 1, ColumnCount - 1));
            runStart = -1;
        }
    }
}

int LadderModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 2 * m_rowsEachSide + 1;
}

int LadderModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LadderModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    const bool best = (row.flags & (BestBidFlag | BestAskFlag)) != 0;
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, column);
    case Qt::TextAlignmentRole:
        return alignment(column);
    case Qt::ForegroundRole:
        return foregroundData(row, column);
    case Qt::BackgroundRole:
        return backgroundData(row, column);
    case Qt::FontRole:
        if (best || column == WorkingBuysColumn || column == WorkingSellsColumn) {
            // Only the weight is set, so the view's own font family still applies.
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == PriceColumn && row.hiddenTicks > 0)
            return tr("The spread is wider than the ladder: the %1 empty prices between the best "
                      "bid and the best ask are not shown")
                .arg(row.hiddenTicks);
        if (column == BidSizeColumn && !row.bidWarning.isEmpty())
            return row.bidWarning;
        if (column == AskSizeColumn && !row.askWarning.isEmpty())
            return row.askWarning;
        return {};
    case PriceRole:
        return row.price.value() > 0 ? QVariant(qint64{row.price.value()}) : QVariant();
    case BestLevelRole:
        return best;
    case DepthFractionRole:
        return depthFraction(row, column);
    case LastTradeRole:
        return column == PriceColumn && (row.flags & LastTradeFlag) != 0;
    case WarningRole:
        return (column == BidSizeColumn && !row.bidWarning.isEmpty()) ||
               (column == AskSizeColumn && !row.askWarning.isEmpty());
    default:
        return {};
    }
}

QVariant LadderModel::displayData(const Row &row, int column) const
{
    const int decimals = m_scale.quantityDecimals;
    switch (column) {
    case WorkingBuysColumn:
        return quantityText(row.workingBuys, decimals);
    case BidSizeColumn:
        return quantityText(row.bidSize, decimals);
    case PriceColumn:
        if (row.hiddenTicks > 0)
            return tr("\u22EE %1 \u22EE").arg(row.hiddenTicks);
        if (row.price.value() <= 0)
            return {};
        return formatPrice(row.price, m_scale.priceDecimals);
    case AskSizeColumn:
        return quantityText(row.askSize, decimals);
    case WorkingSellsColumn:
        return quantityText(row.workingSells, decimals);
    case VolumeColumn:
        return quantityText(row.volume, decimals);
    default:
        return {};
    }
}

QVariant LadderModel::alignment(int column) const
{
    // Each side's numbers lean towards the price column, where the eye starts.
    switch (column) {
    case PriceColumn:
        return Qt::AlignCenter;
    case AskSizeColumn:
    case WorkingSellsColumn:
        return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
    default:
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    }
}

QVariant LadderModel::foregroundData(const Row &row, int column) const
{
    switch (column) {
    case PriceColumn:
        if (row.flags & AskToneFlag)
            return theme::sellColor();
        if (row.flags & BidToneFlag)
            return theme::buyColor();
        return theme::textColor();
    case WorkingBuysColumn:
        return theme::buyColor();
    case WorkingSellsColumn:
        return theme::sellColor();
    case VolumeColumn:
        return theme::mutedTextColor();
    default:
        return theme::textColor();
    }
}

QVariant LadderModel::backgroundData(const Row &row, int column) const
{
    const bool warned = (column == BidSizeColumn && !row.bidWarning.isEmpty()) ||
                        (column == AskSizeColumn && !row.askWarning.isEmpty());
    if (warned) {
        QColor tint = theme::errorColor();
        tint.setAlpha(kWarningAlpha);
        return tint;
    }
    if (row.flags & BestBidFlag)
        return theme::bestBidBackground();
    if (row.flags & BestAskFlag)
        return theme::bestAskBackground();
    return {};
}

QVariant LadderModel::depthFraction(const Row &row, int column) const
{
    switch (column) {
    case BidSizeColumn:
        return fractionOf(row.bidSize, m_scale.largestSize);
    case AskSizeColumn:
        return fractionOf(row.askSize, m_scale.largestSize);
    case VolumeColumn:
        return fractionOf(row.volume, m_scale.largestVolume);
    default:
        return {};
    }
}

QVariant LadderModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return alignment(section);

    if (role == Qt::ToolTipRole) {
        switch (section) {
        case WorkingBuysColumn:
            return tr("Your working buy orders at the price, remaining quantity");
        case WorkingSellsColumn:
            return tr("Your working sell orders at the price, remaining quantity");
        case VolumeColumn:
            return tr("Quantity traded at the price over the last 60 seconds");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case WorkingBuysColumn:
        return tr("Buys");
    case BidSizeColumn:
        return tr("Bid");
    case PriceColumn:
        return tr("Price");
    case AskSizeColumn:
        return tr("Ask");
    case WorkingSellsColumn:
        return tr("Sells");
    case VolumeColumn:
        return tr("Volume");
    default:
        return {};
    }
}

Qt::ItemFlags LadderModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    if (m_rows[static_cast<std::size_t>(index.row())].price.value() <= 0)
        return Qt::ItemIsEnabled;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

} // namespace bourse::ui
