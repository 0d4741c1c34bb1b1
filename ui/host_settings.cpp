#include "host_settings.h"

#include "access_list.h"
#include "curve_keys.h"
#include "remote_settings.h"

#include <QFileInfo>
#include <QRandomGenerator>
#include <QSettings>
#include <QStringList>

#include <arpa/inet.h>

namespace bourse::ui {

namespace {

const QString kTrainingKey = QStringLiteral("host/trainingFile");
const QString kSeedKey = QStringLiteral("host/seed");
const QString kAddressKey = QStringLiteral("host/address");
const QString kPortKey = QStringLiteral("host/firstPort");
const QString kAccessListKey = QStringLiteral("host/peerAccessList");
const QString kAccountsKey = QStringLiteral("host/accounts");
const QString kKeyPrefixKey = QStringLiteral("host/keyPrefix");

// The address the server's sockets bind: * or an IPv4 address. An interface name is left out
// because the endpoints given to peers must be addresses, and IPv6 because libzmq binds it only
// with ZMQ_IPV6, which the server does not set.
std::optional<QString> checkAddress(const QString &address)
{
    if (address.isEmpty())
        return QObject::tr("The address is missing: give 127.0.0.1, an address of this machine "
                           "on the network, or * for every address.");
    in_addr parsed{};
    if (address == QStringLiteral("*") ||
        ::inet_pton(AF_INET, address.toLatin1().constData(), &parsed) == 1)
        return std::nullopt;
    return QObject::tr("Invalid address '%1': give an IPv4 address of this machine, such as "
                       "127.0.0.1, or * for every address.")
        .arg(address);
}

std::variant<training::TrainingScenario, HostSettingsError>
loadScenario(const HostSettings &settings, std::uint64_t seed)
{
    if (settings.trainingFile.trimmed().isEmpty()) {
        training::TrainingScenario simulation;
        simulation.seed = seed;
        return simulation;
    }
    const training::TrainingParseResult parsed =
        training::loadTrainingScenario(settings.trainingFile.trimmed().toStdString());
    if (!parsed.ok()) {
        QStringList lines;
        for (const scenario::ParseError &error : parsed.errors)
            lines << QString::fromStdString(error.toString());
        return HostSettingsError{HostField::TrainingFile, lines.join(QLatin1Char('\n'))};
    }
    training::TrainingScenario scenario = parsed.scenario;
    if (settings.seed)
        scenario.seed = *settings.seed;
    return scenario;
}

// The peers' list, which must not name the host's key: the host adds its key with its own
// accounts, and a second entry would give it other rights.
std::optional<HostSettingsError> checkAccessList(const QString &path, const std::string &hostKey)
{
    if (path.isEmpty())
        return std::nullopt;
    const net::AccessListResult loaded = net::loadAccessList(path.toStdString());
    if (loaded.ok()) {
        for (const net::AccessEntry &entry : loaded.list->entries()) {
            if (entry.publicKey == hostKey)
                return HostSettingsError{
                    HostField::AccessList,
                    QObject::tr("%1:%2: the host's own key is listed; remove the line, since "
                                "the host adds its key with its accounts")
                        .arg(path)
                        .arg(entry.line)};
        }
        return std::nullopt;
    }
    QStringList lines;
    for (const net::AccessListError &error : loaded.errors)
        lines << QString::fromStdString(error.toString());
    return HostSettingsError{HostField::AccessList,
                             QObject::tr("Peers' access list: %1").arg(lines.join('\n'))};
}

// The host's key pair. keygen's default pair is generated when neither file exists.
std::variant<net::CurveKeyPair, HostSettingsError> readHostKeys(const QString &prefix)
{
    const std::string base = prefix.toStdString();
    const net::KeyFilePaths paths = net::keyFilePaths(base);
    const bool missing = !QFileInfo::exists(QString::fromStdString(paths.secretFile)) &&
                         !QFileInfo::exists(QString::fromStdString(paths.publicFile));
    if (missing && prefix == defaultKeyPrefix()) {
        const GeneratedKeys generated = generateTerminalKeys(prefix);
        if (!generated.error.isEmpty())
            return HostSettingsError{HostField::KeyPrefix, generated.error};
    }
    const net::KeyPairResult keys = net::readKeyPair(base);
    if (!keys.ok())
        return HostSettingsError{
            HostField::KeyPrefix,
            QObject::tr("Host key pair: %1").arg(QString::fromStdString(keys.error.toString()))};
    return *keys.pair;
}

} // namespace

std::variant<HostPlan, HostSettingsError> checkHostSettings(const HostSettings &settings)
{
    const QString address = settings.address.trimmed();
    if (std::optional<QString> error = checkAddress(address))
        return HostSettingsError{HostField::Address, *error};
    if (settings.firstPort < 0 || settings.firstPort > 65'533)
        return HostSettingsError{HostField::Port,
                                 QObject::tr("Invalid first port %1: give 0 for ports the system "
                                             "chooses, or 1 to 65533, since the server takes it "
                                             "and the next two.")
                                     .arg(settings.firstPort)};
    if (settings.accounts.empty())
        return HostSettingsError{HostField::Accounts,
                                 QObject::tr("The host's accounts are missing: give at least one, "
                                             "such as 1 or 1,2.")};

    const bool simulation = settings.trainingFile.trimmed().isEmpty();
    const std::uint64_t seed = settings.seed.value_or(
        simulation ? QRandomGenerator::global()->generate64() : std::uint64_t{0});
    auto scenario = loadScenario(settings, seed);
    if (auto *error = std::get_if<HostSettingsError>(&scenario))
        return *error;
    const QString prefix =
        settings.keyPrefix.trimmed().isEmpty() ? defaultKeyPrefix() : settings.keyPrefix.trimmed();
    auto keys = readHostKeys(prefix);
    if (auto *error = std::get_if<HostSettingsError>(&keys))
        return *error;
    const QString accessList = settings.peerAccessList.trimmed();
    const std::string &hostKey = std::get<net::CurveKeyPair>(keys).publicKey;
    if (std::optional<HostSettingsError> error = checkAccessList(accessList, hostKey))
        return *error;

    HostPlan plan;
    plan.scenario = std::move(std::get<training::TrainingScenario>(scenario));
    net::HostOptions &options = plan.options;
    options.trainingFile = settings.trainingFile.trimmed().toStdString();
    options.seed = plan.scenario.seed;
    options.seedGiven = simulation || settings.seed.has_value();
    options.address = address.toStdString();
    options.firstPort = static_cast<std::uint16_t>(settings.firstPort);
    const QString folder =
        settings.keyFolder.isEmpty() ? defaultHostKeyFolder() : settings.keyFolder;
    options.keyFolder = folder.toStdString();
    options.hostKeys = std::get<net::CurveKeyPair>(keys);
    options.hostAccounts = settings.accounts;
    options.peerAccessList = accessList.toStdString();
    return plan;
}

std::optional<QString> parseHostAddress(const QString &text, HostSettings &settings)
{
    QString address = text.trimmed();
    if (address.startsWith(QStringLiteral("tcp://")))
        address.remove(0, 6);
    int port = 0;
    const qsizetype colon = address.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0) {
        bool ok = false;
        const QString portText = address.mid(colon + 1);
        port = portText.toInt(&ok);
        if (!ok || port < 1 || port > 65'533)
            return QObject::tr("invalid port '%1': give 1 to 65533, since the server takes it "
                               "and the next two")
                .arg(portText);
        address.truncate(colon);
    }
    if (std::optional<QString> error = checkAddress(address))
        return error;
    settings.address = address;
    settings.firstPort = port;
    return std::nullopt;
}

QString defaultHostKeyFolder()
{
    const QString keys = defaultKeyPrefix(); // CONFIG/bourse/keys/curve
    return keys.isEmpty() ? QString() : QFileInfo(QFileInfo(keys).path()).path() + "/host";
}

HostSettings loadHostSettings()
{
    const QSettings stored;
    HostSettings settings;
    settings.trainingFile = stored.value(kTrainingKey).toString();
    bool ok = false;
    const qulonglong seed = stored.value(kSeedKey).toULongLong(&ok);
    if (ok)
        settings.seed = seed;
    settings.address = stored.value(kAddressKey, settings.address).toString();
    settings.firstPort = stored.value(kPortKey, 0).toInt();
    settings.peerAccessList = stored.value(kAccessListKey).toString();
    // A stored list that no longer parses gives the default account.
    const auto accounts = parseAccountList(stored.value(kAccountsKey).toString());
    if (const auto *list = std::get_if<std::vector<AccountId>>(&accounts); list && !list->empty())
        settings.accounts = *list;
    settings.keyPrefix = stored.value(kKeyPrefixKey).toString();
    return settings;
}

void saveHostSettings(const HostSettings &settings)
{
    QSettings stored;
    stored.setValue(kTrainingKey, settings.trainingFile);
    if (settings.seed)
        stored.setValue(kSeedKey, QString::number(*settings.seed));
    else
        stored.remove(kSeedKey);
    stored.setValue(kAddressKey, settings.address);
    stored.setValue(kPortKey, settings.firstPort);
    stored.setValue(kAccessListKey, settings.peerAccessList);
    stored.setValue(kAccountsKey, formatAccountList(settings.accounts));
    stored.setValue(kKeyPrefixKey, settings.keyPrefix);
}

} // namespace bourse::ui
