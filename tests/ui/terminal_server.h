// An in-process Server on 127.0.0.1 ports the system chooses, whose access list lets a terminal
// key trade account 1, for the tests of the window in remote mode. Both key pairs are made by the
// terminal's own key generator, as an operator would make them.

#pragma once

#include "net/in_process_server.h"
#include "remote_settings.h"

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>

namespace bourse::ui {

struct TerminalServer : nettest::InProcessServer {
    explicit TerminalServer(const nettest::ServeConfig &config)
    {
        const GeneratedKeys terminal = generateTerminalKeys(folder.filePath("terminal"));
        const GeneratedKeys serverKeys = generateTerminalKeys(folder.filePath("server"));
        if (!terminal.error.isEmpty() || !serverKeys.error.isEmpty())
            qFatal("cannot write the keys");
        nettest::writeFile(path("desk.access"),
                           "trader " + terminal.publicKey.toStdString() + " accounts 1 # desk\n");
        nettest::writeFile(path("quiet.scenario"), nettest::kQuietScenario);
        writeConfig(config);
        start();
    }

    // Settings that connect the terminal's key to the running server, for account 1.
    RemoteSettings settings() const
    {
        RemoteSettings settings;
        settings.orderEntryEndpoint = QString::fromStdString(server->orderEntryEndpoint());
        settings.publishEndpoint = QString::fromStdString(server->publishEndpoint());
        settings.snapshotEndpoint = QString::fromStdString(server->snapshotEndpoint());
        settings.serverKey = folder.filePath("server.pub");
        settings.keyPrefix = folder.filePath("terminal");
        settings.accounts = {AccountId{1}};
        return settings;
    }
};

// Points QSettings and QStandardPaths of the test at `directory`, away from the user's own.
inline void useTestSettings(const QString &directory, const QString &applicationName)
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, directory);
    QCoreApplication::setOrganizationName(QStringLiteral("BourseTest"));
    QCoreApplication::setApplicationName(applicationName);
}

} // namespace bourse::ui
