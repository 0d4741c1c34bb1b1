#include "view_builder.h"

#include "event_text.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <variant>
#include <vector>

namespace bourse {

namespace {

constexpr auto kRateWindow = std::chrono::seconds(1);
constexpr auto kRateSampleSpacing = std::chrono::milliseconds(10);
constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;

// Instrument ids below this are found through a table; the rest by a search.
constexpr std::uint32_t kDirectSlots = 1 << 16;

std::vector<LevelSummary> topLevels(const OrderBook &book, Side side, std::size_t depth)
{
    const std::size_t count = std::min(depth, book.levelCount(side));
    std::vector<LevelSummary> levels;
    levels.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        levels.push_back(book.level(side, i));
    }
    return levels;
}

// Whole seconds, rounded towards negative infinity.
std::int64_t secondOf(Timestamp time)
{
    const std::int64_t value = time.value();
    const std::int64_t second = value / kNanosecondsPerSecond;
    return value % kNanosecondsPerSecond < 0 ? second - 1 : second;
}

// Bars of a longer interval made from bars of a shorter one that divides it, oldest first.
std::vector<Bar> mergeBars(const std::vector<Bar> &bars, const BarBuilder &into)
{
    std::vector<Bar> merged;
    for (const Bar &bar : bars) {
        const Timestamp start = into.barStart(bar.start);
        if (merged.empty() || merged.back().start != start) {
            merged.push_back(bar);
            merged.back().start = start;
            continue;
        }
        Bar &last = merged.back();
        last.high = std::max(last.high, bar.high);
        last.low = std::min(last.low, bar.low);
        last.close = bar.close;
        last.volume += bar.volume;
        last.tradeCount += bar.tradeCount;
    }
    return merged;
}

// Adds a trade to one time frame. The bar that leaves the kept bars to make room, and a trade
// older than every kept bar, which the frame leaves out, go into `older`, so that the session
// VWAP still counts them. At most one bar leaves per trade.
void addToFrame(BarBuilder &frame, VwapSums &older, Timestamp time, Price price, Quantity quantity)
{
    const std::deque<Bar> &bars = frame.bars();
    std::optional<Bar> oldest;
    if (bars.size() >= frame.barsKept())
        oldest = bars.front();
    const std::uint64_t lateTrades = frame.lateTradesDropped();

    frame.addTrade(time, price, quantity);

    if (frame.lateTradesDropped() != lateTrades)
        older.addTrade(price, quantity);
    else if (oldest && bars.front().start != oldest->start)
        older.add(*oldest);
}

// Replaces a time frame's bars with `bars`, and its older sums with those of the bars it
// cannot keep.
void restoreFrame(BarBuilder &frame, VwapSums &older, const std::vector<Bar> &bars)
{
    frame.restore(bars);
    older = VwapSums{};
    const std::size_t skipped = bars.size() - frame.bars().size();
    for (std::size_t index = 0; index < skipped; ++index)
        older.add(bars[index]);
}

// A ring of the most recent prints of one instrument, filled once and then overwritten oldest
// first, so that trading allocates nothing here.
class TradeRing {
public:
    explicit TradeRing(std::size_t capacity)
        : m_capacity(capacity)
    {
        m_prints.reserve(capacity);
    }

    // Returns the print that left the ring to make room, if one did.
    std::optional<TradePrint> add(const TradePrint &print)
    {
        if (m_capacity == 0) {
            return print;
        }
        if (m_prints.size() < m_capacity) {
            m_prints.push_back(print);
            return std::nullopt;
        }
        const TradePrint oldest = std::exchange(m_prints[m_oldest], print);
        m_oldest = (m_oldest + 1) % m_prints.size();
        return oldest;
    }

    void assign(const std::vector<TradePrint> &prints)
    {
        const std::size_t kept = std::min(prints.size(), m_capacity);
        m_prints.assign(prints.end() - static_cast<std::ptrdiff_t>(kept), prints.end());
        m_oldest = 0;
    }

