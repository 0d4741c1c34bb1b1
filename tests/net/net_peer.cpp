// A remote terminal without a screen, for the multi-process tests: one net::Client that follows
// an instrument and optionally an account, sends limit orders at a steady pace, and at the end
// writes what it saw as one JSON object. The tests start several of these beside a
// `bourse-engine serve` and compare their pictures with the server's journal.
//
//     net_peer --order-entry E --publish E --snapshot E --server-key FILE.pub --keys PREFIX
//              --instrument ID [--account ID --orders N --side buy|sell --price TICKS
//              --quantity LOTS --order-every-ms MS] [--receive-hwm N] [--receive-buffer BYTES]
//              [--stall-ms MS] [--heartbeat-ms MS] [--run-ms MS] [--settle-ms MS] --out FILE
//
// The peer runs for --run-ms, then keeps polling until every command has its reply and every
// followed stream is in sync, for at most --settle-ms more. With --stall-ms it stops reading for
// that long once its instrument is first in sync, as a terminal whose thread stalls, so that the
// publisher's queue for it overflows. Exit status 0 when it settled, 1 when it did not (the JSON
// is written either way), 2 on a usage error.

#include "client.h"
#include "curve_keys.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

using namespace bourse;
using namespace bourse::net;
using Clock = std::chrono::steady_clock;

namespace {

struct PeerArguments {
    std::map<std::string, std::string> values;

    std::string text(const std::string &name, const std::string &fallback = {}) const
    {
        const auto found = values.find(name);
        return found == values.end() ? fallback : found->second;
    }
    std::int64_t number(const std::string &name, std::int64_t fallback) const
    {
        const auto found = values.find(name);
        return found == values.end() ? fallback : std::stoll(found->second);
    }
};

[[noreturn]] void usage(const std::string &problem)
{
    std::fprintf(stderr, "net_peer: %s\n", problem.c_str());
    std::exit(2);
}

// Records the replies to this peer's commands, by client order id.
class Replies final : public ClientListener {
public:
    void onCommandAccepted(const CommandAccepted &accepted) override
    {
        QJsonObject answer{{"clientOrderId", qint64(accepted.clientOrderId.value())},
                           {"orderId", qint64(accepted.id.value())},
                           {"eventSequence", qint64(accepted.eventSequence)}};
        accepted_.append(answer);
    }
    void onCommandRejected(const CommandRejected &rejected) override
    {
        rejected_.append(QJsonObject{{"clientOrderId", qint64(rejected.clientOrderId.value())},
                                     {"reason", QString::fromUtf8(nameOf(rejected.reason))}});
    }
    void onErrorReply(const ErrorReply &error, std::optional<ClientOrderId>) override
    {
        errors_.append(QString::fromUtf8(nameOf(error.code)));
    }

