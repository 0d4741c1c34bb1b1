#include "lobster_apply.h"

#include <vector>

namespace bourse::lobster {

namespace {

TradingStatus statusOfHalt(Price price)
{
    if (price.value() == -1)
        return TradingStatus::Halted;
    if (price.value() == 0)
        return TradingStatus::QuoteOnly;
    return TradingStatus::Trading;
}

} // namespace

void MessageApplier::apply(Engine &engine, const Message &message)
{
    const Side side = message.direction;
    switch (message.type) {
    case MessageType::NewOrder:
        add(engine, message.id, side, message.price, message.size, message.time);
        return;
    case MessageType::PartialCancel:
        applyToRestingOrder(engine, RestingChange::Cancel, message.id, side, message.price,
                            message.size, message.time);
        return;
    case MessageType::Delete:
        applyToRestingOrder(engine, RestingChange::Delete, message.id, side, message.price,
                            message.size, message.time);
        return;
    case MessageType::VisibleExecution:
        applyToRestingOrder(engine, RestingChange::Execute, message.id, side, message.price,
                            message.size, message.time);
        return;
    case MessageType::HiddenExecution:
    case MessageType::CrossTrade:
        // The direction is the side of the order that was executed, so the aggressor is the
        // other side.
        engine.applyUnseenTrade(opposite(side), message.price, message.size, message.time);
        return;
    case MessageType::TradingHalt:
        engine.applyStatus(statusOfHalt(message.price), message.time);
        return;
    }
}

void MessageApplier::add(Engine &engine, OrderId id, Side side, Price price, Quantity quantity,
                         Timestamp time, OrderOrigin origin)
{
    if (engine.applyAdd(id, side, price, quantity, time, origin) != ApplyResult::Applied)
        ++m_unexplained;
}

// An order the book has not seen, from before the first message or from beyond the levels a
// source covers, is part of the quantity at that price that the book cannot attribute, so the
// message takes from there.
void MessageApplier::applyToRestingOrder(Engine &engine, RestingChange change, OrderId id,
                                         Side side, Price price, Quantity quantity, Timestamp time)
{
    const bool executes = change == RestingChange::Execute;
    Quantity wanted = quantity;

    const Order *order = engine.findOrder(id);
    // An id whose order rests on the other side or at another price is not the order this
    // message is about, and the book cannot tell which one it is.
    if (order && (order->side != side || order->price != price)) {
        order = nullptr;
        ++m_unexplained;
    }
    if (order) {
        const Quantity available = order->remaining;
        if (change == RestingChange::Delete) {
            engine.applyDelete(id, time);
            m_unconfirmed.erase(id);
            if (available > wanted)
                addRecovered(engine, side, price, available - wanted, time);
            wanted = wanted > available ? wanted - available : Quantity{0};
        } else {
            const Quantity taken = min(available, wanted);
            if (executes)
                engine.applyExecution(id, taken, time);
            else
                engine.applyReduce(id, taken, time);
            forgetIfGone(engine, id);
            wanted -= taken;
        }
        if (wanted <= Quantity{0})
            return;
    }

    const Quantity missing = takeUnattributed(engine, side, price, wanted, executes, time);
    if (missing <= Quantity{0})
        return;
    ++m_unexplained;
    // The trade happened at the exchange even though the book cannot show the order, so it
    // still reaches the tape and the bars.
    if (executes)
        engine.applyUnseenTrade(opposite(side), price, missing, time);
}

// Takes quantity from recovered orders at a price, then from unconfirmed ones, front of the
// queue first. Returns what could not be found.
Quantity MessageApplier::takeUnattributed(Engine &engine, Side side, Price price, Quantity wanted,
                                          bool executes, Timestamp time)
{
    const auto queue = engine.book().ordersAt(side, price);
    std::vector<OrderId> candidates;
    for (const Order *order : queue) {
        if (isRecovered(order->id))
            candidates.push_back(order->id);
    }
    for (const Order *order : queue) {
        if (m_unconfirmed.count(order->id))
            candidates.push_back(order->id);
    }

    for (OrderId id : candidates) {
        if (wanted <= Quantity{0})
            break;
        const Quantity taken = min(engine.findOrder(id)->remaining, wanted);
        if (executes)
            engine.applyExecution(id, taken, time);
        else
            engine.applyReduce(id, taken, time);
        forgetIfGone(engine, id);
        wanted -= taken;
    }
    return wanted;
}

void MessageApplier::addRecovered(Engine &engine, Side side, Price price, Quantity quantity,
                                  Timestamp time)
{
    engine.applyAdd(OrderId{m_nextRecoveredId++}, side, price, quantity, time,
                    OrderOrigin::Recovered);
    ++m_recovered;
}

void MessageApplier::reserveRecoveredId(OrderId id)
{
    if (id.value() >= m_nextRecoveredId)
        m_nextRecoveredId = id.value() + 1;
}

void MessageApplier::markUnconfirmed(const Engine &engine, Side side, Price price)
{
    for (const Order *order : engine.book().ordersAt(side, price)) {
        if (!isRecovered(order->id))
            m_unconfirmed.insert(order->id);
    }
}

// Keeps the unconfirmed set to orders still in the book, so it does not grow all day.
void MessageApplier::forgetIfGone(const Engine &engine, OrderId id)
{
    if (!m_unconfirmed.empty() && !engine.findOrder(id))
        m_unconfirmed.erase(id);
}

} // namespace bourse::lobster
