// Measures seeks in the replay of a Bourse journal. It writes a journal of a simulated market
// of --events events, with a snapshot every --snapshot-every events, or takes the journal that
// --journal names. The written market has the terminal's five default instruments, the
// synthetic flow and trader orders, with 1 ms of market time between commands. It opens the
// journal as a replay source, which reads every event once. Then it starts a paused Session on
// it and seeks --seeks times to random market times of the journal's span. A seek is timed
// from Session::seek() until the engine thread answers a book query made after it: the
// snapshot load, the events restored after it and the views fed with them. Prints the workload,
// the open time, and the median and worst seek. With --check each seek's engine state hash is
// compared with a restore of the journal from its start up to the target, and a mismatch exits
// with status 1. The journal it wrote is removed at the end unless --keep is given.
//
//   bench_journal_seek [--events N] [--snapshot-every N] [--seeks N] [--seed N]
//                      [--journal FILE] [--dir DIR] [--check] [--keep]

#include "journal.h"
#include "journal_feed.h"
#include "sample_journal.h"
#include "session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace bourse;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::uint64_t events = 1'000'000;
    std::uint64_t snapshotEvery = 100'000;
    int seeks = 21;
    std::uint64_t seed = 1;
    std::string journal;
    std::string directory = std::filesystem::temp_directory_path().string();
    bool check = false;
    bool keep = false;
};

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool parse(int argc, char **argv, Options &options)
{
    for (int index = 1; index < argc; ++index) {
        const std::string name = argv[index];
        if (name == "--check" || name == "--keep") {
            (name == "--check" ? options.check : options.keep) = true;
            continue;
        }
        if (index + 1 >= argc) {
            std::fprintf(stderr, "missing value after %s\n", name.c_str());
            return false;
        }
        const char *value = argv[++index];
        if (name == "--events")
            options.events = std::strtoull(value, nullptr, 10);
        else if (name == "--snapshot-every")
            options.snapshotEvery = std::strtoull(value, nullptr, 10);
        else if (name == "--seeks")
            options.seeks = std::atoi(value);
        else if (name == "--seed")
            options.seed = std::strtoull(value, nullptr, 10);
        else if (name == "--journal")
            options.journal = value;
        else if (name == "--dir")
            options.directory = value;
        else {
            std::fprintf(stderr, "unknown option %s\n", name.c_str());
            return false;
        }
    }
    return options.seeks > 0 && options.events > 0 && options.snapshotEvery > 0;
}

// The engine state a play of the journal up to `target` reaches, restored from its start.
std::uint64_t restoredHash(const std::string &path, Timestamp target, SequenceNumber &last)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    Engine engine;
    while (const std::optional<Event> event = opened.reader->next()) {
        if (event->time > target || engine.restore(*event) != RestoreResult::Restored)
            break;
    }
    last = engine.lastSequence();
    return engine.stateHash();
}

} // namespace

int main(int argc, char **argv)
{
    Options options;
    if (!parse(argc, argv, options)) {
        std::fprintf(stderr, "usage: bench_journal_seek [--events N] [--snapshot-every N] "
                             "[--seeks N] [--seed N] [--journal FILE] [--dir DIR] [--check] "
                             "[--keep]\n");
        return 2;
    }

    std::string path = options.journal;
    std::filesystem::path written;
    if (path.empty()) {
        written = std::filesystem::path(options.directory) /
                  ("bench_journal_seek_" + std::to_string(::getpid()) + ".sqlite");
        path = written.string();
        const Clock::time_point start = Clock::now();
        if (const auto error =
                replay::testing::writeSampleJournal(path, options.events, options.snapshotEvery)) {
            std::fprintf(stderr, "cannot write the journal: %s\n", error->toString().c_str());
            return 1;
        }
        std::printf("wrote %s in %.0f ms\n", path.c_str(), millisecondsSince(start));
    }

    Clock::time_point start = Clock::now();
    std::string error;
    const std::optional<app::JournalTimeline> timeline = app::readJournalTimeline(path, error);
    if (!timeline) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    const double timelineMilliseconds = millisecondsSince(start);
    std::printf("journal: %llu events, %zu snapshots, %.3f s of market time\n",
                static_cast<unsigned long long>(timeline->lastSequence), timeline->snapshots.size(),
                static_cast<double>(timeline->lastTime.value() - timeline->firstTime.value()) /
                    1e9);
    std::printf("open (every event read and checked once): %.0f ms\n", timelineMilliseconds);

    Session::ReplaySource source;
    if (std::optional<std::string> problem = app::setUpJournalReplay(path, source)) {
        std::fprintf(stderr, "%s\n", problem->c_str());
        return 1;
    }
    source.speed = 0.001;
    Session session;
    if (std::optional<std::string> problem = session.startReplay(source)) {
        std::fprintf(stderr, "%s\n", problem->c_str());
        return 1;
    }
    session.pause();

    std::mt19937_64 random(options.seed);
    std::uniform_int_distribution<std::int64_t> times(timeline->firstTime.value(),
                                                      timeline->lastTime.value());
    std::vector<double> seeks;
    int mismatches = 0;
    for (int run = 0; run < options.seeks; ++run) {
        const Timestamp target{times(random)};
        start = Clock::now();
        session.seek(target);
        // The second query goes out after the first was answered, so after the seek ran.
        session.queryBook(InstrumentId{}, 10).get();
        const BookDepth depth = session.queryBook(InstrumentId{}, 10).get();
        seeks.push_back(millisecondsSince(start));
        if (options.check) {
            SequenceNumber last = 0;
            const std::uint64_t expected = restoredHash(path, target, last);
            if (expected != depth.stateHash || last != depth.lastSequence) {
                ++mismatches;
                std::printf("seek %d to %lld: sequence %llu, expected %llu: state differs\n", run,
                            static_cast<long long>(target.value()),
                            static_cast<unsigned long long>(depth.lastSequence),
                            static_cast<unsigned long long>(last));
            }
        }
    }
    session.stop();
    if (!written.empty() && !options.keep)
        std::filesystem::remove(written);

    std::vector<double> sorted = seeks;
    std::sort(sorted.begin(), sorted.end());
    std::printf("seek to a random time: median %.1f ms, worst %.1f ms, best %.1f ms (%d seeks)\n",
                sorted[sorted.size() / 2], sorted.back(), sorted.front(), options.seeks);
    if (options.check)
        std::printf("state hash after each seek: %d of %d differ from a restore from the start\n",
                    mismatches, options.seeks);
    return mismatches == 0 ? 0 : 1;
}
