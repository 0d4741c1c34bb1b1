#include "order_ticket.h"

#include "formatting.h"
#include "order_gateway.h"
#include "order_ticket_check.h"
#include "order_ticket_input.h"
#include "order_ticket_message.h"
#include "theme.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStringList>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace bourse::ui {

namespace {

constexpr std::int64_t kNanosecondsPerMillisecond = 1'000'000;
constexpr std::int64_t kMillisecondsPerHour = 3'600'000;

const QString kDateTimeFormat = QStringLiteral("yyyy-MM-dd HH:mm:ss");

std::size_t indexOf(Side side)
{
    return side == Side::Buy ? 0 : 1;
}

bool hasLimit(OrderType type)
{
    return type == OrderType::Limit || type == OrderType::StopLimit;
}

bool hasStop(OrderType type)
{
    return type == OrderType::Stop || type == OrderType::StopLimit;
}

bool entersAsMarket(OrderType type)
{
    return type == OrderType::Market || type == OrderType::Stop;
}

bool neverRests(TimeInForce timeInForce)
{
    return timeInForce == TimeInForce::Ioc || timeInForce == TimeInForce::Fok;
}

template <typename Enum>
Enum currentEnum(const QComboBox *box)
{
    return static_cast<Enum>(box->currentData().toInt());
}

template <typename Enum>
void addEnumItem(QComboBox *box, const QString &text, Enum value)
{
    box->addItem(text, static_cast<int>(value));
}

QString textOf(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString sideWord(Side side)
{
    return side == Side::Buy ? OrderTicket::tr("buy") : OrderTicket::tr("sell");
}

QString dateTimeText(Timestamp time)
{
    return QDateTime::fromMSecsSinceEpoch(time.value() / kNanosecondsPerMillisecond)
        .toString(kDateTimeFormat);
}

QLineEdit *createNumberField(const QString &name, const QString &accessibleName, QWidget *parent)
{
    auto *field = new QLineEdit(parent);
    field->setObjectName(name);
    field->setAccessibleName(accessibleName);
    field->setFont(theme::monospaceFont());
    return field;
}

} // namespace

OrderTicket::OrderTicket(QWidget *parent)
    : QWidget(parent)
    , m_check(new PreTradeCheck(this))
{
    setObjectName(QStringLiteral("orderTicket"));
    setAccessibleName(tr("Order ticket"));
    createFields();
    createButtons();
    createActions();
    layOutFields();
    connectFields();

    connect(m_check, &PreTradeCheck::resultChanged, this,
            [this](const QString &text, bool rejected) {
                m_checkLine->setMessage(text, rejected ? MessageLine::Tone::Problem
                                                       : MessageLine::Tone::Hint);
            });
    refresh();
}

OrderTicket::~OrderTicket() = default;

void OrderTicket::createFields()
{
    m_account = new QComboBox(this);
    m_account->setObjectName(QStringLiteral("ticketAccount"));
    m_account->setAccessibleName(tr("Account"));

    m_instrument = new QLabel(this);
    m_instrument->setObjectName(QStringLiteral("ticketInstrument"));
    m_instrument->setAccessibleName(tr("Instrument"));

    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("ticketType"));
    m_type->setAccessibleName(tr("Order type"));
    addEnumItem(m_type, tr("Limit"), OrderType::Limit);
    addEnumItem(m_type, tr("Market"), OrderType::Market);
    addEnumItem(m_type, tr("Stop"), OrderType::Stop);
    addEnumItem(m_type, tr("Stop limit"), OrderType::StopLimit);

    m_quantity = createNumberField(QStringLiteral("ticketQuantity"), tr("Quantity"), this);
    m_limitPrice = createNumberField(QStringLiteral("ticketLimitPrice"), tr("Limit price"), this);
    m_stopPrice = createNumberField(QStringLiteral("ticketStopPrice"), tr("Stop price"), this);
    m_protectionPrice =
        createNumberField(QStringLiteral("ticketProtectionPrice"), tr("Protection price"), this);
    m_protectionPrice->setPlaceholderText(tr("none"));
    m_protectionPrice->setToolTip(tr("The worst price a market order may fill at; empty for "
                                     "none."));
    m_displayQuantity =
        createNumberField(QStringLiteral("ticketDisplayQuantity"), tr("Display quantity"), this);
    m_displayQuantity->setPlaceholderText(tr("whole quantity"));
    m_displayQuantity->setToolTip(tr("An iceberg shows this much at a time; empty shows the "
                                     "whole quantity."));

