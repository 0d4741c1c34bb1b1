// Measures a scenario of 2,000 commands run as `bourse-engine run` runs it: without a journal,
// and journaled with the events of each command printed only once committed, waiting after every
// command or after up to 256. Prints the median time of several runs and the chunks each
// journal stored: every wait hands over one chunk, and one commit stores the chunks waiting.
//
//   bench_scenario_journal [--dir DIR] [--runs N]
//
// Each journaled run commits with synchronous=FULL, one fsync per commit, on the disk of DIR
// (default: the system's temporary folder).

#include "scenario.h"
#include "scenario_journal.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kOrders = 1'997; // with the instrument and two accounts, 2,000 commands

// Discards what a run prints, so the figures are the run's and the journal's alone.
class NullBuffer : public std::streambuf {
protected:
    int overflow(int character) override { return character; }
};

// Limit orders of two accounts around 10.00 from a fixed linear congruential generator, so every
// run and every machine gets the same file.
std::string scenarioText()
{
    std::ostringstream text;
    text << "instrument ABC tick 0.01 lot 1\naccount alice\naccount bob\n";
    std::uint64_t state = 1;
    const auto next = [&state](std::uint64_t range) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % range;
    };
    for (int i = 0; i < kOrders; ++i) {
        const char *side = next(2) == 0 ? "buy" : "sell";
        const std::uint64_t cents = 980 + next(41);
        text << side << " ABC " << 1 + next(50) << " @ " << cents / 100 << "." << (cents % 100) / 10
             << cents % 10 << " account " << (next(2) == 0 ? "alice" : "bob") << "\n";
    }
    return text.str();
}

long long chunkCount(const std::string &path)
{
    sqlite3 *database = nullptr;
    long long count = -1;
    if (sqlite3_open_v2(path.c_str(), &database, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(database, "SELECT count(*) FROM chunks", -1, &statement, nullptr) ==
                SQLITE_OK &&
            sqlite3_step(statement) == SQLITE_ROW)
            count = sqlite3_column_int64(statement, 0);
        sqlite3_finalize(statement);
    }
    sqlite3_close(database);
    return count;
}

struct Measurement {
    double seconds = 0;
    long long chunks = 0;
    bool passed = false;
};

// One run; `window` 0 runs without a journal.
Measurement runOnce(const bourse::scenario::Scenario &scenario, const std::string &journalPath,
                    std::size_t window)
{
    std::error_code ignored;
    for (const char *suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(journalPath + suffix, ignored);

    NullBuffer discard;
    std::ostream output(&discard);
    bourse::scenario::RunOptions options;
    std::unique_ptr<bourse::cli::ScenarioJournal> journal;
    Measurement measured;
    const auto start = std::chrono::steady_clock::now();
    if (window > 0) {
        auto opened = bourse::cli::ScenarioJournal::open(journalPath, 1'000'000);
        if (!opened.journal) {
            std::fprintf(stderr, "bench_scenario_journal: %s\n", opened.message.c_str());
            return measured;
        }
        journal = std::move(opened.journal);
        options.journal = journal.get();
        options.maximumUnacknowledgedCommands = window;
    }
    const auto summary = bourse::scenario::runScenario(scenario, options, output, std::cerr);
    measured.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    measured.passed = summary.passed() && summary.commands == kOrders + 3;
    if (window > 0)
        measured.chunks = chunkCount(journalPath);
    return measured;
}

bool measure(const char *label, const bourse::scenario::Scenario &scenario,
             const std::string &journalPath, std::size_t window, int runs)
{
    std::vector<double> seconds;
    long long chunks = 0;
    for (int i = 0; i < runs; ++i) {
        const Measurement measured = runOnce(scenario, journalPath, window);
        if (!measured.passed)
            return false;
        seconds.push_back(measured.seconds);
        chunks = measured.chunks;
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    std::printf("%-40s median %8.1f ms, %9.0f commands per second (min %.1f, max %.1f ms)", label,
                median * 1e3, (kOrders + 3) / median, seconds.front() * 1e3, seconds.back() * 1e3);
    if (window > 0)
        std::printf(", %lld chunks", chunks);
    std::printf("\n");
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    std::filesystem::path folder = std::filesystem::temp_directory_path();
    long runs = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string option = argv[i];
        if (i + 1 == argc || (option != "--dir" && option != "--runs")) {
            std::fprintf(stderr, "usage: bench_scenario_journal [--dir DIR] [--runs N]\n");
            return 2;
        }
        const char *value = argv[++i];
        if (option == "--dir") {
            folder = value;
            continue;
        }
        char *end = nullptr;
        runs = std::strtol(value, &end, 10);
        if (*end || runs < 1 || runs > 1000) {
            std::fprintf(stderr,
                         "bench_scenario_journal: invalid --runs '%s': expected 1 to "
                         "1000\n",
                         value);
            return 2;
        }
    }

    const auto parsed = bourse::scenario::parseScenario(scenarioText(), "generated.scenario");
    if (!parsed.ok()) {
        std::fprintf(stderr, "bench_scenario_journal: %s\n", parsed.errors[0].toString().c_str());
        return 1;
    }
    const std::string journal = (folder / "bench_scenario_journal.db").string();
    std::printf("%d commands, %d runs each, journal %s\n", kOrders + 3, static_cast<int>(runs),
                journal.c_str());
    const int count = static_cast<int>(runs);
    const bool ok =
        measure("no journal", parsed.scenario, journal, 0, count) &&
        measure("journal, wait after every command", parsed.scenario, journal, 1, count) &&
        measure("journal, wait after up to 256 commands", parsed.scenario, journal, 256, count);
    std::error_code ignored;
    for (const char *suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(journal + suffix, ignored);
    return ok ? 0 : 1;
}
