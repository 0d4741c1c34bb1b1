#include "risk_setup.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <optional>
#include <variant>

namespace bourse::bench {

namespace {

constexpr InstrumentId kInstrument{1};
constexpr std::uint8_t kMoneyDecimals = 2;
// 1,000,000,000.00 in the account's currency. The checks of a margin account do not read its
// balance, so any ample amount does.
constexpr Money kOpeningBalance{100'000'000'000};

// Prices in ticks of 0.01 in US dollars, so the steady stream's mid of 100,000 ticks is 1,000.00,
// and quantities in whole lots.
InstrumentDefinition benchInstrument()
{
    InstrumentDefinition definition;
    definition.id = kInstrument;
    const char symbol[] = "BENCH";
    std::copy(std::begin(symbol), std::end(symbol) - 1, definition.symbol.begin());
    definition.currency = currencyCode("USD");
    definition.priceDecimals = 2;
    return definition;
}

std::vector<AccountSettings> benchAccounts(const InstrumentDefinition &instrument)
{
    std::vector<AccountSettings> accounts;
    for (std::uint32_t id = 1; id <= 2 * kAccountsPerSide; ++id) {
        AccountSettings settings;
        settings.id = AccountId{id};
        settings.currency = instrument.currency;
        settings.moneyDecimals = kMoneyDecimals;
        settings.type = AccountType::Margin;
        accounts.push_back(settings);
    }
    return accounts;
}

// Counts the OrderRejected events of the setup commands.
class RejectionCounter : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        if (std::holds_alternative<OrderRejected>(event.payload))
            ++count;
    }

