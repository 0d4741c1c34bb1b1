#include "connection_status_text.h"

#include <QStringList>

namespace bourse::ui {

namespace {

// The stale streams the status bar names before it counts the rest.
constexpr qsizetype kStreamsNamed = 3;

QString staleStreamsText(const std::vector<std::string> &streams)
{
    QStringList named;
    for (const std::string &stream : streams) {
        if (named.size() == kStreamsNamed)
            break;
        named << QString::fromStdString(stream);
    }
    QString text = QObject::tr("stale: %1").arg(named.join(QStringLiteral(", ")));
    const auto more = static_cast<qsizetype>(streams.size()) - named.size();
    if (more > 0)
        text += QObject::tr(" and %1 more").arg(more);
    return text;
}

std::size_t liveEngines(const net::ConnectionStatus &status)
{
    std::size_t live = 0;
    for (const net::ConnectionStatus &engine : status.engines)
        live += engine.state == net::ClientState::Live ? 1 : 0;
    return live;
}

} // namespace

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
        result.text = QObject::tr("Live \u00b7 instance %1").arg(status.instanceId);
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
        result.severity = ConnectionSeverity::Warning;
        break;
    case net::ClientState::WaitingToReconnect:
        result.text = QObject::tr("Reconnecting in %1 ms").arg(status.reconnectDelay.count());
        result.severity = ConnectionSeverity::Error;
        break;
    }
    if (!status.staleStreams.empty()) {
        result.text += QStringLiteral(" \u00b7 ") + staleStreamsText(status.staleStreams);
        if (result.severity == ConnectionSeverity::Normal)
            result.severity = ConnectionSeverity::Warning;
    }

    QStringList lines;
    lines << QObject::tr("Server: %1").arg(QString::fromStdString(status.orderEntryEndpoint));
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
    const std::string prefix = "instrument ";
    std::set<InstrumentId> instruments;
    for (const std::string &stream : status.staleStreams) {
        if (stream.rfind(prefix, 0) != 0)
            continue;
        bool ok = false;
        const uint id = QString::fromStdString(stream.substr(prefix.size())).toUInt(&ok);
        if (ok)
            instruments.insert(InstrumentId{id});
    }
    return instruments;
}

} // namespace bourse::ui
