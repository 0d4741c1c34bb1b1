#include "server_config.h"

#include "protocol.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

namespace bourse::net {

namespace {

// The words of one line before its comment.
std::vector<std::string> wordsOf(const std::string &line)
{
    std::vector<std::string> words;
    std::istringstream in(line);
    std::string word;
    while (in >> word) {
        if (word.front() == '#')
            break;
        words.push_back(word);
    }
    return words;
}

std::optional<std::uint64_t> parseWhole(const std::string &text)
{
    std::uint64_t value = 0;
    const char *end = text.data() + text.size();
    const auto [stop, code] = std::from_chars(text.data(), end, value);
    if (code != std::errc{} || stop != end)
        return std::nullopt;
    return value;
}

// Reads one setting into the configuration, or returns what is wrong with the line.
class LineReader {
public:
    LineReader(ServerConfig &config, std::filesystem::path folder)
        : m_config(config)
        , m_folder(std::move(folder))
    {
    }

    std::optional<std::string> read(const std::vector<std::string> &words);
    bool sawMarket() const { return m_seen.count("market") != 0; }
    bool saw(const std::string &name) const { return m_seen.count(name) != 0; }

private:
    std::optional<std::string> readOne(const std::string &name, const std::string &value);
    std::optional<std::string> readMarket(const std::vector<std::string> &words);
    std::optional<std::string> readInstruments(const std::vector<std::string> &words);
    std::optional<std::string> readReplicate(const std::string &value);
    std::optional<std::string> readNumber(const std::string &name, const std::string &value,
                                          std::uint64_t low, std::uint64_t high,
                                          std::uint64_t &out);
    std::string resolve(const std::string &path) const
    {
        return (m_folder / path).lexically_normal().string();
    }

