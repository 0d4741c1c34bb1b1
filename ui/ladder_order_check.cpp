#include "ladder_order_check.h"

#include "logging.h"

#include <algorithm>

namespace bourse::ui {

namespace {

// Often enough that a warning shows within a frame or two of the engine's result, which
// Session::checkOrder() delivers within one batch of engine work (about 5 ms).
constexpr int kPollMilliseconds = 15;

} // namespace

bool sameOrder(const NewOrder &a, const NewOrder &b)
{
    return a.side == b.side && a.limit == b.limit && a.quantity == b.quantity && a.type == b.type &&
           a.timeInForce == b.timeInForce && a.instrument == b.instrument &&
           a.account == b.account && a.stopPrice == b.stopPrice &&
           a.displayQuantity == b.displayQuantity;
}

LadderOrderCheck::LadderOrderCheck(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(kPollMilliseconds);
    connect(&m_timer, &QTimer::timeout, this, &LadderOrderCheck::poll);
}

void LadderOrderCheck::setGateway(OrderGateway *gateway)
{
    m_gateway = gateway;
    const bool hadRejections = !rejections().empty();
    m_entries.clear();
    m_timer.stop();
    if (hadRejections)
        emit rejectionsChanged();
}

void LadderOrderCheck::setOrders(const std::vector<NewOrder> &orders)
{
    const std::vector<Rejection> before = rejections();

    std::vector<Entry> entries;
    entries.reserve(orders.size());
    for (const NewOrder &order : orders) {
        const auto known = std::find_if(m_entries.begin(), m_entries.end(),
                                        [&](const Entry &e) { return sameOrder(e.order, order); });
        if (known != m_entries.end()) {
            entries.push_back(std::move(*known));
            continue;
        }
        Entry &entry = entries.emplace_back();
        entry.order = order;
        ask(entry);
    }
    m_entries = std::move(entries);

    const std::vector<Rejection> after = rejections();
    const bool changed = before.size() != after.size() ||
                         !std::equal(before.begin(), before.end(), after.begin(),
                                     [](const Rejection &a, const Rejection &b) {
                                         return sameOrder(a.order, b.order) && a.text == b.text;
                                     });
    if (changed)
        emit rejectionsChanged();
}

void LadderOrderCheck::refreshOlderThan(std::chrono::milliseconds age)
{
    for (Entry &entry : m_entries) {
        const bool stale = entry.checkedAt.isValid() && entry.checkedAt.elapsed() > age.count();
        if (stale && !entry.answer.valid())
            ask(entry);
    }
}

void LadderOrderCheck::ask(Entry &entry)
{
    if (!m_gateway)
        return;

    entry.answer = m_gateway->checkOrder(entry.order);
    if (entry.answer.valid())
        m_timer.start();
}

void LadderOrderCheck::poll()
{
    bool changed = false;
    for (Entry &entry : m_entries)
        changed = take(entry) || changed;

    if (!pending())
        m_timer.stop();
    if (changed)
        emit rejectionsChanged();
}

bool LadderOrderCheck::take(Entry &entry)
{
    if (!entry.answer.valid() ||
        entry.answer.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        return false;

    std::optional<QString> rejection;
    try {
        const Session::CheckAnswer answer = entry.answer.get();
        if (!answer.check.passes()) {
            rejection = QString::fromStdString(answer.text);
            if (rejection->isEmpty())
                rejection = tr("the engine would reject it (%1)")
                                .arg(QString::fromUtf8(nameOf(*answer.check.reason)));
        }
    } catch (const std::future_error &error) {
        // The session stopped before it checked the order, so there is nothing to warn about.
        qCDebug(lcUi) << "pre-trade check not answered:" << error.what();
    }
    entry.checkedAt.start();

    const bool changed = rejection != entry.rejection;
    entry.rejection = std::move(rejection);
    return changed;
}

bool LadderOrderCheck::pending() const
{
    return std::any_of(m_entries.begin(), m_entries.end(),
                       [](const Entry &entry) { return entry.answer.valid(); });
}

std::vector<LadderOrderCheck::Rejection> LadderOrderCheck::rejections() const
{
    std::vector<Rejection> result;
    for (const Entry &entry : m_entries) {
        if (entry.rejection)
            result.push_back({entry.order, *entry.rejection});
    }
    return result;
}

} // namespace bourse::ui
