#include "time_and_sales_panel.h"

#include "formatting.h"
#include "table_columns.h"
#include "theme.h"
#include "time_and_sales_filter.h"
#include "time_and_sales_model.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

namespace bourse::ui {

namespace {

constexpr int kColumnPadding = 20;
constexpr int kRowPadding = 6;
// The largest int is 2,147,483,647, so nine decimals still leave two whole digits.
constexpr int kMaxLotDecimals = 9;
// More whole digits cannot fit the spin box's int range, so parsing rejects them.
constexpr qsizetype kMaxWholeDigits = 10;

bool allDigits(const QString &text)
{
    return std::all_of(text.begin(), text.end(), [](QChar c) { return c.isDigit(); });
}

// Parses "1,234.5" as lots with `decimals` digits after the point (123450 lots for 2). Returns
// nothing for text that is not such a number: a sign, letters, or more decimals than given.
std::optional<qint64> parseLots(const QString &input, int decimals)
{
    QString text = input.trimmed();
    text.remove(QChar(','));
    const qsizetype point = text.indexOf(QChar('.'));
    const QString whole = point < 0 ? text : text.left(point);
    const QString fraction = point < 0 ? QString() : text.mid(point + 1);
    if (whole.isEmpty() && fraction.isEmpty())
        return std::nullopt;
    if ((point >= 0 && decimals == 0) || fraction.size() > decimals)
        return std::nullopt;
    if (!allDigits(whole) || !allDigits(fraction) || whole.size() > kMaxWholeDigits)
        return std::nullopt;

    qint64 lots = whole.isEmpty() ? 0 : whole.toLongLong();
    for (int i = 0; i < decimals; ++i)
        lots = lots * 10 + (i < fraction.size() ? fraction.at(i).digitValue() : 0);
    return lots;
}

} // namespace

// A spin box over a number of lots, shown with the instrument's quantity decimals: 150 lots with
// 2 decimals shows as "1.50". The value stays an integer, so no size passes through floating
// point.
class MinimumSizeSpinBox : public QSpinBox {
public:
    using QSpinBox::QSpinBox;

    void setDecimals(int decimals)
    {
        decimals = std::clamp(decimals, 0, kMaxLotDecimals);
        if (decimals == m_decimals)
            return;
        m_decimals = decimals;
        // Setting the special value text rewrites the editor's text in the new format.
        setSpecialValueText(specialValueText());
    }

protected:
    QString textFromValue(int value) const override
    {
        return formatQuantity(Quantity{value}, m_decimals);
    }

    int valueFromText(const QString &text) const override
    {
        const std::optional<qint64> lots = parseLots(text, m_decimals);
        if (!lots)
            return minimum();
        return static_cast<int>(std::clamp<qint64>(*lots, minimum(), maximum()));
    }

    QValidator::State validate(QString &input, int & /*position*/) const override
    {
        if (!specialValueText().isEmpty() && input == specialValueText())
            return QValidator::Acceptable;

        const QString text = input.trimmed();
        // An empty editor, or a lone point before the decimals, is on the way to a number.
        if (text.isEmpty() || (m_decimals > 0 && text == QStringLiteral(".")))
            return QValidator::Intermediate;

        const std::optional<qint64> lots = parseLots(text, m_decimals);
        if (!lots || *lots > maximum())
            return QValidator::Invalid;
        return *lots < minimum() ? QValidator::Intermediate : QValidator::Acceptable;
    }

private:
    int m_decimals = 0;
};

TimeAndSalesPanel::TimeAndSalesPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new TimeAndSalesModel(kDefaultMaxRows, this))
    , m_filter(new TimeAndSalesFilter(this))
    , m_title(new QLabel(this))
    , m_count(new QLabel(this))
    , m_minimumSize(new MinimumSizeSpinBox(this))
    , m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("timeAndSalesPanel"));
    setAccessibleName(tr("Time and sales"));
    m_model->setObjectName(QStringLiteral("tapeModel"));
    m_filter->setObjectName(QStringLiteral("tapeFilter"));
    m_filter->setSourceModel(m_model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(createHeader());
    layout->addWidget(m_table);
    configureTable();

    setFocusProxy(m_table);
    setTabOrder(m_minimumSize, m_table);
    connect(m_minimumSize, &QSpinBox::valueChanged, this, [this] { applyMinimumQuantity(); });
    clear();
}

