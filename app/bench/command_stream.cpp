#include "command_stream.h"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace bourse::bench {

namespace {

std::uint32_t readUint32(const unsigned char *bytes)
{
    return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
           static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}

// Returns an empty string for a valid record, otherwise what is wrong with it.
std::string checkRecord(const unsigned char *record)
{
    if (record[0] > 1)
        return "invalid operation " + std::to_string(record[0]) +
               "; expected 0 (add) or 1 (cancel)";
    if (record[1] > 1)
        return "invalid side " + std::to_string(record[1]) + "; expected 1 (buy) or 0 (sell)";
    if (record[0] == 0 && (readUint32(record + 8) == 0 || readUint32(record + 12) == 0))
        return "an add needs a positive price and quantity";
    return {};
}

StreamCommand decodeRecord(const unsigned char *record)
{
    return StreamCommand{record[0] == 0 ? Operation::Add : Operation::Cancel,
                         record[1] == 1 ? Side::Buy : Side::Sell, readUint32(record + 4),
                         readUint32(record + 8), readUint32(record + 12)};
}

std::optional<std::vector<unsigned char>> readBytes(const std::string &path, std::string &error)
{
    std::error_code code;
    const std::uintmax_t size = std::filesystem::file_size(path, code);
    if (code) {
        error = path + ": cannot read: " + code.message() + " (unpack .xz streams with xz -dk)";
        return std::nullopt;
    }
    if (size == 0 || size % kRecordSize != 0) {
        error = path + ": invalid size " + std::to_string(size) + " bytes; expected a positive " +
                "multiple of " + std::to_string(kRecordSize) + "-byte records";
        return std::nullopt;
    }

    std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
    std::ifstream in(path, std::ios::binary);
    if (!in.read(reinterpret_cast<char *>(bytes.data()), static_cast<std::streamsize>(size))) {
        error = path + ": read failed after " + std::to_string(in.gcount()) + " bytes";
        return std::nullopt;
    }
    return bytes;
}

} // namespace

std::optional<CommandStream> readCommandStream(const std::string &path, std::string &error)
{
    const auto bytes = readBytes(path, error);
    if (!bytes)
        return std::nullopt;

    CommandStream stream;
    stream.path = path;
    stream.commands.reserve(bytes->size() / kRecordSize);
    for (std::size_t offset = 0; offset < bytes->size(); offset += kRecordSize) {
        const unsigned char *record = bytes->data() + offset;
        if (std::string problem = checkRecord(record); !problem.empty()) {
            error = path + ": record " + std::to_string(offset / kRecordSize + 1) +
                    " (byte offset " + std::to_string(offset) + "): " + problem;
            return std::nullopt;
        }
        stream.commands.push_back(decodeRecord(record));
    }

    for (const StreamCommand &command : stream.commands) {
        if (command.operation == Operation::Add)
            ++stream.addCount;
    }
    stream.cancelCount = stream.commands.size() - stream.addCount;
    return stream;
}

} // namespace bourse::bench