    m_timeInForce = new QComboBox(this);
    m_timeInForce->setObjectName(QStringLiteral("ticketTimeInForce"));
    m_timeInForce->setAccessibleName(tr("Time in force"));
    // Short names keep the ticket narrow. Each item's tooltip spells the name out.
    const std::pair<TimeInForce, QString> timesInForce[] = {
        {TimeInForce::Gtc, tr("Good till cancelled")},
        {TimeInForce::Day, tr("Until the session closes")},
        {TimeInForce::Gtd, tr("Good till the expiry")},
        {TimeInForce::Ioc, tr("Immediate or cancel")},
        {TimeInForce::Fok, tr("Fill or kill")},
    };
    for (const auto &[timeInForce, meaning] : timesInForce) {
        addEnumItem(m_timeInForce, textOf(nameOf(timeInForce)), timeInForce);
        m_timeInForce->setItemData(m_timeInForce->count() - 1, meaning, Qt::ToolTipRole);
    }

    m_expiry = new QDateTimeEdit(this);
    m_expiry->setObjectName(QStringLiteral("ticketExpiry"));
    m_expiry->setAccessibleName(tr("Expiry"));
    m_expiry->setDisplayFormat(kDateTimeFormat);
    m_expiry->setCalendarPopup(true);
    m_expiry->setDateTime(QDateTime::currentDateTime().addMSecs(kMillisecondsPerHour));

    m_postOnly = new QCheckBox(tr("P&ost-only"), this);
    m_postOnly->setObjectName(QStringLiteral("ticketPostOnly"));
    m_postOnly->setAccessibleName(tr("Post-only"));
    m_postOnly->setToolTip(tr("Rejected rather than take liquidity"));

    m_selfTradePrevention = new QComboBox(this);
    m_selfTradePrevention->setObjectName(QStringLiteral("ticketSelfTradePrevention"));
    m_selfTradePrevention->setAccessibleName(tr("Self-trade prevention"));
    addEnumItem(m_selfTradePrevention, tr("Account default"), SelfTradePrevention::AccountDefault);
    addEnumItem(m_selfTradePrevention, tr("Cancel newest"), SelfTradePrevention::CancelNewest);
    addEnumItem(m_selfTradePrevention, tr("Cancel oldest"), SelfTradePrevention::CancelOldest);
    addEnumItem(m_selfTradePrevention, tr("Cancel both"), SelfTradePrevention::CancelBoth);
    addEnumItem(m_selfTradePrevention, tr("Decrement and cancel"),
                SelfTradePrevention::DecrementAndCancel);

    // A combo box may be narrower than its longest item, which it then elides, so that the
    // ticket fits a narrow dock.
    for (QComboBox *box : {m_type, m_timeInForce, m_selfTradePrevention}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8);
    }
    // The terms of an instrument with a long symbol wrap rather than widen the ticket.
    m_instrument->setWordWrap(true);
}

void OrderTicket::createButtons()
{
    m_buy = new QPushButton(tr("Buy (F1)"), this);
    m_buy->setObjectName(QStringLiteral("ticketBuy"));
    m_buy->setAccessibleName(tr("Buy"));

    m_sell = new QPushButton(tr("Sell (F2)"), this);
    m_sell->setObjectName(QStringLiteral("ticketSell"));
    m_sell->setAccessibleName(tr("Sell"));

    m_cancelAll = new QPushButton(tr("Cancel all"), this);
    m_cancelAll->setObjectName(QStringLiteral("ticketCancelAll"));
    m_cancelAll->setAccessibleName(tr("Cancel all orders of the account"));
    m_cancelAll->setToolTip(tr("Cancel every order of the account, in every instrument: F12 "
                               "or Ctrl+Shift+X"));

    m_message = new MessageLine(this);
    m_message->setObjectName(QStringLiteral("ticketMessage"));
    m_message->setAccessibleName(tr("Order ticket message"));

    m_checkLine = new MessageLine(this);
    m_checkLine->setObjectName(QStringLiteral("ticketCheck"));
    m_checkLine->setAccessibleName(tr("Pre-trade check"));
}

