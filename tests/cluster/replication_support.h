#pragma once

// What the replication tests share: an engine driven by the market simulator that journals to
// a file while a replicator may follow it, and readers of the bytes that journal and stream
// contain.

#include "engine.h"
#include "journal.h"
#include "nats_stream.h"
#include "replicator.h"
#include "simulator.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bourse::test {

// An engine, its simulated order flow and its journal. The journal's commit listener passes
// every commit to the attached replicator, if any.
class JournaledMarket {
public:
    JournaledMarket(std::string journalPath, std::uint64_t seed);
    ~JournaledMarket();

    bool ok() const { return m_writer != nullptr; }
    const std::string &error() const { return m_error; }

    // Sends orders until the engine has published `count` more events, ending a batch (a
    // group commit) every 64 orders, as a live engine ends one per turn of its loop.
    void produce(std::uint64_t count);
    // Hands everything over and waits for the commit. Returns the last committed sequence.
    SequenceNumber flush();

    // Any thread. After attach(nullptr) returns, the listener no longer calls the replicator
    // attached before, which may then be destroyed.
    void attach(cluster::Replicator *replicator)
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_replicator = replicator;
    }
    const std::string &journalPath() const { return m_journalPath; }

private:
    std::string m_journalPath;
    std::string m_error;
    Engine m_engine;
    MarketSimulator m_simulator;
    std::int64_t m_time = 0;
    std::unique_ptr<storage::JournalWriter> m_writer;
    std::mutex m_mutex; // guards m_replicator against its destruction during a call
    cluster::Replicator *m_replicator = nullptr;
};

// The records of every chunk of a journal file, read with SQLite, in order: the bytes that the
// stream's messages must contain after their headers.
std::vector<std::uint8_t> journalRecordBytes(const std::string &journalPath, QString &error);

// The records of the events that count in the stream under its reading rule, in stream order:
// the bytes of each message whose events all count, headers removed. Fences and skipped messages
// add nothing.
std::vector<std::uint8_t> streamRecordBytes(cluster::NatsStream &stream, QString &error);

// Writes the key pairs `server` and `trader` into `folder` with `engine keygen` (the
// bourse-engine executable), and the access list `serve.access`, which lets the trader trade
// account 1. Returns the trader's public key (Z85), or an empty string with `error` set.
QString writeServeKeys(const QString &engine, const QString &folder, QString &error);

// Reads the whole stream with a StreamFollower, which checks continuity and the chain hash.
// Returns the number of events, or -1 with `error` set.
long long followWholeStream(cluster::NatsStream &stream, QString &error);

// Connects to the cluster for reading the stream. Null with `error` set on failure.
std::unique_ptr<cluster::NatsStream> connectToStream(const std::vector<std::string> &servers,
                                                     const std::string &stream, QString &error);

cluster::ReplicatorOptions replicatorOptions(const std::vector<std::string> &servers,
                                             const std::string &stream);

} // namespace bourse::test
