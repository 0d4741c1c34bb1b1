#pragma once

#include "order_gateway.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <future>
#include <optional>
#include <vector>

namespace bourse::ui {

// Requests pre-trade checks from a gateway for the orders the trader points at, and collects
// the results without blocking the GUI thread, because a timer polls the futures while any is
// pending. The result for an order the trader no longer points at is dropped as stale.
//
// NOTE: a dropped future must not block in its destructor. Futures from a promise, as
// Session::checkOrder() and test gateways return, do not; one from std::async would.
class LadderOrderCheck : public QObject {
    Q_OBJECT

public:
    struct Rejection {
        NewOrder order;
        QString text; // why the order would be rejected, a sentence for the trader
    };

    explicit LadderOrderCheck(QObject *parent = nullptr);

    // Drops every pending check and result. With a null gateway no check is requested.
    void setGateway(OrderGateway *gateway);

    // Sets the orders the trader points at now and requests a check of each new one at once.
    // An order checked before keeps its result, and the results for all others are dropped.
    void setOrders(const std::vector<NewOrder> &orders);

    // Requests a new check of each order whose result is older than `age`, since the risk
    // state moves with the market. The previous result stays until the new one arrives.
    void refreshOlderThan(std::chrono::milliseconds age);

    // Takes the results that are ready. The timer calls it while a check is pending.
    void poll();

    bool pending() const;
    // The current orders whose last result was a rejection, in the order setOrders() gave.
    std::vector<Rejection> rejections() const;

signals:
    void rejectionsChanged();

private:
    struct Entry {
        NewOrder order;
        std::future<Session::CheckAnswer> answer; // valid while the check is pending
        std::optional<QString> rejection;
        QElapsedTimer checkedAt; // invalid before the first result
    };

    void ask(Entry &entry);
    bool take(Entry &entry);

    OrderGateway *m_gateway = nullptr;
    std::vector<Entry> m_entries;
    QTimer m_timer;
};

// Whether two orders are the same request, so that one check covers both.
bool sameOrder(const NewOrder &a, const NewOrder &b);

} // namespace bourse::ui
