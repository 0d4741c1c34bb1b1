#include "engine_list.h"

#include "curve_keys.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

#include <optional>

namespace bourse::terminal {

namespace {

// The server key file a list names: a file beside the list, or else nothing for 40 characters
// (Z85 text), or else a path that readEngineList() reports as missing.
std::optional<QString> serverKeyFileOf(const QString &word, const QDir &folder)
{
    const QString path = QDir::cleanPath(folder.absoluteFilePath(word));
    if (QFileInfo::exists(path) || word.size() != 40)
        return path;
    return std::nullopt;
}

// Reads "ENDPOINT[,STANDBY-ENDPOINT...]" into entry's settings, or returns what is wrong.
std::optional<QString> readEndpoints(const QString &word, EngineEntry &entry)
{
    const QStringList endpoints = word.split(QLatin1Char(','));
    for (qsizetype index = 0; index < endpoints.size(); ++index) {
        const QString &endpoint = endpoints[index];
        const QString role = index == 0 ? QStringLiteral("order-entry") : QStringLiteral("standby");
        // checkEndpoint() words its message as a sentence for the connect dialog, so only its
        // verdict is taken here.
        if (bourse::ui::checkEndpoint(endpoint, QString()))
            return QStringLiteral("invalid %1 endpoint '%2' of engine '%3': expected "
                                  "tcp://HOST:PORT with a port from 1 to 65535")
                .arg(role, endpoint, entry.name);
        if (bourse::ui::checkPortRoom(endpoint, QString()))
            return QStringLiteral("invalid %1 endpoint '%2' of engine '%3': port %4 leaves no "
                                  "room for the publish and snapshot ports, which are the next "
                                  "two and would pass 65535")
                .arg(role, endpoint, entry.name)
                .arg(QUrl(endpoint.trimmed()).port());
        if (endpoints.indexOf(endpoint) != index)
            return QStringLiteral("endpoint %1 of engine '%2' is listed twice")
                .arg(endpoint, entry.name);
    }
    entry.settings.orderEntryEndpoint = endpoints.front();
    entry.settings.standbyEndpoints = endpoints.mid(1);
    return std::nullopt;
}

// The endpoints of an engine, its standbys' included.
QStringList endpointsOf(const EngineEntry &entry)
{
    return QStringList{entry.settings.orderEntryEndpoint} + entry.settings.standbyEndpoints;
}

// Reads one "engine NAME ENDPOINT KEY" line into `entry`, or returns what is wrong with it.
std::optional<QString> readLine(const QStringList &words, const QDir &folder, EngineEntry &entry)
{
    if (words.front() != QLatin1String("engine"))
        return QStringLiteral("unknown setting '%1': expected 'engine NAME ENDPOINT SERVER-KEY'")
            .arg(words.front());
    if (words.size() < 4)
        return QStringLiteral("missing %1: expected 'engine NAME ENDPOINT SERVER-KEY'")
            .arg(words.size() == 1   ? QStringLiteral("name")
                 : words.size() == 2 ? QStringLiteral("order-entry endpoint")
                                     : QStringLiteral("server key"));
    if (words.size() > 4)
        return QStringLiteral("unexpected '%1' after the server key").arg(words[4]);

    entry.name = words[1];
    if (std::optional<QString> error = readEndpoints(words[2], entry))
        return error;
    const std::optional<QString> keyFile = serverKeyFileOf(words[3], folder);
    entry.serverKeyFile = keyFile.value_or(QString());
    entry.settings.serverKey = keyFile.value_or(words[3]);
    return std::nullopt;
}

} // namespace

std::variant<std::vector<EngineEntry>, QString> parseEngineList(const QString &text,
                                                                const QString &fileName)
{
    const QDir folder = QFileInfo(fileName).absoluteDir();
    std::vector<EngineEntry> engines;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const QString content = lines[index].section(QLatin1Char('#'), 0, 0);
        const QStringList words =
            content.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
        if (words.isEmpty())
            continue;
        const auto fail = [&](const QString &message) {
            return QStringLiteral("%1:%2: error: %3").arg(fileName).arg(index + 1).arg(message);
        };
        EngineEntry entry;
        entry.line = static_cast<int>(index + 1);
        if (std::optional<QString> error = readLine(words, folder, entry))
            return fail(*error);
        for (const EngineEntry &earlier : engines) {
            if (earlier.name == entry.name)
                return fail(QStringLiteral("engine '%1' is listed twice").arg(entry.name));
            for (const QString &endpoint : endpointsOf(entry)) {
                if (endpointsOf(earlier).contains(endpoint))
                    return fail(QStringLiteral("engines '%1' and '%2' have the same endpoint %3")
                                    .arg(earlier.name, entry.name, endpoint));
            }
        }
        engines.push_back(std::move(entry));
    }
    if (engines.empty())
        return QStringLiteral("%1: error: no engine listed; add lines such as 'engine equities "
                              "tcp://127.0.0.1:7401 keys/equities.pub'")
            .arg(fileName);
    return engines;
}

std::variant<std::vector<EngineEntry>, QString> readEngineList(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return QStringLiteral("%1: error: cannot read the file: %2").arg(path, file.errorString());
    auto parsed = parseEngineList(QString::fromUtf8(file.readAll()), path);
    auto *engines = std::get_if<std::vector<EngineEntry>>(&parsed);
    if (engines == nullptr)
        return parsed;

    for (const EngineEntry &entry : *engines) {
        if (entry.serverKeyFile.isEmpty())
            continue;
        const net::PublicKeyResult key = net::readPublicKeyFile(entry.serverKeyFile.toStdString());
        if (key.ok())
            continue;
        return QStringLiteral("%1:%2: error: server key of engine '%3': %4")
            .arg(path)
            .arg(entry.line)
            .arg(entry.name, QString::fromStdString(key.error.toString()));
    }
    return parsed;
}

} // namespace bourse::terminal
