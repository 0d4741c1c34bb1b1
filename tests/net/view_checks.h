// Helpers of the network tests that read a terminal's views: waiting for a view that shows a
// state, and comparing a view's book with an engine's.

#pragma once

#include "engine.h"
#include "market_view.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace bourse::nettest {

// The first view of `source` (a RemoteSession or a MultiSession) that satisfies `accept`, or null
// after `timeout`.
template <typename Source>
std::shared_ptr<const MarketView>
waitForView(const Source &source, const std::function<bool(const MarketView &)> &accept,
            std::chrono::milliseconds timeout = std::chrono::seconds(10))
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto view = source.latestView();
        if (view && accept(*view))
            return view;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return nullptr;
}

// Every level of one side of the engine's book of `instrument`, best first.
inline std::vector<LevelSummary> bookLevels(const Engine &engine, InstrumentId instrument,
                                            Side side)
{
    std::vector<LevelSummary> levels;
    const OrderBook &book = *engine.book(instrument);
    for (std::size_t index = 0; index < book.levelCount(side); ++index)
        levels.push_back(book.level(side, index));
    return levels;
}

inline bool sameLevels(const std::vector<LevelSummary> &a, const std::vector<LevelSummary> &b)
{
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(), [](const LevelSummary &x, const LevelSummary &y) {
            return x.price == y.price && x.quantity == y.quantity && x.orderCount == y.orderCount;
        });
}

} // namespace bourse::nettest