    void copyTo(std::vector<TradePrint> &out) const
    {
        const auto oldest = m_prints.begin() + static_cast<std::ptrdiff_t>(m_oldest);
        out.assign(oldest, m_prints.end());
        out.insert(out.end(), m_prints.begin(), oldest);
    }

private:
    std::size_t m_capacity;
    std::vector<TradePrint> m_prints;
    std::size_t m_oldest = 0;
};

} // namespace

struct MarketViewBuilder::InstrumentMarket {
    InstrumentMarket(const InstrumentDefinition &definition, const Options &options)
        : terms(definition)
        , trades(options.tradesPerView)
        , volume(kRecentVolumeSeconds)
    {
        for (const std::int64_t interval : kTimeFrames) {
            frames.emplace_back(interval, options.barsKept);
        }
        if (std::find(kTimeFrames.begin(), kTimeFrames.end(), options.barIntervalNanoseconds) ==
            kTimeFrames.end()) {
            frames.emplace_back(options.barIntervalNanoseconds, options.barsKept);
        }
        olderBars.resize(frames.size());
    }

    InstrumentDefinition terms;
    Price last;
    Price openPrice;
    Quantity volumeTraded;
    std::uint64_t tradeCount = 0;
    SequenceNumber lastTradeSequence = 0;
    // The last trade the previous view of this instrument as the focus carried: a print that
    // leaves the ring after it was never shown.
    SequenceNumber filledThrough = 0;
    std::vector<BarBuilder> frames;  // kTimeFrames, then the view's interval if it is another
    std::vector<VwapSums> olderBars; // by frame: the bars that frame no longer keeps
    TradeRing trades;
    RecentVolume volume;
};

RecentVolume::RecentVolume(std::int64_t seconds)
    : m_buckets(static_cast<std::size_t>(std::max<std::int64_t>(seconds, 1)))
{
}

void RecentVolume::add(Timestamp time, Price price, Quantity quantity)
{
    if (!m_reserved) [[unlikely]] {
        for (Bucket &each : m_buckets)
            each.prices.reserve(kReservedPricesPerSecond);
        m_reserved = true;
    }
    const std::int64_t second = secondOf(time);
    const auto count = static_cast<std::int64_t>(m_buckets.size());
    Bucket &bucket = m_buckets[static_cast<std::size_t>(((second % count) + count) % count)];
    if (bucket.second > second) {
        return; // the slot has moved on to a newer second: this trade is out of the window
    }
    if (bucket.second < second) {
        bucket.second = second;
        bucket.prices.clear(); // keeps the capacity, so a steady flow allocates nothing
    }
    // The newest prices are the likeliest to trade again, so the search starts from them.
    for (auto entry = bucket.prices.rbegin(); entry != bucket.prices.rend(); ++entry) {
        if (entry->price == price) {
            entry->quantity += quantity;
            return;
        }
    }
    bucket.prices.push_back(PriceVolume{price, quantity});
}

std::vector<PriceVolume> RecentVolume::collect(Timestamp now) const
{
    const std::int64_t newest = secondOf(now);
    const auto window = static_cast<std::int64_t>(m_buckets.size());
    std::vector<PriceVolume> all;
    for (const Bucket &bucket : m_buckets) {
        if (bucket.second <= newest && bucket.second > newest - window) {
            all.insert(all.end(), bucket.prices.begin(), bucket.prices.end());
        }
    }
    std::sort(all.begin(), all.end(),
              [](const PriceVolume &a, const PriceVolume &b) { return a.price < b.price; });

    std::vector<PriceVolume> merged;
    for (const PriceVolume &entry : all) {
        if (!merged.empty() && merged.back().price == entry.price) {
            merged.back().quantity += entry.quantity;
        } else {
            merged.push_back(entry);
        }
    }
    return merged;
}

