// Recorded days as feed sources (feed_publisher.h): a LOBSTER day, a Bybit order-book stream,
// and Tardis.dev trade and quote files.

#include "feed_publisher.h"

#include "csv_sources.h"
#include "depth_stream.h"
#include "lobster.h"
#include "lobster_replay.h"
#include "tape_feed.h"

#include <deque>
#include <fstream>
#include <set>

namespace bourse::net::feed {

namespace {

class LobsterSource final : public FeedSource {
public:
    explicit LobsterSource(std::string topic)
        : m_topic(std::move(topic))
    {
    }

    std::optional<std::string> open(const std::string &path)
    {
        if (auto failed = m_reader.open(path))
            return failed->toString();
        return std::nullopt;
    }

    const std::string &topic() const override { return m_topic; }

    // LOBSTER prices are dollars x 10000, sizes whole shares. US stocks at or above $1.00 are
    // quoted in cents (SEC Regulation NMS, Rule 612), so the tick is 100 units.
    // NOTE: a stock under $1.00, quoted in 0.0001, would need a tick of 1.
    InstrumentDefinition definition() const override
    {
        return InstrumentDefinition{BookDepth::Orders, 4, 0, 100, 1};
    }

    bool next(Body &body, Timestamp &time) override
    {
        const std::optional<lobster::Message> message = m_reader.next();
        if (!message)
            return false;
        time = message->time;
        body = bodyOf(*message);
        return true;
    }

    std::optional<std::string> error() const override
    {
        if (m_reader.error())
            return m_reader.error()->toString();
        return std::nullopt;
    }

private:
    static Body bodyOf(const lobster::Message &message)
    {
        using lobster::MessageType;
        const auto order = [&message](OrderAction action) {
            return OrderMessage{action,        message.time, message.id, message.direction,
                                message.price, message.size};
        };
        switch (message.type) {
        case MessageType::NewOrder:
            return order(OrderAction::Add);
        case MessageType::PartialCancel:
            return order(OrderAction::Modify);
        case MessageType::Delete:
            return order(OrderAction::Delete);
        case MessageType::VisibleExecution:
            return order(OrderAction::Execute);
        case MessageType::HiddenExecution:
        case MessageType::CrossTrade:
            // The direction is the side of the executed order, so the aggressor is the other.
            return Trade{message.time, opposite(message.direction), message.price, message.size};
        case MessageType::TradingHalt:
            break;
        }
        // LOBSTER's halt message: price -1 halts, 0 quotes only, 1 resumes trading.
        const TradingStatus status = message.price.value() == -1  ? TradingStatus::Halted
                                     : message.price.value() == 0 ? TradingStatus::QuoteOnly
                                                                  : TradingStatus::Trading;
        return StatusChange{message.time, status};
    }

    std::string m_topic;
    lobster::MessageReader m_reader;
};

// A LOBSTER day replayed through an Engine with its orderbook file (lobster::Replay), published
// as the engine's order-level events. The message file alone cannot rebuild the book, because
// orders entered before the first message or resting beyond the file's levels are in no message.
// The replay adds that quantity as Recovered orders, and they go out as adds like any other, so
// a subscriber's book equals the replay's.
class LobsterReplaySource final : public FeedSource, private EventHandler {
public:
    explicit LobsterReplaySource(std::string topic)
        : m_topic(std::move(topic))
        , m_engine(InstrumentId{1})
        , m_replay(m_engine)
    {
        m_engine.addHandler(this);
    }

    ~LobsterReplaySource() override { m_engine.removeHandler(this); }

    std::optional<std::string> open(const std::string &messagePath,
                                    const std::string &orderbookPath)
    {
        if (auto failed = m_replay.open({messagePath, orderbookPath, 0}))
            return failed->toString();
        return std::nullopt;
    }

    const std::string &topic() const override { return m_topic; }

