#include "session_market.h"

#include "engine_state.h"
#include "event_text.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace bourse::session {

namespace {

// A band of 10% around the last trade: wide enough for any flow the simulators make, since
// their fair values stay within a few dozen ticks of the anchor, and narrow enough to stop a
// mistyped price.
constexpr std::uint32_t kPriceBandBasisPoints = 1'000;

Session::SimulatedInstrument instrument(std::uint32_t id, std::string_view symbol, int decimals,
                                        std::int64_t tick, std::int64_t lot,
                                        std::int64_t anchorTicks, std::int64_t maxPassiveLots,
                                        std::uint32_t weight)
{
    Session::SimulatedInstrument simulated;
    InstrumentDefinition &definition = simulated.definition;
    definition.id = InstrumentId{id};
    std::copy(symbol.begin(), symbol.end(), definition.symbol.begin());
    definition.currency = currencyCode("USD");
    definition.priceDecimals = static_cast<std::uint8_t>(decimals);
    definition.tickSize = Price{tick};
    definition.lotSize = Quantity{lot};
    definition.minimumQuantity = Quantity{lot};
    definition.maximumQuantity = Quantity{1'000'000};
    definition.priceBandBasisPoints = kPriceBandBasisPoints;
    // The anchor is the reference until the first trade, so the band and the valuation of
    // market orders work from the first order on.
    definition.referencePrice = Price{anchorTicks * tick};
    simulated.anchorTicks = anchorTicks;
    simulated.maxPassiveLots = maxPassiveLots;
    simulated.weight = weight;
    return simulated;
}

std::string symbolOf(const InstrumentDefinition &definition)
{
    return textOf(definition.symbol);
}

} // namespace

std::vector<Session::SimulatedInstrument> defaultInstruments()
{
    // Five listings that differ in price level, tick and depth. The weights give the busiest
    // one four commands in ten and the thinnest ones one each.
    return {
        instrument(1, "BRSA", 2, 1, 1, 10'137, 25, 4),  // $101.37, a liquid mid-price stock
        instrument(2, "NVLT", 2, 5, 1, 36'910, 4, 1),   // $1,845.50 in steps of $0.05, thin
        instrument(3, "QRTZ", 4, 1, 100, 8'734, 60, 2), // $0.8734, sub-dollar, lots of 100
        instrument(4, "HLXB", 3, 5, 1, 5'570, 40, 2),   // $27.850 in steps of $0.005
        instrument(5, "BRIX", 2, 25, 1, 16'509, 8, 1),  // an index at 4,127.25 in quarter points
    };
}

std::vector<TraderAccount> traderAccounts()
{
    TraderAccount account;
    account.settings.id = AccountId{1};
    account.settings.currency = currencyCode("USD");
    account.settings.moneyDecimals = 2;
    account.settings.type = AccountType::Margin;
    // 0.5 basis points for adding liquidity, 2 for taking it, at least one cent a fill.
    account.settings.fees.maker = FeeRate{50};
    account.settings.fees.taker = FeeRate{200};
    account.settings.fees.minimum = Money{1};
    account.openingBalance = Money{100'000'000}; // $1,000,000.00

    // Every rule on, sized for the default instruments, so the risk dashboard shows a use for
    // each: an order of $500,000 at most, four times the balance in buying power, and a day's
    // loss of 5% of the balance.
    RiskLimits &limits = account.limits;
    limits.maximumOrderQuantity = Quantity{50'000};
    limits.maximumOrderNotional = Money{50'000'000};
    limits.maximumLongPosition = Quantity{100'000};
    limits.maximumShortPosition = Quantity{100'000};
    limits.priceBandBasisPoints = 500;
    limits.maximumOpenOrders = 200;
    limits.maximumOrdersPerSecond = 50;
    limits.dailyLossLimit = Money{5'000'000};
    limits.marginBuyingPower = Money{400'000'000};
    return {account};
}

void setUpMarket(Engine &engine, const std::vector<Session::SimulatedInstrument> &instruments,
                 Timestamp time)
{
    if (!engine.instruments().empty()) {
        return;
    }
    for (const Session::SimulatedInstrument &simulated : instruments) {
        engine.addInstrument(simulated.definition, time);
    }
    for (const TraderAccount &account : traderAccounts()) {
        engine.openAccount(account.settings, account.openingBalance, time);
        engine.setRiskLimits(account.settings.id, account.limits, time);
    }
}

std::vector<SimulatorSet::Member>
simulatorMembers(const Engine &engine, const std::vector<Session::SimulatedInstrument> &instruments)
{
    std::vector<SimulatorSet::Member> members;
    for (const InstrumentId id : engine.instruments()) {
        const InstrumentDefinition &definition = *engine.definition(id);
        SimulatorSet::Member member;
        MarketSimulator::Options &options = member.options;
        const auto configured =
            std::find_if(instruments.begin(), instruments.end(), [&](const auto &simulated) {
                return simulated.definition.id == id &&
                       symbolOf(simulated.definition) == symbolOf(definition);
            });
        if (configured != instruments.end()) {
            options.anchor = Price{configured->anchorTicks};
            options.maxPassiveLots = configured->maxPassiveLots;
            options.maxAggressiveLots = std::max<std::int64_t>(configured->maxPassiveLots / 2, 1);
            member.weight = configured->weight;
        }
        options.instrument = id;
        options.tickSize = definition.tickSize;
        options.lotSize = definition.lotSize;
        options.engineAssignsIds = true;
        members.push_back(member);
    }
    return members;
}

std::string checkInstruments(const std::vector<Session::SimulatedInstrument> &instruments)
{
    std::set<InstrumentId> ids;
    for (const Session::SimulatedInstrument &simulated : instruments) {
        const InstrumentDefinition &definition = simulated.definition;
        const std::string name = "instrument " + std::to_string(definition.id.value());
        if (!engine_detail::isValidDefinition(definition)) {
            return name + " has an invalid definition: the id, tick, lot, quantity bounds, "
                          "reference price or multiplier is out of range";
        }
        if (!ids.insert(definition.id).second) {
            return name + " is listed twice";
        }
        if (simulated.anchorTicks < 1 || simulated.maxPassiveLots < 1 || simulated.weight < 1) {
            return name + " needs an anchor, a largest resting order and a weight of at least 1";
        }
    }
    return {};
}

} // namespace bourse::session
