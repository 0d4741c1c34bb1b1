#include "risk_kill_switch.h"

#include "order_gateway.h"
#include "risk_colors.h"
#include "risk_terms.h"
#include "risk_tone_label.h"
#include "theme.h"

#include <QGridLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QShortcut>
#include <QTime>

namespace bourse::ui {

namespace {

constexpr std::array engageScopes{KillSwitchScope::Pause, KillSwitchScope::CancelAll,
                                  KillSwitchScope::Flatten};

QString engageName(KillSwitchScope scope, const QString &target)
{
    switch (scope) {
    case KillSwitchScope::Pause:
        return KillSwitchPanel::tr("Kill switch: pause new orders of %1").arg(target);
    case KillSwitchScope::CancelAll:
        return KillSwitchPanel::tr("Kill switch: cancel all orders of %1").arg(target);
    case KillSwitchScope::Flatten:
        return KillSwitchPanel::tr("Kill switch: flatten %1").arg(target);
    case KillSwitchScope::None:
        break;
    }
    return {};
}

QString engageDescription(KillSwitchScope scope, const QString &target)
{
    switch (scope) {
    case KillSwitchScope::Pause:
        return KillSwitchPanel::tr("Rejects every new order of %1; working orders stay.")
            .arg(target);
    case KillSwitchScope::CancelAll:
        return KillSwitchPanel::tr("Rejects every new order of %1 and cancels its working "
                                   "orders.")
            .arg(target);
    case KillSwitchScope::Flatten:
        return KillSwitchPanel::tr("Rejects every new order of %1, cancels its working orders "
                                   "and closes its positions.")
            .arg(target);
    case KillSwitchScope::None:
        break;
    }
    return {};
}

QString buttonText(KillSwitchScope scope)
{
    switch (scope) {
    case KillSwitchScope::Pause:
        return KillSwitchPanel::tr("PAUSE");
    case KillSwitchScope::CancelAll:
        return KillSwitchPanel::tr("CANCEL ALL");
    case KillSwitchScope::Flatten:
        return KillSwitchPanel::tr("FLATTEN");
    case KillSwitchScope::None:
        break;
    }
    return {};
}

QString objectNameOf(bool global, KillSwitchScope scope)
{
    const QString prefix = global ? QStringLiteral("global") : QStringLiteral("account");
    switch (scope) {
    case KillSwitchScope::Pause:
        return prefix + QStringLiteral("PauseButton");
    case KillSwitchScope::CancelAll:
        return prefix + QStringLiteral("CancelAllButton");
    case KillSwitchScope::Flatten:
        return prefix + QStringLiteral("FlattenButton");
    case KillSwitchScope::None:
        break;
    }
    return {};
}

} // namespace

QString killSwitchTarget(AccountId account)
{
    if (account.value() == 0)
        return KillSwitchPanel::tr("all accounts");
    return KillSwitchPanel::tr("account %1").arg(account.value());
}

KillSwitchButton::KillSwitchButton(const QString &text, QWidget *parent)
    : QAbstractButton(parent)
{
    setText(text);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::PointingHandCursor);
    QFont bold = font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    setFont(bold);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void KillSwitchButton::setEngaged(bool engaged)
{
    if (engaged == m_engaged)
        return;
    m_engaged = engaged;
    update();
}

QSize KillSwitchButton::sizeHint() const
{
    const QFontMetrics metrics(font());
    return {metrics.horizontalAdvance(text()) + 32, std::max(40, metrics.height() * 2 + 8)};
}

QSize KillSwitchButton::minimumSizeHint() const
{
    const QFontMetrics metrics(font());
    return {metrics.horizontalAdvance(text()) + 12, std::max(40, metrics.height() * 2 + 8)};
}

void KillSwitchButton::enterEvent(QEnterEvent *event)
{
    m_hovered = true;
    update();
    QAbstractButton::enterEvent(event);
}

void KillSwitchButton::leaveEvent(QEvent *event)
{
    m_hovered = false;
    update();
    QAbstractButton::leaveEvent(event);
}

void KillSwitchButton::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF frame = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);

    QColor fill = killSwitchColor();
    QColor label = palette().color(QPalette::HighlightedText);
    if (!isEnabled()) {
        fill = theme::gridColor();
        label = theme::mutedTextColor();
    } else if (isDown()) {
        fill = fill.darker(160);
    } else if (m_engaged) {
        fill = fill.lighter(115);
    } else if (!m_hovered) {
        fill = fill.darker(125);
    }

    painter.setPen(m_engaged ? QPen(theme::textColor(), 3) : Qt::NoPen);
    painter.setBrush(fill);
    painter.drawRoundedRect(frame, 4, 4);

    if (hasFocus()) {
        QPen focus(label, 1, Qt::DashLine);
        painter.setPen(focus);
        painter.setBrush(Qt::NoBrush);
        painter.drawRoundedRect(frame.adjusted(4, 4, -4, -4), 2, 2);
    }

    painter.setPen(label);
    painter.setFont(font());
    painter.drawText(rect(), Qt::AlignCenter, text());
}

