#include "depth_replay.h"

#include <array>
#include <string>
#include <vector>

namespace bourse::replay {

namespace {

constexpr std::array<Side, 2> kSides{Side::Buy, Side::Sell};

const std::vector<BookLevel> &changesOf(const DepthUpdate &update, Side side)
{
    return side == Side::Buy ? update.bids : update.asks;
}

} // namespace

DepthReplay::DepthReplay(Engine &engine, DepthReader &reader, DepthSequencing sequencing,
                         std::size_t bufferLimit)
    : m_engine(engine)
    , m_reader(reader)
    , m_book(sequencing, bufferLimit)
{
}

DepthReplay::Step DepthReplay::step()
{
    if (m_error)
        return Step::Failed;
    if (!m_reader.read(m_update)) {
        m_error = m_reader.error();
        return m_error ? Step::Failed : Step::Finished;
    }

    m_outcome = m_book.apply(m_update);
    bool synchronized = true;
    if (m_update.kind == DepthKind::Snapshot && m_outcome != DepthOutcome::Dropped)
        synchronized = synchronizeAll(m_update.exchangeTime);
    else if (m_outcome == DepthOutcome::Applied)
        synchronized = synchronizeChanged(m_update);
    return synchronized ? Step::Applied : Step::Failed;
}

// Sizes go down before any goes up, so that a price that moves across the spread within one
// update never leaves the engine's book crossed in between.
bool DepthReplay::synchronizeChanged(const DepthUpdate &update)
{
    for (const bool increase : {false, true}) {
        for (const Side side : kSides) {
            for (const BookLevel &change : changesOf(update, side)) {
                const Quantity target = m_book.sizeAt(side, change.price);
                const Quantity current = m_engine.book().quantityAt(side, change.price);
                if (target == current || (target > current) != increase)
                    continue;
                if (!setLevel(side, change.price, target, update.exchangeTime,
                              CancelReason::MarketData))
                    return false;
            }
        }
    }
    return true;
}

// A snapshot replaced the book: every level of the engine's book that is larger than the
// book's, or absent from it, comes down first, then every level of the book is filled up.
bool DepthReplay::synchronizeAll(Timestamp time)
{
    for (const Side side : kSides) {
        std::vector<LevelSummary> engineLevels;
        for (std::size_t depth = 0; depth < m_engine.book().levelCount(side); ++depth)
            engineLevels.push_back(m_engine.book().level(side, depth));
        for (const LevelSummary &level : engineLevels) {
            const Quantity target = m_book.sizeAt(side, level.price);
            if (target < level.quantity &&
                !setLevel(side, level.price, target, time, CancelReason::Resynchronized))
                return false;
        }
    }

    for (const Side side : kSides) {
        for (const BookLevel &level : m_book.levels(side)) {
            if (!setLevel(side, level.price, level.size, time, CancelReason::Resynchronized))
                return false;
        }
    }
    return true;
}

bool DepthReplay::setLevel(Side side, Price price, Quantity target, Timestamp time,
                           CancelReason reason)
{
    const Quantity current = m_engine.book().quantityAt(side, price);
    if (target > current)
        return check(m_engine.applyAdd(OrderId{m_nextOrderId++}, side, price, target - current,
                                       time, OrderOrigin::Recovered),
                     side, price);

    Quantity excess = current - target;
    const std::vector<const Order *> orders = m_engine.book().ordersAt(side, price);
    for (auto order = orders.rbegin(); order != orders.rend() && excess > Quantity{0}; ++order) {
        const OrderId id = (*order)->id;
        const Quantity remaining = (*order)->remaining;
        const Quantity removed = min(remaining, excess);
        const ApplyResult result = removed == remaining ? m_engine.applyDelete(id, time, reason)
                                                        : m_engine.applyReduce(id, removed, time);
        if (!check(result, side, price))
            return false;
        excess -= removed;
    }
    return true;
}

bool DepthReplay::check(ApplyResult result, Side side, Price price)
{
    if (result == ApplyResult::Applied)
        return true;
    m_error =
        InputError{{},
                   m_update.line,
                   "the engine rejected the " + std::string(side == Side::Buy ? "bid" : "ask") +
                       " level at price " + std::to_string(price.value()) +
                       " units: " + std::string(nameOf(result))};
    return false;
}

} // namespace bourse::replay
