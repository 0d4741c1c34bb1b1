#include "order_ticket_check.h"

#include "order_gateway.h"

#include <QStringList>

#include <chrono>

namespace bourse::ui {

namespace {

constexpr int kDelayMilliseconds = 150;
constexpr int kPollMilliseconds = 20;
constexpr int kRepeatMilliseconds = 1000;
// Session::checkOrder() sets its result within one batch of work, about 5 ms. A check still
// pending after this long is dropped, so that a stuck session leaves no poll running.
constexpr int kTimeoutMilliseconds = 2000;

constexpr std::array<Side, 2> kSides{Side::Buy, Side::Sell};

std::size_t indexOf(Side side)
{
    return side == Side::Buy ? 0 : 1;
}

QString sideWord(Side side)
{
    return side == Side::Buy ? PreTradeCheck::tr("buy") : PreTradeCheck::tr("sell");
}

// Whether two orders have the same content, so that a check of one applies to the other.
bool sameOrder(const NewOrder &a, const NewOrder &b)
{
    return a.id == b.id && a.side == b.side && a.limit == b.limit && a.quantity == b.quantity &&
           a.type == b.type && a.timeInForce == b.timeInForce && a.liquidity == b.liquidity &&
           a.selfTradePrevention == b.selfTradePrevention && a.instrument == b.instrument &&
           a.account == b.account && a.clientOrderId == b.clientOrderId &&
           a.stopPrice == b.stopPrice && a.displayQuantity == b.displayQuantity &&
           a.protectionPrice == b.protectionPrice && a.expiry == b.expiry;
}

} // namespace

PreTradeCheck::PreTradeCheck(QObject *parent)
    : QObject(parent)
{
    m_delay.setSingleShot(true);
    m_delay.setInterval(kDelayMilliseconds);
    connect(&m_delay, &QTimer::timeout, this, &PreTradeCheck::start);
    m_poll.setInterval(kPollMilliseconds);
    connect(&m_poll, &QTimer::timeout, this, &PreTradeCheck::poll);
}

void PreTradeCheck::setGateway(OrderGateway *gateway)
{
    m_gateway = gateway;
    clear();
}

void PreTradeCheck::setOrder(const NewOrder &order, std::array<bool, 2> sides)
{
    if (!m_gateway) {
        clear();
        return;
    }
    NewOrder sideless = order;
    sideless.side = Side::Buy;
    if (m_order && sameOrder(*m_order, sideless) && m_sides == sides)
        return;

    m_poll.stop();
    m_checks = {};
    m_order = sideless;
    m_sides = sides;
    setText(tr("Pre-trade check: waiting."), false);
    m_delay.start();
}

void PreTradeCheck::clear()
{
    m_delay.stop();
    m_poll.stop();
    m_checks = {};
    m_order.reset();
    setText({}, false);
}

void PreTradeCheck::repeatIfDue()
{
    const bool idle = !m_checks[0] && !m_checks[1] && !m_delay.isActive();
    if (m_order && idle && m_sinceStart.isValid() && m_sinceStart.elapsed() >= kRepeatMilliseconds)
        start();
}

void PreTradeCheck::start()
{
    if (!m_gateway || !m_order)
        return;

    for (Side side : kSides) {
        const std::size_t index = indexOf(side);
        m_checks[index].reset();
        m_results[index].reset();
        if (!m_sides[index])
            continue;
        NewOrder order = *m_order;
        order.side = side;
        m_checks[index] = m_gateway->checkOrder(order);
    }
    m_sinceStart.start();
    m_poll.start();
    poll();
}

void PreTradeCheck::poll()
{
    bool pending = false;
    for (std::size_t index = 0; index < m_checks.size(); ++index) {
        std::optional<std::future<Session::CheckAnswer>> &check = m_checks[index];
        if (!check)
            continue;
        if (!check->valid()) {
            check.reset();
            continue;
        }
        if (check->wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            pending = true;
            continue;
        }
        m_results[index] = resultText(*check);
        check.reset();
    }
    if (pending && m_sinceStart.elapsed() < kTimeoutMilliseconds)
        return;

    m_poll.stop();
    if (pending) {
        m_checks = {};
        setText(
            tr("Pre-trade check: no result within %1 seconds.").arg(kTimeoutMilliseconds / 1000),
            false);
        return;
    }
    showResults();
}

// Returns the result of a ready check: empty when the order passes, otherwise why it would not.
QString PreTradeCheck::resultText(std::future<Session::CheckAnswer> &check)
{
    try {
        const Session::CheckAnswer answer = check.get();
        if (answer.check.passes())
            return {};
        // The engine's text may start with the verdict, as in "rejected: position limit, ...",
        // which the line names already.
        const QString verdict = QStringLiteral("rejected:");
        const QString text = QString::fromStdString(answer.text);
        if (text.startsWith(verdict, Qt::CaseInsensitive))
            return text.mid(verdict.size()).trimmed();
        if (!text.isEmpty())
            return text;
        const std::string_view reason = nameOf(*answer.check.reason);
        return QString::fromUtf8(reason.data(), static_cast<qsizetype>(reason.size()));
    } catch (const std::future_error &) {
        return tr("the session stopped before the check finished");
    }
}

void PreTradeCheck::showResults()
{
    QStringList parts;
    bool rejected = false;
    for (Side side : kSides) {
        const std::optional<QString> &result = m_results[indexOf(side)];
        if (!result)
            continue;
        if (result->isEmpty()) {
            parts << tr("%1 passes").arg(sideWord(side));
        } else {
            parts << tr("%1 would be rejected: %2").arg(sideWord(side), *result);
            rejected = true;
        }
    }
    if (parts.isEmpty())
        setText({}, false);
    else
        setText(tr("Pre-trade check: %1.").arg(parts.join(tr(", "))), rejected);
}

void PreTradeCheck::setText(const QString &text, bool rejected)
{
    if (text == m_text && rejected == m_rejected)
        return;
    m_text = text;
    m_rejected = rejected;
    emit resultChanged(m_text, m_rejected);
}

} // namespace bourse::ui
