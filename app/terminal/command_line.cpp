#include "command_line.h"

#include "replay_toolbar.h"
#include "session.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>
#include <array>

namespace bourse::app {

namespace {

// The longest --bench-ui run, an hour, which keeps its once-a-second RSS samples a short list.
constexpr int maxBenchSeconds = 3600;

// The options that QGuiApplication and QApplication read from argv themselves, as Qt 6
// documents them in their constructors (also listed in the qt6options(7) manual page).
struct QtOption {
    const char *name;
    bool takesValue;
};

constexpr std::array<QtOption, 17> qtOptions{{
    {"platform", true},
    {"platformpluginpath", true},
    {"platformtheme", true},
    {"plugin", true},
    {"qwindowgeometry", true},
    {"qwindowicon", true},
    {"qwindowtitle", true},
    {"session", true},
    {"display", true},
    {"geometry", true},
    {"style", true},
    {"stylesheet", true},
    {"qmljsdebugger", true},
    {"dialogs", true},
    {"fontengine", true},
    {"reverse", false},
    {"widgetcount", false},
}};

class CommandLine {
public:
    explicit CommandLine(QStringList workspaces);

    ParsedCommandLine parse(const QStringList &arguments);

private:
    std::optional<QString> readOptions(TerminalOptions &options) const;
    std::optional<QString> readDisplayOptions(TerminalOptions &options) const;
    std::optional<QString> readBenchOptions(TerminalOptions &options) const;
    std::optional<QString> readRemoteOptions(TerminalOptions &options) const;
    std::optional<QString> readEngineListOption(TerminalOptions &options) const;
    std::optional<QString> readConnectOptions(TerminalOptions &options) const;
    std::optional<QString> readHostOptions(TerminalOptions &options) const;
    std::optional<QString> readFeedOptions(TerminalOptions &options) const;
    std::optional<QString> readFeedOption(TerminalOptions &options) const;
    std::optional<QString> readAccounts(std::vector<bourse::AccountId> &accounts) const;
    QString helpText(const QString &program) const;

