// bourse-engine replay: a LOBSTER day through the engine, checked against its orderbook file.

#include "commands.h"
#include "journal_option.h"
#include "output.h"

#include "engine.h"
#include "lobster_replay.h"

#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

namespace bourse::cli {

namespace {

struct ReplayArguments {
    std::string messagePath;
    std::string orderbookPath;
    std::size_t levels = 0;
    std::string journalPath;
    bool json = false;
    bool help = false;
};

constexpr const char *kUsage =
    "usage: bourse-engine replay --lobster MESSAGE_FILE [--orderbook ORDERBOOK_FILE\n"
    "                            [--levels N]] [--journal FILE] [--json]\n"
    "\n"
    "Replays a LOBSTER message file through the engine. With the orderbook file, the top N\n"
    "levels (default: all the file has) are checked after every message.\n"
    "  --journal FILE  write every engine event to a new SQLite journal\n"
    "  --json          print the summary as one JSON object\n"
    "Exit status: 0 no mismatch, 1 mismatches, 2 usage error, 3 missing or malformed file.\n";

std::optional<ReplayArguments> parseArguments(const std::vector<std::string> &arguments)
{
    ReplayArguments parsed;
    bool levelsGiven = false;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &name = arguments[i];
        const bool takesValue = name == "--lobster" || name == "--orderbook" ||
                                name == "--levels" || name == "--journal";
        if (takesValue && (i + 1 >= arguments.size() || arguments[i + 1].rfind("--", 0) == 0)) {
            std::cerr << "bourse-engine replay: " << name << " needs a value\n";
            return std::nullopt;
        }
        if (!seen.insert(name).second) {
            std::cerr << "bourse-engine replay: " << name << " is given twice\n";
            return std::nullopt;
        }
        if (name == "--lobster") {
            parsed.messagePath = arguments[++i];
        } else if (name == "--orderbook") {
            parsed.orderbookPath = arguments[++i];
        } else if (name == "--journal") {
            parsed.journalPath = arguments[++i];
        } else if (name == "--levels") {
            const std::string &value = arguments[++i];
            std::size_t used = 0;
            unsigned long levels = 0;
            try {
                levels = std::stoul(value, &used);
            } catch (const std::exception &) {
                used = 0;
            }
            if (used != value.size() || levels == 0 || levels > 1000) {
                std::cerr << "bourse-engine replay: invalid --levels '" << value
                          << "': expected a number of levels from 1 to 1000\n";
                return std::nullopt;
            }
            parsed.levels = levels;
            levelsGiven = true;
        } else if (name == "--json") {
            parsed.json = true;
        } else if (name == "--help" || name == "-h") {
            parsed.help = true;
            return parsed;
        } else {
            std::cerr << "bourse-engine replay: unknown option '" << name << "'\n";
            return std::nullopt;
        }
    }
    if (parsed.help)
        return parsed;
    if (parsed.messagePath.empty()) {
        std::cerr << "bourse-engine replay: --lobster MESSAGE_FILE is required\n";
        return std::nullopt;
    }
    if (levelsGiven && parsed.orderbookPath.empty()) {
        std::cerr << "bourse-engine replay: --levels needs --orderbook ORDERBOOK_FILE\n";
        return std::nullopt;
    }
    return parsed;
}

std::string jsonLevels(const std::vector<lobster::BookRow::Level> &levels)
{
    std::ostringstream out;
    out << "[";
    for (std::size_t i = 0; i < levels.size(); ++i)
        out << (i ? "," : "") << "[" << levels[i].price.value() << "," << levels[i].size.value()
            << "]";
    out << "]";
    return out.str();
}

std::string jsonRow(const lobster::BookRow &row)
{
    return "{\"asks\":" + jsonLevels(row.asks) + ",\"bids\":" + jsonLevels(row.bids) + "}";
}

void printJson(const lobster::ReplaySummary &summary, const Engine &engine,
               const std::optional<lobster::InputError> &error)
{
    std::ostringstream out;
    out << "{\"messages\":" << summary.messages << ",\"trades\":" << summary.trades
        << ",\"fills\":" << summary.fills << ",\"checked_rows\":" << summary.checkedRows
        << ",\"checked_levels\":" << summary.checkedLevels
        << ",\"mismatches\":" << summary.mismatches
        << ",\"recovered_levels\":" << summary.recoveredLevels
        << ",\"unexplained_messages\":" << summary.unexplainedMessages
        << ",\"events\":" << engine.lastSequence()
        << ",\"elapsed_ms\":" << std::chrono::duration<double, std::milli>(summary.elapsed).count()
        << ",\"messages_per_second\":" << static_cast<std::uint64_t>(summary.messagesPerSecond())
        << ",\"state_hash\":" << jsonString(hex(engine.stateHash()));
    if (error)
        out << ",\"error\":" << jsonString(error->toString());
    if (summary.firstMismatch) {
        out << ",\"first_mismatch\":{\"row\":" << summary.firstMismatch->row
            << ",\"expected\":" << jsonRow(summary.firstMismatch->expected)
            << ",\"actual\":" << jsonRow(summary.firstMismatch->actual) << "}";
    }
    out << "}\n";
    std::cout << out.str();
}

std::string formatLevel(const std::vector<lobster::BookRow::Level> &levels, std::size_t index)
{
    if (index >= levels.size())
        return "-";
    return std::to_string(levels[index].size.value()) + " @ " +
           std::to_string(levels[index].price.value());
}

void printMismatch(const lobster::Mismatch &mismatch)
{
    std::printf("first mismatch: orderbook row %zu\n", mismatch.row);
    std::printf("  %-5s %-20s %-20s %-20s %-20s\n", "level", "expected ask", "actual ask",
                "expected bid", "actual bid");
    const std::size_t depth =
        std::max({mismatch.expected.asks.size(), mismatch.actual.asks.size(),
                  mismatch.expected.bids.size(), mismatch.actual.bids.size()});
    for (std::size_t i = 0; i < depth; ++i) {
        std::printf("  %-5zu %-20s %-20s %-20s %-20s\n", i + 1,
                    formatLevel(mismatch.expected.asks, i).c_str(),
                    formatLevel(mismatch.actual.asks, i).c_str(),
                    formatLevel(mismatch.expected.bids, i).c_str(),
                    formatLevel(mismatch.actual.bids, i).c_str());
    }
}

void printText(const lobster::ReplaySummary &summary, const Engine &engine)
{
    std::printf("messages: %zu\n", summary.messages);
    std::printf("trades: %zu\n", summary.trades);
    std::printf("fills: %zu\n", summary.fills);
    std::printf("events: %" PRIu64 "\n", engine.lastSequence());
    if (summary.checkedRows > 0) {
        std::printf("checked rows: %zu at %zu levels\n", summary.checkedRows,
                    summary.checkedLevels);
        std::printf("mismatches: %zu\n", summary.mismatches);
        std::printf("recovered levels: %zu\n", summary.recoveredLevels);
        std::printf("unexplained messages: %zu\n", summary.unexplainedMessages);
    }
    std::printf("elapsed: %.1f ms\n",
                std::chrono::duration<double, std::milli>(summary.elapsed).count());
    std::printf("messages per second: %.0f\n", summary.messagesPerSecond());
    std::printf("state hash: %s\n", hex(engine.stateHash()).c_str());
    if (summary.firstMismatch)
        printMismatch(*summary.firstMismatch);
}

} // namespace

