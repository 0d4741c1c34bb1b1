// bourse-engine sim --scenario: a training scenario's agent market without a screen, with the
// figures that show its character.

#include "sim_scenario.h"

#include "commands.h"
#include "output.h"

#include "agent_market.h"
#include "agent_stream_hash.h"
#include "event_text.h"
#include "scenario_training.h"

#include <chrono>
#include <iostream>
#include <limits>
#include <sstream>

namespace bourse::cli {

namespace {

struct ScenarioRun {
    std::uint64_t events = 0;
    std::uint64_t hash = 0;
    double seconds = 0;
    std::uint64_t seed = 0;
};

double meanSpreadTicks(std::int64_t sum, std::uint64_t samples, const AgentInstrument &instrument)
{
    return samples == 0 ? 0.0
                        : static_cast<double>(sum) / static_cast<double>(samples) /
                              static_cast<double>(instrument.tickSize.value());
}

std::string priceText(Price price, const AgentInstrument &instrument)
{
    return formatDecimal(price.value(), instrument.priceDecimals);
}

// The instrument's spread between two sets of its counters, in ticks.
double spreadBetween(const AgentInstrumentStatistics &from, const AgentInstrumentStatistics &to,
                     const AgentInstrument &instrument)
{
    return meanSpreadTicks(to.spreadSum - from.spreadSum, to.spreadSamples - from.spreadSamples,
                           instrument);
}

void printInstruments(std::ostream &out, const AgentMarket &market, bool json)
{
    for (std::size_t index = 0; index < market.instrumentCount(); ++index) {
        const AgentInstrument &instrument = market.options().instruments[index];
        const AgentInstrumentStatistics &figures = market.statistics(index);
        const double spread = meanSpreadTicks(figures.spreadSum, figures.spreadSamples, instrument);
        const std::string start = formatDecimal(instrument.startTicks * instrument.tickSize.value(),
                                                instrument.priceDecimals);
        if (json) {
            out << (index == 0 ? "" : ",") << "{\"symbol\":" << jsonString(instrument.symbol)
                << ",\"start\":" << jsonString(start)
                << ",\"high\":" << jsonString(priceText(figures.highPrice, instrument))
                << ",\"low\":" << jsonString(priceText(figures.lowPrice, instrument))
                << ",\"last\":" << jsonString(priceText(figures.lastPrice, instrument))
                << ",\"trades\":" << figures.trades << ",\"volume\":" << figures.volume.value()
                << ",\"news\":" << figures.news << ",\"mean_spread_ticks\":" << spread << "}";
            continue;
        }
        out << instrument.symbol << ": start " << start << ", high "
            << priceText(figures.highPrice, instrument) << ", low "
            << priceText(figures.lowPrice, instrument) << ", last "
            << priceText(figures.lastPrice, instrument) << ", " << figures.trades
            << " trades, mean spread " << spread << " ticks, " << figures.news << " news\n";
    }
}

// Each event with its instrument's last trade price just before it and the mean spread since
// the instrument's previous event (or the start), which shows what the event changed.
void printFired(std::ostream &out, const AgentMarket &market, bool json)
{
    const AgentMarket::Options &options = market.options();
    std::vector<AgentInstrumentStatistics> previous(market.instrumentCount());
    bool first = true;
    for (const FiredMarketEvent &fired : market.firedEvents()) {
        const std::size_t index = fired.event.instrument;
        const AgentInstrument &instrument = options.instruments[index];
        const double spread = spreadBetween(previous[index], fired.statistics, instrument);
        previous[index] = fired.statistics;
        const std::string description = training::describeMarketEvent(fired.event, options);
        const std::string last = priceText(fired.statistics.lastPrice, instrument);
        if (json) {
            out << (first ? "" : ",")
                << "{\"time\":" << jsonString(training::formatMarketTime(fired.time))
                << ",\"due\":" << jsonString(training::formatMarketTime(fired.event.time))
                << ",\"event\":" << jsonString(description)
                << ",\"injected\":" << (fired.injected ? "true" : "false")
                << ",\"step\":" << fired.step << ",\"sequence\":" << fired.sequence
                << ",\"last_before\":" << jsonString(last)
                << ",\"mean_spread_ticks_before\":" << spread << "}";
        } else {
            out << "  " << training::formatMarketTime(fired.time) << "  " << description
                << "  (step " << fired.step << ", sequence " << fired.sequence
                << "; before it: last " << last << ", mean spread " << spread << " ticks)\n";
        }
        first = false;
    }
}

void printUpcoming(std::ostream &out, const AgentMarket &market, bool json)
{
    bool first = true;
    for (const MarketEvent &event : market.upcomingEvents()) {
        const std::string description = training::describeMarketEvent(event, market.options());
        if (json)
            out << (first ? "" : ",")
                << "{\"due\":" << jsonString(training::formatMarketTime(event.time))
                << ",\"event\":" << jsonString(description) << "}";
        else
            out << "  " << training::formatMarketTime(event.time) << "  " << description << "\n";
        first = false;
    }
}

void printRun(const ScenarioRun &run, const ScenarioSimArguments &arguments,
              const AgentMarket &market, const Engine &engine)
{
    const double rate = static_cast<double>(run.events) / run.seconds;
    const std::string start = training::formatMarketTime(market.options().startTime);
    const std::string end = training::formatMarketTime(market.time());
    std::ostringstream out;
    if (arguments.json) {
        out << "{\"scenario\":" << jsonString(arguments.path) << ",\"seed\":" << run.seed
            << ",\"events\":" << run.events << ",\"hash\":" << jsonString(hex(run.hash))
            << ",\"seconds\":" << run.seconds
            << ",\"events_per_second\":" << static_cast<std::uint64_t>(rate)
            << ",\"trades\":" << engine.tradeCount() << ",\"steps\":" << market.stepCount()
            << ",\"start\":" << jsonString(start) << ",\"end\":" << jsonString(end)
            << ",\"instruments\":[";
        printInstruments(out, market, true);
        out << "],\"fired\":[";
        printFired(out, market, true);
        out << "],\"not_reached\":[";
        printUpcoming(out, market, true);
        out << "]}\n";
    } else {
        out << "scenario: " << arguments.path << "\nseed: " << run.seed
            << "\nevents: " << run.events << "\nhash: " << hex(run.hash)
            << "\nseconds: " << run.seconds
            << "\nevents per second: " << static_cast<std::uint64_t>(rate)
            << "\ntrades: " << engine.tradeCount() << "\nsteps: " << market.stepCount()
            << "\nmarket time: " << start << " to " << end << "\n";
        printInstruments(out, market, false);
        out << "fired:\n";
        printFired(out, market, false);
        if (!market.upcomingEvents().empty()) {
            out << "not reached:\n";
            printUpcoming(out, market, false);
        }
    }
    std::cout << out.str();
}

} // namespace

int runScenarioSimulation(const ScenarioSimArguments &arguments)
{
    training::TrainingParseResult parsed = training::loadTrainingScenario(arguments.path);
    if (!parsed.ok()) {
        for (const scenario::ParseError &error : parsed.errors)
            std::cerr << error.toString() << "\n";
        return InputError;
    }
    training::TrainingScenario &scenario = parsed.scenario;
    if (scenario.lengthNanoseconds == 0 && !arguments.events) {
        std::cerr << "bourse-engine sim: " << arguments.path
                  << " has no length on its market line, so --events N is required\n";
        return UsageError;
    }
    scenario.options.openAccounts = arguments.accounts;

    const SequenceNumber limit =
        arguments.events.value_or(std::numeric_limits<SequenceNumber>::max());
    Engine engine;
    EventStreamHash hash(limit);
    engine.addHandler(&hash);

    ScenarioRun run;
    run.seed = arguments.seed.value_or(scenario.seed);
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    AgentMarket market(engine, run.seed, scenario.options);
    training::runScenario(market, engine, scenario, limit);
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    run.events = hash.eventCount();
    run.hash = hash.value();
    printRun(run, arguments, market, engine);
    return Success;
}

} // namespace bourse::cli