    // LOBSTER prices are dollars x 10000, sizes whole shares. US stocks at or above $1.00 are
    // quoted in cents (SEC Regulation NMS, Rule 612), so the tick is 100 units.
    // NOTE: a stock under $1.00, quoted in 0.0001, would need a tick of 1.
    InstrumentDefinition definition() const override
    {
        return InstrumentDefinition{BookDepth::Orders, 4, 0, 100, 1};
    }

    bool next(Body &body, Timestamp &time) override
    {
        // A message can make no order-level event (a hidden execution at an empty price makes
        // one trade, a halt one status change), so steps repeat until one queued something.
        while (m_pending.empty()) {
            if (m_replay.step() != lobster::Replay::Step::Applied)
                return false;
        }
        time = m_pending.front().first;
        body = std::move(m_pending.front().second);
        m_pending.pop_front();
        return true;
    }

    std::optional<std::string> error() const override
    {
        if (m_replay.error())
            return m_replay.error()->toString();
        return std::nullopt;
    }

private:
    void onEvent(const Event &event) override
    {
        if (auto body = bodyOf(event))
            m_pending.emplace_back(event.time, std::move(*body));
    }

    static std::optional<Body> bodyOf(const Event &event)
    {
        const Timestamp time = event.time;
        if (const auto *added = std::get_if<OrderAdded>(&event.payload))
            return OrderMessage{OrderAction::Add, time,         added->id,
                                added->side,      added->price, added->quantity};
        if (const auto *reduced = std::get_if<OrderReduced>(&event.payload))
            return OrderMessage{OrderAction::Modify, time,           reduced->id,
                                reduced->side,       reduced->price, reduced->reducedBy};
        if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload))
            return OrderMessage{OrderAction::Delete, time,
                                cancelled->id,       cancelled->side,
                                cancelled->price,    cancelled->quantity};
        if (const auto *trade = std::get_if<bourse::Trade>(&event.payload)) {
            // A maker of zero is liquidity the book does not show, such as a hidden order.
            if (trade->maker.value() == 0)
                return Trade{time, trade->aggressor, trade->price, trade->quantity};
            return OrderMessage{OrderAction::Execute,       time,         trade->maker,
                                opposite(trade->aggressor), trade->price, trade->quantity};
        }
        if (const auto *status = std::get_if<TradingStatusChanged>(&event.payload))
            return StatusChange{time, status->status};
        return std::nullopt;
    }

    std::string m_topic;
    Engine m_engine;
    lobster::Replay m_replay;
    std::deque<std::pair<Timestamp, Body>> m_pending;
};

// The maximum decimals that prices and sizes have in the first 1,000 lines of a Bybit file, because
// the reader rejects a value with more decimals than its scale.
replay::DepthScale scanBybitScale(const std::string &path)
{
    replay::DepthScale scale;
    std::ifstream file(path);
    std::string line;
    const auto decimals = [](std::string_view text) {
        const auto point = text.find('.');
        return point == std::string_view::npos ? 0 : static_cast<int>(text.size() - point - 1);
    };
    for (int count = 0; count < 1000 && std::getline(file, line); ++count) {
        // Every level is ["price","size"]; reading the quoted pairs is enough for a scale.
        for (std::size_t at = line.find("[\""); at != std::string::npos;
             at = line.find("[\"", at + 2)) {
            const std::size_t priceEnd = line.find('"', at + 2);
            const std::size_t sizeStart = line.find('"', priceEnd + 1);
            const std::size_t sizeEnd = line.find('"', sizeStart + 1);
            if (sizeEnd == std::string::npos)
                break;
            scale.priceDecimals =
                std::max(scale.priceDecimals,
                         decimals(std::string_view(line).substr(at + 2, priceEnd - at - 2)));
            scale.sizeDecimals = std::max(
                scale.sizeDecimals,
                decimals(std::string_view(line).substr(sizeStart + 1, sizeEnd - sizeStart - 1)));
        }
    }
    return scale;
}

