#pragma once

#include "engine.h"
#include "session.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <array>
#include <future>
#include <optional>

namespace bourse::ui {

class OrderGateway;

// The engine's pre-trade check of the order a ticket describes, on both sides. It is asked once
// the order has been unchanged for a moment, and again on repeatIfDue() about once a second,
// since the risk state moves with the market. The futures are polled with a zero timeout, never
// waited on, and a check still pending after two seconds is dropped.
class PreTradeCheck : public QObject {
    Q_OBJECT

public:
    explicit PreTradeCheck(QObject *parent = nullptr);

    // Sets the gateway that runs the checks, or nullptr for none, and drops pending checks.
    void setGateway(OrderGateway *gateway);

    // Checks `order` (whose side is ignored) on the sides whose entry in `sides` is true, indexed
    // by Side, once the order has stayed the same for a moment. The same order and sides again
    // change nothing.
    void setOrder(const NewOrder &order, std::array<bool, 2> sides);
    // Drops the order and its checks, for an order that is invalid.
    void clear();
    // Checks the order again when its last result is a second old and nothing is pending.
    void repeatIfDue();

    // The line to show, such as "Pre-trade check: buy passes, sell would be rejected: ...", or
    // empty when there is nothing to show.
    const QString &text() const { return m_text; }
    // Whether a side would be rejected.
    bool rejected() const { return m_rejected; }

signals:
    void resultChanged(const QString &text, bool rejected);

private:
    void start();
    void poll();
    void showResults();
    void setText(const QString &text, bool rejected);
    static QString resultText(std::future<Session::CheckAnswer> &check);

    OrderGateway *m_gateway = nullptr;
    std::optional<NewOrder> m_order;
    std::array<bool, 2> m_sides{};
    // By Side: the pending check, and the last result (empty text: the order passes).
    std::array<std::optional<std::future<Session::CheckAnswer>>, 2> m_checks;
    std::array<std::optional<QString>, 2> m_results;
    QElapsedTimer m_sinceStart;
    QTimer m_delay;
    QTimer m_poll;
    QString m_text;
    bool m_rejected = false;
};

} // namespace bourse::ui
