#pragma once

// A scenario of portfolio accounts and pre-trade risk for the tests of the read models and of
// their queries, with its outcome worked out by hand below.

#include "engine.h"

#include <cstdint>

namespace bourse::read_model_tests {

// Account 1 is a margin account: 10,000.00 EUR, a maker rebate of 2 bp and a taker fee of 10 bp.
// Account 2 is a cash account: 50,000.00 EUR, a maker fee of 1 bp and a taker fee of 5 bp, with a
// minimum of 0.50 per fill. The instrument has 2 price decimals and 0 quantity decimals, so a
// price of 10000 is 100.00 and the notional of 1 at 100.00 is 10000 money units (100.00 EUR).
inline constexpr AccountId kMarginAccount{1};
inline constexpr AccountId kCashAccount{2};

// 10:00:00 after midnight plus `seconds`, in nanoseconds.
inline Timestamp scenarioTime(std::int64_t seconds)
{
    return Timestamp{(36'000 + seconds) * 1'000'000'000};
}

inline AccountSettings scenarioAccount(AccountId id)
{
    AccountSettings settings;
    settings.id = id;
    settings.currency = currencyCode("EUR");
    settings.moneyDecimals = 2;
    if (id == kMarginAccount) {
        settings.type = AccountType::Margin;
        settings.fees.maker = FeeRate::fromBasisPoints(-2);
        settings.fees.taker = FeeRate::fromBasisPoints(10);
    } else {
        settings.type = AccountType::Cash;
        settings.fees.maker = FeeRate::fromBasisPoints(1);
        settings.fees.taker = FeeRate::fromBasisPoints(5);
        settings.fees.minimum = Money{50};
    }
    return settings;
}

// The margin account's defaults: order size 50, open orders 3, daily loss 1,000.00 and buying
// power 5,000.00, with the position limits given.
inline RiskLimits scenarioDefaults(std::int64_t longLimit, std::int64_t shortLimit)
{
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{50};
    limits.maximumLongPosition = Quantity{longLimit};
    limits.maximumShortPosition = Quantity{shortLimit};
    limits.maximumOpenOrders = 3;
    limits.dailyLossLimit = Money{100'000};
    limits.marginBuyingPower = Money{500'000};
    return limits;
}

inline NewOrder scenarioOrder(std::uint64_t id, AccountId account, Side side, std::int64_t quantity,
                              std::int64_t price, InstrumentId instrument)
{
    NewOrder order;
    order.id = OrderId{id};
    order.account = account;
    order.side = side;
    order.quantity = Quantity{quantity};
    order.limit = Price{price};
    order.instrument = instrument;
    return order;
}

// The commands, at `start` + t seconds after 10:00:00, with the sequence numbers of their events
// when the instrument's definition is event 1. Orders are numbered from `base`: "order 1" is
// base + 1.
//   t 1   account 1 opens; account 2 opens                                  2, 3
//   t 2   account 1's defaults: long 10, short 10                           4
//   t 3   order 1, account 2 buys 10 at 100.00 and rests                    5, 6
//   t 4   order 2, account 1 sells 6 at 100.00: trades 6 with order 1       7, 8 trade,
//                                                                           9 fill of 2, 10 of 1
//   t 5   order 3, account 2 sells 2 at 101.00 and rests                    11, 12
//   t 6   order 4, account 1 buys 2 at 101.00: trades                       13, 14, 15, 16
//   pause 1
//   t 7   account 1 overrides its short limit in the instrument to 5:       17
//         its short of 4 uses 80% of it                                     18 alert Warning
//   t 8   order 5, account 1 sells 3 at 105.00: a short of 4 + 3 = 7 is
//         above the override of 5                                           19 rejected, 20
//   t 9   order 6, account 2 sells 2 at 102.00 and rests                    21, 22
//   t 10  order 7, account 1 buys 2 at 102.00: trades, and its short of 2   23, 24, 25, 26,
//         uses 40% of the override                                          27 alert Normal
//   pause 2
//   t 11  account 1's kill switch pauses it                                 28
//   t 12  order 8, account 1 buys 1 at 99.00: rejected, the switch is on    29 rejected, 30
//   t 13  the global kill switch cancels all: order 1's last 4 go           31, 32 cancelled
//   t 14  account 1's kill switch is reset                                  33
//   pause 3
//   t 15  account 1's defaults: long 20, short 8; the override stays        34
//   pause 4
//   t 16  account 1's override is removed                                   35
//
// The fills, fees rounded up to the cent and raised to a charge's minimum:
//   seq 9   account 2 buys 6 at 100.00 as maker: notional 600.00, fee 0.06 -> minimum 0.50;
//           cash 50,000.00 - 600.00 - 0.50 = 49,399.50
//   seq 10  account 1 sells 6 at 100.00 as taker: fee 0.60; cash 10,000.00 - 0.60 = 9,999.40
//   seq 15  account 2 sells 2 at 101.00: fee 0.0202 -> 0.50; realized (101 - 100) * 2 = 2.00;
//           cash 49,399.50 + 202.00 - 0.50 = 49,601.00
//   seq 16  account 1 buys 2 at 101.00: fee 0.202 -> 0.21; realized (100 - 101) * 2 = -2.00;
//           a margin account settles P&L and fee: 9,999.40 - 2.00 - 0.21 = 9,997.19
//   seq 25  account 2 sells 2 at 102.00: fee 0.0204 -> 0.50; realized 4.00;
//           cash 49,601.00 + 204.00 - 0.50 = 49,804.50
//   seq 26  account 1 buys 2 at 102.00: fee 0.204 -> 0.21; realized -4.00;
//           cash 9,997.19 - 4.00 - 0.21 = 9,992.98
// Account 1 ends short 2 with fees 0.60 + 0.21 + 0.21 = 1.02 and realized -6.00; account 2
// ends long 2 with fees 1.50 and realized 6.00.
template <typename Pause>
void runRiskScenario(Engine &engine, std::uint64_t base, InstrumentId instrument, Pause pause,
                     std::int64_t start = 0)
{
    const auto order = [&](std::uint64_t offset, AccountId account, Side side,
                           std::int64_t quantity, std::int64_t price) {
        return scenarioOrder(base + offset, account, side, quantity, price, instrument);
    };
    const auto scenarioTime = [start](std::int64_t seconds) {
        return read_model_tests::scenarioTime(start + seconds);
    };
    engine.openAccount(scenarioAccount(kMarginAccount), Money{1'000'000}, scenarioTime(1));
    engine.openAccount(scenarioAccount(kCashAccount), Money{5'000'000}, scenarioTime(1));
    engine.setRiskLimits(kMarginAccount, scenarioDefaults(10, 10), scenarioTime(2));
    engine.submit(order(1, kCashAccount, Side::Buy, 10, 10'000), scenarioTime(3));
    engine.submit(order(2, kMarginAccount, Side::Sell, 6, 10'000), scenarioTime(4));
    engine.submit(order(3, kCashAccount, Side::Sell, 2, 10'100), scenarioTime(5));
    engine.submit(order(4, kMarginAccount, Side::Buy, 2, 10'100), scenarioTime(6));
    pause(1);

    RiskLimits shortOverride;
    shortOverride.maximumShortPosition = Quantity{5};
    engine.setRiskOverrides(kMarginAccount, instrument, shortOverride,
                            static_cast<std::uint16_t>(RiskLimitField::ShortPosition),
                            scenarioTime(7));
    engine.submit(order(5, kMarginAccount, Side::Sell, 3, 10'500), scenarioTime(8));
    engine.submit(order(6, kCashAccount, Side::Sell, 2, 10'200), scenarioTime(9));
    engine.submit(order(7, kMarginAccount, Side::Buy, 2, 10'200), scenarioTime(10));
    pause(2);

    engine.engageKillSwitch(kMarginAccount, KillSwitchScope::Pause, scenarioTime(11));
    engine.submit(order(8, kMarginAccount, Side::Buy, 1, 9'900), scenarioTime(12));
    engine.engageKillSwitch(AccountId{}, KillSwitchScope::CancelAll, scenarioTime(13));
    engine.resetKillSwitch(kMarginAccount, scenarioTime(14));
    pause(3);

    engine.setRiskLimits(kMarginAccount, scenarioDefaults(20, 8), scenarioTime(15));
    pause(4);

    engine.setRiskOverrides(kMarginAccount, instrument, RiskLimits{}, 0, scenarioTime(16));
}

} // namespace bourse::read_model_tests
