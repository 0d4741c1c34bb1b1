#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace bourse::cluster {

enum class LogLevel : std::uint8_t {
    Info,    // a connection, a stream created, a resynchronization, a start or stop
    Warning, // a failed publication, a lost connection, a stream that belongs to another journal
};

// Receives the log lines of journal replication, the category "bourse.cluster". It is called on
// the replicator's thread and on the NATS client's threads, so it must be thread-safe.
using LogSink = std::function<void(LogLevel level, const std::string &message)>;

} // namespace bourse::cluster