    QCommandLineParser m_parser;
    QCommandLineOption m_help{{QStringLiteral("h"), QStringLiteral("help")},
                              QStringLiteral("Displays help on commandline options.")};
    QCommandLineOption m_version{{QStringLiteral("v"), QStringLiteral("version")},
                                 QStringLiteral("Displays version information.")};
    QCommandLineOption m_lobster{
        QStringList{QStringLiteral("replay"), QStringLiteral("lobster")},
        QStringLiteral("Replay a recorded market instead of the simulated one: a LOBSTER "
                       "message file (the orderbook file beside it, named the LOBSTER way, is "
                       "used when present), a Bybit order-book stream (JSON lines), either "
                       "file of a Binance depth-snap.csv and depth-update.csv pair, a "
                       "Tardis.dev trade or quote file (with its _trades/_quotes sibling), or a "
                       "Bourse journal (a .sqlite file of --journal-dir), which replays the "
                       "whole engine with the trader's accounts."),
        QStringLiteral("FILE")};
    QCommandLineOption m_speed{
        QStringLiteral("speed"),
        QStringLiteral("Replay speed as a multiple of market time: 0.25, 1, 10, 100, or max "
                       "for as fast as possible (default 1)."),
        QStringLiteral("X")};
    QCommandLineOption m_market{
        QStringLiteral("market"),
        QStringLiteral("The order flow of a new simulated market, which this option starts: "
                       "agents (the default), whose market makers, noise, momentum and informed "
                       "traders trade five instruments on their own clock, with news; or "
                       "synthetic, orders around a mean-reverting fair value. A continued "
                       "journal keeps the flow it was made with."),
        QStringLiteral("FLOW")};
    QCommandLineOption m_scenario{
        QStringLiteral("scenario"),
        QStringLiteral("Run a training scenario's agent market (docs/training.md) with the "
                       "instructor panel, instead of the default simulated market. --seed "
                       "replaces the scenario's seed, and --speed sets its pace."),
        QStringLiteral("FILE")};
    QCommandLineOption m_seed{QStringLiteral("seed"),
                              QStringLiteral("Seed of the simulated market; the same seed gives "
                                             "the same market (default: random)."),
                              QStringLiteral("N")};
    QCommandLineOption m_screenshot{
        QStringLiteral("screenshot"),
        QStringLiteral("Save the window as a PNG image to FILE after --after-ms, then exit."),
        QStringLiteral("FILE")};
    QCommandLineOption m_afterMs{
        QStringLiteral("after-ms"),
        QStringLiteral("Milliseconds from start to the screenshot (default 2000)."),
        QStringLiteral("N")};
    QCommandLineOption m_journalDirectory{
        QStringLiteral("journal-dir"),
        QStringLiteral("Folder of the event journals: each new simulation or replay writes "
                       "every engine event to a SQLite file there, and a restart continues "
                       "the newest simulation's file (default: the application data folder's "
                       "journals/)."),
        QStringLiteral("DIR")};
    QCommandLineOption m_noJournal{QStringLiteral("no-journal"),
                                   QStringLiteral("Write no event journal.")};
    QCommandLineOption m_journal{
        QStringLiteral("journal"),
        QStringLiteral("Continue the simulated market of this journal, as it was when it "
                       "stopped. Without it the newest simulation journal in the journal "
                       "folder is continued."),
        QStringLiteral("FILE")};
    QCommandLineOption m_recover{
        QStringLiteral("recover"),
        QStringLiteral("Recover a damaged journal without asking: keep its events before the "
                       "damage and continue from them. The whole file is first copied beside "
                       "it, so nothing is deleted.")};
    QCommandLineOption m_snapshotEvery{
        QStringLiteral("snapshot-every"),
        QStringLiteral("Store a snapshot of the engine in the journal every N events, and at "
                       "the end of each run; a restart replays at most N events "
                       "(default 100000)."),
        QStringLiteral("N")};
    QCommandLineOption m_new{QStringLiteral("new"),
                             QStringLiteral("Start a new simulated market instead of continuing "
                                            "the newest journal.")};
    QCommandLineOption m_workspace{
        QStringLiteral("workspace"),
        QStringLiteral("Open the workspace NAME: Trading, Charts, Risk or one saved from the "
                       "Workspace menu (default: the one used last)."),
        QStringLiteral("NAME")};
    QCommandLineOption m_theme{
        QStringLiteral("theme"),
        QStringLiteral("Colour theme of this run, dark or light (default: the one chosen in the "
                       "View menu, else dark)."),
        QStringLiteral("NAME")};
    QCommandLineOption m_benchUi{
        QStringLiteral("bench-ui"),
        QStringLiteral("Run the window on a new market of the synthetic flow, without a "
                       "journal, for --seconds at --rate, then print the UI thread's stalls, "
                       "repaints a second, memory, and whether the book on screen matches the "
                       "engine's.")};
    QCommandLineOption m_rate{
        QStringLiteral("rate"),
        QStringLiteral("Engine events a second of the --bench-ui market (default 100000)."),
        QStringLiteral("EVENTS_PER_S")};
    QCommandLineOption m_seconds{
        QStringLiteral("seconds"),
        QStringLiteral("Duration of the --bench-ui measurement in seconds (default 10)."),
        QStringLiteral("N")};
    QCommandLineOption m_connect{
        QStringLiteral("connect"),
        QStringLiteral("Trade on a Bourse server (bourse-engine serve) instead of a market of "
                       "the terminal's own: ENDPOINT is its order-entry socket, such as "
                       "tcp://127.0.0.1:7401; publications and snapshots are on the next two "
                       "ports. Standby servers follow after commas "
                       "(tcp://127.0.0.1:7401,tcp://127.0.0.1:7501): the terminal moves to the "
                       "next one when the server stops responding. Give it once per engine of a "
                       "market split by instrument, with a --server-key for each, in the same "
                       "order."),
        QStringLiteral("ENDPOINT")};
    QCommandLineOption m_serverKey{
        QStringLiteral("server-key"),
        QStringLiteral("The server's public key for --connect: its .pub file, or its "
                       "40-character key."),
        QStringLiteral("FILE")};
    QCommandLineOption m_engines{
        QStringLiteral("engines"),
        QStringLiteral("Trade on a market split by instrument over several Bourse servers: "
                       "FILE lists them, one 'engine NAME ENDPOINT SERVER-KEY' a line, where "
                       "ENDPOINT may list standby servers after commas as for --connect "
                       "(docs/terminal.md)."),
        QStringLiteral("FILE")};
    QCommandLineOption m_key{
        QStringLiteral("key"),
        QStringLiteral("The terminal's key pair for --connect or --host, PREFIX.key and "
                       "PREFIX.pub as bourse-engine keygen --out PREFIX writes them (default: "
                       "keygen's, in the configuration folder, which --host generates when "
                       "missing)."),
        QStringLiteral("PREFIX")};
    QCommandLineOption m_account{
        QStringLiteral("account"),
        QStringLiteral("An account to trade over --connect or --host, or several as 1,2; the "
                       "first is the default. Without it a --connect terminal only watches, "
                       "and a --host terminal trades account 1."),
        QStringLiteral("N")};
    QCommandLineOption m_host{
        QStringLiteral("host"),
        QStringLiteral("Serve the simulated market (--seed), or a training scenario "
                       "(--scenario), to peer terminals and trade on it: ADDRESS is 127.0.0.1, "
                       "an IPv4 address of this machine or * for every address, and PORT the "
                       "order-entry port, with publications and snapshots on the next two "
                       "(default: ports the system chooses). Needs --access-list."),
        QStringLiteral("ADDRESS[:PORT]")};
    QCommandLineOption m_accessList{
        QStringLiteral("access-list"),
        QStringLiteral("The peers' access list for --host: their public keys and accounts "
                       "(docs/network-security.md)."),
        QStringLiteral("FILE")};
    // A remote feed instead of a market of the terminal's own.
    QCommandLineOption m_feed{
        QStringLiteral("feed"),
        QStringLiteral("Show and paper-trade a remote market data feed (docs/feeds.md), such as "
                       "bourse-engine feed publishes, instead of a market of the terminal's "
                       "own: ENDPOINT is its feed socket, such as tcp://127.0.0.1:5600."),
        QStringLiteral("ENDPOINT")};
    QCommandLineOption m_feedSnapshot{
        QStringLiteral("feed-snapshot"),
        QStringLiteral("The snapshot socket of the --feed publisher, which a stale book requests "
                       "a snapshot from (default: the port after the feed's), or none."),
        QStringLiteral("ENDPOINT")};
    QCommandLineOption m_feedTopic{
        QStringLiteral("feed-topic"),
        QStringLiteral("Subscribe to this topic of the --feed only; repeat for several (default: "
                       "every topic). The terminal shows the first one."),
        QStringLiteral("TOPIC")};
    QCommandLineOption m_feeds{
        QStringLiteral("feeds"),
        QStringLiteral("Show remote feeds listed in FILE, one 'feed NAME ENDPOINT [snapshot "
                       "ENDPOINT|none] [topics A,B]' a line (docs/feeds.md)."),
        QStringLiteral("FILE")};
    QCommandLineOption m_json{QStringLiteral("json"),
                              QStringLiteral("Print the --bench-ui figures as one JSON object.")};