// The hotkeys are actions of the ticket, active while the focus is inside it, so that they do
// not take F1 or Ctrl+S from the rest of the window. A disabled action ignores its keys.
void OrderTicket::createActions()
{
    auto createAction = [this](const QString &text, const QList<QKeySequence> &keys) {
        auto *action = new QAction(text, this);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
        return action;
    };
    m_buyAction =
        createAction(tr("Buy"), {QKeySequence(Qt::Key_F1), QKeySequence(Qt::CTRL | Qt::Key_B)});
    m_buyAction->setObjectName(QStringLiteral("ticketBuyAction"));
    m_sellAction =
        createAction(tr("Sell"), {QKeySequence(Qt::Key_F2), QKeySequence(Qt::CTRL | Qt::Key_S)});
    m_sellAction->setObjectName(QStringLiteral("ticketSellAction"));
    m_cancelAllAction =
        createAction(tr("Cancel all orders of the account"),
                     {QKeySequence(Qt::Key_F12), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X)});
    m_cancelAllAction->setObjectName(QStringLiteral("ticketCancelAllAction"));
}

void OrderTicket::layOutFields()
{
    // Account and instrument, then the buttons and what they did, then the order's fields: a
    // dock of about 320 pixels shows the buttons without scrolling.
    auto *header = new QFormLayout;
    header->addRow(tr("&Account"), m_account);
    header->addRow(tr("Instrument"), m_instrument);

    auto *form = new QFormLayout;
    form->addRow(tr("&Type"), m_type);
    form->addRow(tr("&Quantity"), m_quantity);
    form->addRow(tr("&Limit price"), m_limitPrice);
    form->addRow(tr("Stop pr&ice"), m_stopPrice);
    form->addRow(tr("&Protection"), m_protectionPrice);
    form->addRow(tr("&Display qty"), m_displayQuantity);
    form->addRow(tr("Time in &force"), m_timeInForce);
    form->addRow(tr("E&xpiry"), m_expiry);
    form->addRow(QString(), m_postOnly);
    form->addRow(tr("Self-t&rade"), m_selfTradePrevention);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_buy);
    buttons->addWidget(m_sell);
    buttons->addStretch();
    buttons->addWidget(m_cancelAll);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(m_checkLine);
    layout->addLayout(form);
    layout->addStretch();
}

void OrderTicket::connectFields()
{
    for (QLineEdit *field :
         {m_quantity, m_limitPrice, m_stopPrice, m_protectionPrice, m_displayQuantity})
        connect(field, &QLineEdit::textChanged, this, &OrderTicket::editFields);
    for (QComboBox *box : {m_account, m_type, m_selfTradePrevention})
        connect(box, &QComboBox::currentIndexChanged, this, &OrderTicket::editFields);
    connect(m_timeInForce, &QComboBox::currentIndexChanged, this, [this] {
        // A GTD order needs an expiry after the market time, so a passed one moves to an hour
        // from now.
        const bool expiryPassed =
            m_expiry->dateTime().toMSecsSinceEpoch() * kNanosecondsPerMillisecond <= now().value();
        if (currentEnum<TimeInForce>(m_timeInForce) == TimeInForce::Gtd && expiryPassed) {
            const std::int64_t milliseconds = now().value() / kNanosecondsPerMillisecond;
            m_expiry->setDateTime(
                QDateTime::fromMSecsSinceEpoch(milliseconds + kMillisecondsPerHour));
        }
        editFields();
    });
    connect(m_expiry, &QDateTimeEdit::dateTimeChanged, this, &OrderTicket::editFields);
    connect(m_postOnly, &QCheckBox::toggled, this, &OrderTicket::editFields);

    connect(m_buy, &QPushButton::clicked, this, [this] { send(Side::Buy); });
    connect(m_sell, &QPushButton::clicked, this, [this] { send(Side::Sell); });
    connect(m_cancelAll, &QPushButton::clicked, this, &OrderTicket::cancelAll);
    connect(m_buyAction, &QAction::triggered, this, [this] { send(Side::Buy); });
    connect(m_sellAction, &QAction::triggered, this, [this] { send(Side::Sell); });
    connect(m_cancelAllAction, &QAction::triggered, this, &OrderTicket::cancelAll);
}

