#include "positions_model.h"

#include "formatting.h"
#include "portfolio.h"
#include "theme.h"

#include <QFont>

#include <algorithm>
#include <map>

namespace bourse::ui {

namespace {

// Sums money amounts. The sum is empty once an amount is missing or the sum leaves the range.
std::optional<Money> plus(std::optional<Money> a, std::optional<Money> b)
{
    if (!a || !b)
        return std::nullopt;
    const Checked<Money> sum = addMoney(*a, *b);
    return sum.ok() ? std::optional<Money>(sum.value) : std::nullopt;
}

std::optional<Money> minus(std::optional<Money> a, std::optional<Money> b)
{
    if (!a || !b)
        return std::nullopt;
    const Checked<Money> difference = subtractMoney(*a, *b);
    return difference.ok() ? std::optional<Money>(difference.value) : std::nullopt;
}

PositionsRow positionRow(const MarketView &view, const OwnPosition &position)
{
    PositionsRow row;
    row.account = position.account;
    row.position = position;
    row.format = instrumentFormat(view, position.instrument);
    row.moneyDecimals = position.moneyDecimals;
    row.currency = QString::fromStdString(position.currency);
    row.realized = position.realized;
    row.unrealized = position.unrealized;
    row.fees = position.fees;
    row.net = minus(plus(row.realized, row.unrealized), row.fees);
    return row;
}

// Builds the totals row of one account's position rows. The amounts of one account share its
// currency. Should two positions disagree, the sums would mix units, so the row shows none.
PositionsRow totalsRow(AccountId account, const std::vector<PositionsRow> &positions)
{
    PositionsRow total;
    total.account = account;
    total.total = true;
    total.format.symbol = PositionsModel::tr("Total");
    total.realized = Money{};
    total.unrealized = Money{};
    total.fees = Money{};
    if (!positions.empty()) {
        total.moneyDecimals = positions.front().moneyDecimals;
        total.currency = positions.front().currency;
    }
    for (const PositionsRow &row : positions) {
        if (row.moneyDecimals != total.moneyDecimals || row.currency != total.currency) {
            total.realized = total.unrealized = total.fees = std::nullopt;
            total.note = PositionsModel::tr("The positions are in more than one currency.");
            break;
        }
        total.realized = plus(total.realized, row.realized);
        total.unrealized = plus(total.unrealized, row.unrealized);
        total.fees = plus(total.fees, row.fees);
    }
    total.net = minus(plus(total.realized, total.unrealized), total.fees);
    if (total.note.isEmpty() && !total.net)
        total.note = PositionsModel::tr("A sum is beyond the range of an amount.");
    return total;
}

QVariant profitColor(const std::optional<Money> &amount)
{
    if (!amount || *amount == Money{0})
        return {};
    return *amount > Money{0} ? theme::buyColor() : theme::sellColor();
}

QString moneyText(const std::optional<Money> &amount, int decimals)
{
    return amount ? formatMoney(*amount, decimals) : QString();
}

} // namespace

QString formatAveragePrice(const AveragePrice &average, Quantity quantity, int priceDecimals,
                           int extraDecimals)
{
    if (quantity == Quantity{0})
        return {};
    if (priceDecimals < 0 || priceDecimals + extraDecimals > kMaximumDecimals)
        return QStringLiteral("?");
    const Checked<std::int64_t> units = roundAveragePrice(average, extraDecimals);
    if (!units.ok())
        return QStringLiteral("?");
    return formatPrice(Price{units.value}, priceDecimals + extraDecimals);
}

PositionsModel::PositionsModel(QObject *parent)
    : KeyedRowsModel(parent)
{
}

void PositionsModel::showView(const MarketView &view)
{
    m_lastRows = rowsOf(view);
    replaceRows(shownRows());
}

void PositionsModel::clear()
{
    m_lastRows.clear();
    removeAllRows();
}

void PositionsModel::setShowFlat(bool show)
{
    if (show == m_showFlat)
        return;
    m_showFlat = show;
    replaceRows(shownRows());
}

std::vector<PositionsRow> PositionsModel::rowsOf(const MarketView &view)
{
    // Accounts in the order the trader view lists them, then any other, by id.
    std::map<std::uint32_t, std::vector<PositionsRow>> byAccount;
    for (const OwnPosition &position : view.trader.positions)
        byAccount[position.account.value()].push_back(positionRow(view, position));
    std::vector<AccountId> accounts;
    for (AccountId account : view.trader.accounts) {
        if (byAccount.contains(account.value()))
            accounts.push_back(account);
    }
    for (const auto &[account, rows] : byAccount) {
        if (std::find(accounts.begin(), accounts.end(), AccountId{account}) == accounts.end())
            accounts.push_back(AccountId{account});
    }

    std::vector<PositionsRow> rows;
    for (AccountId account : accounts) {
        std::vector<PositionsRow> &positions = byAccount[account.value()];
        std::sort(positions.begin(), positions.end(),
                  [](const PositionsRow &a, const PositionsRow &b) { return a.key() < b.key(); });
        PositionsRow total = totalsRow(account, positions);
        std::move(positions.begin(), positions.end(), std::back_inserter(rows));
        rows.push_back(std::move(total));
    }
    return rows;
}

std::vector<PositionsRow> PositionsModel::shownRows() const
{
    std::vector<PositionsRow> rows;
    rows.reserve(m_lastRows.size());
    for (const PositionsRow &row : m_lastRows) {
        const bool flat = row.position && row.position->quantity == Quantity{0};
        if (m_showFlat || !flat)
            rows.push_back(row);
    }
    return rows;
}

int PositionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags PositionsModel::flags(const QModelIndex &index) const
{
    return index.isValid() && rowAt(index.row()) ? Qt::ItemIsEnabled | Qt::ItemIsSelectable
                                                 : Qt::NoItemFlags;
}

QVariant PositionsModel::data(const QModelIndex &index, int role) const
{
    const PositionsRow *row = index.isValid() ? rowAt(index.row()) : nullptr;
    if (!row || index.column() >= ColumnCount)
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(*row, column);
    case Qt::TextAlignmentRole: {
        const bool text = column == InstrumentColumn || column == CurrencyColumn;
        return QVariant::fromValue(Qt::AlignVCenter | (text ? Qt::AlignLeft : Qt::AlignRight));
    }
    case Qt::ForegroundRole:
        return foregroundData(*row, column);
    case Qt::FontRole: {
        if (!row->total)
            return {};
        QFont font = theme::monospaceFont();
        font.setBold(true);
        return font;
    }
    case Qt::ToolTipRole:
        return row->note.isEmpty() ? QVariant() : QVariant(row->note);
    case InstrumentRole:
        return row->position ? QVariant(row->position->instrument.value()) : QVariant();
    case TotalRowRole:
        return row->total;
    default:
        return {};
    }
}

