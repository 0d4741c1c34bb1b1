// OrderApplier (feed_books.h): order-level feed messages on an Engine's book.

#include "feed_books.h"

namespace bourse::net::feed {

void OrderApplier::apply(Engine &engine, const OrderMessage &message)
{
    using lobster::RestingChange;

    RestingChange change = RestingChange::Cancel;
    switch (message.action) {
    case OrderAction::Add:
        m_messages.add(engine, message.id, message.side, message.price, message.quantity,
                       message.time);
        return;
    case OrderAction::Modify:
        change = RestingChange::Cancel;
        break;
    case OrderAction::Delete:
        change = RestingChange::Delete;
        break;
    case OrderAction::Execute:
        change = RestingChange::Execute;
        break;
    }
    m_messages.applyToRestingOrder(engine, change, message.id, message.side, message.price,
                                   message.quantity, message.time);
}

void OrderApplier::apply(Engine &engine, const Trade &trade)
{
    engine.applyUnseenTrade(trade.aggressor, trade.price, trade.quantity, trade.time);
}

void OrderApplier::apply(Engine &engine, const StatusChange &status)
{
    engine.applyStatus(status.status, status.time);
}

// Recovered orders keep their ids, so a later snapshot marks them the same way, and new
// recovered orders take ids above the highest one loaded.
void OrderApplier::load(Engine &engine, const OrderSnapshot &snapshot, Timestamp time)
{
    for (const RestingOrder &order : snapshot.orders) {
        const OrderOrigin origin =
            lobster::isRecovered(order.id) ? OrderOrigin::Recovered : OrderOrigin::MarketData;
        m_messages.add(engine, order.id, order.side, order.price, order.quantity, time, origin);
        m_messages.reserveRecoveredId(order.id);
    }
}

OrderSnapshot OrderApplier::snapshotOf(const Engine &engine)
{
    OrderSnapshot snapshot;
    snapshot.orders.reserve(engine.book().orderCount());
    for (Side side : {Side::Buy, Side::Sell}) {
        engine.book().forEachOrder(side, [&snapshot](const Order &order) {
            snapshot.orders.push_back({order.id, order.side, order.price, order.remaining});
        });
    }
    return snapshot;
}

} // namespace bourse::net::feed