int runReplayCommand(const std::vector<std::string> &arguments)
{
    const auto parsed = parseArguments(arguments);
    if (!parsed) {
        std::cerr << kUsage;
        return UsageError;
    }
    if (parsed->help) {
        std::cout << kUsage;
        return Success;
    }

    // The input is checked before the journal is created, so a run that cannot start leaves
    // no empty journal behind.
    Engine engine(InstrumentId{1});
    lobster::Replay replay(engine);
    if (auto error = replay.open({parsed->messagePath, parsed->orderbookPath, parsed->levels})) {
        std::cerr << "bourse-engine replay: " << error->toString() << "\n";
        return InputError;
    }
    auto journal = JournalOption::open(parsed->journalPath, engine);
    if (!journal)
        return InputError;

    lobster::Replay::Step step = lobster::Replay::Step::Applied;
    while (step == lobster::Replay::Step::Applied)
        step = replay.step();
    if (step == lobster::Replay::Step::Failed) {
        std::cerr << "bourse-engine replay: " << replay.error()->toString() << "\n";
        std::cerr << "bourse-engine replay: stopped after " << replay.summary().messages
                  << " messages\n";
    }
    if (!journal->close())
        return InputError;

    const lobster::ReplaySummary &summary = replay.summary();
    // A failed run still prints how far it got, so the summary shows what was checked.
    if (parsed->json)
        printJson(summary, engine, replay.error());
    else
        printText(summary, engine);

    if (step == lobster::Replay::Step::Failed)
        return InputError;
    return summary.mismatches > 0 ? CheckFailed : Success;
}

} // namespace bourse::cli
