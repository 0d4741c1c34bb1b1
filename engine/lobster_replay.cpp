#include "lobster_replay.h"

#include "lobster_apply.h"

#include <algorithm>
#include <iterator>

namespace bourse::lobster {

namespace {

using Clock = std::chrono::steady_clock;

bool isWorse(Side side, Price a, Price b)
{
    return side == Side::Buy ? a < b : a > b;
}

std::vector<BookRow::Level> &levelsOf(BookRow &row, Side side)
{
    return side == Side::Buy ? row.bids : row.asks;
}

const std::vector<BookRow::Level> &levelsOf(const BookRow &row, Side side)
{
    return side == Side::Buy ? row.bids : row.asks;
}

// Adds a signed quantity to a level of a row, keeping levels sorted best first and dropping a
// level that reaches zero.
void adjustRow(BookRow &row, Side side, Price price, std::int64_t delta)
{
    auto &levels = levelsOf(row, side);
    auto position = std::find_if(levels.begin(), levels.end(), [&](const BookRow::Level &level) {
        return !isWorse(side, price, level.price);
    });
    if (position != levels.end() && position->price == price) {
        position->size = Quantity{position->size.value() + delta};
        if (position->size <= Quantity{0})
            levels.erase(position);
        return;
    }
    if (delta > 0)
        levels.insert(position, BookRow::Level{price, Quantity{delta}});
}

bool isTrade(MessageType type)
{
    return type == MessageType::VisibleExecution || type == MessageType::HiddenExecution ||
           type == MessageType::CrossTrade;
}

} // namespace

double ReplaySummary::messagesPerSecond() const
{
    const double seconds = std::chrono::duration<double>(elapsed).count();
    return seconds > 0.0 ? static_cast<double>(messages) / seconds : 0.0;
}

struct Replay::State {
    MessageReader messages;
    OrderbookReader orderbook;
    bool checking = false;
    std::size_t checkLevels = 0;
    std::optional<Message> pending;
    bool seeded = false;

    // Per side, the worst price the previous row showed when that row was full. Levels worse
    // than it were out of sight, so their size may have changed without a message. Empty
    // when the previous row showed the whole side.
    std::optional<Price> visibleBoundary[2];

    std::optional<BookRow> firstRow; // read early to seed the book, checked with message 1
    BookRow row;                     // the current row, reused for every message

    MessageApplier applier;
    std::size_t reducedLevels = 0; // levels brought down to the size of a row
};

Replay::Replay(Engine &engine)
    : m_state(std::make_unique<State>())
    , m_engine(engine)
{
}

Replay::~Replay() = default;

std::optional<InputError> Replay::open(const Options &options)
{
    m_state = std::make_unique<State>();
    m_summary = ReplaySummary{};
    m_error = m_state->messages.open(options.messagePath);
    if (m_error)
        return m_error;

    m_state->pending = m_state->messages.next();
    m_error = m_state->messages.error();
    if (!m_error && !m_state->pending)
        m_error = InputError{options.messagePath, 0, "the message file is empty"};
    if (m_error || options.orderbookPath.empty())
        return m_error;

    m_state->checking = true;
    m_error = openOrderbook(options.orderbookPath, options.levels);
    return m_error;
}

// Reads the first row at once, because it fixes the file's depth and seeds the book.
std::optional<InputError> Replay::openOrderbook(const std::string &path, std::size_t levels)
{
    OrderbookReader &orderbook = m_state->orderbook;
    if (auto error = orderbook.open(path))
        return error;

    m_state->firstRow = orderbook.next();
    if (!m_state->firstRow)
        return orderbook.error().value_or(InputError{path, 0, "the orderbook file is empty"});

    const std::size_t fileLevels = orderbook.levels();
    m_state->checkLevels = levels == 0 ? fileLevels : levels;
    if (m_state->checkLevels > fileLevels) {
        return InputError{path, 1,
                          "cannot check " + std::to_string(m_state->checkLevels) +
                              " levels: the file has " + std::to_string(fileLevels)};
    }
    m_summary.checkedLevels = m_state->checkLevels;
    return std::nullopt;
}

std::optional<Timestamp> Replay::nextTime() const
{
    if (!m_state->pending)
        return std::nullopt;
    return m_state->pending->time;
}

namespace {

// The top `depth` levels of a side of the book, in the form of an orderbook row.
std::vector<BookRow::Level> topLevels(const OrderBook &book, Side side, std::size_t depth)
{
    std::vector<BookRow::Level> levels;
    const std::size_t count = std::min(depth, book.levelCount(side));
    levels.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const LevelSummary level = book.level(side, i);
        levels.push_back({level.price, level.quantity});
    }
    return levels;
}

// The part of the book before the first message: the first row with that message undone.
BookRow bookBefore(const BookRow &firstRow, const Message &first)
{
    BookRow before = firstRow;
    const std::int64_t size = first.size.value();
    switch (first.type) {
    case MessageType::NewOrder:
        adjustRow(before, first.direction, first.price, -size);
        break;
    case MessageType::PartialCancel:
    case MessageType::Delete:
    case MessageType::VisibleExecution:
        adjustRow(before, first.direction, first.price, size);
        break;
    case MessageType::HiddenExecution:
    case MessageType::CrossTrade:
    case MessageType::TradingHalt:
        break;
    }
    return before;
}

} // namespace