MarketViewBuilder::MarketViewBuilder(Options options)
    : m_options(options)
{
    const auto frame =
        std::find(kTimeFrames.begin(), kTimeFrames.end(), options.barIntervalNanoseconds);
    m_barsFrame = static_cast<std::size_t>(frame - kTimeFrames.begin());
    // Checks the interval and count up front, as a BarBuilder would on the first instrument.
    BarBuilder check(options.barIntervalNanoseconds, options.barsKept);
    m_recentEvents.reserve(options.eventsPerView);
}

MarketViewBuilder::~MarketViewBuilder() = default;

MarketViewBuilder::InstrumentMarket *MarketViewBuilder::find(InstrumentId instrument)
{
    return const_cast<InstrumentMarket *>(std::as_const(*this).find(instrument));
}

const MarketViewBuilder::InstrumentMarket *MarketViewBuilder::find(InstrumentId instrument) const
{
    const std::uint32_t id = instrument.value();
    if (id < m_slots.size()) {
        return m_slots[id] != 0 ? m_markets[m_slots[id] - 1].get() : nullptr;
    }
    if (id < kDirectSlots) {
        return nullptr;
    }
    for (const auto &market : m_markets) {
        if (market->terms.id == instrument) {
            return market.get();
        }
    }
    return nullptr;
}

MarketViewBuilder::InstrumentMarket &MarketViewBuilder::market(InstrumentId instrument)
{
    if (InstrumentMarket *known = find(instrument)) {
        return *known;
    }
    InstrumentDefinition terms;
    terms.id = instrument;
    m_markets.push_back(std::make_unique<InstrumentMarket>(terms, m_options));
    const std::uint32_t id = instrument.value();
    if (id < kDirectSlots) {
        if (id >= m_slots.size()) {
            m_slots.resize(id + 1, 0);
        }
        m_slots[id] = static_cast<std::uint32_t>(m_markets.size());
    }
    return *m_markets.back();
}

void MarketViewBuilder::addInstrument(const InstrumentDefinition &terms)
{
    market(terms.id).terms = terms;
}

bool MarketViewBuilder::knows(InstrumentId instrument) const
{
    return find(instrument) != nullptr;
}

void MarketViewBuilder::onEvent(const Event &event)
{
    ++m_totalEvents;
    if (event.sequence >= m_lastSequence) [[likely]] {
        m_lastSequence = event.sequence;
        m_lastEventTime = event.time;
    } else {
        // A stream that lags behind another: the newest sequence and time stay.
        m_eventsOutOfOrder = true;
        m_lastEventTime = std::max(m_lastEventTime, event.time);
    }
    addEvent(event);
    if (const auto *trade = std::get_if<Trade>(&event.payload)) {
        addTrade(event, *trade);
    } else if (const auto *added = std::get_if<InstrumentAdded>(&event.payload)) {
        if (!knows(added->definition.id)) {
            addInstrument(added->definition);
        }
    }
}

// A ring of eventsPerView events, filled once and then overwritten oldest first. An event
// that leaves before any view carried it counts as dropped. The ring contains the events that
// arrived last, so the one leaving is the event eventsPerView arrivals before this one, and a
// view carried it when its arrival count was at or below the previous fill's.
void MarketViewBuilder::addEvent(const Event &event)
{
    if (m_options.eventsPerView == 0) {
        ++m_droppedEvents;
        return;
    }
    if (m_recentEvents.size() < m_options.eventsPerView) {
        m_recentEvents.push_back(event);
        return;
    }
    Event &oldest = m_recentEvents[m_oldestEvent];
    if (m_totalEvents > m_eventsAtLastFill + m_options.eventsPerView) {
        ++m_droppedEvents;
    }
    oldest = event;
    if (++m_oldestEvent == m_recentEvents.size()) {
        m_oldestEvent = 0;
    }
}

