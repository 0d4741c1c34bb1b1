#include "branch_panel.h"

#include "formatting.h"
#include "session.h"
#include "theme.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace bourse::ui {

namespace {

QString rowTitle(BranchPanel::Row row)
{
    switch (row) {
    case BranchPanel::RealizedRow:
        return BranchPanel::tr("Realized");
    case BranchPanel::UnrealizedRow:
        return BranchPanel::tr("Unrealized");
    case BranchPanel::FeesRow:
        return BranchPanel::tr("Fees");
    case BranchPanel::TotalRow:
        return BranchPanel::tr("Total P&L");
    case BranchPanel::PositionRow:
        return BranchPanel::tr("Position");
    case BranchPanel::FillsRow:
        return BranchPanel::tr("Fills");
    case BranchPanel::RowCount:
        break;
    }
    return {};
}

QString introText()
{
    return BranchPanel::tr(
        "Branch starts a sandbox from this moment of the replay: your simulated orders, "
        "positions, cash and queue places are copied, your next orders go to the branch, and the "
        "original carries on without them, its resting orders still filling. Both face the same "
        "recorded market, so the difference between the columns is your decisions alone.");
}

// A difference with its sign, so that a gain shows "+".
QString signedMoney(Money amount, int decimals)
{
    const QString text = formatMoney(amount, decimals);
    return amount.value() > 0 ? QStringLiteral("+") + text : text;
}

QString signedCount(std::int64_t value)
{
    const QString text = formatCount(value);
    return value > 0 ? QStringLiteral("+") + text : text;
}

// The colour of a P&L difference: the rising colour for a branch that did better.
QColor differenceColor(std::int64_t difference)
{
    if (difference > 0)
        return theme::buyColor();
    if (difference < 0)
        return theme::sellColor();
    return theme::textColor();
}

} // namespace

BranchCurveChart::BranchCurveChart(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("branchCurve"));
    setAccessibleName(tr("P&L of the original and the branch over market time"));
}

void BranchCurveChart::setComparison(const BranchComparison *comparison)
{
    if (comparison) {
        m_samples = comparison->curve;
        m_moment = comparison->moment;
        m_moneyDecimals = comparison->moneyDecimals;
    } else {
        m_samples.clear();
    }
    update();
}

QSize BranchCurveChart::sizeHint() const
{
    return {360, 160};
}

QSize BranchCurveChart::minimumSizeHint() const
{
    return {160, 100};
}

