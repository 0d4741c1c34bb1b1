// A Server run on a thread of the test, in a temporary folder that contains its configuration.
// It is kept apart from net_test_support.h because it needs the server library, and because its
// net::Server would clash with the Server types that other test files declare.

#pragma once

#include "net_test_support.h"
#include "server.h"

#include <QString>
#include <QTemporaryDir>
#include <QtGlobal>

#include <memory>
#include <string>
#include <thread>

namespace bourse::nettest {

// A Server on its own thread, configured by the serve.conf in `folder`.
struct InProcessServer {
    QTemporaryDir folder;
    std::unique_ptr<net::Server> server;
    std::thread thread;

    InProcessServer() = default;
    InProcessServer(const InProcessServer &) = delete;
    InProcessServer &operator=(const InProcessServer &) = delete;
    ~InProcessServer() { stop(); }

    std::string path(const std::string &name) const
    {
        return folder.filePath(QString::fromStdString(name)).toStdString();
    }

    void writeConfig(const ServeConfig &config) const
    {
        writeFile(path("serve.conf"), config.text());
    }

    // Starts a server from serve.conf. A server stopped before is destroyed first, so that it
    // releases its journal and its ports.
    void start(net::LogSink log = {})
    {
        std::string error;
        const auto config = net::readServerConfig(path("serve.conf"), error);
        if (!config)
            qFatal("%s", error.c_str());
        server.reset();
        server = std::make_unique<net::Server>(*config, std::move(log));
        thread = std::thread([this] { server->run(); });
    }

    // Stops the server's loop, after which its engine and counters may be read.
    void stop()
    {
        if (!thread.joinable())
            return;
        server->requestStop();
        thread.join();
    }

    // Starts a new run on the endpoints of the stopped one, as after an operator restarted it.
    void restart(ServeConfig config)
    {
        config.orderEntry = server->orderEntryEndpoint();
        config.publish = server->publishEndpoint();
        config.snapshot = server->snapshotEndpoint();
        server.reset();
        writeConfig(config);
        start();
    }
};

} // namespace bourse::nettest
