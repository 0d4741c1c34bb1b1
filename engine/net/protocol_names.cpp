#include "protocol.h"

#include <type_traits>

namespace bourse::net {

std::string_view nameOf(MessageType type)
{
    switch (type) {
    case MessageType::Hello:
        return "Hello";
    case MessageType::Welcome:
        return "Welcome";
    case MessageType::Heartbeat:
        return "Heartbeat";
    case MessageType::NewOrder:
        return "NewOrder";
    case MessageType::CancelOrder:
        return "CancelOrder";
    case MessageType::ReplaceOrder:
        return "ReplaceOrder";
    case MessageType::MassCancel:
        return "MassCancel";
    case MessageType::KillSwitch:
        return "KillSwitch";
    case MessageType::CommandAccepted:
        return "CommandAccepted";
    case MessageType::CommandRejected:
        return "CommandRejected";
    case MessageType::ErrorReply:
        return "ErrorReply";
    case MessageType::MarketDataBatch:
        return "MarketDataBatch";
    case MessageType::ExecutionReportBatch:
        return "ExecutionReportBatch";
    case MessageType::PackedMarketDataBatch:
        return "PackedMarketDataBatch";
    case MessageType::SnapshotRequest:
        return "SnapshotRequest";
    case MessageType::SnapshotPart:
        return "SnapshotPart";
    }
    return {};
}

bool isOrderEntryCommand(MessageType type)
{
    switch (type) {
    case MessageType::NewOrder:
    case MessageType::CancelOrder:
    case MessageType::ReplaceOrder:
    case MessageType::MassCancel:
    case MessageType::KillSwitch:
        return true;
    default:
        return false;
    }
}

std::string_view nameOf(ProtocolError error)
{
    switch (error) {
    case ProtocolError::Truncated:
        return "Truncated";
    case ProtocolError::TrailingBytes:
        return "TrailingBytes";
    case ProtocolError::LengthMismatch:
        return "LengthMismatch";
    case ProtocolError::UnsupportedVersion:
        return "UnsupportedVersion";
    case ProtocolError::UnknownMessageType:
        return "UnknownMessageType";
    case ProtocolError::InvalidEnum:
        return "InvalidEnum";
    case ProtocolError::InvalidValue:
        return "InvalidValue";
    case ProtocolError::CountTooLarge:
        return "CountTooLarge";
    case ProtocolError::InvalidEvent:
        return "InvalidEvent";
    case ProtocolError::TopicMismatch:
        return "TopicMismatch";
    case ProtocolError::StreamMismatch:
        return "StreamMismatch";
    case ProtocolError::UnexpectedMessage:
        return "UnexpectedMessage";
    }
    return {};
}

std::optional<MessageType> typeOf(const Body &body)
{
    return std::visit(
        [](const auto &value) -> std::optional<MessageType> {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Hello>)
                return MessageType::Hello;
            else if constexpr (std::is_same_v<T, Welcome>)
                return MessageType::Welcome;
            else if constexpr (std::is_same_v<T, Heartbeat>)
                return MessageType::Heartbeat;
            else if constexpr (std::is_same_v<T, NewOrder>)
                return MessageType::NewOrder;
            else if constexpr (std::is_same_v<T, CancelOrder>)
                return MessageType::CancelOrder;
            else if constexpr (std::is_same_v<T, ReplaceCommand>)
                return MessageType::ReplaceOrder;
            else if constexpr (std::is_same_v<T, MassCancelCommand>)
                return MessageType::MassCancel;
            else if constexpr (std::is_same_v<T, KillSwitchCommand>)
                return MessageType::KillSwitch;
            else if constexpr (std::is_same_v<T, CommandAccepted>)
                return MessageType::CommandAccepted;
            else if constexpr (std::is_same_v<T, CommandRejected>)
                return MessageType::CommandRejected;
            else if constexpr (std::is_same_v<T, ErrorReply>)
                return MessageType::ErrorReply;
            else if constexpr (std::is_same_v<T, MarketDataBatch>)
                return MessageType::MarketDataBatch;
            else if constexpr (std::is_same_v<T, ExecutionReportBatch>)
                return MessageType::ExecutionReportBatch;
            else if constexpr (std::is_same_v<T, SnapshotRequest>)
                return MessageType::SnapshotRequest;
            else if constexpr (std::is_same_v<T, SnapshotPart>)
                return MessageType::SnapshotPart;
            else
                return std::nullopt;
        },
        body);
}

std::string describe(const DecodeError &error)
{
    return error.detail + " (field " + std::string(error.field) + " at byte " +
           std::to_string(error.offset) + ")";
}

} // namespace bourse::net
