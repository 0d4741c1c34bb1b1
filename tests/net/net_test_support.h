// Helpers of the network tests: CURVE key pairs, small files, the configuration of a server, and
// receives with a timeout. in_process_server.h adds a Server run on a thread of the test.

#pragma once

#include "curve_keys.h"
#include "protocol.h"

#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QtGlobal>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bourse::nettest {

// A new CURVE key pair. A test cannot run without one, so a failure aborts it.
inline net::CurveKeyPair newKeyPair()
{
    const net::KeyPairResult generated = net::generateKeyPair();
    if (!generated.ok())
        qFatal("%s", generated.error.toString().c_str());
    return *generated.pair;
}

// Writes `pair` as PREFIX and PREFIX.pub, aborting the test when that fails.
inline void writeKeyPairFiles(const net::CurveKeyPair &pair, const std::string &prefix)
{
    if (const auto failed = net::writeKeyPair(pair, prefix, net::ExistingKeys::Keep))
        qFatal("%s", failed->toString().c_str());
}

inline void writeFile(const std::string &path, const std::string &text)
{
    std::ofstream(path) << text;
}

inline void writeFile(const QString &path, const std::string &text)
{
    writeFile(path.toStdString(), text);
}

// The next single-frame message on `socket`, or nothing when none comes within timeoutMs.
inline std::optional<zmq::message_t> receiveFrame(zmq::socket_t &socket, int timeoutMs)
{
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(timeoutMs));
    if ((item.revents & ZMQ_POLLIN) == 0)
        return std::nullopt;
    zmq::message_t message;
    if (!socket.recv(message))
        return std::nullopt;
    return message;
}

// The frames of the next message on `socket`, or nothing when none comes within timeoutMs.
inline std::optional<std::vector<zmq::message_t>> receiveFrames(zmq::socket_t &socket,
                                                                int timeoutMs)
{
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(timeoutMs));
    if ((item.revents & ZMQ_POLLIN) == 0)
        return std::nullopt;
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket, std::back_inserter(frames)))
        return std::nullopt;
    return frames;
}

// The wire bytes of a message with `body` and the link sequence number `sequence`.
inline std::vector<std::uint8_t> encodedMessage(net::Body body, std::uint64_t sequence)
{
    net::Message message;
    message.header.sequence = sequence;
    message.body = std::move(body);
    std::vector<std::uint8_t> bytes;
    net::encodeMessage(message, bytes);
    return bytes;
}

// A limit order of instrument 1, with no client order id.
inline NewOrder limitOrder(std::uint32_t account, Side side, std::int64_t price,
                           std::int64_t quantity)
{
    NewOrder order;
    order.account = AccountId{account};
    order.instrument = InstrumentId{1};
    order.side = side;
    order.type = OrderType::Limit;
    order.limit = Price{price};
    order.quantity = Quantity{quantity};
    return order;
}

// Reads the standard output of `process` into `log` until `pattern` matches it, such as the
// "serving:" line in which `bourse-engine serve` reports its endpoints. The returned match has
// hasMatch() false when the process writes nothing more for timeoutMs before it matches.
inline QRegularExpressionMatch waitForOutput(QProcess &process, const QRegularExpression &pattern,
                                             QString &log, int timeoutMs)
{
    while (process.waitForReadyRead(timeoutMs)) {
        log += QString::fromUtf8(process.readAllStandardOutput());
        QRegularExpressionMatch match = pattern.match(log);
        if (match.hasMatch())
            return match;
    }
    return pattern.match(log);
}

// A scenario market of one instrument, ABC, with id 1, where nothing trades but the tests.
inline constexpr const char *kQuietScenario = "instrument ABC tick 0.01 lot 1 currency USD\n";

// The text of a serve.conf whose server key pair is "server" and whose access list is
// "desk.access", both beside it.
struct ServeConfig {
    std::string orderEntry = "tcp://127.0.0.1:*";
    std::string publish = "tcp://127.0.0.1:*";
    std::string snapshot = "tcp://127.0.0.1:*";
    std::string market = "scenario quiet.scenario";
    int heartbeatMs = 200; // 0 leaves the line out, so the server keeps its default
    std::string extraLines;

    std::string text() const
    {
        std::string text = "order-entry " + orderEntry + "\npublish " + publish + "\nsnapshot " +
                           snapshot + "\nserver-key server\naccess-list desk.access\n";
        if (heartbeatMs != 0)
            text += "heartbeat-ms " + std::to_string(heartbeatMs) + "\n";
        return text + "market " + market + "\n" + extraLines;
    }
};

} // namespace bourse::nettest