void BranchCurveChart::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), theme::panelColor());
    const QFontMetrics metrics(font());
    if (m_samples.size() < 2) {
        painter.setPen(theme::mutedTextColor());
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("The P&L curves show here once the replay moves on after a branch"));
        return;
    }

    std::int64_t low = 0;
    std::int64_t high = 0;
    for (const BranchSample &sample : m_samples) {
        low = std::min({low, sample.original.value(), sample.branch.value()});
        high = std::max({high, sample.original.value(), sample.branch.value()});
    }
    if (high == low)
        high = low + 1;
    const std::int64_t first = m_samples.front().time.value();
    const std::int64_t last = std::max(m_samples.back().time.value(), first + 1);

    const int labelWidth =
        std::max(metrics.horizontalAdvance(formatMoney(Money{low}, m_moneyDecimals)),
                 metrics.horizontalAdvance(formatMoney(Money{high}, m_moneyDecimals))) +
        metrics.horizontalAdvance(QStringLiteral("  "));
    const QRectF plot =
        QRectF(rect()).adjusted(labelWidth, metrics.height(), -6, -metrics.height() - 4);
    const auto x = [&](Timestamp time) {
        return plot.left() + plot.width() * static_cast<double>(time.value() - first) /
                                 static_cast<double>(last - first);
    };
    const auto y = [&](Money amount) {
        return plot.bottom() - plot.height() * static_cast<double>(amount.value() - low) /
                                   static_cast<double>(high - low);
    };

    // Zero, and the scale's ends, as the axis labels.
    painter.setPen(theme::gridColor());
    painter.drawLine(QPointF(plot.left(), y(Money{0})), QPointF(plot.right(), y(Money{0})));
    painter.setPen(theme::mutedTextColor());
    const QRectF labels(0, 0, labelWidth - 4, height());
    for (const std::int64_t value : {high, std::int64_t{0}, low}) {
        const QRectF at(labels.left(), y(Money{value}) - metrics.height() / 2.0, labels.width(),
                        metrics.height());
        painter.drawText(at, Qt::AlignRight | Qt::AlignVCenter,
                         formatMoney(Money{value}, m_moneyDecimals));
    }
    painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), metrics.height()),
                     Qt::AlignLeft, formatTimeOfDay(Timestamp{first}, TimePrecision::Seconds));
    painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), metrics.height()),
                     Qt::AlignRight, formatTimeOfDay(Timestamp{last}, TimePrecision::Seconds));

    // The latest branch moment, where the branch column starts from the state it had.
    if (m_moment.value() >= first) {
        painter.setPen(QPen(theme::mutedTextColor(), 1, Qt::DashLine));
        painter.drawLine(QPointF(x(m_moment), plot.top()), QPointF(x(m_moment), plot.bottom()));
    }

    QPainterPath original;
    QPainterPath branch;
    for (std::size_t index = 0; index < m_samples.size(); ++index) {
        const BranchSample &sample = m_samples[index];
        const QPointF atOriginal(x(sample.time), y(sample.original));
        const QPointF atBranch(x(sample.time), y(sample.branch));
        if (index == 0) {
            original.moveTo(atOriginal);
            branch.moveTo(atBranch);
        } else {
            original.lineTo(atOriginal);
            branch.lineTo(atBranch);
        }
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(theme::mutedTextColor(), 1.5));
    painter.drawPath(original);
    painter.setPen(QPen(theme::accentColor(), 2.0));
    painter.drawPath(branch);

    // The legend, top left of the plot.
    painter.setPen(theme::mutedTextColor());
    painter.drawText(QPointF(plot.left() + 4, metrics.ascent()), tr("original"));
    painter.setPen(theme::accentColor());
    painter.drawText(
        QPointF(plot.left() + 12 + metrics.horizontalAdvance(tr("original")), metrics.ascent()),
        tr("branch"));
}

BranchPanel::BranchPanel(QWidget *parent)
    : QWidget(parent)
    , m_status(new QLabel(this))
    , m_currency(new QLabel(this))
    , m_branch(new QPushButton(tr("Branch"), this))
    , m_curve(new BranchCurveChart(this))
{
    m_status->setObjectName(QStringLiteral("branchStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_branch->setObjectName(QStringLiteral("branchButton"));
    m_branch->setToolTip(tr("Start a branch at the replay's current moment (Ctrl+Shift+B)"));
    connect(m_branch, &QPushButton::clicked, this, &BranchPanel::branchNow);

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(16);
    m_currency->setObjectName(QStringLiteral("branchCurrency"));
    grid->addWidget(m_currency, 0, 0);
    const QStringList headers{tr("Original"), tr("Branch"), tr("Difference")};
    for (int column = 0; column < ColumnCount; ++column) {
        auto *header = new QLabel(headers[column], this);
        header->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        QFont bold = header->font();
        bold.setBold(true);
        header->setFont(bold);
        grid->addWidget(header, 0, column + 1);
    }
    for (int row = 0; row < RowCount; ++row) {
        grid->addWidget(new QLabel(rowTitle(static_cast<Row>(row)), this), row + 1, 0);
        for (int column = 0; column < ColumnCount; ++column) {
            auto *cell = new QLabel(this);
            cell->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            cell->setFont(theme::monospaceFont());
            m_cells[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)] = cell;
            grid->addWidget(cell, row + 1, column + 1);
        }
    }
    grid->setColumnStretch(4, 1);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_branch);
    buttons->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addLayout(buttons);
    layout->addLayout(grid);
    layout->addWidget(m_curve, 1);
    clear();
}

void BranchPanel::setSessionSource(std::function<Session *()> source)
{
    m_sessionSource = std::move(source);
}

void BranchPanel::clear()
{
    m_view.reset();
    showNoComparison();
    m_status->setText(introText());
    m_branch->setEnabled(false);
}

