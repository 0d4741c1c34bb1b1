#include "risk_dashboard.h"

#include "formatting.h"
#include "risk_exposure_model.h"
#include "risk_kill_switch.h"
#include "risk_limits_model.h"
#include "risk_notices_model.h"
#include "risk_terms.h"
#include "risk_tone_label.h"
#include "risk_utilization_delegate.h"
#include "theme.h"

#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace bourse::ui {

namespace {

QTableView *createTable(QAbstractItemModel *model, const QString &name, const QString &title,
                        QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setObjectName(name);
    table->setAccessibleName(title);
    table->setModel(model);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    return table;
}

QGroupBox *createSection(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QGroupBox(title, parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(content);
    return box;
}

} // namespace

RiskDashboard::RiskDashboard(QWidget *parent)
    : QWidget(parent)
    , m_account(new QComboBox(this))
    , m_killSwitch(new KillSwitchPanel(this))
    , m_limits(new RiskLimitsModel(this))
    , m_exposure(new RiskExposureModel(this))
    , m_notices(new RiskNoticesModel(200, this))
{
    setObjectName(QStringLiteral("riskDashboard"));
    setAccessibleName(tr("Risk dashboard"));

    m_account->setObjectName(QStringLiteral("riskAccountCombo"));
    m_account->setAccessibleName(tr("Account"));
    m_account->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *accountLabel = new QLabel(tr("&Account"), this);
    accountLabel->setBuddy(m_account);
    connect(m_account, &QComboBox::currentIndexChanged, this, [this] { showAccount(); });

    auto *header = new QHBoxLayout;
    header->addWidget(accountLabel);
    header->addWidget(m_account);
    header->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    layout->addLayout(header);
    layout->addWidget(m_killSwitch);
    layout->addWidget(createFigures());
    layout->addWidget(createTables(), 1);

    setTabOrder(m_account, m_killSwitch);
    clear();
}

QWidget *RiskDashboard::createFigures()
{
    auto *figures = new QWidget(this);
    figures->setObjectName(QStringLiteral("riskFigures"));
    auto *grid = new QGridLayout(figures);
    grid->setContentsMargins(4, 0, 4, 0);
    grid->setVerticalSpacing(0);

    const std::array<QString, FigureCount> captions{tr("Realized"), tr("Unrealized"), tr("Day P&L"),
                                                    tr("Peak"), tr("Drawdown")};
    const std::array<QString, FigureCount> names{tr("Day realized P&L"), tr("Day unrealized P&L"),
                                                 tr("Day total P&L"), tr("Day peak P&L"),
                                                 tr("Drawdown from the day's peak")};
    const std::array<const char *, FigureCount> objectNames{
        "realizedFigure", "unrealizedFigure", "totalFigure", "peakFigure", "drawdownFigure"};
    QFont digits = theme::monospaceFont();
    digits.setPointSizeF(digits.pointSizeF() * 1.2);
    for (int i = 0; i < FigureCount; ++i) {
        auto *caption = new RiskToneLabel(figures);
        caption->setText(captions[static_cast<std::size_t>(i)]);
        caption->setTone(RiskToneLabel::Tone::Muted);
        auto *value = new RiskToneLabel(figures);
        value->setObjectName(QString::fromLatin1(objectNames[static_cast<std::size_t>(i)]));
        value->setAccessibleName(names[static_cast<std::size_t>(i)]);
        value->setFont(digits);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        grid->addWidget(caption, 0, i);
        grid->addWidget(value, 1, i);
        grid->setColumnStretch(i, 1);
        m_figures[static_cast<std::size_t>(i)] = value;
    }
    return figures;
}

QWidget *RiskDashboard::createTables()
{
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("riskSplitter"));
    splitter->setChildrenCollapsible(false);

    m_limitsTable = createTable(m_limits, QStringLiteral("riskLimitsTable"), tr("Limits"), this);
    m_limitsTable->setItemDelegateForColumn(RiskLimitsModel::UtilizationColumn,
                                            new RiskUtilizationDelegate(m_limitsTable));
    m_limitsTable->horizontalHeader()->setMinimumSectionSize(48);
    m_limitsTable->setColumnWidth(RiskLimitsModel::RuleColumn, 120);
    m_limitsTable->setColumnWidth(RiskLimitsModel::ScopeColumn, 90);
    m_limitsTable->setColumnWidth(RiskLimitsModel::InstrumentColumn, 80);
    m_limitsTable->setColumnWidth(RiskLimitsModel::UseColumn, 110);
    m_limitsTable->setColumnWidth(RiskLimitsModel::LimitColumn, 110);

