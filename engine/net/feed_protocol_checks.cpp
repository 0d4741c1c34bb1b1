#include "feed_protocol_checks.h"

#include <unordered_set>

namespace bourse::net::feed {

namespace {

// Names the entry at `index` of the list `field`, as in "bids[2]". Appends, because GCC 12 warns
// wrongly (-Wrestrict) about "[" + std::string.
std::string entryName(std::string_view field, std::size_t index)
{
    std::string name(field);
    name.append("[").append(std::to_string(index)).append("]");
    return name;
}

class Checker {
public:
    explicit Checker(std::size_t index)
        : m_index(index)
    {
    }

    std::optional<DecodeError> problem;

    void side(Side side, const char *field)
    {
        if (side != Side::Buy && side != Side::Sell)
            fail(field, "must be buy (0) or sell (1)");
    }

    void positive(std::int64_t value, const std::string &field)
    {
        if (value <= 0)
            fail(field, "must be positive, is " + std::to_string(value));
    }

    void notNegative(std::int64_t value, const char *field)
    {
        if (value < 0)
            fail(field, "must not be negative, is " + std::to_string(value));
    }

    // A price or quantity the engine cannot hold would be dropped by the book that applies it,
    // leaving the book wrong, so it is rejected here with the message.
    void atMost(std::int64_t value, std::int64_t maximum, const std::string &field)
    {
        if (value > maximum)
            fail(field,
                 "must be at most " + std::to_string(maximum) + ", is " + std::to_string(value));
    }

    void price(Price value, const std::string &field)
    {
        positive(value.value(), field);
        atMost(value.value(), kMaximumPrice.value(), field);
    }

    void quantity(Quantity value, const std::string &field)
    {
        positive(value.value(), field);
        atMost(value.value(), kMaximumQuantity.value(), field);
    }

    void levels(const std::vector<Level> &levels, Side side, const char *field)
    {
        for (std::size_t i = 0; i < levels.size() && !problem; ++i) {
            const std::string entry = entryName(field, i);
            price(levels[i].price, entry + " price");
            quantity(levels[i].size, entry + " size");
            if (i == 0 || problem)
                continue;
            const bool better = side == Side::Buy ? levels[i].price < levels[i - 1].price
                                                  : levels[i].price > levels[i - 1].price;
            if (!better)
                fail(field, "must list each price once, best first: " +
                                std::to_string(levels[i].price.value()) + " follows " +
                                std::to_string(levels[i - 1].price.value()));
        }
    }

    void fail(const std::string &field, std::string reason)
    {
        if (!problem)
            problem = DecodeError{m_index, field, std::move(reason)};
    }

private:
    std::size_t m_index;
};

// An order snapshot lists bids then asks, each side best price first, so that a subscriber
// rebuilds every queue in its order.
void checkOrderPlace(Checker &check, const RestingOrder &order, const RestingOrder &previous)
{
    const std::string id = std::to_string(order.id.value());
    if (order.side == Side::Buy && previous.side == Side::Sell) {
        check.fail("orders", "must list bids before asks: bid order " + id + " follows an ask");
        return;
    }
    if (order.side != previous.side)
        return;
    const bool worseFirst =
        order.side == Side::Buy ? order.price > previous.price : order.price < previous.price;
    if (worseFirst)
        check.fail("orders", "must list each side best price first: order " + id + " at " +
                                 std::to_string(order.price.value()) + " follows " +
                                 std::to_string(previous.price.value()));
}

void checkOrders(Checker &check, const OrderSnapshot &snapshot)
{
    std::unordered_set<OrderId> ids;
    ids.reserve(snapshot.orders.size());
    for (std::size_t i = 0; i < snapshot.orders.size(); ++i) {
        const RestingOrder &order = snapshot.orders[i];
        const std::string entry = entryName("orders", i);
        check.side(order.side, "orders");
        check.price(order.price, entry + " price");
        check.quantity(order.quantity, entry + " quantity");
        if (!ids.insert(order.id).second)
            check.fail("orders", "name order " + std::to_string(order.id.value()) + " twice");
        if (i > 0 && !check.problem)
            checkOrderPlace(check, order, snapshot.orders[i - 1]);
        if (check.problem)
            return;
    }
}

} // namespace

std::optional<DecodeError> checkMessage(const Message &message, std::size_t index)
{
    Checker check(index);
    if (isSequenced(message.body) && message.sequence == 0)
        check.fail("sequence", "must be 1 or more on a message of type \"" +
                                   std::string(typeName(message.body)) + "\"");

    if (const auto *order = std::get_if<OrderMessage>(&message.body)) {
        check.side(order->side, "side");
        check.price(order->price, "price");
        check.quantity(order->quantity, "quantity");
    } else if (const auto *update = std::get_if<LevelUpdate>(&message.body)) {
        for (const LevelChange &change : update->changes) {
            check.side(change.side, "side");
            check.price(change.price, "price");
            check.notNegative(change.size.value(), "size");
            check.atMost(change.size.value(), kMaximumQuantity.value(), "size");
        }
    } else if (const auto *trade = std::get_if<Trade>(&message.body)) {
        check.side(trade->aggressor, "aggressor");
        check.price(trade->price, "price");
        check.quantity(trade->quantity, "quantity");
    } else if (const auto *status = std::get_if<StatusChange>(&message.body)) {
        if (static_cast<std::uint8_t>(status->status) > 4)
            check.fail("status",
                       "must be 0 to 4, is " + std::to_string(static_cast<int>(status->status)));
    } else if (const auto *book = std::get_if<BookSnapshot>(&message.body)) {
        check.levels(book->bids, Side::Buy, "bids");
        check.levels(book->asks, Side::Sell, "asks");
    } else if (const auto *orders = std::get_if<OrderSnapshot>(&message.body)) {
        checkOrders(check, *orders);
    } else if (const auto *instrument = std::get_if<InstrumentDefinition>(&message.body)) {
        if (instrument->depth != BookDepth::Levels && instrument->depth != BookDepth::Orders)
            check.fail("depth", "must be 2 (levels) or 3 (orders)");
        if (instrument->priceDecimals > 18 || instrument->sizeDecimals > 18)
            check.fail("decimals", "must be 0 to 18");
        check.positive(instrument->tick, "tick");
        check.positive(instrument->lot, "lot");
    }
    return check.problem;
}

} // namespace bourse::net::feed
