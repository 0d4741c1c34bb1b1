#include "positions_panel.h"

#include "positions_model.h"
#include "table_columns.h"
#include "theme.h"

#include <QCheckBox>
#include <QHeaderView>
#include <QTableView>
#include <QVBoxLayout>

#include <memory>

namespace bourse::ui {

PositionsPanel::PositionsPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new PositionsModel(this))
    , m_table(new QTableView(this))
    , m_showFlat(new QCheckBox(tr("Show flat positions"), this))
{
    setObjectName(QStringLiteral("positionsPanel"));
    setAccessibleName(tr("Positions"));

    m_table->setObjectName(QStringLiteral("positionsTable"));
    m_table->setAccessibleName(tr("Positions and P&L"));
    m_table->setModel(m_model);
    m_table->setFont(theme::monospaceFont());
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setStretchLastSection(true);
    fitColumnsWhenFilled(m_table, HeaderFit::Now);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const QVariant instrument = index.data(PositionsModel::InstrumentRole);
        if (instrument.isValid())
            emit instrumentSelected(InstrumentId{instrument.toUInt()});
    });

    m_showFlat->setObjectName(QStringLiteral("positionsShowFlat"));
    m_showFlat->setAccessibleName(tr("Show flat positions"));
    m_showFlat->setChecked(m_model->showsFlat());
    connect(m_showFlat, &QCheckBox::toggled, m_model, &PositionsModel::setShowFlat);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_showFlat);
}

void PositionsPanel::showView(const std::shared_ptr<const MarketView> &view)
{
    if (view)
        m_model->showView(*view);
}

void PositionsPanel::clear()
{
    m_model->clear();
}

} // namespace bourse::ui