Replay::Step Replay::step()
{
    if (m_error)
        return Step::Failed;
    if (!m_state->pending)
        return finish();

    const auto started = Clock::now();
    const Message message = *m_state->pending;
    const std::uint64_t tradesBefore = m_engine.tradeCount();

    if (m_state->checking && !m_state->seeded)
        seed(message);

    m_state->applier.apply(m_engine, message);
    ++m_summary.messages;
    m_summary.fills += m_engine.tradeCount() - tradesBefore;
    if (isTrade(message.type))
        ++m_summary.trades;

    const bool checked = !m_state->checking || check(message);
    updateCounters();
    if (!checked)
        return Step::Failed;

    m_state->pending = m_state->messages.next();
    m_summary.elapsed += Clock::now() - started;
    if (m_state->messages.error()) {
        m_error = m_state->messages.error();
        return Step::Failed;
    }
    return Step::Applied;
}

Replay::Step Replay::finish()
{
    if (m_state->checking && m_state->orderbook.read(m_state->row)) {
        m_error = InputError{m_state->orderbook.path(), m_summary.messages + 1,
                             "the orderbook file has more rows than the message file"};
        return Step::Failed;
    }
    if (m_state->orderbook.error()) {
        m_error = m_state->orderbook.error();
        return Step::Failed;
    }
    return Step::Finished;
}

// The applier counts recovered orders and unexplained messages, and setLevel() counts the levels
// it reduces. Recovered levels in the summary are both kinds of recovery.
void Replay::updateCounters()
{
    const MessageApplier &applier = m_state->applier;
    m_summary.recoveredLevels = applier.recoveredOrders() + m_state->reducedLevels;
    m_summary.unexplainedMessages = applier.unexplainedMessages();
}

// Before the first message the book is only known from the first orderbook row.
void Replay::seed(const Message &first)
{
    const std::size_t fileLevels = m_state->orderbook.levels();
    const BookRow &row = *m_state->firstRow;
    const BookRow before = bookBefore(row, first);
    for (Side side : {Side::Buy, Side::Sell}) {
        for (const BookRow::Level &level : levelsOf(before, side))
            m_state->applier.addRecovered(m_engine, side, level.price, level.size, first.time);

        const auto &shown = levelsOf(row, side);
        const auto &seeded = levelsOf(before, side);
        if (shown.size() == fileLevels && !seeded.empty())
            m_state->visibleBoundary[static_cast<int>(side)] =
                seeded[std::min(seeded.size(), fileLevels) - 1].price;
    }
    m_state->seeded = true;
}

bool Replay::check(const Message &message)
{
    BookRow &row = m_state->row;
    bool haveRow = true;
    if (m_state->firstRow) {
        row = std::move(*m_state->firstRow);
        m_state->firstRow.reset();
    } else {
        haveRow = m_state->orderbook.read(row);
    }
    if (!haveRow) {
        m_error = m_state->orderbook.error().value_or(
            InputError{m_state->orderbook.path(), message.line,
                       "the orderbook file ends before the message file: no row for message line " +
                           std::to_string(message.line)});
        return false;
    }

    resynchronize(row, message.time);
    compare(row);
    return true;
}

// Levels that were beyond the previous row and now come into sight take their size from the
// row, since changes out of sight have no message. Only those levels: a difference anywhere
// else stays a mismatch.
void Replay::resynchronize(const BookRow &row, Timestamp time)
{
    const std::size_t fileLevels = m_state->orderbook.levels();
    for (Side side : {Side::Buy, Side::Sell}) {
        std::optional<Price> &boundary = m_state->visibleBoundary[static_cast<int>(side)];
        const auto &shown = levelsOf(row, side);
        const bool full = shown.size() == fileLevels;

        if (boundary) {
            for (const BookRow::Level &level : shown) {
                if (!isWorse(side, level.price, *boundary))
                    continue;
                m_state->applier.markUnconfirmed(m_engine, side, level.price);
                setLevel(side, level.price, level.size, time);
            }
            removeHiddenLevels(side, *boundary, shown, full, time);
        }
        boundary = full && !shown.empty() ? std::optional<Price>(shown.back().price) : std::nullopt;
    }
}

