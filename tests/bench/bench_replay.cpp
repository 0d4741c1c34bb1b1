// Measures a LOBSTER replay through the engine, with and without the orderbook check, and
// prints the median rate of several runs.
//
//   bench_replay MESSAGE_FILE [ORDERBOOK_FILE] [RUNS]

#include "lobster_replay.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

// Returns messages per second of one run, or a negative value after printing the error.
double runOnce(const std::string &messages, const std::string &orderbook, std::size_t &mismatches)
{
    bourse::Engine engine(bourse::InstrumentId{1});
    bourse::lobster::Replay replay(engine);
    if (auto error = replay.open({messages, orderbook, 0})) {
        std::fprintf(stderr, "bench_replay: %s\n", error->toString().c_str());
        return -1;
    }
    auto step = bourse::lobster::Replay::Step::Applied;
    while (step == bourse::lobster::Replay::Step::Applied)
        step = replay.step();
    if (step == bourse::lobster::Replay::Step::Failed) {
        std::fprintf(stderr, "bench_replay: %s\n", replay.error()->toString().c_str());
        return -1;
    }
    mismatches = replay.summary().mismatches;
    return replay.summary().messagesPerSecond();
}

bool measure(const char *label, const std::string &messages, const std::string &orderbook, int runs)
{
    std::vector<double> rates;
    std::size_t mismatches = 0;
    for (int i = 0; i < runs; ++i) {
        const double rate = runOnce(messages, orderbook, mismatches);
        if (rate < 0)
            return false;
        rates.push_back(rate);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("%s: median %.0f messages per second over %d runs (min %.0f, max %.0f)", label,
                rates[rates.size() / 2], runs, rates.front(), rates.back());
    if (!orderbook.empty())
        std::printf(", %zu mismatches", mismatches);
    std::printf("\n");
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_replay MESSAGE_FILE [ORDERBOOK_FILE] [RUNS]\n");
        return 2;
    }
    const std::string messages = argv[1];
    const std::string orderbook = argc > 2 ? argv[2] : "";
    char *end = nullptr;
    const long runs = argc > 3 ? std::strtol(argv[3], &end, 10) : 5;
    if (argc > 3 && (*end || runs < 1 || runs > 1000)) {
        std::fprintf(stderr, "bench_replay: invalid RUNS '%s': expected 1 to 1000\n", argv[3]);
        return 2;
    }

    std::printf("message file: %s\n", messages.c_str());
    if (!measure("engine only", messages, "", static_cast<int>(runs)))
        return 1;
    if (!orderbook.empty() &&
        !measure("with orderbook check", messages, orderbook, static_cast<int>(runs)))
        return 1;
    return 0;
}
