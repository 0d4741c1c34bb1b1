#pragma once

// Three nats-server processes with JetStream, clustered over loopback ports that the system
// found free, each with its own storage folder in a temporary folder of the test.

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace bourse::test {

class NatsCluster {
public:
    static constexpr int kNodes = 3;

    // The nats-server executable on the PATH or in /usr/sbin; empty when it is not installed.
    static QString serverExecutable();

    NatsCluster();
    // Kills every node that still runs.
    ~NatsCluster();

    NatsCluster(const NatsCluster &) = delete;
    NatsCluster &operator=(const NatsCluster &) = delete;

    // Starts the three nodes and waits until they have elected a JetStream metadata leader.
    // Returns false with `error` set when a node fails to start or no leader is elected.
    bool start(QString &error);

    // Ends a node with SIGKILL, as a crash of its machine would, or stops it with SIGTERM and
    // waits for it to exit.
    void kill(int node);
    void stop(int node);
    // Starts a node that was killed or stopped again, with the same ports and storage.
    bool restart(int node, QString &error);
    // Pauses a node with SIGSTOP, as a stalled machine, or resumes it with SIGCONT.
    void pause(int node);
    void resume(int node);

    // "nats://127.0.0.1:P1,nats://127.0.0.1:P2,..." and the same as a list.
    QString urls() const;
    std::vector<std::string> servers() const;
    std::string url(int node) const;
    QString name(int node) const { return QStringLiteral("n%1").arg(node + 1); }
    // The node's log so far, for a failure message.
    QString log(int node) const;

private:
    bool launch(int node, QString &error);
    bool waitForLog(const QString &text, int timeoutMs) const;

    QTemporaryDir m_folder;
    std::array<int, kNodes> m_clientPorts{};
    std::array<int, kNodes> m_routePorts{};
    std::array<std::unique_ptr<QProcess>, kNodes> m_processes;
};

} // namespace bourse::test