    ServerConfig &m_config;
    std::filesystem::path m_folder;
    std::set<std::string> m_seen;
};

std::optional<std::string> LineReader::read(const std::vector<std::string> &words)
{
    const std::string &name = words.front();
    if (!m_seen.insert(name).second)
        return "'" + name + "' is set twice; keep one line";
    if (name == "market")
        return readMarket(words);
    if (name == "instruments")
        return readInstruments(words);
    if (words.size() == 1)
        return "missing value after '" + name + "'";
    if (words.size() > 2)
        return "unexpected '" + words[2] + "' after the value of '" + name + "'";
    return readOne(name, words[1]);
}

std::optional<std::string> LineReader::readNumber(const std::string &name, const std::string &value,
                                                  std::uint64_t low, std::uint64_t high,
                                                  std::uint64_t &out)
{
    const std::optional<std::uint64_t> number = parseWhole(value);
    if (!number || *number < low || *number > high)
        return "invalid " + name + " '" + value + "': expected a whole number from " +
               std::to_string(low) + " to " + std::to_string(high);
    out = *number;
    return std::nullopt;
}

std::optional<std::string> LineReader::readOne(const std::string &name, const std::string &value)
{
    const bool endpoint = name == "order-entry" || name == "publish" || name == "snapshot";
    if (endpoint && value.find("://") == std::string::npos)
        return "invalid endpoint '" + value + "': expected a ZeroMQ endpoint such as " +
               "tcp://127.0.0.1:7401";
    std::uint64_t number = 0;
    if (name == "order-entry")
        m_config.orderEntryEndpoint = value;
    else if (name == "publish")
        m_config.publishEndpoint = value;
    else if (name == "snapshot")
        m_config.snapshotEndpoint = value;
    else if (name == "server-key")
        m_config.serverKey = resolve(value);
    else if (name == "access-list")
        m_config.accessList = resolve(value);
    else if (name == "journal")
        m_config.journal = resolve(value);
    else if (name == "heartbeat-ms") {
        if (auto problem = readNumber(name, value, kMinimumHeartbeatIntervalMs,
                                      kMaximumHeartbeatIntervalMs, number))
            return problem;
        m_config.heartbeatIntervalMs = static_cast<std::uint32_t>(number);
    } else if (name == "publish-high-water-mark") {
        if (auto problem = readNumber(name, value, 1, 100'000'000, number))
            return problem;
        m_config.publishHighWaterMark = static_cast<int>(number);
    } else if (name == "publish-send-buffer") {
        if (auto problem = readNumber(name, value, 1024, 1'000'000'000, number))
            return problem;
        m_config.publishSendBufferBytes = static_cast<int>(number);
    } else if (name == "snapshot-every") {
        if (auto problem = readNumber(name, value, 1, UINT64_MAX, m_config.snapshotEvery))
            return problem;
    } else if (name == "replicate") {
        return readReplicate(value);
    } else if (name == "replicate-stream") {
        // The name also names the stream's subject and its key in the lease bucket, and NATS
        // key-value keys take only letters, digits and "-_=/.". Of those, '.' and '/' are not
        // valid in a stream name, so letters, digits, '-', '_' and '=' remain.
        const auto allowed = [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                   c == '=';
        };
        if (!std::all_of(value.begin(), value.end(), allowed))
            return "invalid replicate-stream '" + value +
                   "': use letters, digits, '-', '_' and '=' only";
        m_config.replicateStream = value;
    } else if (name == "replicate-replicas") {
        if (auto problem = readNumber(name, value, 1, 5, number))
            return problem;
        m_config.replicateReplicas = static_cast<int>(number);
    } else if (name == "role") {
        if (value != "primary" && value != "standby")
            return "invalid role '" + value + "': expected primary or standby";
        m_config.role = value == "primary" ? ServerRole::Primary : ServerRole::Standby;
    } else if (name == "engine-name") {
        // The lease stores "EPOCH NAME TOKEN", so a name is one word, which a line's words already
        // are.
        m_config.engineName = value;
    } else if (name == "lease-timeout-ms") {
        if (auto problem = readNumber(name, value, 200, 60'000, number))
            return problem;
        m_config.leaseTimeoutMs = static_cast<std::uint32_t>(number);
    } else {
        m_seen.erase(name);
        return "unknown setting '" + name + "'";
    }
    return std::nullopt;
}

// market simulation [seed N] | market training FILE [seed N] | market scenario FILE
std::optional<std::string> LineReader::readMarket(const std::vector<std::string> &words)
{
    if (words.size() < 2)
        return "missing market kind: expected simulation, training FILE or scenario FILE";
    const std::string &kind = words[1];
    std::size_t next = 2;
    if (kind == "simulation") {
        m_config.market = ServedMarket::Simulation;
    } else if (kind == "training" || kind == "scenario") {
        if (words.size() < 3)
            return "missing file after 'market " + kind + "'";
        m_config.market = kind == "training" ? ServedMarket::Training : ServedMarket::Scenario;
        m_config.marketFile = resolve(words[2]);
        next = 3;
    } else {
        return "unknown market kind '" + kind + "': expected simulation, training or scenario";
    }
    if (next == words.size())
        return std::nullopt;
    if (words[next] != "seed" || m_config.market == ServedMarket::Scenario)
        return "unexpected '" + words[next] + "' after 'market " + kind + "'";
    if (next + 1 == words.size())
        return "missing value after 'seed'";
    if (next + 2 < words.size())
        return "unexpected '" + words[next + 2] + "' after the seed";
    const std::optional<std::uint64_t> seed = parseWhole(words[next + 1]);
    if (!seed)
        return "invalid seed '" + words[next + 1] + "': expected a whole number";
    m_config.seed = *seed;
    m_config.seedGiven = true;
    return std::nullopt;
}

// instruments SYMBOL[,SYMBOL...]: commas separate the symbols, and spaces after a comma are
// allowed, so "BLUE,IDXF" and "BLUE, IDXF" are the same.
std::optional<std::string> LineReader::readInstruments(const std::vector<std::string> &words)
{
    std::string list;
    for (std::size_t index = 1; index < words.size(); ++index)
        list += words[index];
    if (list.empty())
        return "missing value after 'instruments': expected symbols such as BLUE,IDXF";

    std::set<std::string> seen;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        const std::string symbol = list.substr(start, comma - start);
        if (symbol.empty())
            return "invalid instruments '" + list + "': an empty symbol between commas";
        if (!seen.insert(symbol).second)
            return "instrument '" + symbol + "' is listed twice";
        m_config.instruments.push_back(symbol);
        start = comma + 1;
    }
    return std::nullopt;
}

// Checks the part of a NATS URL after the scheme: [USER[:PASSWORD]@]HOST[:PORT], with HOST
// possibly an IPv6 address in brackets. Returns what is wrong, or nothing.
std::optional<std::string> checkNatsAuthority(std::string authority)
{
    const std::size_t at = authority.rfind('@');
    if (at != std::string::npos)
        authority.erase(0, at + 1);

    std::size_t hostEnd = authority.find(':');
    if (!authority.empty() && authority.front() == '[') {
        hostEnd = authority.find(']');
        if (hostEnd == std::string::npos)
            return std::string("an IPv6 address without its closing ']'");
        ++hostEnd;
    }
    const std::string host = authority.substr(0, hostEnd);
    if (host.empty() || host == "[]")
        return std::string("the host is missing");
    if (hostEnd >= authority.size())
        return std::nullopt;
    if (authority[hostEnd] != ':')
        return "unexpected '" + authority.substr(hostEnd) + "' after the host";

    const std::string port = authority.substr(hostEnd + 1);
    std::uint64_t number = 0;
    const char *end = port.data() + port.size();
    const auto [stop, code] = std::from_chars(port.data(), end, number);
    if (port.empty() || code != std::errc{} || stop != end || number < 1 || number > 65535)
        return "invalid port '" + port + "': expected 1 to 65535";
    return std::nullopt;
}

// replicate nats://HOST:PORT[,nats://HOST:PORT...]
std::optional<std::string> LineReader::readReplicate(const std::string &value)
{
    std::size_t start = 0;
    while (start <= value.size()) {
        const std::size_t comma = std::min(value.find(',', start), value.size());
        const std::string url = value.substr(start, comma - start);
        const std::size_t scheme = url.find("://");
        const bool known = url.rfind("nats://", 0) == 0 || url.rfind("tls://", 0) == 0;
        std::optional<std::string> problem;
        if (known)
            problem = checkNatsAuthority(url.substr(scheme + 3));
        if (!known || problem)
            return "invalid NATS server '" + url + "' in 'replicate'" +
                   (problem ? ": " + *problem : std::string()) + ": expected a URL such as " +
                   "nats://127.0.0.1:4222, several separated by commas";
        m_config.replicateServers.push_back(url);
        start = comma + 1;
    }
    return std::nullopt;
}

// A role needs replication and a name; the name and the lease timeout need a role.
std::optional<std::string> checkRoleSettings(const LineReader &reader,
                                             std::map<std::string, std::string> &lines)
{
    if (reader.saw("role") && !reader.saw("replicate"))
        return lines["role"] + ": error: 'role' needs a 'replicate' line: the lease and the " +
               "standby work on the replicated stream";
    if (reader.saw("role") && !reader.saw("engine-name"))
        return lines["role"] + ": error: 'role' needs an 'engine-name' line, which names this " +
               "engine in the lease";
    for (const char *setting : {"engine-name", "lease-timeout-ms"}) {
        if (reader.saw(setting) && !reader.saw("role"))
            return lines[setting] + ": error: '" + setting + "' needs a 'role' line";
    }
    return std::nullopt;
}

} // namespace

std::optional<ServerConfig> parseServerConfig(const std::string &text, const std::string &fileName,
                                              std::string &error)
{
    ServerConfig config;
    LineReader reader(config, std::filesystem::path(fileName).parent_path());
    std::istringstream in(text);
    std::string line;
    std::map<std::string, std::string> replicateLines; // a replicate setting -> FILE:LINE
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        const std::vector<std::string> words = wordsOf(line);
        if (words.empty())
            continue;
        if (words.front().rfind("replicate", 0) == 0 || words.front() == "role" ||
            words.front() == "engine-name" || words.front() == "lease-timeout-ms")
            replicateLines.emplace(words.front(), fileName + ":" + std::to_string(number));
        if (const std::optional<std::string> problem = reader.read(words)) {
            error = fileName + ":" + std::to_string(number) + ": error: " + *problem;
            return std::nullopt;
        }
        if (words.front() == "instruments")
            config.instrumentsLocation = fileName + ":" + std::to_string(number);
    }
    if (reader.saw("replicate") && !reader.saw("journal")) {
        error = replicateLines["replicate"] +
                ": error: 'replicate' needs a 'journal': the replicator publishes the " +
                "journal's committed events";
        return std::nullopt;
    }
    for (const char *setting : {"replicate-stream", "replicate-replicas"}) {
        if (reader.saw(setting) && !reader.saw("replicate")) {
            error = replicateLines[setting] + ": error: '" + setting + "' needs a 'replicate' line";
            return std::nullopt;
        }
    }
    if (const std::optional<std::string> problem = checkRoleSettings(reader, replicateLines)) {
        error = *problem;
        return std::nullopt;
    }
    for (const char *required : {"server-key", "access-list", "market"}) {
        if (!reader.saw(required)) {
            error = fileName + ": error: missing setting '" + required + "'";
            return std::nullopt;
        }
    }
    return config;
}

std::optional<ServerConfig> readServerConfig(const std::string &path, std::string &error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = path + ": error: cannot read the file";
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parseServerConfig(text.str(), path, error);
}

} // namespace bourse::net
