#include "connection_status_text.h"

#include <QStringList>

#include <algorithm>

namespace bourse::ui {

namespace {

// The stale streams the status bar names before it counts the rest.
constexpr qsizetype kStreamsNamed = 3;

const std::string kInstrumentPrefix = "instrument ";

// The status bar's name for a stream: the symbol of "instrument 3 (IDXF)" with what follows it
// ("IDXF", "BLUE on 2 engines"), or the whole name when it has no symbol.
QString shortStreamName(const std::string &stream)
{
    const std::size_t open = stream.find(" (");
    const std::size_t close = stream.find(')', open);
    if (stream.rfind(kInstrumentPrefix, 0) != 0 || open == std::string::npos ||
        close == std::string::npos)
        return QString::fromStdString(stream);
    return QString::fromStdString(stream.substr(open + 2, close - open - 2) +
                                  stream.substr(close + 1));
}

// The symbol in "instrument 3 (IDXF)", or an empty text.
std::string symbolOf(const std::string &stream)
{
    const std::size_t open = stream.find(" (");
    const std::size_t close = stream.find(')', open);
    if (stream.rfind(kInstrumentPrefix, 0) != 0 || open == std::string::npos ||
        close == std::string::npos)
        return {};
    return stream.substr(open + 2, close - open - 2);
}

// The symbols that more than one engine of a split market publishes.
std::set<std::string> contestedSymbols(const net::ConnectionStatus &status)
{
    std::set<std::string> seen;
    std::set<std::string> contested;
    for (const net::ConnectionStatus &engine : status.engines) {
        for (const std::string &symbol : engine.ownedSymbols) {
            if (!seen.insert(symbol).second)
                contested.insert(symbol);
        }
    }
    return contested;
}

// "stale: IDXF, EURUSD, instrument 7 and 2 more", naming the first few streams.
QString staleStreamsText(const QStringList &streams)
{
    QString text =
        QObject::tr("stale: %1")
            .arg(streams.first(std::min(streams.size(), kStreamsNamed)).join(QStringLiteral(", ")));
    const qsizetype more = streams.size() - kStreamsNamed;
    if (more > 0)
        text += QObject::tr(" and %1 more").arg(more);
    return text;
}

// Appends the contested instruments ("BLUE on 2 engines") and then the other stale streams to
// `text`, and raises `severity` to a warning when there are any.
void addStaleStreams(const net::ConnectionStatus &status, QString &text,
                     ConnectionSeverity &severity)
{
    const std::set<std::string> contested = contestedSymbols(status);
    QStringList contestedNames;
    QStringList staleNames;
    for (const std::string &stream : status.staleStreams) {
        const bool isContested =
            contested.contains(symbolOf(stream)) &&
            shortStreamName(stream) != QString::fromStdString(symbolOf(stream));
        (isContested ? contestedNames : staleNames) << shortStreamName(stream);
    }

    for (const QString &name : contestedNames)
        text += QStringLiteral(" \u00b7 ") + name;
    if (!staleNames.isEmpty())
        text += QStringLiteral(" \u00b7 ") + staleStreamsText(staleNames);
    if (!status.staleStreams.empty() && severity == ConnectionSeverity::Normal)
        severity = ConnectionSeverity::Warning;
}

std::size_t liveEngines(const net::ConnectionStatus &status)
{
    std::size_t live = 0;
    for (const net::ConnectionStatus &engine : status.engines)
        live += engine.state == net::ClientState::Live ? 1 : 0;
    return live;
}

// A link that is not live and whose last order-entry handshakes failed: the server closes a
// connection whose CURVE HELLO does not decrypt under its key.
bool failsHandshake(const net::ConnectionStatus &status)
{
    return status.state != net::ClientState::Live && status.counters.handshakeFailuresInARow > 0;
}

// The reason a link that is not live cannot get in, when its handshakes fail or a server
// rejected the terminal's key; empty otherwise. `server` names the server in the text.
QString handshakeProblem(const net::ConnectionStatus &status, const QString &server)
{
    if (failsHandshake(status))
        return QObject::tr("handshake failed with %1: check its server key").arg(server);
    if (status.state != net::ClientState::Live && !status.keyRejectedBy.empty())
        return QObject::tr("%1 rejected this terminal's key: ask its operator to add the key to "
                           "the access list")
            .arg(QString::fromStdString(status.keyRejectedBy));
    return {};
}

// Appends why the link or an engine cannot connect, when its handshake fails, and makes it an
// error.
void addHandshakeFailures(const net::ConnectionStatus &status, QString &text,
                          ConnectionSeverity &severity)
{
    QStringList failures;
    if (status.engines.empty()) {
        const QString problem = handshakeProblem(status, endpointInUseText(status));
        if (!problem.isEmpty())
            failures << problem;
    }
    for (const net::ConnectionStatus &engine : status.engines) {
        const QString problem = handshakeProblem(engine, QString::fromStdString(engine.engineName));
        if (!problem.isEmpty())
            failures << problem;
    }
    for (const QString &failure : failures)
        text += QStringLiteral(" \u00b7 ") + failure;
    if (!failures.isEmpty())
        severity = ConnectionSeverity::Error;
}

} // namespace

QString endpointInUseText(const net::ConnectionStatus &status)
{
    const QString endpoint = QString::fromStdString(status.orderEntryEndpoint);
    if (status.endpointIndex == 0)
        return endpoint;
    return QObject::tr("standby %1 %2").arg(status.endpointIndex).arg(endpoint);
}

QString engineStatusLine(const net::ConnectionStatus &engine)
{
    QStringList symbols;
    for (const std::string &symbol : engine.ownedSymbols)
        symbols << QString::fromStdString(symbol);
    return QObject::tr("%1: %2 \u00b7 %3 \u00b7 %4")
        .arg(QString::fromStdString(engine.engineName), connectionStatusText(engine).text,
             QString::fromStdString(engine.orderEntryEndpoint),
             symbols.isEmpty() ? QObject::tr("no instruments yet")
                               : symbols.join(QStringLiteral(", ")));
}

ConnectionStatusText connectionStatusText(const net::ConnectionStatus &status)
{
    ConnectionStatusText result;
    switch (status.state) {
    case net::ClientState::Live:
        result.text = status.endpointIndex == 0
                          ? QObject::tr("Live \u00b7 instance %1").arg(status.instanceId)
                          : QObject::tr("Live on %1 \u00b7 instance %2")
                                .arg(endpointInUseText(status))
                                .arg(status.instanceId);
        result.severity = ConnectionSeverity::Normal;
        // A split market is live while any engine is; the others' instruments are stale.
        if (!status.engines.empty()) {
            const std::size_t live = liveEngines(status);
            result.text =
                QObject::tr("Live \u00b7 %1 of %2 engines").arg(live).arg(status.engines.size());
            if (live < status.engines.size())
                result.severity = ConnectionSeverity::Warning;
        }
        break;
    case net::ClientState::Connecting:
        // A link that was live before is being restored, not made for the first time.
        result.text = status.instanceId == 0 ? QObject::tr("Connecting\u2026")
                                             : QObject::tr("Reconnecting\u2026");
        if (status.endpointIndex != 0)
            result.text = QObject::tr("Connecting to %1\u2026").arg(endpointInUseText(status));
        else if (status.counters.endpointSwitches > 0)
            result.text =
                QObject::tr("Reconnecting to the primary %1\u2026").arg(endpointInUseText(status));
        result.severity = ConnectionSeverity::Warning;
        break;
    case net::ClientState::WaitingToReconnect:
        result.text = QObject::tr("Reconnecting in %1 ms").arg(status.reconnectDelay.count());
        if (status.endpointIndex != 0)
            result.text = QObject::tr("Moving to %1 in %2 ms")
                              .arg(endpointInUseText(status))
                              .arg(status.reconnectDelay.count());
        else if (status.counters.endpointSwitches > 0)
            result.text = QObject::tr("Moving back to the primary %1 in %2 ms")
                              .arg(endpointInUseText(status))
                              .arg(status.reconnectDelay.count());
        result.severity = ConnectionSeverity::Error;
        break;
    }
    addHandshakeFailures(status, result.text, result.severity);
    addStaleStreams(status, result.text, result.severity);

    QStringList lines;
    lines << QObject::tr("Server: %1").arg(endpointInUseText(status));
    for (const net::ConnectionStatus &engine : status.engines)
        lines << engineStatusLine(engine);
    if (status.instanceId != 0)
        lines << QObject::tr("Server instance: %1").arg(status.instanceId);
    for (const std::string &stream : status.staleStreams)
        lines << QObject::tr("Stale: %1").arg(QString::fromStdString(stream));
    if (!status.lastError.empty())
        lines << QObject::tr("Last error: %1").arg(QString::fromStdString(status.lastError));
    result.toolTip = lines.join(QLatin1Char('\n'));
    return result;
}

std::set<InstrumentId> staleInstrumentsOf(const net::ConnectionStatus &status)
{
    std::set<InstrumentId> instruments;
    for (const std::string &stream : status.staleStreams) {
        if (stream.rfind(kInstrumentPrefix, 0) != 0)
            continue;
        // The number ends at the symbol or the reason that may follow it.
        const std::string rest = stream.substr(kInstrumentPrefix.size());
        bool ok = false;
        const uint id = QString::fromStdString(rest.substr(0, rest.find(' '))).toUInt(&ok);
        if (ok)
            instruments.insert(InstrumentId{id});
    }
    return instruments;
}

} // namespace bourse::ui