void MarketViewBuilder::restoreHistory(InstrumentId instrument, const std::vector<Bar> &bars,
                                       const std::vector<TradePrint> &trades,
                                       SequenceNumber lastSequence)
{
    InstrumentMarket &restored = market(instrument);
    restoreFrame(restored.frames[m_barsFrame], restored.olderBars[m_barsFrame], bars);
    for (std::size_t index = 0; index < restored.frames.size(); ++index) {
        BarBuilder &frame = restored.frames[index];
        if (index != m_barsFrame &&
            frame.intervalNanoseconds() > m_options.barIntervalNanoseconds &&
            frame.intervalNanoseconds() % m_options.barIntervalNanoseconds == 0) {
            restoreFrame(frame, restored.olderBars[index], mergeBars(bars, frame));
        }
    }

    restored.trades.assign(trades);
    if (!trades.empty()) {
        restored.last = trades.back().price;
        restored.lastTradeSequence = trades.back().sequence;
        restored.filledThrough = trades.back().sequence;
    }
    m_totalTrades += std::min(trades.size(), m_options.tradesPerView);
    m_lastSequence = lastSequence;
}

void MarketViewBuilder::addTrade(const Event &event, const Trade &trade)
{
    ++m_totalTrades;
    InstrumentMarket &traded = market(event.instrument);
    if (traded.tradeCount == 0) {
        traded.openPrice = trade.price;
    }
    traded.last = trade.price;
    traded.volumeTraded += trade.quantity;
    ++traded.tradeCount;
    traded.lastTradeSequence = event.sequence;
    for (std::size_t index = 0; index < traded.frames.size(); ++index) {
        addToFrame(traded.frames[index], traded.olderBars[index], event.time, trade.price,
                   trade.quantity);
    }
    traded.volume.add(event.time, trade.price, trade.quantity);

    const TradePrint print{event.sequence, event.time, trade.price, trade.quantity,
                           trade.aggressor};
    const std::optional<TradePrint> left = traded.trades.add(print);
    if (left && left->sequence > traded.filledThrough && traded.terms.id == m_lastFocus) {
        ++m_droppedTrades;
    }
}

void MarketViewBuilder::sampleRate(Clock::time_point now)
{
    if (!m_rateSamples.empty() && now - m_rateSamples.back().first < kRateSampleSpacing) {
        return;
    }
    m_rateSamples.emplace_back(now, m_totalEvents);

    // Keeps one sample at or before the start of the window, as the base of the rate.
    while (m_rateSamples.size() >= 2 && m_rateSamples[1].first <= now - kRateWindow) {
        m_rateSamples.pop_front();
    }
}

double MarketViewBuilder::eventsPerSecond(Clock::time_point now) const
{
    // The newest sample at or before the window start; the oldest one while the session is
    // younger than the window.
    const Clock::time_point windowStart = now - kRateWindow;
    auto base = m_rateSamples.begin();
    while (base != m_rateSamples.end() && std::next(base) != m_rateSamples.end() &&
           std::next(base)->first <= windowStart) {
        ++base;
    }
    if (base == m_rateSamples.end() || now <= base->first) {
        return 0.0;
    }
    const double seconds = std::chrono::duration<double>(now - base->first).count();
    return static_cast<double>(m_totalEvents - base->second) / seconds;
}

void MarketViewBuilder::fill(MarketView &view, const BookSource &books, InstrumentId focus,
                             Clock::time_point now)
{
    fillQuotes(view, books);
    InstrumentMarket *focused = find(focus);
    view.droppedTrades = focus == m_lastFocus ? m_droppedTrades : 0;
    if (focused != nullptr) {
        fillFocus(view, books, *focused);
        focused->filledThrough = focused->lastTradeSequence;
    }
    fillRecentEvents(view);

    view.marketTime = m_lastEventTime;
    view.lastSequence = m_lastSequence;
    view.totalEvents = m_totalEvents;
    view.totalTrades = m_totalTrades;
    view.eventsPerSecond = eventsPerSecond(now);

    m_lastFocus = focus;
    m_droppedTrades = 0;
    m_droppedEvents = 0;
    m_eventsAtLastFill = m_totalEvents;
}