QVariant PositionsModel::displayData(const PositionsRow &row, int column) const
{
    const OwnPosition *position = row.position ? &*row.position : nullptr;
    switch (column) {
    case AccountColumn:
        return QString::number(row.account.value());
    case InstrumentColumn:
        // A position built by simulated fills against a replay says so wherever it shows.
        if (position && position->branch)
            return tr("%1 (branch)").arg(row.format.symbol);
        return position && position->simulated ? tr("%1 (simulated)").arg(row.format.symbol)
                                               : row.format.symbol;
    case QuantityColumn:
        return position ? formatQuantity(position->quantity, row.format.quantityDecimals)
                        : QString();
    case AverageColumn:
        return position ? formatAveragePrice(position->average, position->quantity,
                                             row.format.priceDecimals, kAverageExtraDecimals)
                        : QString();
    case MarkColumn:
        if (!position || position->mark <= Price{0})
            return QString();
        return formatPrice(position->mark, row.format.priceDecimals);
    case RealizedColumn:
        return moneyText(row.realized, row.moneyDecimals);
    case UnrealizedColumn:
        return moneyText(row.unrealized, row.moneyDecimals);
    case FeesColumn:
        return moneyText(row.fees, row.moneyDecimals);
    case NetColumn:
        return moneyText(row.net, row.moneyDecimals);
    case CurrencyColumn:
        return row.currency;
    default:
        return {};
    }
}

QVariant PositionsModel::foregroundData(const PositionsRow &row, int column) const
{
    switch (column) {
    case QuantityColumn:
        if (!row.position || row.position->quantity == Quantity{0})
            return {};
        return row.position->quantity > Quantity{0} ? theme::buyColor() : theme::sellColor();
    case RealizedColumn:
        return profitColor(row.realized);
    case UnrealizedColumn:
        return profitColor(row.unrealized);
    case NetColumn:
        return profitColor(row.net);
    default:
        return {};
    }
}

QVariant PositionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
        section >= ColumnCount)
        return {};
    switch (section) {
    case AccountColumn:
        return tr("Account");
    case InstrumentColumn:
        return tr("Instrument");
    case QuantityColumn:
        return tr("Position");
    case AverageColumn:
        return tr("Avg price");
    case MarkColumn:
        return tr("Mark");
    case RealizedColumn:
        return tr("Realized");
    case UnrealizedColumn:
        return tr("Unrealized");
    case FeesColumn:
        return tr("Fees");
    case NetColumn:
        return tr("Net");
    case CurrencyColumn:
        return tr("Currency");
    default:
        return {};
    }
}

bool PositionsModel::cellDiffers(const PositionsRow &before, const PositionsRow &after,
                                 int column) const
{
    const bool moneyScaleDiffers = before.moneyDecimals != after.moneyDecimals;
    const OwnPosition empty;
    const OwnPosition &a = before.position ? *before.position : empty;
    const OwnPosition &b = after.position ? *after.position : empty;
    switch (column) {
    case AccountColumn:
        return before.account != after.account;
    case InstrumentColumn:
        return before.format.symbol != after.format.symbol || a.simulated != b.simulated ||
               a.branch != b.branch;
    case QuantityColumn:
        return a.quantity != b.quantity ||
               before.format.quantityDecimals != after.format.quantityDecimals;
    case AverageColumn:
        return !(a.average == b.average) || a.quantity != b.quantity ||
               before.format.priceDecimals != after.format.priceDecimals;
    case MarkColumn:
        return a.mark != b.mark || before.format.priceDecimals != after.format.priceDecimals;
    case RealizedColumn:
        return before.realized != after.realized || moneyScaleDiffers;
    case UnrealizedColumn:
        return before.unrealized != after.unrealized || moneyScaleDiffers;
    case FeesColumn:
        return before.fees != after.fees || moneyScaleDiffers;
    case NetColumn:
        return before.net != after.net || moneyScaleDiffers || before.note != after.note;
    case CurrencyColumn:
        return before.currency != after.currency;
    default:
        return false;
    }
}

} // namespace bourse::ui