    m_exposureTable =
        createTable(m_exposure, QStringLiteral("riskExposureTable"), tr("Exposure"), this);
    m_exposureTable->setColumnWidth(RiskExposureModel::InstrumentColumn, 100);
    m_exposureTable->setColumnWidth(RiskExposureModel::PositionColumn, 110);
    m_exposureTable->setColumnWidth(RiskExposureModel::MarkColumn, 110);

    m_noticesTable =
        createTable(m_notices, QStringLiteral("riskNoticesTable"), tr("Risk decisions"), this);
    m_noticesTable->setColumnWidth(RiskNoticesModel::TimeColumn, 100);
    m_noticesTable->setColumnWidth(RiskNoticesModel::RuleColumn, 110);

    splitter->addWidget(createSection(tr("Limits"), m_limitsTable, splitter));
    splitter->addWidget(createSection(tr("Exposure"), m_exposureTable, splitter));
    splitter->addWidget(createSection(tr("Risk decisions"), m_noticesTable, splitter));
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 2);
    splitter->setStretchFactor(2, 3);
    return splitter;
}

void RiskDashboard::setGateway(OrderGateway *gateway)
{
    m_killSwitch->setGateway(gateway);
}

AccountId RiskDashboard::selectedAccount() const
{
    const QVariant current = m_account->currentData();
    return current.isValid() ? AccountId{current.value<quint32>()} : AccountId{};
}

bool RiskDashboard::selectAccount(AccountId account)
{
    const int index = m_account->findData(QVariant::fromValue<quint32>(account.value()));
    if (index < 0)
        return false;
    m_account->setCurrentIndex(index);
    return true;
}

void RiskDashboard::showView(const std::shared_ptr<const MarketView> &view)
{
    if (!view)
        return;
    m_view = view;
    m_killSwitch->attachShortcut();
    updateAccounts(view->trader.accounts);
    showAccount();
}

void RiskDashboard::clear()
{
    m_view.reset();
    {
        const QSignalBlocker blocker(m_account);
        m_account->clear();
    }
    m_killSwitch->clear();
    m_limits->clear();
    m_exposure->clear();
    m_notices->clear();
    showFigures(nullptr, 2);
}

void RiskDashboard::updateAccounts(const std::vector<AccountId> &accounts)
{
    bool same = static_cast<std::size_t>(m_account->count()) == accounts.size();
    for (std::size_t i = 0; same && i < accounts.size(); ++i)
        same = m_account->itemData(static_cast<int>(i)).value<quint32>() == accounts[i].value();
    if (same)
        return;

    // Keeps the selected account when the new list still has it, and otherwise selects the
    // first, the default account.
    const AccountId selected = selectedAccount();
    const QSignalBlocker blocker(m_account);
    m_account->clear();
    for (AccountId account : accounts)
        m_account->addItem(tr("Account %1").arg(account.value()),
                           QVariant::fromValue<quint32>(account.value()));
    const int index = m_account->findData(QVariant::fromValue<quint32>(selected.value()));
    m_account->setCurrentIndex(index >= 0 ? index : 0);
}

void RiskDashboard::showAccount()
{
    if (!m_view)
        return;
    const MarketView &view = *m_view;
    const AccountId account = selectedAccount();
    const RiskMonitor *monitor = findMonitor(view.trader, account);

    m_killSwitch->setAccount(account);
    m_killSwitch->setStates(monitor ? monitor->killSwitch : KillSwitchScope::None,
                            view.trader.globalKillSwitch);
    showFigures(monitor, moneyDecimalsOf(view.trader, account));
    m_limits->setRows(riskLimitRows(view, account));
    m_exposure->setRows(riskExposureRows(view, account));
    m_notices->setAccount(account);
    m_notices->applyView(view);
}

void RiskDashboard::showFigures(const RiskMonitor *monitor, int moneyDecimals)
{
    if (!monitor) {
        for (RiskToneLabel *figure : m_figures) {
            figure->setText(QStringLiteral("\u2014"));
            figure->setTone(RiskToneLabel::Tone::Muted);
        }
        return;
    }

    const DayProfitAndLoss &day = monitor->day;
    const auto show = [&](Figure figure, Money amount, RiskToneLabel::Tone tone) {
        m_figures[figure]->setText(formatMoney(amount, moneyDecimals));
        m_figures[figure]->setTone(tone);
    };
    show(Realized, day.realized, RiskToneLabel::toneOfSign(day.realized.value()));
    show(Unrealized, day.unrealized, RiskToneLabel::toneOfSign(day.unrealized.value()));
    show(Total, day.total, RiskToneLabel::toneOfSign(day.total.value()));
    show(Peak, day.peak, RiskToneLabel::Tone::Plain);
    show(Drawdown, day.drawdown,
         day.drawdown.value() > 0 ? RiskToneLabel::Tone::Loss : RiskToneLabel::Tone::Plain);
}

} // namespace bourse::ui