void OrderTicket::showView(const std::shared_ptr<const MarketView> &view)
{
    if (!view)
        return;

    m_view = view;
    const InstrumentId previous = m_terms.instrument;
    const bool wasKnown = m_terms.known;

    Terms terms;
    terms.known = view->instrument.value() != 0 || !view->symbol.empty();
    terms.mode = view->mode;
    terms.instrument = view->instrument;
    terms.symbol = QString::fromStdString(view->symbol);
    terms.priceDecimals = view->priceDecimals;
    terms.quantityDecimals = view->quantityDecimals;
    terms.tickSize = view->tickSize;
    terms.lotSize = view->lotSize;
    terms.status = view->status;
    terms.bestBid = view->bids.empty() ? Price{} : view->bids.front().price;
    terms.bestAsk = view->asks.empty() ? Price{} : view->asks.front().price;
    terms.marketTime = view->marketTime;
    for (const InstrumentQuote &quote : view->instruments) {
        if (quote.instrument != view->instrument)
            continue;
        terms.lastTrade = quote.last;
        terms.quantityLimits = QuantityLimits{quote.minimumQuantity, quote.maximumQuantity};
    }
    m_terms = terms;

    if (wasKnown && terms.instrument != previous) {
        for (QLineEdit *field : {m_limitPrice, m_stopPrice, m_protectionPrice}) {
            const QSignalBlocker blocker(field);
            field->clear();
        }
    }
    updateAccounts(view->trader.accounts);
    updateInstrumentLabel();
    followSentOrder();
    refresh();

    m_check->repeatIfDue();
}

void OrderTicket::clear()
{
    m_view.reset();
    m_terms = Terms{};
    m_report.clear();
    m_sent.reset();
    updateAccounts({});
    for (QLineEdit *field :
         {m_quantity, m_limitPrice, m_stopPrice, m_protectionPrice, m_displayQuantity}) {
        const QSignalBlocker blocker(field);
        field->clear();
    }
    for (QComboBox *box : {m_type, m_timeInForce, m_selfTradePrevention}) {
        const QSignalBlocker blocker(box);
        box->setCurrentIndex(0);
    }
    {
        const QSignalBlocker blocker(m_postOnly);
        m_postOnly->setChecked(false);
    }
    updateInstrumentLabel();
    refresh();
}

void OrderTicket::setGateway(OrderGateway *gateway)
{
    m_gateway = gateway;
    m_check->setGateway(gateway);
    m_report.clear();
    m_sent.reset();
    refresh();
}

void OrderTicket::setLimitPrice(Price price)
{
    m_limitPrice->setText(editableText(price.value(), m_terms.priceDecimals));
}

void OrderTicket::setQuantity(Quantity quantity)
{
    m_quantity->setText(editableText(quantity.value(), m_terms.quantityDecimals));
}

void OrderTicket::updateAccounts(const std::vector<AccountId> &accounts)
{
    if (accounts == m_accounts)
        return;

    const QVariant chosen = m_account->currentData();
    const QSignalBlocker blocker(m_account);
    m_account->clear();
    for (AccountId account : accounts)
        m_account->addItem(tr("Account %1").arg(account.value()), account.value());
    const int index = chosen.isValid() ? m_account->findData(chosen) : -1;
    m_account->setCurrentIndex(index >= 0 ? index : 0);
    m_accounts = accounts;
}

void OrderTicket::updateInstrumentLabel()
{
    if (!m_terms.known) {
        m_instrument->setText(tr("none"));
        return;
    }

    QString text = tr("%1, tick %2, lot %3")
                       .arg(m_terms.symbol, formatPrice(m_terms.tickSize, m_terms.priceDecimals),
                            formatQuantity(m_terms.lotSize, m_terms.quantityDecimals));
    // A minimum of one lot and the engine's maximum are no news to the trader.
    const QuantityLimits &limits = m_terms.quantityLimits;
    if (limits.minimum > m_terms.lotSize)
        text += tr(", min %1").arg(formatQuantity(limits.minimum, m_terms.quantityDecimals));
    if (limits.maximum < kMaximumQuantity)
        text += tr(", max %1").arg(formatQuantity(limits.maximum, m_terms.quantityDecimals));
    if (m_terms.status != TradingStatus::Trading)
        text += tr(", %1").arg(textOf(nameOf(m_terms.status)));
    m_instrument->setText(text);
}