// Removes levels of the book that came into sight but are missing from the row.
void Replay::removeHiddenLevels(Side side, Price boundary, const std::vector<BookRow::Level> &shown,
                                bool full, Timestamp time)
{
    std::vector<Price> stale;
    const OrderBook &book = m_engine.book();
    for (std::size_t depth = 0; depth < book.levelCount(side); ++depth) {
        const Price price = book.level(side, depth).price;
        if (full && isWorse(side, price, shown.back().price))
            break;
        if (!isWorse(side, price, boundary))
            continue;
        const bool listed =
            std::any_of(shown.begin(), shown.end(),
                        [&](const BookRow::Level &level) { return level.price == price; });
        if (!listed)
            stale.push_back(price);
    }
    for (Price price : stale)
        setLevel(side, price, Quantity{0}, time);
}

// Brings a level to a size. Missing quantity rests as a recovered order at the back, and
// excess comes off recovered orders first, then off the newest orders.
void Replay::setLevel(Side side, Price price, Quantity target, Timestamp time)
{
    const Quantity current = m_engine.book().quantityAt(side, price);
    if (current == target)
        return;
    if (target > current) {
        m_state->applier.addRecovered(m_engine, side, price, target - current, time);
        return;
    }
    ++m_state->reducedLevels;

    Quantity excess = current - target;
    const auto queue = m_engine.book().ordersAt(side, price);
    std::vector<const Order *> orders;
    std::copy_if(queue.begin(), queue.end(), std::back_inserter(orders),
                 [](const Order *order) { return isRecovered(order->id); });
    std::copy_if(queue.rbegin(), queue.rend(), std::back_inserter(orders),
                 [](const Order *order) { return !isRecovered(order->id); });
    for (const Order *order : orders) {
        if (excess <= Quantity{0})
            break;
        const OrderId id = order->id;
        if (order->remaining <= excess) {
            excess -= order->remaining;
            m_engine.applyDelete(id, time, CancelReason::Resynchronized);
            m_state->applier.forget(id);
        } else {
            m_engine.applyReduce(id, excess, time);
            excess = Quantity{0};
        }
    }
}

namespace {

// Compares the top levels of a side in place; nothing is copied unless they differ.
bool sideMatches(const OrderBook &book, Side side, const std::vector<BookRow::Level> &shown,
                 std::size_t depth)
{
    const std::size_t expectedCount = std::min(depth, shown.size());
    if (std::min(depth, book.levelCount(side)) != expectedCount)
        return false;
    for (std::size_t i = 0; i < expectedCount; ++i) {
        const LevelSummary level = book.level(side, i);
        if (level.price != shown[i].price || level.quantity != shown[i].size)
            return false;
    }
    return true;
}

} // namespace

void Replay::compare(const BookRow &row)
{
    ++m_summary.checkedRows;
    const std::size_t depth = m_state->checkLevels;
    const OrderBook &book = m_engine.book();
    if (sideMatches(book, Side::Buy, row.bids, depth) &&
        sideMatches(book, Side::Sell, row.asks, depth))
        return;

    ++m_summary.mismatches;
    if (m_summary.firstMismatch)
        return;
    Mismatch mismatch;
    mismatch.row = row.line;
    mismatch.expected.line = mismatch.actual.line = row.line;
    for (Side side : {Side::Buy, Side::Sell}) {
        const auto &shown = levelsOf(row, side);
        const auto count = static_cast<std::ptrdiff_t>(std::min(depth, shown.size()));
        levelsOf(mismatch.expected, side).assign(shown.begin(), shown.begin() + count);
        levelsOf(mismatch.actual, side) = topLevels(book, side, depth);
    }
    m_summary.firstMismatch = std::move(mismatch);
}

namespace {

// A LOBSTER day as a ReplayFeed.
class LobsterFeed final : public ReplayFeed {
public:
    explicit LobsterFeed(Engine &engine)
        : m_replay(engine)
    {
    }

    std::optional<InputError> open(const Replay::Options &options)
    {
        return m_replay.open(options);
    }

    Step step() override
    {
        switch (m_replay.step()) {
        case Replay::Step::Applied:
            return Step::Applied;
        case Replay::Step::Finished:
            return Step::Finished;
        case Replay::Step::Failed:
            break;
        }
        return Step::Failed;
    }

    std::optional<Timestamp> nextTime() const override { return m_replay.nextTime(); }

    std::string error() const override
    {
        return m_replay.error() ? m_replay.error()->toString() : "the replay failed";
    }

    std::size_t messages() const override { return m_replay.summary().messages; }
    std::size_t mismatches() const override { return m_replay.summary().mismatches; }

private:
    Replay m_replay;
};

} // namespace

std::unique_ptr<ReplayFeed> openLobsterFeed(const Replay::Options &options, Engine &engine,
                                            std::string &error)
{
    auto feed = std::make_unique<LobsterFeed>(engine);
    if (const std::optional<InputError> failed = feed->open(options)) {
        error = failed->toString();
        return nullptr;
    }
    return feed;
}

} // namespace bourse::lobster