    QJsonArray accepted_;
    QJsonArray rejected_;
    QJsonArray errors_;
};

QJsonArray levelsJson(const std::vector<LevelSummary> &levels)
{
    QJsonArray rows;
    for (const LevelSummary &level : levels) {
        rows.append(QJsonArray{qint64(level.price.value()), qint64(level.quantity.value()),
                               qint64(level.orderCount)});
    }
    return rows;
}

QJsonObject instrumentJson(const Client &client, std::uint32_t id)
{
    const StreamKey key{StreamKind::Instrument, id};
    QJsonObject json{{"id", qint64(id)},
                     {"stale", client.streams().isStale(key)},
                     {"eventSequence", qint64(client.streams().eventSequence(key))}};
    if (const InstrumentReplica *replica = client.streams().instrument(id)) {
        json["bids"] = levelsJson(replica->levels(Side::Buy));
        json["asks"] = levelsJson(replica->levels(Side::Sell));
        json["status"] = QString::fromUtf8(nameOf(replica->status()));
    }
    return json;
}

QJsonObject accountJson(const Client &client, std::uint32_t id)
{
    const StreamKey key{StreamKind::Account, id};
    QJsonObject json{{"id", qint64(id)},
                     {"stale", client.streams().isStale(key)},
                     {"eventSequence", qint64(client.streams().eventSequence(key))}};
    if (const AccountReplica *replica = client.streams().account(id)) {
        json["cash"] = qint64(replica->cash().value());
        json["workingOrders"] = qint64(replica->workingOrders().size());
        QJsonObject positions;
        for (const auto &[instrument, position] : replica->positions())
            positions[QString::number(instrument.value())] = qint64(position.position.value());
        json["positions"] = positions;
    }
    return json;
}

QJsonObject countersJson(const Client &client)
{
    const ClientCounters &c = client.counters();
    const SyncCounters &s = client.streams().counters();
    return QJsonObject{{"connects", qint64(c.connects)},
                       {"deadPeers", qint64(c.deadPeers)},
                       {"instanceChanges", qint64(c.instanceChanges)},
                       {"commandsSent", qint64(c.commandsSent)},
                       {"commandsResent", qint64(c.commandsResent)},
                       {"repliesReceived", qint64(c.repliesReceived)},
                       {"invalidMessages", qint64(c.invalidMessages)},
                       {"gaps", qint64(s.gaps)},
                       {"duplicatesDropped", qint64(s.duplicatesDropped)},
                       {"snapshotsApplied", qint64(s.snapshotsApplied)},
                       {"mismatches", qint64(s.mismatches)},
                       {"queueOverflows", qint64(s.queueOverflows)},
                       {"eventsApplied", qint64(s.eventsApplied)}};
}

ClientOptions optionsFrom(const PeerArguments &arguments)
{
    ClientOptions options;
    options.orderEntryEndpoint = arguments.text("order-entry");
    options.publishEndpoint = arguments.text("publish");
    options.snapshotEndpoint = arguments.text("snapshot");
    const PublicKeyResult serverKey = readPublicKeyFile(arguments.text("server-key"));
    if (!serverKey.ok())
        usage(serverKey.error.toString());
    options.serverPublicKey = *serverKey.publicKey;
    const KeyPairResult keys = readKeyPair(arguments.text("keys"));
    if (!keys.ok())
        usage(keys.error.toString());
    options.keys = *keys.pair;
    // A short interval by default, so that a killed server is noticed within a second.
    options.heartbeatInterval = std::chrono::milliseconds(arguments.number("heartbeat-ms", 200));
    options.instruments = {InstrumentId{std::uint32_t(arguments.number("instrument", 1))}};
    if (const std::int64_t account = arguments.number("account", 0); account != 0)
        options.accounts = {AccountId{std::uint32_t(account)}};
    options.receiveHighWaterMark = int(arguments.number("receive-hwm", 100'000));
    options.receiveBufferBytes = int(arguments.number("receive-buffer", 0));
    options.reconnectDelayMaximum = std::chrono::milliseconds(1000);
    return options;
}

NewOrder orderFrom(const PeerArguments &arguments)
{
    NewOrder order;
    order.account = AccountId{std::uint32_t(arguments.number("account", 0))};
    order.instrument = InstrumentId{std::uint32_t(arguments.number("instrument", 1))};
    order.side = arguments.text("side", "buy") == "sell" ? Side::Sell : Side::Buy;
    order.type = OrderType::Limit;
    order.limit = Price{arguments.number("price", 10'000)};
    order.quantity = Quantity{arguments.number("quantity", 1)};
    return order;
}

} // namespace

int main(int argc, char **argv)
{
    PeerArguments arguments;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        if (name.rfind("--", 0) != 0)
            usage("expected an option, found " + name);
        arguments.values[name.substr(2)] = argv[i + 1];
    }
    if (argc % 2 == 0 || arguments.text("out").empty())
        usage("every option takes a value, and --out is required");

    Client client(optionsFrom(arguments));
    Replies replies;
    client.setListener(&replies);

    const NewOrder order = orderFrom(arguments);
    const std::int64_t orders = order.account.value() == 0 ? 0 : arguments.number("orders", 0);
    const auto orderEvery = std::chrono::milliseconds(arguments.number("order-every-ms", 20));
    const auto stall = std::chrono::milliseconds(arguments.number("stall-ms", 0));
    bool stalled = false;
    const Clock::time_point start = Clock::now();
    const Clock::time_point runEnd =
        start + std::chrono::milliseconds(arguments.number("run-ms", 3000));
    const Clock::time_point settleEnd =
        runEnd + std::chrono::milliseconds(arguments.number("settle-ms", 20'000));

    std::int64_t sent = 0;
    Clock::time_point nextOrder = start;
    bool settled = false;
    while (Clock::now() < settleEnd) {
        client.poll(std::chrono::milliseconds(10));
        const Clock::time_point now = Clock::now();
        if (sent < orders && client.state() == ClientState::Live && now >= nextOrder) {
            client.submit(order);
            ++sent;
            nextOrder = now + orderEvery;
        }
        // Stalls only once in sync, so that the overflow shows as a gap of a live stream.
        const bool instrumentStale =
            client.streams().isStale({StreamKind::Instrument, order.instrument.value()});
        if (stall.count() > 0 && !stalled && !instrumentStale) {
            std::this_thread::sleep_for(stall);
            stalled = true;
        }
        if (now < runEnd)
            continue;
        const bool accountStale =
            order.account.value() != 0 &&
            client.streams().isStale({StreamKind::Account, order.account.value()});
        settled = sent == orders && client.pendingCommandCount() == 0 &&
                  client.state() == ClientState::Live && !accountStale && !instrumentStale;
        if (settled)
            break;
    }

    QJsonObject result{{"settled", settled},
                       {"state", QString::fromUtf8(nameOf(client.state()))},
                       {"instanceId", QString::number(client.instanceId())},
                       {"ordersSent", qint64(sent)},
                       {"accepted", replies.accepted_},
                       {"rejected", replies.rejected_},
                       {"errorReplies", replies.errors_},
                       {"counters", countersJson(client)},
                       {"instrument", instrumentJson(client, order.instrument.value())}};
    if (order.account.value() != 0)
        result["account"] = accountJson(client, order.account.value());

    QFile out(QString::fromStdString(arguments.text("out")));
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(result).toJson()) < 0) {
        std::fprintf(stderr, "net_peer: cannot write %s\n", arguments.text("out").c_str());
        return 2;
    }
    return settled ? 0 : 1;
}