class BybitSource final : public FeedSource {
public:
    std::optional<std::string> open(const std::string &path)
    {
        m_scale = scanBybitScale(path);
        if (auto failed = m_reader.open(path, m_scale))
            return failed->toString();
        // The topic is the symbol, which the first line names.
        if (!m_reader.read(m_update))
            return m_reader.error() ? m_reader.error()->toString() : path + ": the file is empty";
        m_topic = m_reader.symbol();
        m_haveFirst = true;
        return std::nullopt;
    }

    const std::string &topic() const override { return m_topic; }

    InstrumentDefinition definition() const override
    {
        return InstrumentDefinition{BookDepth::Levels,
                                    static_cast<std::uint8_t>(m_scale.priceDecimals),
                                    static_cast<std::uint8_t>(m_scale.sizeDecimals), 1, 1};
    }

    bool next(Body &body, Timestamp &time) override
    {
        if (m_haveFirst) {
            m_haveFirst = false;
        } else if (!m_reader.read(m_update)) {
            return false;
        }
        time = m_update.exchangeTime;
        body = bodyOf(m_update);
        return true;
    }

    std::optional<std::string> error() const override
    {
        if (m_reader.error())
            return m_reader.error()->toString();
        return std::nullopt;
    }

private:
    // A Bybit snapshot replaces the book in the stream as well: it goes out as a level update
    // that removes every level of the subscriber's book and sets the snapshot's, because a
    // snapshot message of the feed protocol carries no sequence number of its own.
    Body bodyOf(const replay::DepthUpdate &update)
    {
        LevelUpdate levels{update.exchangeTime, {}};
        if (update.kind == replay::DepthKind::Snapshot) {
            for (Side side : {Side::Buy, Side::Sell}) {
                auto &prices = side == Side::Buy ? m_bids : m_asks;
                for (std::int64_t price : prices)
                    levels.changes.push_back({side, Price{price}, Quantity{0}});
                prices.clear();
            }
        }
        for (const replay::BookLevel &level : update.bids)
            change(levels, Side::Buy, level);
        for (const replay::BookLevel &level : update.asks)
            change(levels, Side::Sell, level);
        return levels;
    }

    void change(LevelUpdate &levels, Side side, const replay::BookLevel &level)
    {
        auto &prices = side == Side::Buy ? m_bids : m_asks;
        if (level.size.value() == 0)
            prices.erase(level.price.value());
        else
            prices.insert(level.price.value());
        levels.changes.push_back({side, level.price, level.size});
    }

    replay::BybitDepthReader m_reader;
    replay::DepthScale m_scale;
    replay::DepthUpdate m_update;
    bool m_haveFirst = false;
    std::string m_topic;
    std::set<std::int64_t> m_bids; // prices of the subscriber's book
    std::set<std::int64_t> m_asks;
};

// Tardis.dev trades and top-of-book quotes of one symbol (replay::tapeFeedSourceFor finds the
// sibling file) as a level stream named after the symbol, merged in order of exchange time with
// a quote before a trade of the same time, as the terminal's replay of these files does. A quote
// becomes a level update that removes the previous best level of a side whose price moved and
// sets the new one, so the subscriber's book holds one level a side: the quoted top.
class TardisSource final : public FeedSource {
public:
    std::optional<std::string> open(const std::string &path)
    {
        const std::optional<replay::TapeFeedSource> files = replay::tapeFeedSourceFor(path);
        if (!files)
            return path + ": not a Tardis.dev trade or quote file (no such header)";
        m_scale = replay::tapeScaleOf(*files);
        if (!files->tradesPath.empty()) {
            if (auto failed = m_trades.open(files->tradesPath, m_scale))
                return failed->toString();
            m_haveTrades = m_trades.read(m_trade);
            m_topic = m_trades.symbol();
        }
        if (!files->quotesPath.empty()) {
            if (auto failed = m_quotes.open(files->quotesPath, m_scale))
                return failed->toString();
            m_haveQuotes = m_quotes.read(m_quote);
            m_topic = m_quotes.symbol();
        }
        if (auto failed = error())
            return failed;
        if (!m_haveTrades && !m_haveQuotes)
            return path + ": the file has no row";
        return std::nullopt;
    }

