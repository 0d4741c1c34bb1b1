// bourse-engine follow: read models built from a journal replicated to NATS JetStream
// (docs/scale-out.md).

#include "commands.h"
#include "output.h"

#include "nats_stream.h"
#include "read_models.h"
#include "stream_follower.h"
#include "stream_position.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <iostream>
#include <optional>
#include <thread>

namespace bourse::cli {

namespace {

constexpr const char *kUsage =
    "usage: bourse-engine follow --nats URLS --stream NAME --out FILE [--idle-ms N] [--json]\n"
    "\n"
    "Reads the events that `bourse-engine serve` replicates to a NATS JetStream stream and\n"
    "projects them into read models (orders, fills, trades, positions, bars, ...), the views\n"
    "file that `bourse-engine journal` and the terminal build from a local journal. It starts at\n"
    "the stream's first event, or after the last event an existing FILE projected. It reads the\n"
    "stream from its first message, or from the position it saved in FILE.stream-position on its\n"
    "last run. Every message\n"
    "is checked before any of its events is applied: no gap, no repeat, valid checksums and a\n"
    "journal chain hash that continues the one before. SIGINT or SIGTERM stops it after the\n"
    "message it is applying.\n"
    "  --nats URLS     NATS servers, separated by commas, such as nats://127.0.0.1:4222\n"
    "  --stream NAME   the stream (replicate-stream in serve's configuration; BOURSE_JOURNAL)\n"
    "  --out FILE      the views file to create or continue\n"
    "  --idle-ms N     stop once the stream had nothing new for N milliseconds; without it,\n"
    "                  follow until stopped\n"
    "  --json          print the summary as one JSON object\n"
    "Exit status: 0 stopped or idle, 1 a message failed a check (the views file keeps every\n"
    "message before it), 2 usage error, 3 the views file cannot be opened or written, or the\n"
    "stream cannot be read.\n";

std::atomic<bool> stopRequested{false};

void requestStop(int)
{
    stopRequested.store(true);
}

struct FollowOptions {
    std::string servers;
    std::string stream = "BOURSE_JOURNAL";
    std::string out;
    std::optional<std::int64_t> idleMs;
    bool json = false;
};

std::optional<FollowOptions> parseOptions(const std::vector<std::string> &arguments,
                                          std::string &error)
{
    FollowOptions options;
    for (std::size_t index = 0; index < arguments.size(); ++index) {
        const std::string &option = arguments[index];
        if (option == "--json") {
            options.json = true;
            continue;
        }
        if (option != "--nats" && option != "--stream" && option != "--out" &&
            option != "--idle-ms") {
            error = "unknown option '" + option + "'";
            return std::nullopt;
        }
        if (index + 1 == arguments.size()) {
            error = "missing value after " + option;
            return std::nullopt;
        }
        const std::string &value = arguments[++index];
        if (option == "--nats") {
            options.servers = value;
        } else if (option == "--stream") {
            options.stream = value;
        } else if (option == "--out") {
            options.out = value;
        } else {
            std::int64_t milliseconds = 0;
            const char *end = value.data() + value.size();
            const auto [stop, code] = std::from_chars(value.data(), end, milliseconds);
            if (code != std::errc{} || stop != end || milliseconds < 0) {
                error = "invalid --idle-ms '" + value + "': expected milliseconds, 0 or more";
                return std::nullopt;
            }
            options.idleMs = milliseconds;
        }
    }
    if (options.servers.empty() || options.out.empty()) {
        error = "expected --nats URLS and --out FILE";
        return std::nullopt;
    }
    return options;
}

struct FollowSummary {
    SequenceNumber firstSequence = 0;  // the views file's last event before this run
    std::uint64_t readFromMessage = 0; // the first stream message this run read
    SequenceNumber lastSequence = 0;
    std::uint64_t lastHash = 0;
    std::uint64_t events = 0;
    std::uint64_t messages = 0;
};

void printSummary(const FollowOptions &options, const FollowSummary &summary)
{
    if (options.json) {
        std::cout << "{\"stream\":" << jsonString(options.stream)
                  << ",\"views\":" << jsonString(options.out)
                  << ",\"started_after\":" << summary.firstSequence
                  << ",\"read_from_message\":" << summary.readFromMessage
                  << ",\"last_sequence\":" << summary.lastSequence << ",\"chain_hash\":\""
                  << hex(summary.lastHash) << "\",\"events\":" << summary.events
                  << ",\"messages\":" << summary.messages << "}\n";
        return;
    }
    std::cout << "followed " << summary.events << " events in " << summary.messages
              << " messages of the stream " << options.stream << " into " << options.out
              << "\nlast sequence: " << summary.lastSequence
              << "\nchain hash: " << hex(summary.lastHash) << " at sequence "
              << summary.lastSequence << "\n";
}

// The position that the last run saved, when it is within the views file's events. Otherwise
// follow reads the stream from its first message, and prints why when a file was set aside.
std::optional<cluster::ChainPosition> savedPosition(const std::string &path,
                                                    cluster::NatsStream &stream,
                                                    const storage::ReadModelWriter &views)
{
    std::string note;
    std::optional<cluster::ChainPosition> saved = cluster::loadStreamPosition(path, stream, note);
    if (saved && saved->last > views.lastSequence()) {
        note = path + " is at sequence " + std::to_string(saved->last) +
               ", past the views file's last event " + std::to_string(views.lastSequence());
        saved.reset();
    }
    if (!note.empty())
        std::cerr << "bourse-engine follow: " << note << "; reading the stream from its first "
                  << "message\n";
    return saved;
}

// Applies messages until the stream stays idle for --idle-ms, a stop is requested, or a check
// fails. Returns the exit status.
int follow(const FollowOptions &options, cluster::NatsStream &stream,
           storage::ReadModelWriter &views, FollowSummary &summary)
{
    using Clock = std::chrono::steady_clock;
    // Skipped messages and new owners of the stream go to the error output, naming the message.
    const cluster::LogSink notes = [](cluster::LogLevel, const std::string &line) {
        std::cerr << "bourse-engine follow: " << line << "\n";
    };
    const std::string positionPath = cluster::streamPositionPath(options.out);
    cluster::StreamFollower follower(stream, views.lastSequence(), views.lastHash(),
                                     cluster::StreamFollower::AheadOfStream::Wait, notes,
                                     savedPosition(positionPath, stream, views));
    summary.readFromMessage = follower.position().message + 1;
    // The position of the last run applied, saved once the views file contains its events.
    std::optional<cluster::ChainPosition> applied;
    const auto savePosition = [&] {
        if (!applied || views.flush())
            return;
        if (std::optional<std::string> problem =
                cluster::saveStreamPosition(positionPath, options.stream, *applied))
            std::cerr << "bourse-engine follow: " << *problem << "\n";
        applied.reset();
    };
    constexpr std::chrono::seconds kSaveInterval{1};
    Clock::time_point nextSave = Clock::now() + kSaveInterval;
    Clock::time_point lastNews = Clock::now();
    while (!stopRequested.load()) {
        cluster::StreamFollower::Step step = follower.next();
        if (step.status == cluster::StreamFollower::Status::Failed ||
            step.status == cluster::StreamFollower::Status::ReadError) {
            std::cerr << "bourse-engine follow: " << step.error << "\n";
            savePosition();
            views.flush();
            return step.status == cluster::StreamFollower::Status::Failed ? CheckFailed
                                                                          : InputError;
        }
        if (step.status == cluster::StreamFollower::Status::NoMessage) {
            if (options.idleMs &&
                Clock::now() - lastNews >= std::chrono::milliseconds(*options.idleMs))
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        for (const Event &event : step.events)
            views.onEvent(event);
        views.onBatchEnd();
        if (const std::optional<storage::ReadModelError> &error = views.error()) {
            std::cerr << "bourse-engine follow: " << error->toString() << "\n";
            return InputError;
        }
        summary.events += step.events.size();
        ++summary.messages;
        lastNews = Clock::now();
        applied = follower.position();
        if (lastNews >= nextSave) {
            savePosition();
            nextSave = lastNews + kSaveInterval;
        }
    }
    savePosition();
    return Success;
}

} // namespace

int runFollowCommand(const std::vector<std::string> &arguments)
{
    if (arguments.size() == 1 && (arguments[0] == "--help" || arguments[0] == "-h")) {
        std::cout << kUsage;
        return Success;
    }
    std::string error;
    const std::optional<FollowOptions> options = parseOptions(arguments, error);
    if (!options) {
        std::cerr << "bourse-engine follow: " << error << "\n" << kUsage;
        return UsageError;
    }

    cluster::StreamSettings settings;
    settings.servers = cluster::splitServerList(options->servers);
    settings.stream = options->stream;
    const auto logWarning = [](cluster::LogLevel level, const std::string &line) {
        if (level == cluster::LogLevel::Warning)
            std::cerr << "bourse-engine follow: " << line << "\n";
    };
    cluster::NatsStream::Connected connected = cluster::NatsStream::connect(settings, logWarning);
    if (!connected.stream) {
        std::cerr << "bourse-engine follow: " << connected.error << "\n";
        return InputError;
    }
    bool notFound = false;
    if (!connected.stream->state(error, &notFound)) {
        std::cerr << "bourse-engine follow: " << error << "\n";
        return InputError;
    }

    // Opened only once the stream is found, so that a wrong --stream leaves no empty file.
    storage::ReadModelWriter::Opened opened = storage::ReadModelWriter::open(options->out);
    if (!opened.writer) {
        std::cerr << "bourse-engine follow: " << opened.error->toString() << "\n";
        return InputError;
    }
    storage::ReadModelWriter &views = *opened.writer;

    FollowSummary summary;
    summary.firstSequence = views.lastSequence();
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    int status = follow(*options, *connected.stream, views, summary);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    if (const std::optional<storage::ReadModelError> closeError = views.close()) {
        std::cerr << "bourse-engine follow: " << closeError->toString() << "\n";
        return InputError;
    }
    summary.lastSequence = views.lastSequence();
    summary.lastHash = views.lastHash();
    if (status == Success)
        printSummary(*options, summary);
    return status;
}

} // namespace bourse::cli