// Readers find the new events of a view by sequence number, so the events go out in sequence
// order even where streams delivered them interleaved.
void MarketViewBuilder::fillRecentEvents(MarketView &view) const
{
    const auto oldest = m_recentEvents.begin() + static_cast<std::ptrdiff_t>(m_oldestEvent);
    view.recentEvents.reserve(m_recentEvents.size());
    view.recentEvents.assign(oldest, m_recentEvents.end());
    view.recentEvents.insert(view.recentEvents.end(), m_recentEvents.begin(), oldest);
    view.droppedEvents = m_droppedEvents;

    const auto bySequence = [](const Event &a, const Event &b) { return a.sequence < b.sequence; };
    if (m_eventsOutOfOrder &&
        !std::is_sorted(view.recentEvents.begin(), view.recentEvents.end(), bySequence)) {
        std::stable_sort(view.recentEvents.begin(), view.recentEvents.end(), bySequence);
    }
}

void MarketViewBuilder::fillQuotes(MarketView &view, const BookSource &books) const
{
    view.instruments.reserve(m_markets.size());
    for (const auto &market : m_markets) {
        const InstrumentDefinition &terms = market->terms;
        InstrumentQuote quote;
        quote.instrument = terms.id;
        quote.symbol = textOf(terms.symbol);
        quote.currency = textOf(terms.currency);
        quote.priceDecimals = terms.priceDecimals;
        quote.quantityDecimals = terms.quantityDecimals;
        quote.tickSize = terms.tickSize;
        quote.lotSize = terms.lotSize;
        quote.minimumQuantity = terms.minimumQuantity;
        quote.maximumQuantity = terms.maximumQuantity;
        quote.status = books.status(terms.id).value_or(TradingStatus::Closed);
        quote.last = market->last;
        quote.openPrice = market->openPrice;
        if (const OrderBook *book = books.book(terms.id)) {
            if (book->levelCount(Side::Buy) > 0) {
                const LevelSummary best = book->level(Side::Buy, 0);
                quote.bestBid = best.price;
                quote.bidSize = best.quantity;
            }
            if (book->levelCount(Side::Sell) > 0) {
                const LevelSummary best = book->level(Side::Sell, 0);
                quote.bestAsk = best.price;
                quote.askSize = best.quantity;
            }
        }
        quote.volume = market->volumeTraded;
        quote.tradeCount = market->tradeCount;

        const std::deque<Bar> &bars = market->frames[m_barsFrame].bars();
        const std::size_t points = std::min(bars.size(), kSparklinePoints);
        quote.sparkline.reserve(points);
        for (auto bar = bars.end() - static_cast<std::ptrdiff_t>(points); bar != bars.end();
             ++bar) {
            quote.sparkline.push_back(bar->close);
        }
        view.instruments.push_back(std::move(quote));
    }
}

void MarketViewBuilder::fillFocus(MarketView &view, const BookSource &books,
                                  const InstrumentMarket &focus)
{
    const InstrumentDefinition &terms = focus.terms;
    view.instrument = terms.id;
    view.symbol = textOf(terms.symbol);
    view.priceDecimals = terms.priceDecimals;
    view.quantityDecimals = terms.quantityDecimals;
    view.tickSize = terms.tickSize;
    view.lotSize = terms.lotSize;
    view.status = books.status(terms.id).value_or(TradingStatus::Closed);

    if (const OrderBook *book = books.book(terms.id)) {
        view.bids = topLevels(*book, Side::Buy, m_options.viewLevels);
        view.asks = topLevels(*book, Side::Sell, m_options.viewLevels);
    }
    focus.trades.copyTo(view.recentTrades);

    view.bars = focus.frames[m_barsFrame].copyBars();
    view.barIntervalNanoseconds = m_options.barIntervalNanoseconds;
    view.olderBars = focus.olderBars[m_barsFrame];
    view.timeFrames.reserve(kTimeFrames.size());
    for (std::size_t index = 0; index < kTimeFrames.size(); ++index) {
        view.timeFrames.push_back(
            BarSeries{kTimeFrames[index], focus.frames[index].copyBars(), focus.olderBars[index]});
    }
    view.recentVolume = focus.volume.collect(m_lastEventTime);
}

} // namespace bourse