QLayout *TimeAndSalesPanel::createHeader()
{
    m_title->setObjectName(QStringLiteral("tapeTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);

    m_count->setObjectName(QStringLiteral("tapeCount"));
    m_count->setAccessibleName(tr("Prints shown"));

    m_minimumSize->setObjectName(QStringLiteral("tapeMinimumSize"));
    m_minimumSize->setAccessibleName(tr("Minimum print size"));
    m_minimumSize->setToolTip(tr("Hides prints smaller than this size"));
    m_minimumSize->setRange(0, std::numeric_limits<int>::max());
    m_minimumSize->setSpecialValueText(tr("All"));
    m_minimumSize->setAccelerated(true);
    auto *label = new QLabel(tr("Min si&ze"), this);
    label->setObjectName(QStringLiteral("tapeMinimumSizeLabel"));
    label->setBuddy(m_minimumSize);

    // The title and the box may be narrower than their text, which keeps the header's minimum
    // width small. The box's own hint is as wide as its largest value, 2,147,483,647.
    const QFontMetrics metrics = fontMetrics();
    m_title->setMinimumWidth(metrics.horizontalAdvance(QStringLiteral("WWWW")));
    m_minimumSize->setMinimumWidth(metrics.horizontalAdvance(QStringLiteral("000,000.00")));

    auto *header = new QHBoxLayout;
    header->setContentsMargins(4, 2, 4, 0);
    header->addWidget(m_title);
    header->addStretch();
    header->addWidget(m_count);
    header->addSpacing(8);
    header->addWidget(label);
    header->addWidget(m_minimumSize);
    return header;
}

void TimeAndSalesPanel::configureTable()
{
    m_table->setObjectName(QStringLiteral("tapeTable"));
    m_table->setAccessibleName(tr("Time and sales prints"));
    m_table->setModel(m_filter);
    m_table->setFont(theme::monospaceFont());
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setTabKeyNavigation(false);

    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + kRowPadding);

    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setStretchLastSection(true);
    const auto fit = [this](int column, const QString &sample) {
        m_table->setColumnWidth(column,
                                m_table->fontMetrics().horizontalAdvance(sample) + kColumnPadding);
    };
    fit(TimeAndSalesModel::TimeColumn, QStringLiteral("00:00:00.000"));
    fit(TimeAndSalesModel::PriceColumn, QStringLiteral("00000.0000"));
    fit(TimeAndSalesModel::SizeColumn, QStringLiteral("000,000"));
    // The sample widths apply until the first prints, whose real widths leave room for the side.
    // The tape is cleared for another instrument, so its prints are measured again.
    fitColumnsWhenFilled(m_table, HeaderFit::Later);
}

void TimeAndSalesPanel::showView(const std::shared_ptr<const MarketView> &view)
{
    if (!view)
        return;

    if (m_instrument != view->instrument)
        showInstrument(*view);
    m_minimumSize->setDecimals(view->quantityDecimals);
    m_model->applyView(*view);
    updateCount();
}

void TimeAndSalesPanel::showInstrument(const MarketView &view)
{
    m_instrument = view.instrument;
    m_title->setText(QString::fromStdString(view.symbol));
    const qint64 lotSize =
        std::clamp<qint64>(view.lotSize.value(), 1, std::numeric_limits<int>::max());
    m_minimumSize->setSingleStep(static_cast<int>(lotSize));
}

void TimeAndSalesPanel::clear()
{
    m_model->clear();
    m_instrument.reset();
    m_title->setText(tr("No instrument"));
    updateCount();
}

Quantity TimeAndSalesPanel::minimumQuantity() const
{
    return m_filter->minimumQuantity();
}

void TimeAndSalesPanel::setMinimumQuantity(Quantity quantity)
{
    const qint64 lots = std::clamp<qint64>(quantity.value(), 0, m_minimumSize->maximum());
    m_minimumSize->setValue(static_cast<int>(lots));
}

std::uint64_t TimeAndSalesPanel::missedTrades() const
{
    return m_model->missedTrades();
}

void TimeAndSalesPanel::applyMinimumQuantity()
{
    m_filter->setMinimumQuantity(Quantity{m_minimumSize->value()});
    updateCount();
}

void TimeAndSalesPanel::updateCount()
{
    const int printsKept = m_model->rowCount();
    const int printsShown = m_filter->rowCount();
    if (printsShown != printsKept)
        m_count->setText(
            tr("%1 of %2 prints").arg(formatCount(printsShown), formatCount(printsKept)));
    else if (printsKept == 1)
        m_count->setText(tr("1 print"));
    else
        m_count->setText(tr("%1 prints").arg(formatCount(printsKept)));
}

} // namespace bourse::ui