KillSwitchPanel::KillSwitchPanel(QWidget *parent)
    : QFrame(parent)
    , m_title(new RiskToneLabel(this))
    , m_outcome(new RiskToneLabel(this))
{
    setObjectName(QStringLiteral("killSwitchPanel"));
    setAccessibleName(tr("Kill switch"));
    m_title->setObjectName(QStringLiteral("killSwitchTitle"));
    m_title->setText(tr("KILL SWITCH"));
    m_title->setTone(RiskToneLabel::Tone::Alarm);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    m_title->setFont(titleFont);
    m_outcome->setObjectName(QStringLiteral("killSwitchOutcome"));
    m_outcome->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_outcome->setAccessibleName(tr("Kill switch outcome"));

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(12, 8, 12, 10);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(6);
    grid->addWidget(m_title, 0, 0, 1, 2);
    grid->addWidget(m_outcome, 0, 2, 1, 4);
    buildRow(m_accountRow, false, 1);
    buildRow(m_globalRow, true, 2);
    for (int column = 2; column <= 4; ++column)
        grid->setColumnStretch(column, 1);

    attachShortcut();
    clear();
}

KillSwitchPanel::~KillSwitchPanel()
{
    delete m_shortcut;
}

void KillSwitchPanel::attachShortcut()
{
    QWidget *top = window();
    if (m_shortcut && m_shortcut->parent() == top)
        return;

    delete m_shortcut;
    m_shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K), top);
    m_shortcut->setObjectName(QStringLiteral("killSwitchShortcut"));
    m_shortcut->setContext(Qt::ApplicationShortcut);
    connect(m_shortcut, &QShortcut::activated, this, &KillSwitchPanel::engageFromShortcut);
}

void KillSwitchPanel::showEvent(QShowEvent *event)
{
    attachShortcut();
    QFrame::showEvent(event);
}

void KillSwitchPanel::engageFromShortcut()
{
    if (m_account.value() == 0) {
        showOutcome(tr("Not sent: no account is selected."), false);
        return;
    }
    engage(m_account, KillSwitchScope::CancelAll);
}

void KillSwitchPanel::buildRow(Row &row, bool global, int gridRow)
{
    auto *grid = static_cast<QGridLayout *>(layout());
    const QString prefix = global ? QStringLiteral("global") : QStringLiteral("account");

    row.name = new QLabel(this);
    row.name->setObjectName(prefix + QStringLiteral("KillSwitchName"));
    QFont bold = row.name->font();
    bold.setBold(true);
    row.name->setFont(bold);
    row.state = new RiskToneLabel(this);
    row.state->setObjectName(prefix + QStringLiteral("KillSwitchState"));
    row.state->setFont(bold);
    row.state->setMinimumWidth(
        row.state->fontMetrics().horizontalAdvance(tr("ENGAGED: CANCEL ALL")) + 8);
    grid->addWidget(row.name, gridRow, 0);
    grid->addWidget(row.state, gridRow, 1);

    for (std::size_t i = 0; i < engageScopes.size(); ++i) {
        const KillSwitchScope scope = engageScopes[i];
        auto *button = new KillSwitchButton(buttonText(scope), this);
        button->setObjectName(objectNameOf(global, scope));
        connect(button, &QAbstractButton::clicked, this,
                [this, global, scope] { engage(global ? AccountId{} : m_account, scope); });
        row.engage[i] = button;
        grid->addWidget(button, gridRow, 2 + static_cast<int>(i));
    }

    row.reset = new QPushButton(tr("Reset\u2026"), this);
    row.reset->setObjectName(prefix + QStringLiteral("ResetButton"));
    connect(row.reset, &QPushButton::clicked, this,
            [this, global] { reset(global ? AccountId{} : m_account); });
    grid->addWidget(row.reset, gridRow, 5);
}

void KillSwitchPanel::setGateway(OrderGateway *gateway)
{
    m_gateway = gateway;
    updateTexts();
}

void KillSwitchPanel::setAccount(AccountId account)
{
    if (account == m_account)
        return;
    m_account = account;
    updateTexts();
}

void KillSwitchPanel::setStates(KillSwitchScope account, KillSwitchScope global)
{
    if (account == m_accountRow.scope && global == m_globalRow.scope)
        return;
    m_accountRow.scope = account;
    m_globalRow.scope = global;
    updateTexts();
}

void KillSwitchPanel::clear()
{
    m_account = AccountId{};
    m_accountRow.scope = KillSwitchScope::None;
    m_globalRow.scope = KillSwitchScope::None;
    m_outcome->clear();
    updateTexts();
}

