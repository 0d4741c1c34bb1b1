#pragma once

#include "events.h"
#include "order_book.h"
#include "types.h"

#include <cstddef>
#include <string>
#include <vector>

namespace bourse {

class Engine;

struct MarketDataOptions {
    // Price levels published per side, counted from the best (1 publishes the best level
    // only); zero publishes every level. With a limit, a subscriber keeps the best depthLimit
    // levels of each side and drops a level that a new better one pushes past them: no event
    // announces that drop. A level that moves up into the limit is published.
    std::size_t depthLimit = 0;
};

// Derives level-2 market data from the engine's order-level events and publishes it to its
// own subscribers. After each command it publishes one DepthLevel for each price level whose
// totals the command changed, with zero quantity and orders when the level emptied. Then it
// publishes at most one TopOfBook for each instrument whose best bid or offer changed, and
// calls the subscribers' onCommandEnd. A sweep through five levels thus gives five DepthLevels and
// one TopOfBook. Each event carries the instrument, and the time and sequence number of the last
// engine event of the command. A command that changes no totals publishes nothing.
//
// The events name the levels that may have changed, and the new totals come from the books,
// and a level is published only when they differ from what the subscribers last received. So
// the first state subscribers see is the engine's state when the publisher was created, and a
// subscriber that starts later needs a snapshot of the book first. Changes the engine makes
// without events, such as Engine::restore, reach subscribers only with the next change to the
// same level.
//
// Single thread: add the publisher to the engine with Engine::addHandler and call everything on
// the engine thread. Subscribers run synchronously on it, so they must not add or remove
// subscribers from inside a call. The publisher allocates nothing per event once its buffers
// have grown to the largest command and the deepest book it has seen.
class MarketDataPublisher final : public EventHandler {
public:
    explicit MarketDataPublisher(const Engine &engine, const MarketDataOptions &options = {});
    ~MarketDataPublisher() override;

    MarketDataPublisher(const MarketDataPublisher &) = delete;
    MarketDataPublisher &operator=(const MarketDataPublisher &) = delete;

    // Calls subscribers in the order they were added. The publisher does not own them.
    void addSubscriber(EventHandler *subscriber);
    void removeSubscriber(EventHandler *subscriber);

    void onEvent(const Event &event) override;
    void onCommandEnd() override;
    void onBatchEnd() override;           // forwarded to every subscriber
    std::string failure() const override; // the first subscriber failure, if any

private:
    // The state of one instrument's book as last published to the subscribers.
    struct PublishedBook {
        InstrumentId instrument;
        std::vector<LevelSummary> bids; // best first, within the depth limit
        std::vector<LevelSummary> asks; // best first, within the depth limit
        TopOfBook top;
        bool topPublished = false; // false for an instrument that joined after the start
        bool changedInCommand = false;
        bool auctionInCommand = false;
        Price lowestAuctionPrice;  // of the auctions in the command
        Price highestAuctionPrice; // of the auctions in the command
    };

    // A price level an event of the current command may have changed.
    struct TouchedLevel {
        InstrumentId instrument;
        Side side = Side::Buy;
        Price price;
    };

    PublishedBook &publishedBook(InstrumentId instrument);
    void copyFromBook(PublishedBook &published) const;
    void touch(InstrumentId instrument, Side side, Price price);
    void markChanged(PublishedBook &published);
    void noteAuction(InstrumentId instrument, Price price);
    void touchAuctionLevels(const PublishedBook &published);
    void sortTouchedLevels();

    void publishBook(PublishedBook &published, std::size_t &nextTouched);
    void publishTouchedLevels(PublishedBook &published, std::size_t &nextTouched);
    void publishWindow(PublishedBook &published, Side side);
    void publishTop(PublishedBook &published);
    void publish(InstrumentId instrument, const EventPayload &payload);

    const Engine &m_engine;
    MarketDataOptions m_options;
    std::vector<EventHandler *> m_subscribers;
    std::vector<PublishedBook> m_books; // sorted by instrument
    std::vector<InstrumentId> m_changedInstruments;
    std::vector<TouchedLevel> m_touched;
    std::vector<LevelSummary> m_window; // scratch for the levels within the depth limit
    SequenceNumber m_lastSequence = 0;
    Timestamp m_lastTime;
    bool m_publishedInCommand = false;
};

} // namespace bourse
