#pragma once

#include "types.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bourse::bench {

// A benchmark command stream is a file of 16-byte little-endian records:
//
//   byte 0       operation: 0 adds a limit order, 1 cancels a live order
//   byte 1       side: 1 buy, 0 sell
//   bytes 2-3    unused
//   bytes 4-7    order id (uint32): new for an add, a live order for a cancel
//   bytes 8-11   limit price in ticks (uint32)
//   bytes 12-15  quantity in lots (uint32); 0 for a cancel
inline constexpr std::size_t kRecordSize = 16;

enum class Operation : std::uint8_t { Add = 0, Cancel = 1 };

struct StreamCommand {
    Operation operation = Operation::Add;
    Side side = Side::Buy;
    std::uint32_t id = 0;
    std::uint32_t price = 0;
    std::uint32_t quantity = 0;
};

struct CommandStream {
    std::string path;
    std::vector<StreamCommand> commands;
    std::size_t addCount = 0;
    std::size_t cancelCount = 0;
};

// Reads and validates a whole stream file. On failure returns nothing and sets `error` to a
// message that names the file and, for a malformed record, its number counted from 1.
std::optional<CommandStream> readCommandStream(const std::string &path, std::string &error);

} // namespace bourse::bench
