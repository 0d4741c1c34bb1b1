#include "report.h"

#include "../engine/output.h"
#include "event_text.h"

#include <cstring>
#include <string>

namespace bourse::bench {

namespace {

constexpr std::size_t kGibibyte = std::size_t{1} << 30;

unsigned long long number(std::uint64_t value)
{
    return static_cast<unsigned long long>(value);
}

long long number(std::int64_t value)
{
    return static_cast<long long>(value);
}

double mebibytes(std::size_t bytes)
{
    return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

void printLatencyText(std::FILE *out, const char *label, const LatencySummary &latency)
{
    if (latency.sampleCount == 0) {
        std::fprintf(out, "%s latency: no samples\n", label);
        return;
    }
    std::fprintf(out,
                 "%s latency: p50 %lld ns, p99 %lld ns, p99.9 %lld ns, max %lld ns (%llu "
                 "samples)\n",
                 label, number(latency.p50), number(latency.p99), number(latency.p999),
                 number(latency.max), number(latency.sampleCount));
}

// Percentiles are null when the stream has no command of the kind.
std::string latencyJson(const LatencySummary &latency)
{
    if (latency.sampleCount == 0)
        return "{\"p50\": null, \"p99\": null, \"p99_9\": null, \"max\": null, \"samples\": 0}";
    return "{\"p50\": " + std::to_string(latency.p50) +
           ", \"p99\": " + std::to_string(latency.p99) +
           ", \"p99_9\": " + std::to_string(latency.p999) +
           ", \"max\": " + std::to_string(latency.max) +
           ", \"samples\": " + std::to_string(latency.sampleCount) + "}";
}

// Types in EventType order, skipping those that never occurred.
template <typename Function>
void forEachOccurredType(const EventCounts &counts, Function function)
{
    for (std::size_t value = 0; value < counts.size(); ++value) {
        if (counts[value] != 0)
            function(nameOf(static_cast<EventType>(value)), counts[value]);
    }
}

std::string formatBytesPerOrder(std::size_t memoryBytes, std::size_t resting)
{
    if (resting == 0)
        return "null";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f",
                  static_cast<double>(memoryBytes) / static_cast<double>(resting));
    return text;
}

// Calls function(name, count) for each rule that failed a check, in RiskRule order.
template <typename Function>
void forEachFailedRule(const RiskResult &risk, Function function)
{
    for (std::size_t rule = 1; rule < risk.failedChecks.size(); ++rule) {
        if (risk.failedChecks[rule] != 0)
            function(nameOf(static_cast<RiskRule>(rule)), risk.failedChecks[rule]);
    }
}

// "order-rate 3, price-band 1", or "none" when no check failed.
std::string failedRulesText(const RiskResult &risk)
{
    std::string text;
    forEachFailedRule(risk, [&text](std::string_view name, std::uint64_t count) {
        if (!text.empty())
            text += ", ";
        text.append(name).append(" ").append(std::to_string(count));
    });
    return text.empty() ? "none" : text;
}

std::string failedRulesJson(const RiskResult &risk)
{
    std::string json;
    forEachFailedRule(risk, [&json](std::string_view name, std::uint64_t count) {
        if (!json.empty())
            json += ", ";
        json.append("\"").append(name).append("\": ").append(std::to_string(count));
    });
    return "{" + json + "}";
}

std::string money(Money value, const AccountSettings &account)
{
    return formatDecimal(value.value(), account.moneyDecimals);
}

void printRiskText(std::FILE *out, const RiskResult &risk)
{
    const RiskSetup &setup = risk.setup;
    const RiskLimits &limits = setup.limits;
    const AccountSettings &account = setup.accounts.front();
    std::fprintf(out,
                 "risk: %llu margin accounts in %.4s (%u buying only, %u selling only), "
                 "commands %lld ns apart\n",
                 number(setup.accounts.size()), setup.instrument.currency.data(), kAccountsPerSide,
                 kAccountsPerSide, number(setup.commandInterval));
    std::fprintf(out,
                 "risk limits of each account, %lldx the peak of a calibration replay: order "
                 "quantity %lld, order notional %s, long position %lld, short position %lld, "
                 "price band %lld bp, open orders %lld, order rate %lld per second, daily loss "
                 "%s, buying power %s\n",
                 number(kLimitHeadroom), number(limits.maximumOrderQuantity.value()),
                 money(limits.maximumOrderNotional, account).c_str(),
                 number(limits.maximumLongPosition.value()),
                 number(limits.maximumShortPosition.value()), number(limits.priceBandBasisPoints),
                 number(limits.maximumOpenOrders), number(limits.maximumOrdersPerSecond),
                 money(limits.dailyLossLimit, account).c_str(),
                 money(limits.marginBuyingPower, account).c_str());
    std::fprintf(out, "risk rejections: %llu (failed checks: %s)\n", number(risk.rejected),
                 failedRulesText(risk).c_str());
    printLatencyText(out, "risk check", risk.check);
    if (risk.repeatedCheck.sampleCount == 0) {
        std::fprintf(out, "risk check in batches: no batches\n");
        return;
    }
    std::fprintf(out,
                 "risk check in batches of %llu calls of one add: p50 %lld ns, p99 %lld ns per "
                 "call (%llu batches)\n",
                 number(risk.repeats), number(risk.repeatedCheck.p50),
                 number(risk.repeatedCheck.p99), number(risk.repeatedCheck.sampleCount));
}

// The members after "risk": true, each with a leading comma.
std::string riskJson(const RiskResult &risk)
{
    const RiskSetup &setup = risk.setup;
    const RiskLimits &limits = setup.limits;
    const AccountSettings &account = setup.accounts.front();
    const std::string currency(setup.instrument.currency.data(),
                               strnlen(setup.instrument.currency.data(), 4));
    std::string json = ", \"risk_accounts\": " + std::to_string(setup.accounts.size()) +
                       ", \"risk_currency\": " + cli::jsonString(currency) +
                       ", \"risk_command_interval_ns\": " + std::to_string(setup.commandInterval);
    json += ", \"risk_limits\": {\"order_quantity\": " +
            std::to_string(limits.maximumOrderQuantity.value()) +
            ", \"order_notional\": " + money(limits.maximumOrderNotional, account) +
            ", \"long_position\": " + std::to_string(limits.maximumLongPosition.value()) +
            ", \"short_position\": " + std::to_string(limits.maximumShortPosition.value()) +
            ", \"price_band_bp\": " + std::to_string(limits.priceBandBasisPoints) +
            ", \"open_orders\": " + std::to_string(limits.maximumOpenOrders) +
            ", \"orders_per_second\": " + std::to_string(limits.maximumOrdersPerSecond) +
            ", \"daily_loss\": " + money(limits.dailyLossLimit, account) +
            ", \"buying_power\": " + money(limits.marginBuyingPower, account) + "}";
    json += ", \"risk_rejected\": " + std::to_string(risk.rejected) +
            ", \"risk_failed_checks\": " + failedRulesJson(risk);
    const bool checked = risk.check.sampleCount != 0;
    json += ", \"risk_check_ns_p50\": " + (checked ? std::to_string(risk.check.p50) : "null") +
            ", \"risk_check_ns_p99\": " + (checked ? std::to_string(risk.check.p99) : "null") +
            ", \"risk_check_ns\": " + latencyJson(risk.check) +
            ", \"risk_check_repeated_ns\": " + latencyJson(risk.repeatedCheck) +
            ", \"risk_check_repeats\": " + std::to_string(risk.repeats);
    return json;
}

} // namespace

void printText(std::FILE *out, const CommandStream &stream, const StreamResult &result)
{
    std::fprintf(out, "stream: %s\n", stream.path.c_str());
    std::fprintf(out, "commands: %llu (%llu adds, %llu cancels)\n", number(stream.commands.size()),
                 number(stream.addCount), number(stream.cancelCount));
    std::fprintf(out, "commands per second: %.0f, median of %llu runs (min %.0f, max %.0f)\n",
                 result.medianRate(), number(result.rates.size()), result.rates.front(),
                 result.rates.back());
    printLatencyText(out, "add", result.addLatency);
    printLatencyText(out, "cancel", result.cancelLatency);
    std::fprintf(out, "clock overhead: %lld ns, subtracted from each latency sample\n",
                 number(result.clockOverheadNanoseconds));
    if (result.risk)
        printRiskText(out, *result.risk);

    std::fprintf(out, "resting orders: %llu\n", number(result.resting));
    std::fprintf(out, "engine memory: %llu bytes", number(result.memoryBytes));
    if (result.resting != 0)
        std::fprintf(out, ", %s bytes per resting order",
                     formatBytesPerOrder(result.memoryBytes, result.resting).c_str());
    std::fprintf(out, "\ntrades: %llu\nevents:", number(result.trades));
    forEachOccurredType(result.events, [out](std::string_view name, std::uint64_t count) {
        std::fprintf(out, " %.*s %llu", static_cast<int>(name.size()), name.data(), number(count));
    });
    std::fprintf(out, "\nchecksum: %s\n", cli::hex(result.checksum).c_str());
}

void printJson(std::FILE *out, const CommandStream &stream, const StreamResult &result)
{
    std::string events;
    forEachOccurredType(result.events, [&events](std::string_view name, std::uint64_t count) {
        events +=
            (events.empty() ? "\"" : ", \"") + std::string(name) + "\": " + std::to_string(count);
    });

    const std::string risk =
        result.risk ? "\"risk\": true" + riskJson(*result.risk) : "\"risk\": false";
    std::fprintf(out,
                 "{\"stream\": %s, \"commands\": %llu, \"adds\": %llu, \"cancels\": %llu, "
                 "\"runs\": %llu, %s, \"commands_per_second\": %.0f, "
                 "\"commands_per_second_min\": %.0f, \"commands_per_second_max\": %.0f, "
                 "\"add_latency_ns\": %s, \"cancel_latency_ns\": %s, "
                 "\"clock_overhead_ns\": %lld, \"resting\": %llu, \"memory_bytes\": %llu, "
                 "\"bytes_per_resting_order\": %s, \"trades\": %llu, \"events\": {%s}, "
                 "\"checksum\": \"%s\"}\n",
                 cli::jsonString(stream.path).c_str(), number(stream.commands.size()),
                 number(stream.addCount), number(stream.cancelCount), number(result.rates.size()),
                 risk.c_str(), result.medianRate(), result.rates.front(), result.rates.back(),
                 latencyJson(result.addLatency).c_str(), latencyJson(result.cancelLatency).c_str(),
                 number(result.clockOverheadNanoseconds), number(result.resting),
                 number(result.memoryBytes),
                 formatBytesPerOrder(result.memoryBytes, result.resting).c_str(),
                 number(result.trades), events.c_str(), cli::hex(result.checksum).c_str());
}

void printText(std::FILE *out, const RestingResult &result)
{
    std::fprintf(out, "orders submitted: %llu\nresting orders: %llu\ntrades: %llu\n",
                 number(result.submitted), number(result.resting), number(result.trades));
    std::fprintf(out, "orders per second while filling: %.0f\n", result.ordersPerSecond);
    std::fprintf(out, "engine memory: %llu bytes (%.1f MiB), %s bytes per resting order\n",
                 number(result.memoryBytes), mebibytes(result.memoryBytes),
                 formatBytesPerOrder(result.memoryBytes, result.resting).c_str());
    if (result.peakResidentGrowthBytes) {
        const std::size_t growth = *result.peakResidentGrowthBytes;
        std::fprintf(out, "peak resident set growth: %llu bytes (%.1f MiB), %s 1 GiB\n",
                     number(growth), mebibytes(growth), growth < kGibibyte ? "under" : "over");
    } else {
        std::fprintf(out, "peak resident set growth: unknown (/proc/self/status unreadable)\n");
    }
    std::fprintf(out, "checksum: %s\n", cli::hex(result.checksum).c_str());
}

void printJson(std::FILE *out, const RestingResult &result)
{
    const std::string growth = result.peakResidentGrowthBytes
                                   ? std::to_string(*result.peakResidentGrowthBytes)
                                   : std::string("null");
    std::fprintf(out,
                 "{\"submitted\": %llu, \"resting\": %llu, \"trades\": %llu, "
                 "\"orders_per_second\": %.0f, \"memory_bytes\": %llu, "
                 "\"bytes_per_resting_order\": %s, \"peak_rss_growth_bytes\": %s, "
                 "\"checksum\": \"%s\"}\n",
                 number(result.submitted), number(result.resting), number(result.trades),
                 result.ordersPerSecond, number(result.memoryBytes),
                 formatBytesPerOrder(result.memoryBytes, result.resting).c_str(), growth.c_str(),
                 cli::hex(result.checksum).c_str());
}

void printText(std::FILE *out, const JournalBenchmarkResult &result)
{
    std::fprintf(out, "durable events per second: %.0f (%llu events, %llu transactions)\n",
                 result.eventsPerSecond, number(result.events), number(result.transactions));
    std::fprintf(out, "commit latency: p50 %.0f us, p99 %.0f us, max %.0f us (%llu chunks)\n",
                 result.commitLatency.p50, result.commitLatency.p99, result.commitLatency.max,
                 number(result.commitLatency.sampleCount));
    std::fprintf(out, "baseline, one row per event: %.0f events per second (%llu events)\n",
                 result.baselineEventsPerSecond, number(result.baselineEvents));
    std::fprintf(out, "ratio to the baseline: %.2f\n",
                 result.eventsPerSecond / result.baselineEventsPerSecond);
    std::fprintf(out, "recovery journal: %llu events, snapshot at %llu\n",
                 number(result.recoveryEvents), number(result.snapshotSequence));
    std::fprintf(out, "full replay: %.2f s\nrestart from the snapshot: %.2f s\n",
                 result.fullReplaySeconds, result.restartSeconds);
}

void printJson(std::FILE *out, const JournalBenchmarkResult &result)
{
    std::fprintf(out,
                 "{\"events\": %llu, \"events_per_second\": %.0f, \"transactions\": %llu, "
                 "\"commit_latency_us\": {\"p50\": %.0f, \"p99\": %.0f, \"max\": %.0f}, "
                 "\"baseline_events\": %llu, \"baseline_events_per_second\": %.0f, "
                 "\"recovery_events\": %llu, \"snapshot_sequence\": %llu, "
                 "\"full_replay_seconds\": %.3f, \"restart_seconds\": %.3f}\n",
                 number(result.events), result.eventsPerSecond, number(result.transactions),
                 result.commitLatency.p50, result.commitLatency.p99, result.commitLatency.max,
                 number(result.baselineEvents), result.baselineEventsPerSecond,
                 number(result.recoveryEvents), number(result.snapshotSequence),
                 result.fullReplaySeconds, result.restartSeconds);
}

} // namespace bourse::bench