    const std::string &topic() const override { return m_topic; }

    InstrumentDefinition definition() const override
    {
        return InstrumentDefinition{BookDepth::Levels,
                                    static_cast<std::uint8_t>(m_scale.priceDecimals),
                                    static_cast<std::uint8_t>(m_scale.quantityDecimals), 1, 1};
    }

    bool next(Body &body, Timestamp &time) override
    {
        const bool quoteFirst =
            m_haveQuotes && (!m_haveTrades || m_quote.time.value() <= m_trade.time.value());
        if (quoteFirst) {
            time = m_quote.time;
            body = levelsOf(m_quote);
            m_haveQuotes = m_quotes.read(m_quote);
            return true;
        }
        if (!m_haveTrades)
            return false;
        time = m_trade.time;
        body = Trade{m_trade.time, m_trade.aggressor, m_trade.price, m_trade.quantity};
        m_haveTrades = m_trades.read(m_trade);
        return true;
    }

    std::optional<std::string> error() const override
    {
        if (m_trades.error())
            return m_trades.error()->toString();
        if (m_quotes.error())
            return m_quotes.error()->toString();
        return std::nullopt;
    }

private:
    LevelUpdate levelsOf(const replay::QuoteRecord &quote)
    {
        LevelUpdate levels{quote.time, {}};
        change(levels, Side::Buy, m_bid, quote.bid);
        change(levels, Side::Sell, m_ask, quote.ask);
        return levels;
    }

    static void change(LevelUpdate &levels, Side side, std::optional<replay::QuoteLevel> &shown,
                       const std::optional<replay::QuoteLevel> &quoted)
    {
        if (shown && (!quoted || quoted->price != shown->price))
            levels.changes.push_back({side, shown->price, Quantity{0}});
        if (quoted && quoted != shown)
            levels.changes.push_back({side, quoted->price, quoted->quantity});
        shown = quoted;
    }

    replay::TradeReader m_trades;
    replay::QuoteReader m_quotes;
    replay::TradeRecord m_trade;
    replay::QuoteRecord m_quote;
    bool m_haveTrades = false;
    bool m_haveQuotes = false;
    replay::DecimalScale m_scale;
    std::string m_topic;
    std::optional<replay::QuoteLevel> m_bid; // the level the subscriber's book shows
    std::optional<replay::QuoteLevel> m_ask;
};

} // namespace

namespace {

// Returns `source` once open(arguments...) succeeded, or null with `error` set to its message.
template <typename Source, typename... Arguments>
std::unique_ptr<FeedSource> opened(std::unique_ptr<Source> source, std::string &error,
                                   const Arguments &...arguments)
{
    if (auto failed = source->open(arguments...)) {
        error = *failed;
        return nullptr;
    }
    return source;
}

} // namespace

std::unique_ptr<FeedSource> openLobsterSource(const std::string &path, const std::string &topic,
                                              std::string &error)
{
    return opened(std::make_unique<LobsterSource>(topic), error, path);
}

std::unique_ptr<FeedSource> openLobsterReplaySource(const std::string &messagePath,
                                                    const std::string &orderbookPath,
                                                    const std::string &topic, std::string &error)
{
    return opened(std::make_unique<LobsterReplaySource>(topic), error, messagePath, orderbookPath);
}

std::unique_ptr<FeedSource> openBybitSource(const std::string &path, std::string &error)
{
    return opened(std::make_unique<BybitSource>(), error, path);
}

std::unique_ptr<FeedSource> openTardisSource(const std::string &path, std::string &error)
{
    return opened(std::make_unique<TardisSource>(), error, path);
}

} // namespace bourse::net::feed
