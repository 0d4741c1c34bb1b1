#pragma once

#include "feed_list.h"
#include "host_settings.h"
#include "remote_settings.h"
#include "theme.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace bourse::app {

// The action the terminal takes on a damaged journal it is to continue.
enum class DamagePolicy { Ask, Recover };

// The settings of one terminal run, read from its command line.
struct TerminalOptions {
    QString lobsterPath;
    // A training scenario (docs/training.md) to run instead of the default simulated market.
    QString scenarioPath;
    double speed = 1.0; // 0 means as fast as possible
    std::optional<std::uint64_t> seed;
    QString screenshotPath;
    int screenshotDelayMilliseconds = 2000;
    QString journalDirectory; // empty: no journal
    // The simulation journal to continue; empty: the newest one in journalDirectory, unless
    // freshMarket is set.
    QString continuedJournal;
    // A new simulated market even when a journal could be continued: --new, or --seed, whose
    // market starts from the beginning.
    bool freshMarket = false;
    // The flow of a new simulated market: agents (Session::Options::Flow::Agents) unless
    // --market synthetic. A continued journal keeps the flow it was made with.
    bool agentMarket = true;
    DamagePolicy damagePolicy = DamagePolicy::Ask;
    std::uint64_t snapshotEvery = 100'000;         // events between two snapshots of the engine
    QString workspace;                             // empty: the one used last
    std::optional<bourse::ui::theme::Theme> theme; // for this run only; nothing: the saved one

    // --connect: trade on a `bourse-engine serve` instead of a market of the terminal's own.
    // The endpoint is checked; the key files are read when the terminal starts.
    bool remote = false;
    bourse::ui::RemoteSettings remoteSettings;
    // A market split over several engines: --engines FILE, read when the terminal starts, or
    // --connect given more than once, each with its --server-key in the same order. Each engine
    // takes the key pair and accounts of remoteSettings.
    QString engineListPath;
    std::vector<bourse::ui::RemoteSettings> engines;

    // --host: serve the simulated market, or the training scenario of --scenario, to peer
    // terminals and trade on it. The files and keys are read when the terminal starts.
    bool host = false;
    bourse::ui::HostSettings hostSettings;

    // --feed or --feeds: show and paper-trade a remote market data feed (docs/feeds.md)
    // instead of a market of the terminal's own. --feed fills `feeds` with its one feed; the
    // file of --feeds is read when the terminal starts.
    std::vector<bourse::terminal::FeedEntry> feeds;
    QString feedListPath;

    // --bench-ui: run the window on a simulated market at benchRate engine events a second
    // for benchSeconds, print what the UI thread did, and exit.
    bool benchUi = false;
    double benchRate = 100'000.0;
    int benchSeconds = 10;
    bool benchJson = false;
};

enum class CommandLineAction { Run, ShowHelp, ShowVersion, UsageError };

struct ParsedCommandLine {
    CommandLineAction action = CommandLineAction::Run;
    TerminalOptions options; // set for Run
    // The help text or the version line to print on stdout, or the usage error for stderr.
    QString text;
};

// Reads the terminal's arguments, program name first, the way main() receives them. It needs
// no QCoreApplication, so help, version and usage errors work without a display. Qt's own
// options, such as -platform offscreen or -style fusion, are accepted and left to
// QApplication. An option that is neither Bourse's nor Qt's, a missing or invalid value, a
// workspace that is not in `workspaces` (compared without regard to case) and a stray argument
// are usage errors.
ParsedCommandLine parseCommandLine(const QStringList &arguments, const QStringList &workspaces);

} // namespace bourse::app
