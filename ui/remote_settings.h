#pragma once

// What the terminal needs to trade on a `bourse-engine serve`: the server's three endpoints, its
// public key, the terminal's own key pair and the accounts to trade. The connect dialog and the
// command line fill it in, and checkRemoteSettings() reads the key files and turns it into the
// options of a net::Client.

#include "client.h"
#include "types.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <variant>
#include <vector>

namespace bourse::ui {

struct RemoteSettings {
    QString orderEntryEndpoint; // "tcp://host:port"
    QString publishEndpoint;    // empty: the order-entry port + 1
    QString snapshotEndpoint;   // empty: the order-entry port + 2
    // The order-entry endpoints of standby servers, tried in turn when the server's links die.
    // Each publishes and serves snapshots on the two ports after its order-entry port.
    QStringList standbyEndpoints;
    // The server's public key: the path of its .pub file, or the 40 Z85 characters themselves.
    QString serverKey;
    QString keyPrefix;               // the terminal's pair: keyPrefix + ".key" and ".pub"
    std::vector<AccountId> accounts; // the accounts to trade, the default first
};

// The field of RemoteSettings an error is about, so that the dialog can point at it.
enum class RemoteField { OrderEntry, Publish, Snapshot, Standbys, ServerKey, KeyPrefix, Accounts };

struct RemoteSettingsError {
    RemoteField field = RemoteField::OrderEntry;
    QString message; // a sentence naming the value or the file, and what to do
};

// Checks a "tcp://host:port" endpoint that a client can connect to: tcp, a host, and a port
// from 1 to 65535, and a host that is no IPv6 literal, because the sockets do not enable IPv6.
// Returns what is wrong, naming `what` ("order-entry endpoint") and the text.
std::optional<QString> checkEndpoint(const QString &endpoint, const QString &what);

// Returns the error for an order-entry `endpoint`, named by `what`, whose port leaves no room
// for the publish and snapshot ports after it. Returns nothing for any other endpoint.
std::optional<QString> checkPortRoom(const QString &endpoint, const QString &what);

// Returns `endpoint` as ZeroMQ accepts it: with a lower-case scheme and host, so that "TCP://"
// works. Returns the trimmed text when it is not a valid endpoint.
QString normalizeEndpoint(const QString &endpoint);

// Returns `endpoint` with its port raised by `offset`, such as tcp://h:7402 for tcp://h:7401 and
// 1. Returns an empty text when `endpoint` is not valid or the port would pass 65535.
QString endpointWithPortOffset(const QString &endpoint, int offset);

// Splits "tcp://h:7401,tcp://h:7501" into a server's order-entry endpoint and those of its
// standbys, in order. Returns what is wrong otherwise: an empty or invalid endpoint, or one
// whose port leaves no room for the two after it, named by `what` and `standbyWhat` as
// checkEndpoint() names it, or one listed twice.
std::variant<QStringList, QString> parseEndpointList(const QString &text, const QString &what,
                                                     const QString &standbyWhat);

// Parses "1,2, 3" into accounts, in order. Returns the error for a word that is not a whole
// number from 1 to 4294967295, or for an account listed twice.
std::variant<std::vector<AccountId>, QString> parseAccountList(const QString &text);
QString formatAccountList(const std::vector<AccountId> &accounts);

// Checks every field, reads the server's public key (a file, or Z85 text) and the terminal's key
// pair, and returns the client options for them, with empty publish and snapshot endpoints
// replaced by the defaults, as they are for every standby. Returns the first error otherwise.
// Nothing connects.
std::variant<net::ClientOptions, RemoteSettingsError>
checkRemoteSettings(const RemoteSettings &settings);

// The settings remembered from the last connect dialog, or empty ones.
RemoteSettings loadRemoteSettings();
void saveRemoteSettings(const RemoteSettings &settings);

// The key pair `bourse-engine keygen` writes without --out: $XDG_CONFIG_HOME/bourse/keys/curve,
// or ~/.config/bourse/keys/curve when XDG_CONFIG_HOME is unset or relative. Empty when neither
// variable gives an absolute path.
QString defaultKeyPrefix();

struct GeneratedKeys {
    QString publicKey; // Z85, for the server's access list; empty on failure
    QString error;     // names the file or folder; empty on success
};

// Generates a key pair and writes it at `prefix`, as `bourse-engine keygen --out PREFIX` does,
// creating missing folders with mode 0700. An existing pair is kept, which is an error.
GeneratedKeys generateTerminalKeys(const QString &prefix);

} // namespace bourse::ui