void OrderTicket::updateEnabledFields()
{
    const auto type = currentEnum<OrderType>(m_type);
    m_limitPrice->setEnabled(hasLimit(type));
    m_stopPrice->setEnabled(hasStop(type));
    m_protectionPrice->setEnabled(entersAsMarket(type));
    m_displayQuantity->setEnabled(hasLimit(type));
    m_postOnly->setEnabled(type == OrderType::Limit);
    m_expiry->setEnabled(currentEnum<TimeInForce>(m_timeInForce) == TimeInForce::Gtd);
}

// Looks for the sent order in the view and puts its outcome in the message line. The engine
// gives the id only when it takes the order. Until then the order is matched by its account,
// instrument, side, type and quantity and by an event after the send. It must also not be one
// of the trader's orders from before the send, unless it is a rejection: a rejection names the
// id the order would have had, which may be that of an older order.
//
// NOTE: two identical orders sent between two views are indistinguishable here, so the message
// follows whichever the view lists first.
void OrderTicket::followSentOrder()
{
    if (!m_sent || !m_view)
        return;

    const SentOrder &sent = *m_sent;
    const auto isSent = [&sent](const OwnOrder &own) {
        if (sent.working)
            return own.id == *sent.working;
        const bool earlier = std::find(sent.earlierOrders.begin(), sent.earlierOrders.end(),
                                       own.id) != sent.earlierOrders.end();
        const bool rejected = own.state == OwnOrderState::Rejected;
        return own.account == sent.order.account && own.instrument == sent.order.instrument &&
               own.side == sent.order.side && own.type == sent.order.type &&
               own.quantity == sent.order.quantity && own.lastSequence > sent.sequence &&
               (rejected || !earlier);
    };

    // Newest first, so the first match is the latest outcome.
    for (const OwnOrder &own : m_view->trader.finishedOrders) {
        if (!isSent(own))
            continue;
        const QString reason = textOf(own.reason);
        m_reportFailed = own.state == OwnOrderState::Rejected;
        switch (own.state) {
        case OwnOrderState::Rejected:
            m_report = tr("Rejected: %1").arg(reason);
            break;
        case OwnOrderState::Filled:
            m_report = tr("Filled: order #%1.").arg(own.id.value());
            break;
        case OwnOrderState::Cancelled:
        case OwnOrderState::Expired:
        case OwnOrderState::Working: {
            const QString state =
                own.state == OwnOrderState::Expired ? tr("Expired") : tr("Cancelled");
            m_report = reason.isEmpty()
                           ? tr("%1: order #%2.").arg(state).arg(own.id.value())
                           : tr("%1: order #%2, %3").arg(state).arg(own.id.value()).arg(reason);
            break;
        }
        }
        m_sent.reset();
        return;
    }
    if (sent.working)
        return;
    for (const OwnOrder &own : m_view->trader.workingOrders) {
        if (!isSent(own))
            continue;
        m_sent->working = own.id;
        m_reportFailed = false;
        m_report = tr("Working: order #%1.").arg(own.id.value());
        return;
    }
}

// The time an expiry must lie beyond: the market's, or the wall clock's before the first
// event. A simulation stamps its events with wall-clock time, so the two agree there.
Timestamp OrderTicket::now() const
{
    if (m_terms.marketTime.value() > 0)
        return m_terms.marketTime;
    return Timestamp{QDateTime::currentMSecsSinceEpoch() * kNanosecondsPerMillisecond};
}

OrderTicket::Draft OrderTicket::readFields() const
{
    Draft draft;
    NewOrder &order = draft.order;
    order.type = currentEnum<OrderType>(m_type);
    order.timeInForce = currentEnum<TimeInForce>(m_timeInForce);
    const bool postOnly = order.type == OrderType::Limit && m_postOnly->isChecked();
    order.liquidity = postOnly ? Liquidity::PostOnly : Liquidity::Any;
    order.selfTradePrevention = currentEnum<SelfTradePrevention>(m_selfTradePrevention);
    order.instrument = m_terms.instrument;
    if (m_account->currentIndex() >= 0)
        order.account = AccountId{m_account->currentData().toUInt()};
    if (order.timeInForce == TimeInForce::Gtd) {
        order.expiry =
            Timestamp{m_expiry->dateTime().toMSecsSinceEpoch() * kNanosecondsPerMillisecond};
    }

    draft.problem = checkTerms(draft);
    if (draft.problem.isEmpty())
        draft.problem = readPrices(draft);
    if (draft.problem.isEmpty())
        draft.problem = checkInstructions(draft);
    if (draft.problem.isEmpty())
        checkSides(draft);
    return draft;
}

