// Measures RiskEvaluator::check() on a random order flow over many accounts and instruments,
// with every rule enabled. Prints the median and tail percentiles of nanoseconds per check,
// and the mean of a batch of checks timed as a whole, without a clock read per check.
//
//   bench_risk_checks [ORDERS]
//
// The flow: each order picks an account and an instrument uniformly, a side, a price within
// 5.5% of the instrument's reference and a size of 100 to 1,100. An order that passes is
// accepted and kept as working. After each order of an account, with a chance of 60%, its
// oldest working order fills half and cancels the rest. Only check() is timed; the updates run
// between timings.

#include "random.h"
#include "risk_checks.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace bourse;

namespace {

constexpr std::uint32_t kAccounts = 1'000;
constexpr std::uint32_t kInstruments = 10;
constexpr std::size_t kWorkingPerAccount = 24; // above the open-order limit of 12
constexpr std::int64_t kNanosecondsBetweenOrders = 1'000;
constexpr std::uint64_t kSeed = 20'260'101;

using Clock = std::chrono::steady_clock;

struct WorkingOrder {
    InstrumentId instrument;
    Side side = Side::Buy;
    Price price;
    Quantity quantity;
};

// The working orders of one account, oldest first, in a fixed ring.
struct WorkingOrders {
    std::array<WorkingOrder, kWorkingPerAccount> orders{};
    std::size_t first = 0;
    std::size_t count = 0;
};

Price referenceOf(std::uint32_t instrument)
{
    return Price{10'000 + 1'000 * static_cast<std::int64_t>(instrument)}; // 100.00, 110.00, ...
}

RiskLimits limitsFor(AccountType type)
{
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{1'000};
    limits.maximumOrderNotional = Money{15'000'000}; // 150,000.00
    limits.maximumLongPosition = Quantity{20'000};
    limits.maximumShortPosition = Quantity{20'000};
    limits.priceBandBasisPoints = 500;
    limits.maximumOpenOrders = 12;
    limits.maximumOrdersPerSecond = 2'000;
    limits.dailyLossLimit = Money{1'000'000}; // 10,000.00
    if (type == AccountType::Margin)
        limits.marginBuyingPower = Money{500'000'000}; // 5,000,000.00
    return limits;
}

void configure(RiskEvaluator &evaluator, Xoshiro256StarStar &random)
{
    for (std::uint32_t i = 0; i < kInstruments; ++i) {
        InstrumentDefinition definition;
        definition.id = InstrumentId{i + 1};
        definition.priceDecimals = 2;
        definition.referencePrice = referenceOf(i);
        evaluator.addInstrument(definition);
    }
    for (std::uint32_t i = 0; i < kAccounts; ++i) {
        const AccountType type = i % 2 == 0 ? AccountType::Cash : AccountType::Margin;
        const AccountId id{i + 1};
        evaluator.configureAccount({id, type, 2, limitsFor(type)});
        evaluator.updateSnapshot(id, {Money{500'000'000}, Money{}, Money{}}); // 5,000,000.00 cash
        // One account in ten has a tighter size limit on its first instrument.
        if (random.chance(100)) {
            RiskLimitOverrides overrides;
            overrides.maximumOrderQuantity = Quantity{500};
            evaluator.setOverrides(id, InstrumentId{1}, overrides);
        }
    }
}

RiskOrder nextOrder(Xoshiro256StarStar &random, std::int64_t time)
{
    const auto instrument = static_cast<std::uint32_t>(random.below(kInstruments));
    const Price reference = referenceOf(instrument);
    const std::int64_t offset =
        random.between(-reference.value() * 11 / 200, reference.value() * 11 / 200);
    RiskOrder order;
    order.account = AccountId{static_cast<std::uint32_t>(random.below(kAccounts)) + 1};
    order.instrument = InstrumentId{instrument + 1};
    order.side = random.chance(500) ? Side::Buy : Side::Sell;
    order.price = Price{reference.value() + offset};
    order.quantity = Quantity{random.between(1, 11) * 100};
    order.time = Timestamp{time};
    return order;
}

// Fills half of the account's oldest working order and cancels the rest.
void retireOldest(RiskEvaluator &evaluator, AccountId account, WorkingOrders &working)
{
    const WorkingOrder &oldest = working.orders[working.first];
    const Quantity filled{oldest.quantity.value() / 2};
    if (filled > Quantity{0})
        evaluator.onFill(account, oldest.instrument, oldest.side, oldest.price, filled);
    evaluator.onOrderLeft(account, oldest.instrument, oldest.side, oldest.price,
                          oldest.quantity - filled);
    working.first = (working.first + 1) % kWorkingPerAccount;
    --working.count;
}

void accept(RiskEvaluator &evaluator, const RiskOrder &order, WorkingOrders &working)
{
    evaluator.onOrderAccepted(order);
    const std::size_t slot = (working.first + working.count) % kWorkingPerAccount;
    working.orders[slot] = {order.instrument, order.side, order.price, order.quantity};
    ++working.count;
}

std::int64_t percentile(std::vector<std::int64_t> &values, std::size_t perTenThousand)
{
    const std::size_t index = std::min(values.size() - 1, values.size() * perTenThousand / 10'000);
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                     values.end());
    return values[index];
}

} // namespace

int main(int argc, char **argv)
{
    char *end = nullptr;
    const long orders = argc > 1 ? std::strtol(argv[1], &end, 10) : 2'000'000;
    if (argc > 1 && (*end != '\0' || orders < 1'000 || orders > 100'000'000)) {
        std::fprintf(stderr,
                     "bench_risk_checks: invalid ORDERS '%s': expected 1000 to "
                     "100000000\n",
                     argv[1]);
        return 2;
    }

    Xoshiro256StarStar random(kSeed);
    RiskEvaluator evaluator;
    configure(evaluator, random);
    std::vector<WorkingOrders> working(kAccounts);
    std::vector<std::int64_t> nanoseconds;
    nanoseconds.reserve(static_cast<std::size_t>(orders));
    std::array<std::uint64_t, kRiskRuleCount> outcomes{};

    std::int64_t time = kNanosecondsPerSecond;
    for (long i = 0; i < orders; ++i) {
        time += kNanosecondsBetweenOrders;
        const RiskOrder order = nextOrder(random, time);
        if (i % 1'000 == 0) {
            // Marks move: some account's day P&L changes.
            const AccountId account{static_cast<std::uint32_t>(random.below(kAccounts)) + 1};
            evaluator.updateSnapshot(account,
                                     {Money{50'000'000}, Money{random.between(-600'000, 0)},
                                      Money{random.between(-600'000, 600'000)}});
        }

        const Clock::time_point start = Clock::now();
        const RiskDecision decision = evaluator.check(order);
        const Clock::time_point stop = Clock::now();
        nanoseconds.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count());
        ++outcomes[static_cast<std::size_t>(decision.rule)];
        WorkingOrders &accountOrders = working[order.account.value() - 1];
        if (decision.passed())
            accept(evaluator, order, accountOrders);
        if (accountOrders.count == kWorkingPerAccount ||
            (accountOrders.count > 0 && random.chance(600)))
            retireOldest(evaluator, order.account, accountOrders);
    }

    // The mean without per-check clock reads: one more batch of orders through check() alone,
    // on the state the flow left behind.
    std::vector<RiskOrder> batch;
    batch.reserve(1'000'000);
    for (int i = 0; i < 1'000'000; ++i)
        batch.push_back(nextOrder(random, time + i));
    std::uint64_t passedInBatch = 0;
    const Clock::time_point batchStart = Clock::now();
    for (const RiskOrder &order : batch)
        passedInBatch += evaluator.check(order).passed() ? 1U : 0U;
    const auto batchNanoseconds =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - batchStart).count();

    // The cost of the two clock reads alone, which every timing above includes.
    std::vector<std::int64_t> overhead;
    overhead.reserve(100'000);
    for (int i = 0; i < 100'000; ++i) {
        const Clock::time_point start = Clock::now();
        const Clock::time_point stop = Clock::now();
        overhead.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count());
    }

    std::printf("workload: %u accounts (half cash, half margin), %u instruments, %ld orders, "
                "every rule enabled\n",
                kAccounts, kInstruments, orders);
    std::printf("check(): median %lld ns, p99 %lld ns, p99.9 %lld ns per order\n",
                static_cast<long long>(percentile(nanoseconds, 5'000)),
                static_cast<long long>(percentile(nanoseconds, 9'900)),
                static_cast<long long>(percentile(nanoseconds, 9'990)));
    std::printf("timer overhead included above: median %lld ns\n",
                static_cast<long long>(percentile(overhead, 5'000)));
    std::printf("check() alone over a batch of %zu orders: mean %.1f ns per order (%llu passed)\n",
                batch.size(),
                static_cast<double>(batchNanoseconds) / static_cast<double>(batch.size()),
                static_cast<unsigned long long>(passedInBatch));
    std::printf("outcomes:");
    for (std::size_t rule = 0; rule < kRiskRuleCount; ++rule) {
        const std::string_view name = nameOf(static_cast<RiskRule>(rule));
        if (outcomes[rule] != 0)
            std::printf(" %.*s %llu", static_cast<int>(name.size()), name.data(),
                        static_cast<unsigned long long>(outcomes[rule]));
    }
    std::printf("\n");
    return 0;
}
