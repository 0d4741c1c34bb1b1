#include "nats_cluster.h"

#include "local_processes.h"

#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QThread>

#include <csignal>
#include <unistd.h>

namespace bourse::test {

QString NatsCluster::serverExecutable()
{
    QString found = QStandardPaths::findExecutable(QStringLiteral("nats-server"));
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(
            QStringLiteral("nats-server"),
            {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
    return found;
}

NatsCluster::NatsCluster() = default;

NatsCluster::~NatsCluster()
{
    for (int node = 0; node < kNodes; ++node)
        kill(node);
}

bool NatsCluster::start(QString &error)
{
    if (!m_folder.isValid()) {
        error = QStringLiteral("cannot create a temporary folder");
        return false;
    }
    const std::vector<int> ports = cluster::freeLoopbackPorts(2 * kNodes);
    if (ports.size() != 2 * kNodes) {
        error = QStringLiteral("cannot find free loopback ports");
        return false;
    }
    for (int node = 0; node < kNodes; ++node) {
        m_clientPorts[static_cast<std::size_t>(node)] = ports[static_cast<std::size_t>(node)];
        m_routePorts[static_cast<std::size_t>(node)] =
            ports[static_cast<std::size_t>(kNodes + node)];
    }
    for (int node = 0; node < kNodes; ++node) {
        if (!launch(node, error))
            return false;
    }
    if (!waitForLog(QStringLiteral("metadata leader"), 20'000)) {
        error =
            QStringLiteral("no JetStream metadata leader within 20 s; node 1 logged:\n") + log(0);
        return false;
    }
    return true;
}

bool NatsCluster::launch(int node, QString &error)
{
    const auto index = static_cast<std::size_t>(node);
    QStringList routes;
    for (int port : m_routePorts)
        routes << QStringLiteral("nats://127.0.0.1:%1").arg(port);
    const QStringList arguments = {
        QStringLiteral("-js"),
        QStringLiteral("-sd"),
        m_folder.filePath(name(node)),
        QStringLiteral("-a"),
        QStringLiteral("127.0.0.1"),
        QStringLiteral("-p"),
        QString::number(m_clientPorts[index]),
        QStringLiteral("-n"),
        name(node),
        QStringLiteral("--cluster_name"),
        QStringLiteral("bourse-test"),
        QStringLiteral("--cluster"),
        QStringLiteral("nats://127.0.0.1:%1").arg(m_routePorts[index]),
        QStringLiteral("--routes"),
        routes.join(QLatin1Char(',')),
    };
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->setStandardOutputFile(m_folder.filePath(name(node) + QStringLiteral(".log")),
                                   QIODevice::Append);
    process->start(serverExecutable(), arguments);
    if (!process->waitForStarted(5000)) {
        error = QStringLiteral("cannot start nats-server: ") + process->errorString();
        return false;
    }
    m_processes[index] = std::move(process);
    return true;
}

void NatsCluster::pause(int node)
{
    if (const std::unique_ptr<QProcess> &process = m_processes[static_cast<std::size_t>(node)])
        ::kill(static_cast<pid_t>(process->processId()), SIGSTOP);
}

void NatsCluster::resume(int node)
{
    if (const std::unique_ptr<QProcess> &process = m_processes[static_cast<std::size_t>(node)])
        ::kill(static_cast<pid_t>(process->processId()), SIGCONT);
}

void NatsCluster::kill(int node)
{
    std::unique_ptr<QProcess> &process = m_processes[static_cast<std::size_t>(node)];
    if (!process)
        return;
    process->kill();
    process->waitForFinished(5000);
    process.reset();
}

void NatsCluster::stop(int node)
{
    std::unique_ptr<QProcess> &process = m_processes[static_cast<std::size_t>(node)];
    if (!process)
        return;
    process->terminate();
    if (!process->waitForFinished(10'000))
        process->kill();
    process->waitForFinished(5000);
    process.reset();
}

bool NatsCluster::restart(int node, QString &error)
{
    kill(node);
    return launch(node, error);
}

std::string NatsCluster::url(int node) const
{
    return "nats://127.0.0.1:" + std::to_string(m_clientPorts[static_cast<std::size_t>(node)]);
}

std::vector<std::string> NatsCluster::servers() const
{
    std::vector<std::string> result;
    for (int node = 0; node < kNodes; ++node)
        result.push_back(url(node));
    return result;
}

QString NatsCluster::urls() const
{
    QStringList list;
    for (const std::string &server : servers())
        list << QString::fromStdString(server);
    return list.join(QLatin1Char(','));
}

QString NatsCluster::log(int node) const
{
    QFile file(m_folder.filePath(name(node) + QStringLiteral(".log")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

bool NatsCluster::waitForLog(const QString &text, int timeoutMs) const
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        for (int node = 0; node < kNodes; ++node) {
            if (log(node).contains(text))
                return true;
        }
        QThread::msleep(50);
    }
    return false;
}

} // namespace bourse::test
