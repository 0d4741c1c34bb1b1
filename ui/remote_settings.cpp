#include "remote_settings.h"

#include "curve_keys.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStringList>
#include <QUrl>

#include <cerrno>
#include <cstring>
#include <limits>
#include <set>

#include <sys/stat.h>

namespace bourse::ui {

namespace {

const QString kOrderEntryKey = QStringLiteral("remote/orderEntryEndpoint");
const QString kPublishKey = QStringLiteral("remote/publishEndpoint");
const QString kSnapshotKey = QStringLiteral("remote/snapshotEndpoint");
const QString kServerKeyKey = QStringLiteral("remote/serverKey");
const QString kKeyPrefixKey = QStringLiteral("remote/keyPrefix");
const QString kAccountsKey = QStringLiteral("remote/accounts");
const QString kStandbysKey = QStringLiteral("remote/standbyEndpoints");

// A client endpoint as QUrl reads it: tcp, a host and a port. Returns nothing otherwise.
std::optional<QUrl> parseEndpoint(const QString &endpoint)
{
    const QUrl url(endpoint.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QStringLiteral("tcp") || url.host().isEmpty())
        return std::nullopt;
    if (url.port() < 1 || !url.path().isEmpty() || url.hasQuery() || url.hasFragment())
        return std::nullopt;
    return url;
}

// The endpoint in `text`, or the default `offset` ports above the order entry's when empty.
std::variant<std::string, RemoteSettingsError> endpointOrDefault(const RemoteSettings &settings,
                                                                 const QString &text, int offset,
                                                                 RemoteField field,
                                                                 const QString &what)
{
    if (text.trimmed().isEmpty()) {
        const QString orderEntry = QObject::tr("order-entry endpoint");
        if (std::optional<QString> error = checkPortRoom(settings.orderEntryEndpoint, orderEntry))
            return RemoteSettingsError{RemoteField::OrderEntry, *error};
    }
    const QString endpoint = text.trimmed().isEmpty()
                                 ? endpointWithPortOffset(settings.orderEntryEndpoint, offset)
                                 : text.trimmed();
    if (std::optional<QString> error = checkEndpoint(endpoint, what))
        return RemoteSettingsError{field, *error};
    return normalizeEndpoint(endpoint).toStdString();
}

// Adds the standbys' endpoints to `options`, each with the default publish and snapshot ports.
std::optional<RemoteSettingsError> addStandbys(const QStringList &standbys,
                                               net::ClientOptions &options)
{
    const QString what = QObject::tr("standby endpoint");
    for (const QString &standby : standbys) {
        std::optional<QString> error = checkEndpoint(standby, what);
        if (!error)
            error = checkPortRoom(standby, what);
        if (error)
            return RemoteSettingsError{RemoteField::Standbys, *error};
        options.standbyEndpoints.push_back({normalizeEndpoint(standby).toStdString(),
                                            endpointWithPortOffset(standby, 1).toStdString(),
                                            endpointWithPortOffset(standby, 2).toStdString()});
    }
    return std::nullopt;
}

// The host of `endpoint` as the overlap check compares it. "localhost" counts as 127.0.0.1,
// which it normally resolves to. Other names of one host are not resolved, so they pass.
QString hostKey(const std::string &endpoint)
{
    const QString host = QUrl(QString::fromStdString(endpoint)).host();
    return host == QStringLiteral("localhost") ? QStringLiteral("127.0.0.1") : host;
}

// Rejects two endpoints of `options` on one host and port, such as a standby whose order-entry
// port is the primary's publish port: one of the two servers could not bind it.
std::optional<RemoteSettingsError> checkOverlaps(const net::ClientOptions &options)
{
    std::vector<std::pair<std::string, QString>> named;
    const auto add = [&named](const net::ServerEndpoints &set, const QString &server) {
        named.push_back({set.orderEntry, QObject::tr("%1 order-entry endpoint").arg(server)});
        named.push_back({set.publish, QObject::tr("%1 publish endpoint").arg(server)});
        named.push_back({set.snapshot, QObject::tr("%1 snapshot endpoint").arg(server)});
    };
    add({options.orderEntryEndpoint, options.publishEndpoint, options.snapshotEndpoint},
        QObject::tr("primary"));
    for (std::size_t index = 0; index < options.standbyEndpoints.size(); ++index)
        add(options.standbyEndpoints[index], QObject::tr("standby %1").arg(index + 1));

    for (std::size_t later = 1; later < named.size(); ++later) {
        const QUrl laterUrl(QString::fromStdString(named[later].first));
        for (std::size_t earlier = 0; earlier < later; ++earlier) {
            const QUrl earlierUrl(QString::fromStdString(named[earlier].first));
            if (laterUrl.port() != earlierUrl.port() ||
                hostKey(named[later].first) != hostKey(named[earlier].first))
                continue;
            // The first three endpoints are the primary's; the later one of a pair is the one
            // to change.
            return RemoteSettingsError{
                later >= 3 ? RemoteField::Standbys : RemoteField::OrderEntry,
                QObject::tr("Invalid %1 '%2': its port is also the %3 '%4'. Give each server "
                            "its own three ports.")
                    .arg(named[later].second, QString::fromStdString(named[later].first),
                         named[earlier].second, QString::fromStdString(named[earlier].first))};
        }
    }
    return std::nullopt;
}

// The server's public key: Z85 text as it is, or else the .pub file it names.
std::variant<std::string, RemoteSettingsError> readServerKey(const QString &text)
{
    const QString key = text.trimmed();
    if (key.isEmpty()) {
        return RemoteSettingsError{RemoteField::ServerKey,
                                   QObject::tr("The server public key is missing: give the "
                                               "server's .pub file or its 40-character key.")};
    }
    if (key.size() == static_cast<qsizetype>(net::kCurveKeyTextLength) &&
        !net::checkKeyText(key.toStdString()) && !QFileInfo::exists(key))
        return key.toStdString();

    const net::PublicKeyResult file = net::readPublicKeyFile(key.toStdString());
    if (!file.ok()) {
        return RemoteSettingsError{
            RemoteField::ServerKey,
            QObject::tr("Server public key file %1")
                .arg(QString::fromStdString(file.error.file.empty()
                                                ? key.toStdString() + ": " + file.error.what
                                                : file.error.toString()))};
    }
    return *file.publicKey;
}

std::variant<net::CurveKeyPair, RemoteSettingsError> readTerminalKeys(const QString &prefix)
{
    if (prefix.trimmed().isEmpty()) {
        return RemoteSettingsError{RemoteField::KeyPrefix,
                                   QObject::tr("The terminal's key pair is missing: give the path "
                                               "`bourse-engine keygen --out` was given, without "
                                               ".key or .pub, or generate a pair.")};
    }
    const net::KeyPairResult keys = net::readKeyPair(prefix.trimmed().toStdString());
    if (!keys.ok()) {
        return RemoteSettingsError{RemoteField::KeyPrefix,
                                   QObject::tr("Terminal key pair: %1")
                                       .arg(QString::fromStdString(keys.error.toString()))};
    }
    return *keys.pair;
}

// Creates each missing folder of `path` with mode 0700, as keygen does. Returns the error.
std::optional<QString> makeFolders(const QString &path)
{
    const QStringList parts = QDir::cleanPath(path).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString folder;
    for (const QString &part : parts) {
        folder += QLatin1Char('/') + part;
        const QByteArray native = QFile::encodeName(folder);
        if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST) {
            return QObject::tr("%1: cannot create the folder: %2")
                .arg(folder, QString::fromLocal8Bit(std::strerror(errno)));
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<QString> checkEndpoint(const QString &endpoint, const QString &what)
{
    if (endpoint.trimmed().isEmpty())
        return QObject::tr("The %1 is missing: give tcp://HOST:PORT.").arg(what);
    const std::optional<QUrl> url = parseEndpoint(endpoint);
    if (!url) {
        return QObject::tr("Invalid %1 '%2': expected tcp://HOST:PORT with a port from 1 to "
                           "65535, such as tcp://127.0.0.1:7401.")
            .arg(what, endpoint.trimmed());
    }
    // TODO: neither the client's nor the server's sockets set ZMQ_IPV6, so an IPv6 literal
    // would pass this check and then never connect. Rejected until both ends set it.
    if (url->host().contains(QLatin1Char(':'))) {
        return QObject::tr("Invalid %1 '%2': IPv6 addresses are not supported; give an IPv4 "
                           "address or a host name.")
            .arg(what, endpoint.trimmed());
    }
    return std::nullopt;
}

std::optional<QString> checkPortRoom(const QString &endpoint, const QString &what)
{
    const std::optional<QUrl> url = parseEndpoint(endpoint);
    if (!url || url->port() + 2 <= 65535)
        return std::nullopt;
    return QObject::tr("Invalid %1 '%2': port %3 leaves no room for the publish and snapshot "
                       "ports, which are the next two and would pass 65535; give a port up to "
                       "65533.")
        .arg(what, endpoint.trimmed())
        .arg(url->port());
}

QString normalizeEndpoint(const QString &endpoint)
{
    const std::optional<QUrl> url = parseEndpoint(endpoint);
    return url ? url->toString() : endpoint.trimmed();
}

QString endpointWithPortOffset(const QString &endpoint, int offset)
{
    std::optional<QUrl> url = parseEndpoint(endpoint);
    if (!url || url->port() + offset > 65535)
        return {};
    url->setPort(url->port() + offset);
    return url->toString();
}

std::variant<QStringList, QString> parseEndpointList(const QString &text, const QString &what,
                                                     const QString &standbyWhat)
{
    QStringList endpoints;
    for (const QString &word : text.split(QLatin1Char(','))) {
        const QString endpoint = word.trimmed();
        const QString &name = endpoints.isEmpty() ? what : standbyWhat;
        std::optional<QString> error = checkEndpoint(endpoint, name);
        if (!error)
            error = checkPortRoom(endpoint, name);
        if (error)
            return *error;
        if (endpoints.contains(endpoint))
            return QObject::tr("Endpoint %1 is listed twice.").arg(endpoint);
        endpoints << endpoint;
    }
    return endpoints;
}

std::variant<std::vector<AccountId>, QString> parseAccountList(const QString &text)
{
    std::vector<AccountId> accounts;
    std::set<std::uint32_t> seen;
    for (const QString &word : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qulonglong number = word.trimmed().toULongLong(&ok);
        if (!ok || number == 0 || number > std::numeric_limits<std::uint32_t>::max()) {
            return QObject::tr("Invalid account '%1': expected a whole number from 1, such as "
                               "1 or 1,2.")
                .arg(word.trimmed());
        }
        if (!seen.insert(static_cast<std::uint32_t>(number)).second)
            return QObject::tr("Account %1 is listed twice.").arg(number);
        accounts.push_back(AccountId{static_cast<std::uint32_t>(number)});
    }
    return accounts;
}

QString formatAccountList(const std::vector<AccountId> &accounts)
{
    QStringList words;
    for (const AccountId account : accounts)
        words << QString::number(account.value());
    return words.join(QStringLiteral(","));
}

std::variant<net::ClientOptions, RemoteSettingsError>
checkRemoteSettings(const RemoteSettings &settings)
{
    net::ClientOptions options;
    const QString orderEntry = QObject::tr("order-entry endpoint");
    if (std::optional<QString> error = checkEndpoint(settings.orderEntryEndpoint, orderEntry))
        return RemoteSettingsError{RemoteField::OrderEntry, *error};
    options.orderEntryEndpoint = normalizeEndpoint(settings.orderEntryEndpoint).toStdString();

    auto publish = endpointOrDefault(settings, settings.publishEndpoint, 1, RemoteField::Publish,
                                     QObject::tr("publish endpoint"));
    if (auto *error = std::get_if<RemoteSettingsError>(&publish))
        return *error;
    options.publishEndpoint = std::get<std::string>(publish);
    auto snapshot = endpointOrDefault(settings, settings.snapshotEndpoint, 2, RemoteField::Snapshot,
                                      QObject::tr("snapshot endpoint"));
    if (auto *error = std::get_if<RemoteSettingsError>(&snapshot))
        return *error;
    options.snapshotEndpoint = std::get<std::string>(snapshot);
    if (std::optional<RemoteSettingsError> error = addStandbys(settings.standbyEndpoints, options))
        return *error;
    if (std::optional<RemoteSettingsError> error = checkOverlaps(options))
        return *error;

    auto serverKey = readServerKey(settings.serverKey);
    if (auto *error = std::get_if<RemoteSettingsError>(&serverKey))
        return *error;
    options.serverPublicKey = std::get<std::string>(serverKey);
    auto keys = readTerminalKeys(settings.keyPrefix);
    if (auto *error = std::get_if<RemoteSettingsError>(&keys))
        return *error;
    options.keys = std::get<net::CurveKeyPair>(keys);

    options.accounts = settings.accounts;
    return options;
}

RemoteSettings loadRemoteSettings()
{
    const QSettings stored;
    RemoteSettings settings;
    settings.orderEntryEndpoint = stored.value(kOrderEntryKey).toString();
    settings.publishEndpoint = stored.value(kPublishKey).toString();
    settings.snapshotEndpoint = stored.value(kSnapshotKey).toString();
    settings.serverKey = stored.value(kServerKeyKey).toString();
    settings.keyPrefix = stored.value(kKeyPrefixKey).toString();
    settings.standbyEndpoints = stored.value(kStandbysKey).toStringList();
    // A stored list that no longer parses is dropped, so the dialog shows an empty field.
    const auto accounts = parseAccountList(stored.value(kAccountsKey).toString());
    if (const auto *list = std::get_if<std::vector<AccountId>>(&accounts))
        settings.accounts = *list;
    return settings;
}

void saveRemoteSettings(const RemoteSettings &settings)
{
    QSettings stored;
    stored.setValue(kOrderEntryKey, settings.orderEntryEndpoint);
    stored.setValue(kPublishKey, settings.publishEndpoint);
    stored.setValue(kSnapshotKey, settings.snapshotEndpoint);
    stored.setValue(kServerKeyKey, settings.serverKey);
    stored.setValue(kKeyPrefixKey, settings.keyPrefix);
    stored.setValue(kAccountsKey, formatAccountList(settings.accounts));
    stored.setValue(kStandbysKey, settings.standbyEndpoints);
}

QString defaultKeyPrefix()
{
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (!config.startsWith(QLatin1Char('/'))) {
        const QString home = qEnvironmentVariable("HOME");
        config = home.startsWith(QLatin1Char('/')) ? home + QStringLiteral("/.config") : QString();
    }
    return config.isEmpty() ? QString() : config + QStringLiteral("/bourse/keys/curve");
}

GeneratedKeys generateTerminalKeys(const QString &prefix)
{
    if (prefix.trimmed().isEmpty())
        return {{}, QObject::tr("Give the path of the key pair to write, without .key or .pub.")};
    if (std::optional<QString> error = makeFolders(QFileInfo(prefix).absolutePath()))
        return {{}, *error};

    const net::KeyPairResult generated = net::generateKeyPair();
    if (!generated.ok())
        return {{}, QString::fromStdString(generated.error.toString())};
    if (const auto error =
            net::writeKeyPair(*generated.pair, prefix.toStdString(), net::ExistingKeys::Keep))
        return {{}, QString::fromStdString(error->toString())};
    return {QString::fromStdString(generated.pair->publicKey), {}};
}

} // namespace bourse::ui