// Returns the problem that stops every order before its fields count: no gateway, no market,
// no account, or an instrument that takes no orders.
QString OrderTicket::checkTerms(const Draft &draft) const
{
    if (!m_gateway)
        return tr("Trading is off: no session takes orders.");
    if (!m_view)
        return tr("Waiting for the first view of the market.");
    if (!m_view->takesOrders && m_view->mode == SessionMode::Remote)
        return tr("Not connected to the server: wait for Live.");
    if (!m_view->takesOrders)
        return tr("This replay takes no orders.");
    if (!m_terms.known)
        return tr("No instrument is in focus.");
    if (draft.order.account == AccountId{})
        return tr("No account: the session has opened none for trading.");
    if (m_terms.status == TradingStatus::Closed)
        return tr("%1 is closed and takes no orders.").arg(m_terms.symbol);
    if (m_terms.status == TradingStatus::QuoteOnly)
        return tr("%1 takes quotes only, no orders.").arg(m_terms.symbol);
    return {};
}

// Reads the quantity and the prices the order type uses, and returns the first problem. The
// fields the type does not use are disabled and ignored.
QString OrderTicket::readPrices(Draft &draft) const
{
    NewOrder &order = draft.order;
    const int priceDecimals = m_terms.priceDecimals;
    const int quantityDecimals = m_terms.quantityDecimals;
    auto problemOf = [&draft](const auto &typed, const QLineEdit *field) {
        draft.incomplete = field->text().trimmed().isEmpty();
        return typed.problem;
    };

    const auto quantity = readOrderQuantity(m_quantity->text(), tr("Quantity"), quantityDecimals,
                                            m_terms.lotSize, m_terms.quantityLimits);
    if (!quantity.ok())
        return problemOf(quantity, m_quantity);
    order.quantity = quantity.value;

    if (hasLimit(order.type)) {
        const auto limit =
            readPrice(m_limitPrice->text(), tr("Limit price"), priceDecimals, m_terms.tickSize);
        if (!limit.ok())
            return problemOf(limit, m_limitPrice);
        order.limit = limit.value;
    }
    if (hasStop(order.type)) {
        const auto stop =
            readPrice(m_stopPrice->text(), tr("Stop price"), priceDecimals, m_terms.tickSize);
        if (!stop.ok())
            return problemOf(stop, m_stopPrice);
        order.stopPrice = stop.value;
    }
    if (entersAsMarket(order.type) && !m_protectionPrice->text().trimmed().isEmpty()) {
        const auto protection = readPrice(m_protectionPrice->text(), tr("Protection price"),
                                          priceDecimals, m_terms.tickSize);
        if (!protection.ok())
            return protection.problem;
        order.protectionPrice = protection.value;
    }
    if (hasLimit(order.type) && !m_displayQuantity->text().trimmed().isEmpty()) {
        const auto display = readQuantity(m_displayQuantity->text(), tr("Display quantity"),
                                          quantityDecimals, m_terms.lotSize);
        if (!display.ok())
            return display.problem;
        if (display.value >= order.quantity) {
            return tr("Display quantity %1 must be below the quantity %2.")
                .arg(formatQuantity(display.value, quantityDecimals),
                     formatQuantity(order.quantity, quantityDecimals));
        }
        order.displayQuantity = display.value;
    }
    return {};
}

