#pragma once

// Rate limits of the server's log lines that clients cause. Each kind has a budget of its own,
// so that a flood of one kind (junk messages, reconnects) can neither fill the log nor hide a
// line of another kind, such as an access-list rejection.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bourse::net {

enum class ClientLogKind : std::uint8_t {
    InvalidMessage,    // a message that failed to decode
    UnexpectedMessage, // a valid message the link does not carry, or a command before a Hello
    AccessRejected,    // a command the access list does not allow
    KeyChanged,        // a routing identity that arrives with another CURVE key
    SendFailed,        // a message the server could not queue for its peer
    MalformedFrames,   // a message of other than one frame
    PeerJoined,        // an info line for each new connection
    PeerLeft,          // an info line for each connection forgotten
};

inline constexpr std::size_t kClientLogKindCount = 8;

inline std::string_view nameOf(ClientLogKind kind)
{
    switch (kind) {
    case ClientLogKind::InvalidMessage:
        return "invalid message";
    case ClientLogKind::UnexpectedMessage:
        return "unexpected message";
    case ClientLogKind::AccessRejected:
        return "access rejection";
    case ClientLogKind::KeyChanged:
        return "key change";
    case ClientLogKind::SendFailed:
        return "failed send";
    case ClientLogKind::MalformedFrames:
        return "dropped message";
    case ClientLogKind::PeerJoined:
        return "peer joined";
    case ClientLogKind::PeerLeft:
        return "peer left";
    }
    return "client";
}

// Lets through at most kLinesPerMinute lines of each kind per minute. Not thread safe: the
// server's thread owns it.
class ClientLogLimit {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr int kLinesPerMinute = 20;

    // Returns the line to log, or nothing when its kind has used up the current minute's
    // budget, in which case the line is counted. The first line logged after lines were left
    // out ends with a note of how many of its kind were left out.
    std::optional<std::string> admit(ClientLogKind kind, const std::string &line,
                                     Clock::time_point now)
    {
        Budget &budget = m_budgets[static_cast<std::size_t>(kind)];
        if (!budget.started || now - budget.windowStart >= std::chrono::minutes(1)) {
            budget.started = true;
            budget.windowStart = now;
            budget.lines = 0;
        }
        if (budget.lines == kLinesPerMinute) {
            ++budget.leftOut;
            return std::nullopt;
        }
        ++budget.lines;
        if (budget.leftOut == 0)
            return line;
        const std::string note = " (" + std::to_string(budget.leftOut) + " " +
                                 std::string(nameOf(kind)) + " lines left out before it)";
        budget.leftOut = 0;
        return line + note;
    }

private:
    struct Budget {
        bool started = false;
        Clock::time_point windowStart;
        int lines = 0;             // logged in the current minute
        std::uint64_t leftOut = 0; // since the last line logged
    };
    std::array<Budget, kClientLogKindCount> m_budgets{};
};

} // namespace bourse::net