void BranchPanel::showView(const std::shared_ptr<const MarketView> &view)
{
    m_view = view;
    const bool unavailable = !view->branchUnavailable.empty();
    m_branch->setEnabled(!unavailable);
    m_branch->setText(view->branch ? tr("Branch again") : tr("Branch"));
    if (view->branch) {
        showComparison(*view->branch);
        return;
    }
    showNoComparison();
    m_status->setText(unavailable ? QString::fromStdString(view->branchUnavailable) : introText());
}

void BranchPanel::branchNow()
{
    Session *session = m_sessionSource ? m_sessionSource() : nullptr;
    if (session != nullptr && session->branch())
        return;
    if (m_view && !m_view->branchUnavailable.empty())
        m_status->setText(QString::fromStdString(m_view->branchUnavailable));
    else if (session == nullptr)
        m_status->setText(tr("Branch needs a replay that is running: open a recorded market."));
    else
        m_status->setText(tr("Branch could not be queued: the session's command queue is full. "
                             "Try again in a moment."));
}

void BranchPanel::showComparison(const BranchComparison &comparison)
{
    QString status = tr("Branched at %1, after replayed event %2.")
                         .arg(formatTimeOfDay(comparison.moment, TimePrecision::Milliseconds),
                              formatCount(static_cast<std::int64_t>(comparison.momentSequence)));
    if (comparison.branches > 1)
        status += QLatin1Char(' ') +
                  tr("Branch %1 since the first; the original is the run before the first.")
                      .arg(comparison.branches);
    m_status->setText(status);
    m_currency->setText(QString::fromStdString(comparison.currency));

    const int decimals = comparison.moneyDecimals;
    const auto money = [&](Row row, Money original, Money branch) {
        const Money difference = subtractMoney(branch, original).value;
        setCell(row, OriginalColumn, formatMoney(original, decimals));
        setCell(row, BranchColumn, formatMoney(branch, decimals));
        setCell(row, DifferenceColumn, signedMoney(difference, decimals));
    };
    const BranchSide &original = comparison.original;
    const BranchSide &branch = comparison.branch;
    money(RealizedRow, original.realized, branch.realized);
    money(UnrealizedRow, original.unrealized, branch.unrealized);
    money(FeesRow, original.fees, branch.fees);
    money(TotalRow, original.total, branch.total);
    setCell(PositionRow, OriginalColumn, formatQuantity(original.position));
    setCell(PositionRow, BranchColumn, formatQuantity(branch.position));
    setCell(PositionRow, DifferenceColumn,
            signedCount(branch.position.value() - original.position.value()));
    const auto originalFills = static_cast<std::int64_t>(original.fills);
    const auto branchFills = static_cast<std::int64_t>(branch.fills);
    setCell(FillsRow, OriginalColumn, formatCount(originalFills));
    setCell(FillsRow, BranchColumn, formatCount(branchFills));
    setCell(FillsRow, DifferenceColumn, signedCount(branchFills - originalFills));

    // Only the total decides the colour, because a higher fee or a larger position is no loss.
    const std::int64_t total = branch.total.value() - original.total.value();
    QPalette palette = m_cells[TotalRow][DifferenceColumn]->palette();
    palette.setColor(QPalette::WindowText, differenceColor(total));
    m_cells[TotalRow][DifferenceColumn]->setPalette(palette);
    m_curve->setComparison(&comparison);
}

void BranchPanel::showNoComparison()
{
    m_currency->clear();
    for (int row = 0; row < RowCount; ++row) {
        for (int column = 0; column < ColumnCount; ++column)
            setCell(static_cast<Row>(row), static_cast<Column>(column), QStringLiteral("\u2014"));
    }
    m_cells[TotalRow][DifferenceColumn]->setPalette(palette());
    m_curve->setComparison(nullptr);
}

void BranchPanel::setCell(Row row, Column column, const QString &text)
{
    m_cells[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)]->setText(text);
}

QString BranchPanel::cellText(Row row, Column column) const
{
    return m_cells[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)]->text();
}

QString BranchPanel::statusText() const
{
    return m_status->text();
}

} // namespace bourse::ui