void KillSwitchPanel::updateTexts()
{
    updateRow(m_accountRow, m_account, m_accountRow.scope);
    updateRow(m_globalRow, AccountId{}, m_globalRow.scope);
    if (m_account.value() == 0)
        m_accountRow.name->setText(tr("No account"));
}

void KillSwitchPanel::updateRow(Row &row, AccountId account, KillSwitchScope scope)
{
    const bool global = &row == &m_globalRow;
    const QString target =
        global || account.value() != 0 ? killSwitchTarget(account) : tr("no account");
    row.name->setText(global ? tr("All accounts") : tr("Account %1").arg(account.value()));

    const bool engaged = scope != KillSwitchScope::None;
    row.state->setText(engaged ? tr("ENGAGED: %1").arg(killSwitchTitle(scope).toUpper())
                               : tr("Off"));
    row.state->setTone(engaged ? RiskToneLabel::Tone::Alarm : RiskToneLabel::Tone::Muted);
    row.state->setAccessibleName(tr("Kill switch state of %1").arg(target));

    const bool commandable = m_gateway != nullptr && (global || account.value() != 0);
    for (std::size_t i = 0; i < engageScopes.size(); ++i) {
        KillSwitchButton *button = row.engage[i];
        button->setEnabled(commandable);
        button->setEngaged(scope == engageScopes[i]);
        button->setAccessibleName(engageName(engageScopes[i], target));
        button->setAccessibleDescription(engageDescription(engageScopes[i], target));
        QString tip = engageDescription(engageScopes[i], target);
        if (!global && engageScopes[i] == KillSwitchScope::CancelAll)
            tip += QStringLiteral(" (Ctrl+Shift+K)");
        button->setToolTip(tip);
    }

    row.reset->setEnabled(commandable && engaged);
    row.reset->setAccessibleName(tr("Reset the kill switch of %1").arg(target));
    row.reset->setToolTip(tr("Lets %1 trade again, after a confirmation.").arg(target));
}

bool KillSwitchPanel::engage(AccountId account, KillSwitchScope scope)
{
    const QString target = killSwitchTarget(account);
    if (!m_gateway) {
        showOutcome(tr("Not sent: no session takes commands."), false);
        return false;
    }
    const bool sent = m_gateway->engageKillSwitch(account, scope);
    if (sent)
        showOutcome(tr("%1 sent for %2").arg(killSwitchTitle(scope), target), true);
    else
        showOutcome(tr("Not sent: the session did not queue %1 for %2 (no simulation runs, or "
                       "its command queue is full). Try again.")
                        .arg(killSwitchTitle(scope).toLower(), target),
                    false);
    return sent;
}

bool KillSwitchPanel::reset(AccountId account)
{
    if (!m_gateway) {
        showOutcome(tr("Not sent: no session takes commands."), false);
        return false;
    }
    if (!confirmReset(account))
        return false;

    const QString target = killSwitchTarget(account);
    const bool sent = m_gateway->resetKillSwitch(account);
    if (sent)
        showOutcome(tr("Reset sent for %1").arg(target), true);
    else
        showOutcome(
            tr("Not sent: the session did not queue the reset for %1. Try again.").arg(target),
            false);
    return sent;
}

bool KillSwitchPanel::confirmReset(AccountId account)
{
    const QString target = killSwitchTarget(account);
    QMessageBox box(QMessageBox::Warning, tr("Reset kill switch"),
                    tr("Reset the kill switch of %1?").arg(target), QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("killSwitchResetConfirmation"));
    box.setInformativeText(tr("New orders of %1 will be accepted again. Orders the switch "
                              "cancelled and positions it closed stay as they are.")
                               .arg(target));
    QPushButton *confirm = box.addButton(tr("Reset kill switch"), QMessageBox::AcceptRole);
    confirm->setObjectName(QStringLiteral("confirmResetButton"));
    QPushButton *cancel = box.addButton(QMessageBox::Cancel);
    // Enter and Escape both keep the switch engaged, so only a click on the reset button resets
    // it.
    box.setDefaultButton(cancel);
    box.setEscapeButton(cancel);
    box.exec();
    return box.clickedButton() == confirm;
}

void KillSwitchPanel::showOutcome(const QString &text, bool sent)
{
    const QString time = QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
    m_outcome->setText(QStringLiteral("%1 \u00b7 %2").arg(time, text));
    m_outcome->setToolTip(text);
    m_outcome->setTone(sent ? RiskToneLabel::Tone::Plain : RiskToneLabel::Tone::Alarm);
}

void KillSwitchPanel::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    QColor tint = killSwitchColor();
    tint.setAlpha(28);
    painter.setBrush(tint);
    painter.setPen(QPen(killSwitchColor(), 2));
    painter.drawRoundedRect(QRectF(rect()).adjusted(1, 1, -1, -1), 6, 6);
}

} // namespace bourse::ui