    std::uint64_t count = 0;
};

// The orders of each account in the last second of the replay clock, as the order rate rule
// counts them: the window is (now - 1 s, now].
class RateCounter {
public:
    // Counts one more order at `now`, which is not before the last one, and returns how many
    // the window then holds.
    std::int64_t add(AccountId account, Timestamp now)
    {
        std::deque<std::int64_t> &times = m_times[account.value()];
        while (!times.empty() && times.front() <= now.value() - kNanosecondsPerSecond)
            times.pop_front();
        times.push_back(now.value());
        return static_cast<std::int64_t>(times.size());
    }

private:
    std::deque<std::int64_t> m_times[2 * kAccountsPerSide + 1]; // by account id
};

// The distance of `price` from `reference` in basis points of the reference, rounded up, as the
// price band rule measures it.
std::int64_t bandBasisPoints(Price price, Price reference)
{
    const std::int64_t distance =
        std::max(price.value() - reference.value(), reference.value() - price.value());
    return (distance * 10'000 + reference.value() - 1) / reference.value();
}

// Raises the peaks to the use the add would have if it were checked now, except the daily loss.
void measureAdd(const Engine &engine, const NewOrder &add, std::int64_t rate,
                const Valuation &valuation, RiskPeaks &peaks)
{
    const RiskEvaluator &evaluator = engine.risk().evaluator();
    const RiskPairCounters &pair = *evaluator.counters(add.account, kInstrument);
    const RiskAccountCounters &account = *evaluator.accountCounters(add.account);
    const Money notionalValue = notional(add.limit, add.quantity, valuation).value;

    peaks.orderQuantity = std::max(peaks.orderQuantity, add.quantity);
    peaks.orderNotional = std::max(peaks.orderNotional, notionalValue);
    if (add.side == Side::Buy) {
        peaks.longPosition =
            std::max(peaks.longPosition, pair.position + pair.openBuyQuantity + add.quantity);
    } else {
        const Quantity shortSize = pair.openSellQuantity + add.quantity - pair.position;
        peaks.shortPosition = std::max(peaks.shortPosition, shortSize);
    }

    const Price reference = evaluator.referencePrice(kInstrument);
    if (reference > Price{0})
        peaks.priceBandBasisPoints =
            std::max(peaks.priceBandBasisPoints, bandBasisPoints(add.limit, reference));
    peaks.openOrders = std::max(peaks.openOrders, account.openOrders + 1);
    peaks.ordersPerSecond = std::max(peaks.ordersPerSecond, rate);

    const Money committed{account.openBuyNotional.value() + account.openSellNotional.value() +
                          notionalValue.value()};
    peaks.committedNotional = std::max(peaks.committedNotional, committed);
}

// A day's loss changes only when a trade moves a position or the mark, so measuring every
// account after each command that traded finds the peak that the checks and the alerts see.
void measureDailyLoss(const Engine &engine, const RiskSetup &setup, Timestamp time,
                      RiskPeaks &peaks)
{
    for (const AccountSettings &account : setup.accounts) {
        const Money total = engine.risk().dayProfitAndLoss(account.id, time).total;
        peaks.dailyLoss = std::max(peaks.dailyLoss, Money{-total.value()});
    }
}

std::optional<RiskPeaks> measurePeaks(const CommandStream &stream, const RiskSetup &setup)
{
    Engine engine;
    if (!setUpRisk(engine, setup, false))
        return std::nullopt;
    const Valuation valuation{setup.instrument.priceDecimals, setup.instrument.quantityDecimals,
                              setup.instrument.multiplier, kMoneyDecimals};

    RiskPeaks peaks;
    RateCounter rates;
    NewOrder order;
    order.instrument = kInstrument;
    for (std::size_t i = 0; i < stream.commands.size(); ++i) {
        const StreamCommand &command = stream.commands[i];
        const Timestamp time = replayTime(i, setup.commandInterval);
        if (command.operation == Operation::Cancel) {
            engine.cancel(OrderId{command.id}, time);
            continue;
        }
        order.id = OrderId{command.id};
        order.side = command.side;
        order.limit = Price{command.price};
        order.quantity = Quantity{command.quantity};
        order.account = accountOf(command);
        measureAdd(engine, order, rates.add(order.account, time), valuation, peaks);

        const std::uint64_t trades = engine.tradeCount();
        engine.submit(order, time);
        if (engine.tradeCount() != trades)
            measureDailyLoss(engine, setup, time, peaks);
    }
    return peaks;
}

std::int64_t withHeadroom(std::int64_t peak)
{
    return std::max<std::int64_t>(peak * kLimitHeadroom, 1);
}

RiskLimits limitsFor(const RiskPeaks &peaks)
{
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{withHeadroom(peaks.orderQuantity.value())};
    limits.maximumOrderNotional = Money{withHeadroom(peaks.orderNotional.value())};
    limits.maximumLongPosition = Quantity{withHeadroom(peaks.longPosition.value())};
    limits.maximumShortPosition = Quantity{withHeadroom(peaks.shortPosition.value())};
    limits.priceBandBasisPoints = withHeadroom(peaks.priceBandBasisPoints);
    limits.maximumOpenOrders = withHeadroom(peaks.openOrders);
    limits.maximumOrdersPerSecond =
        std::min(withHeadroom(peaks.ordersPerSecond), kMaximumOrdersPerSecond);
    limits.dailyLossLimit = Money{withHeadroom(peaks.dailyLoss.value())};
    limits.marginBuyingPower = Money{withHeadroom(peaks.committedNotional.value())};
    return limits;
}

} // namespace

std::optional<RiskSetup> calibrateRisk(const CommandStream &stream, std::int64_t commandInterval)
{
    RiskSetup setup;
    setup.commandInterval = commandInterval;
    setup.instrument = benchInstrument();
    setup.accounts = benchAccounts(setup.instrument);
    setup.openingBalance = kOpeningBalance;
    const std::optional<RiskPeaks> peaks = measurePeaks(stream, setup);
    if (!peaks)
        return std::nullopt;
    setup.peaks = *peaks;
    setup.limits = limitsFor(setup.peaks);
    return setup;
}

bool setUpRisk(Engine &engine, const RiskSetup &setup, bool withLimits)
{
    RejectionCounter rejections;
    engine.addHandler(&rejections);
    // The setup commands come just before the first command of the stream.
    const Timestamp time{kReplayStart - 1};
    engine.addInstrument(setup.instrument, time);
    for (const AccountSettings &account : setup.accounts) {
        engine.openAccount(account, setup.openingBalance, time);
        if (withLimits)
            engine.setRiskLimits(account.id, setup.limits, time);
    }
    engine.removeHandler(&rejections);
    return rejections.count == 0;
}

} // namespace bourse::bench