    QStringList m_workspaces;
};

CommandLine::CommandLine(QStringList workspaces)
    : m_workspaces(std::move(workspaces))
{
    m_parser.setApplicationDescription(QStringLiteral(
        "Bourse trading terminal.\nQt's own options, such as -platform NAME and "
        "-style NAME, are accepted too.\nExit status: 0 success, 1 a replay, training "
        "scenario, journal, connection, host or screenshot failed, 2 usage "
        "error."));
    // Qt's options start with a single dash and a whole word, such as -platform.
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addOptions(
        {m_help,       m_version,       m_lobster,          m_speed,     m_market,  m_seed,
         m_screenshot, m_afterMs,       m_journalDirectory, m_noJournal, m_journal, m_new,
         m_recover,    m_snapshotEvery, m_workspace,        m_theme,     m_benchUi, m_rate,
         m_seconds,    m_json,          m_scenario});
    m_parser.addOptions(
        {m_connect, m_engines, m_serverKey, m_key, m_account, m_host, m_accessList});
    m_parser.addOptions({m_feed, m_feedSnapshot, m_feedTopic, m_feeds});

    for (const QtOption &qtOption : qtOptions) {
        QCommandLineOption option(QString::fromLatin1(qtOption.name));
        if (qtOption.takesValue)
            option.setValueName(QStringLiteral("VALUE"));
        option.setFlags(QCommandLineOption::HiddenFromHelp);
        m_parser.addOption(option);
    }
}

ParsedCommandLine CommandLine::parse(const QStringList &arguments)
{
    ParsedCommandLine result;
    const auto usageError = [&result](const QString &message) {
        result.action = CommandLineAction::UsageError;
        result.text = message;
        return result;
    };

    if (!m_parser.parse(arguments))
        return usageError(m_parser.errorText());
    if (m_parser.isSet(m_help)) {
        result.action = CommandLineAction::ShowHelp;
        result.text = helpText(arguments.value(0, QStringLiteral("bourse")));
        return result;
    }
    if (m_parser.isSet(m_version)) {
        result.action = CommandLineAction::ShowVersion;
        result.text = QCoreApplication::applicationName() + QLatin1Char(' ') +
                      QCoreApplication::applicationVersion() + QLatin1Char('\n');
        return result;
    }
    if (!m_parser.positionalArguments().isEmpty()) {
        return usageError(QStringLiteral("Unexpected argument '%1'.")
                              .arg(m_parser.positionalArguments().constFirst()));
    }
    if (std::optional<QString> error = readOptions(result.options))
        return usageError(*error);
    return result;
}

std::optional<QString> CommandLine::readOptions(TerminalOptions &options) const
{
    options.lobsterPath = m_parser.value(m_lobster);
    options.screenshotPath = m_parser.value(m_screenshot);
    if (m_parser.isSet(m_noJournal) && m_parser.isSet(m_journalDirectory))
        return QStringLiteral("--no-journal and --journal-dir exclude each other");
    if (!m_parser.isSet(m_noJournal)) {
        options.journalDirectory =
            m_parser.isSet(m_journalDirectory)
                ? m_parser.value(m_journalDirectory)
                : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                      QStringLiteral("/journals");
    }

    options.continuedJournal = m_parser.value(m_journal);
    if (m_parser.isSet(m_journal) && options.continuedJournal.isEmpty())
        return QStringLiteral("--journal needs the path of a journal file");
    options.freshMarket = m_parser.isSet(m_new) || m_parser.isSet(m_seed);
    if (m_parser.isSet(m_market)) {
        const QString flow = m_parser.value(m_market).trimmed().toLower();
        if (flow != QStringLiteral("agents") && flow != QStringLiteral("synthetic"))
            return QStringLiteral("invalid --market '%1': use agents or synthetic")
                .arg(m_parser.value(m_market));
        options.agentMarket = flow == QStringLiteral("agents");
        // A flow named on the command line starts a new market, because a continued journal
        // keeps the flow it was made with.
        options.freshMarket = true;
    }
    options.damagePolicy = m_parser.isSet(m_recover) ? DamagePolicy::Recover : DamagePolicy::Ask;
    if (m_parser.isSet(m_journal)) {
        if (m_parser.isSet(m_noJournal))
            return QStringLiteral("--journal continues a journal, which --no-journal turns off");
        if (options.freshMarket)
            return QStringLiteral("--journal continues a market, so it excludes --new, "
                                  "--seed and --market");
        if (!options.lobsterPath.isEmpty())
            return QStringLiteral("--journal continues a simulated market, so it excludes "
                                  "--replay");
    }

    options.scenarioPath = m_parser.value(m_scenario);
    if (m_parser.isSet(m_scenario)) {
        if (options.scenarioPath.isEmpty())
            return QStringLiteral("--scenario needs the path of a training scenario file");
        if (!options.lobsterPath.isEmpty())
            return QStringLiteral("--scenario runs a simulated market, so it excludes --replay");
        if (m_parser.isSet(m_journal) || m_parser.isSet(m_market))
            return QStringLiteral("--scenario starts a new agent market, so it excludes "
                                  "--journal and --market");
        options.freshMarket = true;
    }

    if (m_parser.isSet(m_speed)) {
        const QString text = m_parser.value(m_speed);
        const std::optional<double> speed = bourse::ui::parseReplaySpeed(text);
        if (!speed)
            return QStringLiteral("invalid --speed '%1': use 1, 10, 100 or max").arg(text);
        options.speed = *speed;
    }

    if (m_parser.isSet(m_seed)) {
        const QString text = m_parser.value(m_seed);
        bool ok = false;
        options.seed = text.toULongLong(&ok);
        if (!ok)
            return QStringLiteral("invalid --seed '%1': use a non-negative integer").arg(text);
    }

    if (m_parser.isSet(m_snapshotEvery)) {
        const QString text = m_parser.value(m_snapshotEvery);
        bool ok = false;
        options.snapshotEvery = text.toULongLong(&ok);
        if (!ok || options.snapshotEvery == 0)
            return QStringLiteral("invalid --snapshot-every '%1': use a positive whole number")
                .arg(text);
    }

    if (m_parser.isSet(m_afterMs)) {
        const QString text = m_parser.value(m_afterMs);
        bool ok = false;
        options.screenshotDelayMilliseconds = text.toInt(&ok);
        if (!ok || options.screenshotDelayMilliseconds < 0)
            return QStringLiteral("invalid --after-ms '%1': use milliseconds, 0 or more").arg(text);
    }
    if (std::optional<QString> error = readDisplayOptions(options))
        return error;
    if (std::optional<QString> error = readFeedOptions(options))
        return error;
    if (std::optional<QString> error = readHostOptions(options))
        return error;
    if (std::optional<QString> error = readRemoteOptions(options))
        return error;
    return readBenchOptions(options);
}

std::optional<QString> CommandLine::readDisplayOptions(TerminalOptions &options) const
{
    if (m_parser.isSet(m_theme)) {
        const QString text = m_parser.value(m_theme);
        options.theme = bourse::ui::theme::parseTheme(text);
        if (!options.theme)
            return QStringLiteral("invalid --theme '%1': use dark or light").arg(text);
    }

    if (m_parser.isSet(m_workspace)) {
        const QString text = m_parser.value(m_workspace);
        for (const QString &name : m_workspaces) {
            if (name.compare(text, Qt::CaseInsensitive) == 0)
                options.workspace = name;
        }
        if (options.workspace.isEmpty())
            return QStringLiteral("unknown workspace '%1': use one of %2")
                .arg(text, m_workspaces.join(QStringLiteral(", ")));
    }
    return std::nullopt;
}

std::optional<QString> CommandLine::readBenchOptions(TerminalOptions &options) const
{
    options.benchUi = m_parser.isSet(m_benchUi);
    options.benchJson = m_parser.isSet(m_json);
    if (!options.benchUi) {
        for (const QCommandLineOption *option : {&m_rate, &m_seconds, &m_json}) {
            if (m_parser.isSet(*option))
                return QStringLiteral("--%1 needs --bench-ui").arg(option->names().constFirst());
        }
        return std::nullopt;
    }
    for (const QCommandLineOption *option :
         {&m_lobster, &m_screenshot, &m_journal, &m_journalDirectory}) {
        if (m_parser.isSet(*option))
            return QStringLiteral("--bench-ui and --%1 exclude each other: the benchmark runs "
                                  "a new simulated market without a journal")
                .arg(option->names().constFirst());
    }
    // The agents pace their market by their own clock, which --rate cannot set.
    if (m_parser.isSet(m_market))
        return QStringLiteral("--bench-ui and --market exclude each other: the benchmark runs "
                              "the synthetic flow at --rate events a second");
    options.journalDirectory.clear();
    options.freshMarket = true;

    if (m_parser.isSet(m_rate)) {
        const QString text = m_parser.value(m_rate);
        bool ok = false;
        options.benchRate = text.toDouble(&ok);
        if (!ok || !(options.benchRate >= 1.0) ||
            options.benchRate > bourse::Session::kMaximumEventRate)
            return QStringLiteral("invalid --rate '%1': use events a second, from 1 to %2")
                .arg(text)
                .arg(bourse::Session::kMaximumEventRate, 0, 'f', 0);
    }
    if (m_parser.isSet(m_seconds)) {
        const QString text = m_parser.value(m_seconds);
        bool ok = false;
        options.benchSeconds = text.toInt(&ok);
        if (!ok || options.benchSeconds < 1 || options.benchSeconds > maxBenchSeconds)
            return QStringLiteral("invalid --seconds '%1': use whole seconds, from 1 to %2")
                .arg(text)
                .arg(maxBenchSeconds);
    }
    return std::nullopt;
}

std::optional<QString> CommandLine::readRemoteOptions(TerminalOptions &options) const
{
    options.remote = m_parser.isSet(m_connect) || m_parser.isSet(m_engines);
    if (options.host)
        return std::nullopt;
    if (!options.remote) {
        if (m_parser.isSet(m_serverKey))
            return QStringLiteral("--server-key needs --connect");
        for (const QCommandLineOption *option : {&m_key, &m_account}) {
            if (m_parser.isSet(*option))
                return QStringLiteral("--%1 needs --connect or --host")
                    .arg(option->names().constFirst());
        }
        return std::nullopt;
    }
    // The server runs the market, so every option that chooses or paces a local one is wrong.
    const QString remoteOption =
        m_parser.isSet(m_engines) ? QStringLiteral("engines") : QStringLiteral("connect");
    for (const QCommandLineOption *option :
         {&m_lobster, &m_scenario, &m_journal, &m_market, &m_seed, &m_new, &m_speed, &m_benchUi}) {
        if (m_parser.isSet(*option))
            return QStringLiteral("--%1 and --%2 exclude each other: the server runs the "
                                  "market")
                .arg(remoteOption, option->names().constFirst());
    }

    std::optional<QString> error =
        m_parser.isSet(m_engines) ? readEngineListOption(options) : readConnectOptions(options);
    if (error)
        return error;
    bourse::ui::RemoteSettings &remote = options.remoteSettings;
    remote.keyPrefix =
        m_parser.isSet(m_key) ? m_parser.value(m_key).trimmed() : bourse::ui::defaultKeyPrefix();
    if (remote.keyPrefix.isEmpty())
        return QStringLiteral("--%1 needs --key PREFIX: neither XDG_CONFIG_HOME nor HOME "
                              "gives the default key folder")
            .arg(remoteOption);
    error = readAccounts(remote.accounts);
    for (bourse::ui::RemoteSettings &engine : options.engines) {
        engine.keyPrefix = remote.keyPrefix;
        engine.accounts = remote.accounts;
    }
    return error;
}

// The list file names the engines with their keys, so no --connect or --server-key goes with it.
std::optional<QString> CommandLine::readEngineListOption(TerminalOptions &options) const
{
    for (const QCommandLineOption *option : {&m_connect, &m_serverKey}) {
        if (m_parser.isSet(*option))
            return QStringLiteral("--engines and --%1 exclude each other: the file names the "
                                  "engines and their keys")
                .arg(option->names().constFirst());
    }
    if (m_parser.values(m_engines).size() > 1)
        return QStringLiteral("--engines is given twice; list every engine in one file");
    options.engineListPath = m_parser.value(m_engines).trimmed();
    if (options.engineListPath.isEmpty())
        return QStringLiteral("--engines needs FILE, the list of the market's engines");
    return std::nullopt;
}

// One --connect is one server. Several are the engines of a split market, each paired with the
// --server-key at the same place.
std::optional<QString> CommandLine::readConnectOptions(TerminalOptions &options) const
{
    const QStringList endpoints = m_parser.values(m_connect);
    const QStringList keys = m_parser.values(m_serverKey);

    std::vector<bourse::ui::RemoteSettings> servers;
    for (qsizetype index = 0; index < endpoints.size(); ++index) {
        const auto parsed =
            bourse::ui::parseEndpointList(endpoints[index], QStringLiteral("--connect endpoint"),
                                          QStringLiteral("--connect standby endpoint"));
        if (const auto *error = std::get_if<QString>(&parsed))
            return *error;
        const QStringList &list = std::get<QStringList>(parsed);
        bourse::ui::RemoteSettings server;
        server.orderEntryEndpoint = list.front();
        server.standbyEndpoints = list.mid(1);
        if (index < keys.size())
            server.serverKey = keys[index].trimmed();
        for (const bourse::ui::RemoteSettings &earlier : servers) {
            for (const QString &endpoint : list) {
                if (endpoint == earlier.orderEntryEndpoint ||
                    earlier.standbyEndpoints.contains(endpoint))
                    return QStringLiteral("--connect %1 is given twice").arg(endpoint);
            }
        }
        servers.push_back(std::move(server));
    }
    if (keys.isEmpty() || keys.constFirst().trimmed().isEmpty())
        return QStringLiteral("--connect needs --server-key FILE, the server's public key file");
    if (keys.size() != endpoints.size())
        return QStringLiteral("%1 --connect but %2 --server-key: give each server's key, in the "
                              "order of the endpoints")
            .arg(endpoints.size())
            .arg(keys.size());
    options.remoteSettings = servers.front();
    if (servers.size() > 1)
        options.engines = std::move(servers);
    return std::nullopt;
}

// Appends the accounts of every --account to `accounts`. Returns the error for an invalid or
// repeated account.
std::optional<QString> CommandLine::readAccounts(std::vector<bourse::AccountId> &accounts) const
{
    for (const QString &text : m_parser.values(m_account)) {
        const auto parsed = bourse::ui::parseAccountList(text);
        if (const auto *error = std::get_if<QString>(&parsed))
            return QStringLiteral("--account: %1").arg(*error);
        for (const bourse::AccountId account : std::get<std::vector<bourse::AccountId>>(parsed)) {
            if (std::find(accounts.begin(), accounts.end(), account) != accounts.end())
                return QStringLiteral("--account: account %1 is listed twice").arg(account.value());
            accounts.push_back(account);
        }
    }
    return std::nullopt;
}

std::optional<QString> CommandLine::readHostOptions(TerminalOptions &options) const
{
    options.host = m_parser.isSet(m_host);
    if (!options.host) {
        if (m_parser.isSet(m_accessList))
            return QStringLiteral("--access-list needs --host");
        return std::nullopt;
    }
    // The host serves a new agent market of its own, with no journal, so the options that
    // choose another market, continue one or pace the terminal's own are wrong.
    for (const QCommandLineOption *option : {&m_connect, &m_engines, &m_serverKey, &m_lobster,
                                             &m_journal, &m_market, &m_new, &m_speed, &m_benchUi}) {
        if (m_parser.isSet(*option))
            return QStringLiteral("--host and --%1 exclude each other")
                .arg(option->names().constFirst());
    }
    bourse::ui::HostSettings &host = options.hostSettings;
    if (std::optional<QString> error = bourse::ui::parseHostAddress(m_parser.value(m_host), host))
        return QStringLiteral("--host: %1").arg(*error);
    // The paths are made absolute, since the host dialog offers them again from the settings.
    const QString accessList = m_parser.value(m_accessList).trimmed();
    if (accessList.isEmpty())
        return QStringLiteral("--host needs --access-list FILE, the peers' public keys and "
                              "accounts");
    host.peerAccessList = QFileInfo(accessList).absoluteFilePath();
    if (!options.scenarioPath.isEmpty())
        host.trainingFile = QFileInfo(options.scenarioPath).absoluteFilePath();
    host.seed = options.seed;
    host.keyPrefix =
        m_parser.isSet(m_key) ? m_parser.value(m_key).trimmed() : bourse::ui::defaultKeyPrefix();
    if (host.keyPrefix.isEmpty())
        return QStringLiteral("--host needs --key PREFIX: neither XDG_CONFIG_HOME nor HOME "
                              "gives the default key folder");
    if (m_parser.isSet(m_account)) {
        host.accounts.clear();
        return readAccounts(host.accounts);
    }
    return std::nullopt;
}

// A feed's publisher runs the market, so every option that chooses, continues or paces a market
// of the terminal's own is wrong beside --feed or --feeds. A live feed plays as its messages
// arrive, so --speed is wrong too.
std::optional<QString> CommandLine::readFeedOptions(TerminalOptions &options) const
{
    const bool fromFile = m_parser.isSet(m_feeds);
    if (!fromFile && !m_parser.isSet(m_feed)) {
        for (const QCommandLineOption *option : {&m_feedSnapshot, &m_feedTopic}) {
            if (m_parser.isSet(*option))
                return QStringLiteral("--%1 needs --feed").arg(option->names().constFirst());
        }
        return std::nullopt;
    }
    const QString feedOption = fromFile ? QStringLiteral("feeds") : QStringLiteral("feed");
    for (const QCommandLineOption *option :
         {&m_lobster, &m_connect, &m_engines, &m_host, &m_scenario, &m_journal, &m_market, &m_seed,
          &m_new, &m_speed, &m_benchUi, &m_serverKey, &m_accessList}) {
        if (m_parser.isSet(*option))
            return QStringLiteral("--%1 and --%2 exclude each other: the feed's publisher runs "
                                  "the market")
                .arg(feedOption, option->names().constFirst());
    }
    if (!fromFile)
        return readFeedOption(options);

    for (const QCommandLineOption *option : {&m_feed, &m_feedSnapshot, &m_feedTopic}) {
        if (m_parser.isSet(*option))
            return QStringLiteral("--feeds and --%1 exclude each other: the file names the "
                                  "feeds, their snapshot endpoints and topics")
                .arg(option->names().constFirst());
    }
    if (m_parser.values(m_feeds).size() > 1)
        return QStringLiteral("--feeds is given twice; list every feed in one file");
    options.feedListPath = m_parser.value(m_feeds).trimmed();
    if (options.feedListPath.isEmpty())
        return QStringLiteral("--feeds needs FILE, the list of the feeds");
    return std::nullopt;
}

std::optional<QString> CommandLine::readFeedOption(TerminalOptions &options) const
{
    if (m_parser.values(m_feed).size() > 1)
        return QStringLiteral("--feed is given twice; list several feeds in a file for --feeds");
    if (m_parser.values(m_feedSnapshot).size() > 1)
        return QStringLiteral("--feed-snapshot is given twice");
    bourse::terminal::FeedEntry feed;
    feed.endpoint = m_parser.value(m_feed).trimmed();
    if (std::optional<QString> problem = bourse::terminal::checkFeedEndpoint(feed.endpoint))
        return QStringLiteral("--feed: %1").arg(*problem);
    feed.snapshotEndpoint = bourse::terminal::defaultSnapshotEndpoint(feed.endpoint);
    if (m_parser.isSet(m_feedSnapshot)) {
        const QString snapshot = m_parser.value(m_feedSnapshot).trimmed();
        feed.snapshotEndpoint = snapshot == QLatin1String("none") ? QString() : snapshot;
        if (!feed.snapshotEndpoint.isEmpty()) {
            if (std::optional<QString> problem = bourse::terminal::checkFeedEndpoint(snapshot))
                return QStringLiteral("--feed-snapshot: %1").arg(*problem);
        }
    }
    for (const QString &topic : m_parser.values(m_feedTopic)) {
        if (std::optional<QString> problem = bourse::terminal::checkFeedTopic(topic))
            return QStringLiteral("--feed-topic: %1").arg(*problem);
        if (feed.topics.contains(topic))
            return QStringLiteral("--feed-topic %1 is given twice").arg(topic);
        feed.topics.append(topic);
    }
    options.feeds.push_back(std::move(feed));
    return std::nullopt;
}

// Without a QCoreApplication, QCommandLineParser names the application instead of the program
// in its usage line, so that line is written here.
QString CommandLine::helpText(const QString &program) const
{
    const QString text = m_parser.helpText();
    const qsizetype firstLineEnd = text.indexOf(QLatin1Char('\n'));
    return QStringLiteral("Usage: %1 [options]").arg(program) + text.mid(firstLineEnd);
}

} // namespace

ParsedCommandLine parseCommandLine(const QStringList &arguments, const QStringList &workspaces)
{
    CommandLine commandLine(workspaces);
    return commandLine.parse(arguments);
}

} // namespace bourse::app
