#pragma once

// What a terminal needs to host a market (host mode): the market, the address and first port
// that the server binds, the peers' access list, the host's key pair and accounts, and the
// folder of the server's key pair. The host dialog and the command line fill it in, and
// checkHostSettings() turns it into the options of a net::HostSession.

#include "host_session.h"
#include "scenario_training.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

namespace bourse::ui {

struct HostSettings {
    QString trainingFile;              // a training scenario; empty: the simulated market
    std::optional<std::uint64_t> seed; // replaces the scenario's; none: random for a simulation
    QString address = QStringLiteral("127.0.0.1"); // an IP address of this machine, or *
    int firstPort = 0;      // order entry; publications and snapshots on the next two. 0: any free
    QString peerAccessList; // empty: no peers, only the host trades
    std::vector<AccountId> accounts = {AccountId{1}}; // the host's, the default first
    QString keyPrefix; // the host terminal's key pair; empty: keygen's default
    QString keyFolder; // server.key, server.pub and host.access; empty: defaultHostKeyFolder()
};

// The field of HostSettings an error is about, so that the dialog can point at it.
enum class HostField { TrainingFile, Seed, Address, Port, AccessList, Accounts, KeyPrefix };

struct HostSettingsError {
    HostField field = HostField::Address;
    QString message; // a sentence naming the value or the file, and what to do
};

// A checked host: the options of the HostSession, and the market's scenario for the instructor
// panel, which for a simulation is the default agent market with no schedule and no file name.
struct HostPlan {
    net::HostOptions options;
    training::TrainingScenario scenario;
};

// Checks every field, parses the training scenario and the peers' access list, and reads the
// host's key pair. The keygen default pair is generated when neither of its files exists, since
// the host's key only joins the host's own session to its server. A simulation without a seed
// gets a random one. Returns the first error otherwise. Nothing binds or connects.
std::variant<HostPlan, HostSettingsError> checkHostSettings(const HostSettings &settings);

// Reads "ADDRESS[:PORT]" into settings.address and settings.firstPort, such as "127.0.0.1:7401"
// or "*"; without a port the system chooses the ports. Returns the error for an invalid address
// or a port outside 1 to 65533.
std::optional<QString> parseHostAddress(const QString &text, HostSettings &settings);

// $XDG_CONFIG_HOME/bourse/host, or ~/.config/bourse/host: beside keygen's default pair, so that
// the server keeps its key pair, and its peers the public key they were given, across runs.
QString defaultHostKeyFolder();

// The settings remembered from the last host dialog or --host, or the defaults.
HostSettings loadHostSettings();
void saveHostSettings(const HostSettings &settings);

} // namespace bourse::ui
