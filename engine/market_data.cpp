#include "market_data.h"

#include "engine.h"

#include <algorithm>
#include <optional>
#include <variant>

namespace bourse {

namespace {

// Whether price `a` comes before `b` on a side, best first: higher for bids, lower for asks.
bool isBetter(Side side, Price a, Price b)
{
    return side == Side::Buy ? a > b : a < b;
}

// The level at `price`, found by bisection over the depths, because levels are sorted best
// first and OrderBook::level is an index into them.
std::optional<LevelSummary> findLevel(const OrderBook *book, Side side, Price price)
{
    if (book == nullptr) {
        return std::nullopt;
    }
    std::size_t low = 0;
    std::size_t high = book->levelCount(side);
    while (low < high) {
        const std::size_t middle = low + (high - low) / 2;
        const LevelSummary level = book->level(side, middle);
        if (level.price == price) {
            return level;
        }
        if (isBetter(side, level.price, price)) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    return std::nullopt;
}

// Copies the best `limit` levels of a side, or all of them when limit is zero.
void copyLevels(const OrderBook *book, Side side, std::size_t limit,
                std::vector<LevelSummary> &levels)
{
    levels.clear();
    if (book == nullptr) {
        return;
    }
    const std::size_t count = book->levelCount(side);
    const std::size_t copied = limit == 0 ? count : std::min(limit, count);
    for (std::size_t depth = 0; depth < copied; ++depth) {
        levels.push_back(book->level(side, depth));
    }
}

TopOfBook topOf(const OrderBook *book)
{
    TopOfBook top;
    if (book != nullptr && book->levelCount(Side::Buy) > 0) {
        const LevelSummary best = book->level(Side::Buy, 0);
        top.bidPrice = best.price;
        top.bidQuantity = best.quantity;
    }
    if (book != nullptr && book->levelCount(Side::Sell) > 0) {
        const LevelSummary best = book->level(Side::Sell, 0);
        top.askPrice = best.price;
        top.askQuantity = best.quantity;
    }
    return top;
}

bool sameTop(const TopOfBook &a, const TopOfBook &b)
{
    return a.bidPrice == b.bidPrice && a.bidQuantity == b.bidQuantity && a.askPrice == b.askPrice &&
           a.askQuantity == b.askQuantity;
}

DepthLevel depthLevel(Side side, const LevelSummary &level)
{
    return DepthLevel{side, level.price, level.quantity, level.orderCount};
}

DepthLevel emptiedLevel(Side side, Price price)
{
    return DepthLevel{side, price, Quantity{0}, 0};
}

} // namespace

MarketDataPublisher::MarketDataPublisher(const Engine &engine, const MarketDataOptions &options)
    : m_engine(engine)
    , m_options(options)
{
    for (const InstrumentId instrument : engine.instruments()) {
        copyFromBook(publishedBook(instrument));
    }
}

MarketDataPublisher::~MarketDataPublisher() = default;

void MarketDataPublisher::addSubscriber(EventHandler *subscriber)
{
    m_subscribers.push_back(subscriber);
}

void MarketDataPublisher::removeSubscriber(EventHandler *subscriber)
{
    std::erase(m_subscribers, subscriber);
}

// Notes which levels the event may have changed. The book is read only at the end of the
// command, when it is consistent again.
void MarketDataPublisher::onEvent(const Event &event)
{
    m_lastSequence = event.sequence;
    m_lastTime = event.time;

    const InstrumentId instrument = event.instrument;
    const EventPayload &payload = event.payload;
    if (const auto *added = std::get_if<OrderAdded>(&payload)) {
        touch(instrument, added->side, added->price);
    } else if (const auto *cancelled = std::get_if<OrderCancelled>(&payload)) {
        // A parked stop order leaves no level, so its touch finds the totals unchanged.
        touch(instrument, cancelled->side, cancelled->price);
    } else if (const auto *reduced = std::get_if<OrderReduced>(&payload)) {
        touch(instrument, reduced->side, reduced->price);
    } else if (const auto *trade = std::get_if<Trade>(&payload)) {
        // The maker rested on the side opposite the aggressor, at the trade price. In an auction
        // the price is the uncross price instead, and noteAuction covers those levels.
        touch(instrument, opposite(trade->aggressor), trade->price);
    } else if (const auto *refilled = std::get_if<OrderRefilled>(&payload)) {
        touch(instrument, refilled->side, refilled->price);
    } else if (const auto *replaced = std::get_if<OrderReplaced>(&payload)) {
        touch(instrument, replaced->side, replaced->previousPrice);
        touch(instrument, replaced->side, replaced->price);
    } else if (const auto *uncrossed = std::get_if<AuctionUncrossed>(&payload)) {
        noteAuction(instrument, uncrossed->price);
    } else if (std::holds_alternative<InstrumentAdded>(payload)) {
        markChanged(publishedBook(instrument));
    }
}

void MarketDataPublisher::onCommandEnd()
{
    if (m_changedInstruments.empty()) {
        return;
    }

    sortTouchedLevels();
    std::sort(m_changedInstruments.begin(), m_changedInstruments.end());
    std::size_t nextTouched = 0;
    for (const InstrumentId instrument : m_changedInstruments) {
        publishBook(publishedBook(instrument), nextTouched);
    }
    m_touched.clear();
    m_changedInstruments.clear();

    if (m_publishedInCommand) {
        m_publishedInCommand = false;
        for (EventHandler *subscriber : m_subscribers) {
            subscriber->onCommandEnd();
        }
    }
}

void MarketDataPublisher::onBatchEnd()
{
    for (EventHandler *subscriber : m_subscribers) {
        subscriber->onBatchEnd();
    }
}

std::string MarketDataPublisher::failure() const
{
    for (const EventHandler *subscriber : m_subscribers) {
        std::string reason = subscriber->failure();
        if (!reason.empty()) {
            return reason;
        }
    }
    return {};
}

// Adds the candidates of the command's auctions to the touched levels, then sorts them by
// instrument, bids before asks and best price first, without repeats.
void MarketDataPublisher::sortTouchedLevels()
{
    if (m_options.depthLimit == 0) {
        for (const InstrumentId instrument : m_changedInstruments) {
            const PublishedBook &published = publishedBook(instrument);
            if (published.auctionInCommand) {
                touchAuctionLevels(published);
            }
        }
    }

    const auto before = [](const TouchedLevel &a, const TouchedLevel &b) {
        if (a.instrument != b.instrument) {
            return a.instrument < b.instrument;
        }
        if (a.side != b.side) {
            return a.side < b.side;
        }
        return isBetter(a.side, a.price, b.price);
    };
    const auto same = [](const TouchedLevel &a, const TouchedLevel &b) {
        return a.instrument == b.instrument && a.side == b.side && a.price == b.price;
    };
    std::sort(m_touched.begin(), m_touched.end(), before);
    m_touched.erase(std::unique(m_touched.begin(), m_touched.end(), same), m_touched.end());
}

// Returns the record of an instrument, and creates one with nothing published for an
// instrument the publisher has not seen.
MarketDataPublisher::PublishedBook &MarketDataPublisher::publishedBook(InstrumentId instrument)
{
    const auto position = std::lower_bound(
        m_books.begin(), m_books.end(), instrument,
        [](const PublishedBook &published, InstrumentId id) { return published.instrument < id; });
    if (position != m_books.end() && position->instrument == instrument) {
        return *position;
    }
    PublishedBook created;
    created.instrument = instrument;
    return *m_books.insert(position, std::move(created));
}

// Takes the book's current state as published, for the instruments that exist when the
// publisher starts.
void MarketDataPublisher::copyFromBook(PublishedBook &published) const
{
    const OrderBook *book = m_engine.book(published.instrument);
    copyLevels(book, Side::Buy, m_options.depthLimit, published.bids);
    copyLevels(book, Side::Sell, m_options.depthLimit, published.asks);
    published.top = topOf(book);
    published.topPublished = true;
}

void MarketDataPublisher::touch(InstrumentId instrument, Side side, Price price)
{
    markChanged(publishedBook(instrument));
    const bool repeated = !m_touched.empty() && m_touched.back().instrument == instrument &&
                          m_touched.back().side == side && m_touched.back().price == price;
    if (!repeated) {
        m_touched.push_back(TouchedLevel{instrument, side, price});
    }
}

void MarketDataPublisher::markChanged(PublishedBook &published)
{
    if (!published.changedInCommand) {
        published.changedInCommand = true;
        m_changedInstruments.push_back(published.instrument);
    }
}

void MarketDataPublisher::noteAuction(InstrumentId instrument, Price price)
{
    PublishedBook &published = publishedBook(instrument);
    markChanged(published);
    if (!published.auctionInCommand) {
        published.auctionInCommand = true;
        published.lowestAuctionPrice = price;
        published.highestAuctionPrice = price;
        return;
    }
    published.lowestAuctionPrice = std::min(published.lowestAuctionPrice, price);
    published.highestAuctionPrice = std::max(published.highestAuctionPrice, price);
}

// Every order that trades in an uncross at price P is a bid at P or above or an ask at P or
// below, but its trade names only P. So every level in that range is a candidate: those still
// in the book, and those published before that have emptied.
void MarketDataPublisher::touchAuctionLevels(const PublishedBook &published)
{
    const InstrumentId instrument = published.instrument;
    const Price lowest = published.lowestAuctionPrice;
    const Price highest = published.highestAuctionPrice;

    for (const LevelSummary &level : published.bids) {
        if (level.price < lowest) {
            break;
        }
        m_touched.push_back(TouchedLevel{instrument, Side::Buy, level.price});
    }
    for (const LevelSummary &level : published.asks) {
        if (level.price > highest) {
            break;
        }
        m_touched.push_back(TouchedLevel{instrument, Side::Sell, level.price});
    }

    const OrderBook *book = m_engine.book(instrument);
    if (book == nullptr) {
        return;
    }
    for (std::size_t depth = 0; depth < book->levelCount(Side::Buy); ++depth) {
        const Price price = book->level(Side::Buy, depth).price;
        if (price < lowest) {
            break;
        }
        m_touched.push_back(TouchedLevel{instrument, Side::Buy, price});
    }
    for (std::size_t depth = 0; depth < book->levelCount(Side::Sell); ++depth) {
        const Price price = book->level(Side::Sell, depth).price;
        if (price > highest) {
            break;
        }
        m_touched.push_back(TouchedLevel{instrument, Side::Sell, price});
    }
}

// Publishes the changes of one instrument. `nextTouched` points at its first touched level, and
// on return it points past its last.
void MarketDataPublisher::publishBook(PublishedBook &published, std::size_t &nextTouched)
{
    if (m_options.depthLimit == 0) {
        publishTouchedLevels(published, nextTouched);
    } else {
        // Within a depth limit, comparing the few published levels with the book's best ones
        // finds every change, including a level that moved up into the limit untouched.
        while (nextTouched < m_touched.size() &&
               m_touched[nextTouched].instrument == published.instrument) {
            ++nextTouched;
        }
        publishWindow(published, Side::Buy);
        publishWindow(published, Side::Sell);
    }
    publishTop(published);
    published.changedInCommand = false;
    published.auctionInCommand = false;
}

void MarketDataPublisher::publishTouchedLevels(PublishedBook &published, std::size_t &nextTouched)
{
    const InstrumentId instrument = published.instrument;
    const OrderBook *book = m_engine.book(instrument);
    for (; nextTouched < m_touched.size() && m_touched[nextTouched].instrument == instrument;
         ++nextTouched) {
        const Side side = m_touched[nextTouched].side;
        const Price price = m_touched[nextTouched].price;
        std::vector<LevelSummary> &levels = side == Side::Buy ? published.bids : published.asks;
        const auto position = std::lower_bound(
            levels.begin(), levels.end(), price,
            [side](const LevelSummary &level, Price p) { return isBetter(side, level.price, p); });
        const bool wasPublished = position != levels.end() && position->price == price;
        const std::optional<LevelSummary> current = findLevel(book, side, price);

        if (current && wasPublished) {
            if (*current != *position) {
                *position = *current;
                publish(instrument, depthLevel(side, *current));
            }
        } else if (current) {
            levels.insert(position, *current);
            publish(instrument, depthLevel(side, *current));
        } else if (wasPublished) {
            levels.erase(position);
            publish(instrument, emptiedLevel(side, price));
        }
    }
}

// Compares the published levels of a side with the book's best depthLimit levels and publishes
// the differences: first the levels that emptied, then the new and changed ones, best first.
// In that order every level a subscriber keeps is still in the book whenever it receives a new
// one, so the level it drops to stay within the limit is never one that it should keep.
void MarketDataPublisher::publishWindow(PublishedBook &published, Side side)
{
    const InstrumentId instrument = published.instrument;
    const OrderBook *book = m_engine.book(instrument);
    std::vector<LevelSummary> &previous = side == Side::Buy ? published.bids : published.asks;
    for (const LevelSummary &level : previous) {
        if (!findLevel(book, side, level.price)) {
            publish(instrument, emptiedLevel(side, level.price));
        }
    }

    // A published level missing from the window emptied (done above) or was pushed past the
    // limit by a better one, which subscribers handle themselves.
    copyLevels(book, side, m_options.depthLimit, m_window);
    auto old = previous.begin();
    for (const LevelSummary &level : m_window) {
        while (old != previous.end() && isBetter(side, old->price, level.price)) {
            ++old;
        }
        const bool wasPublished = old != previous.end() && old->price == level.price;
        if (!wasPublished || *old != level) {
            publish(instrument, depthLevel(side, level));
        }
    }
    previous.assign(m_window.begin(), m_window.end());
}

void MarketDataPublisher::publishTop(PublishedBook &published)
{
    const TopOfBook top = topOf(m_engine.book(published.instrument));
    if (published.topPublished && sameTop(top, published.top)) {
        return;
    }
    published.top = top;
    published.topPublished = true;
    publish(published.instrument, top);
}

void MarketDataPublisher::publish(InstrumentId instrument, const EventPayload &payload)
{
    Event event;
    event.sequence = m_lastSequence;
    event.time = m_lastTime;
    event.instrument = instrument;
    event.payload = payload;
    for (EventHandler *subscriber : m_subscribers) {
        subscriber->onEvent(event);
    }
    m_publishedInCommand = true;
}

} // namespace bourse