// The combinations the engine rejects whatever the prices: a time in force the type cannot
// have, an expiry that has passed, and what cannot wait for an auction.
QString OrderTicket::checkInstructions(const Draft &draft) const
{
    const NewOrder &order = draft.order;
    const bool dayOrDate =
        order.timeInForce == TimeInForce::Day || order.timeInForce == TimeInForce::Gtd;
    if (order.type == OrderType::Market && dayOrDate)
        return tr("A market order never rests, so it cannot be DAY or GTD: choose GTC, IOC or "
                  "FOK.");
    if (order.displayQuantity > Quantity{0} && neverRests(order.timeInForce))
        return tr("An iceberg must be able to rest: choose GTC, DAY or GTD, or clear the display "
                  "quantity.");
    if (order.liquidity == Liquidity::PostOnly && neverRests(order.timeInForce))
        return tr("A post-only order must be able to rest: choose GTC, DAY or GTD.");
    if (order.timeInForce == TimeInForce::Gtd && order.expiry <= now()) {
        return tr("Expiry %1 is not in the future: the market time is %2.")
            .arg(dateTimeText(order.expiry), dateTimeText(now()));
    }

    const bool auction =
        m_terms.status == TradingStatus::PreOpen || m_terms.status == TradingStatus::Halted;
    const bool cannotWait = order.type == OrderType::Market || neverRests(order.timeInForce);
    if (auction && !hasStop(order.type) && cannotWait) {
        return tr("%1 is %2: market, IOC and FOK orders cannot wait for the auction.")
            .arg(m_terms.symbol, textOf(nameOf(m_terms.status)));
    }
    return {};
}

// Records the problems that stop one side only: a stop price the last trade has already reached,
// which the engine rejects rather than trigger at once, and a post-only price that would trade on
// arrival.
void OrderTicket::checkSides(Draft &draft) const
{
    const NewOrder &order = draft.order;
    const int decimals = m_terms.priceDecimals;
    const Price last = m_terms.lastTrade;
    if (hasStop(order.type) && last > Price{0}) {
        if (last >= order.stopPrice) {
            draft.sideProblems[indexOf(Side::Buy)] =
                tr("A buy stop must be above the last trade %1.").arg(formatPrice(last, decimals));
        }
        if (last <= order.stopPrice) {
            draft.sideProblems[indexOf(Side::Sell)] =
                tr("A sell stop must be below the last trade %1.").arg(formatPrice(last, decimals));
        }
    }

    if (order.liquidity != Liquidity::PostOnly)
        return;
    const Price ask = m_terms.bestAsk;
    const Price bid = m_terms.bestBid;
    if (ask > Price{0} && order.limit >= ask) {
        draft.sideProblems[indexOf(Side::Buy)] =
            tr("A post-only buy at %1 would trade with the best ask %2.")
                .arg(formatPrice(order.limit, decimals), formatPrice(ask, decimals));
    }
    if (bid > Price{0} && order.limit <= bid) {
        draft.sideProblems[indexOf(Side::Sell)] =
            tr("A post-only sell at %1 would trade with the best bid %2.")
                .arg(formatPrice(order.limit, decimals), formatPrice(bid, decimals));
    }
}

std::optional<NewOrder> OrderTicket::orderFor(Side side) const
{
    if (!problemFor(side).isEmpty())
        return std::nullopt;
    NewOrder order = m_draft.order;
    order.side = side;
    return order;
}

QString OrderTicket::problemFor(Side side) const
{
    if (!m_draft.problem.isEmpty())
        return m_draft.problem;
    return m_draft.sideProblems[indexOf(side)];
}

void OrderTicket::editFields()
{
    m_report.clear();
    m_sent.reset();
    refresh();
}

void OrderTicket::refresh()
{
    updateEnabledFields();
    m_draft = readFields();

    const bool canBuy = problemFor(Side::Buy).isEmpty();
    const bool canSell = problemFor(Side::Sell).isEmpty();
    m_buy->setEnabled(canBuy);
    m_buyAction->setEnabled(canBuy);
    m_buy->setToolTip(canBuy ? tr("Send the order as a buy: F1 or Ctrl+B") : problemFor(Side::Buy));
    m_sell->setEnabled(canSell);
    m_sellAction->setEnabled(canSell);
    m_sell->setToolTip(canSell ? tr("Send the order as a sell: F2 or Ctrl+S")
                               : problemFor(Side::Sell));

    const bool canCancel =
        m_gateway && m_account->currentIndex() >= 0 && m_view && m_view->takesOrders;
    m_cancelAll->setEnabled(canCancel);
    m_cancelAllAction->setEnabled(canCancel);

    showProblem(m_draft);
    scheduleCheck();
}

void OrderTicket::showProblem(const Draft &draft)
{
    if (!draft.problem.isEmpty()) {
        const auto tone = draft.incomplete ? MessageLine::Tone::Hint : MessageLine::Tone::Problem;
        m_message->setMessage(draft.problem, tone);
        return;
    }

    // What the last command did stays until a field changes. Meanwhile a side that cannot be
    // sent shows why in its button's tooltip.
    if (!m_report.isEmpty()) {
        const auto tone = m_reportFailed ? MessageLine::Tone::Problem : MessageLine::Tone::Report;
        m_message->setMessage(m_report, tone);
        return;
    }
    QStringList sides;
    for (const QString &problem : draft.sideProblems) {
        if (!problem.isEmpty())
            sides << problem;
    }
    if (!sides.isEmpty()) {
        m_message->setMessage(sides.join(QLatin1Char(' ')), MessageLine::Tone::Problem);
        return;
    }
    m_message->setMessage(tr("Ready: F1 buys, F2 sells."), MessageLine::Tone::Hint);
}

bool OrderTicket::send(Side side)
{
    refresh();
    const std::optional<NewOrder> order = orderFor(side);
    if (!order || !m_gateway)
        return false;

    const bool queued = m_gateway->submit(*order);
    m_reportFailed = !queued;
    m_report = queued ? tr("Sent: %1.").arg(describeOrder(*order))
                      : tr("Not sent: the session did not queue the order, because no "
                           "simulation runs or its queue is full.");
    m_sent.reset();
    if (queued) {
        SentOrder sent;
        sent.order = *order;
        sent.sequence = m_view ? m_view->lastSequence : 0;
        if (m_view) {
            for (const auto *orders :
                 {&m_view->trader.workingOrders, &m_view->trader.finishedOrders}) {
                for (const OwnOrder &own : *orders) {
                    if (own.account == order->account && own.instrument == order->instrument &&
                        own.side == order->side)
                        sent.earlierOrders.push_back(own.id);
                }
            }
        }
        m_sent = std::move(sent);
    }
    showProblem(m_draft);
    return queued;
}

bool OrderTicket::cancelAll()
{
    refresh();
    if (!m_cancelAll->isEnabled())
        return false;

    const AccountId account{m_account->currentData().toUInt()};
    const bool queued = m_gateway->massCancel(MassCancel{account, InstrumentId{}});
    m_sent.reset();
    m_reportFailed = !queued;
    m_report = queued ? tr("Sent: cancel every order of account %1.").arg(account.value())
                      : tr("Cancel all not sent: the session did not queue it, because no "
                           "simulation runs or its queue is full.");
    showProblem(m_draft);
    return queued;
}

// A summary of a sent order, such as "buy 10 XYZ limit 101.25, GTC".
QString OrderTicket::describeOrder(const NewOrder &order) const
{
    const int priceDecimals = m_terms.priceDecimals;
    const int quantityDecimals = m_terms.quantityDecimals;
    auto price = [priceDecimals](Price value) { return formatPrice(value, priceDecimals); };

    QString text = tr("%1 %2 %3")
                       .arg(sideWord(order.side), formatQuantity(order.quantity, quantityDecimals),
                            m_terms.symbol);
    switch (order.type) {
    case OrderType::Limit:
        text += tr(" limit %1").arg(price(order.limit));
        break;
    case OrderType::Market:
        text += tr(" market");
        break;
    case OrderType::Stop:
        text += tr(" stop %1").arg(price(order.stopPrice));
        break;
    case OrderType::StopLimit:
        text += tr(" stop %1 limit %2").arg(price(order.stopPrice), price(order.limit));
        break;
    }
    if (order.protectionPrice > Price{0})
        text += tr(", protection %1").arg(price(order.protectionPrice));
    if (order.displayQuantity > Quantity{0})
        text += tr(", display %1").arg(formatQuantity(order.displayQuantity, quantityDecimals));
    if (order.liquidity == Liquidity::PostOnly)
        text += tr(", post-only");
    text += QStringLiteral(", ") + textOf(nameOf(order.timeInForce));
    if (order.timeInForce == TimeInForce::Gtd)
        text += tr(" until %1").arg(dateTimeText(order.expiry));
    return text;
}

// Hands the order to the pre-trade check, which waits for the fields to stay still a moment.
void OrderTicket::scheduleCheck()
{
    if (!m_gateway || !m_draft.problem.isEmpty()) {
        m_check->clear();
        return;
    }
    m_check->setOrder(m_draft.order, {m_draft.sideProblems[indexOf(Side::Buy)].isEmpty(),
                                      m_draft.sideProblems[indexOf(Side::Sell)].isEmpty()});
}

} // namespace bourse::ui
