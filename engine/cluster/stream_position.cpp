#include "stream_position.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace bourse::cluster {

std::string streamPositionPath(const std::string &journalPath)
{
    return journalPath + ".stream-position";
}

std::optional<std::string> saveStreamPosition(const std::string &path, const std::string &stream,
                                              const ChainPosition &position)
{
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << "stream " << stream << " message " << position.message << " epoch "
            << position.owner.epoch << " writer " << position.owner.token << " fence "
            << position.ownerFence << " last " << position.last << " hash " << position.lastHash
            << "\n";
        out.flush();
        if (!out)
            return "cannot write " + temporary;
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error)
        return "cannot rename " + temporary + " to " + path + ": " + error.message();
    return std::nullopt;
}

namespace {

// Parses the file's one line: labels and unsigned decimal numbers. Nothing when it is not in the
// form saveStreamPosition() writes.
std::optional<ChainPosition> parsePosition(const std::string &line, std::string &stream)
{
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string word; in >> word;)
        words.push_back(word);
    const char *labels[7] = {"stream", "message", "epoch", "writer", "fence", "last", "hash"};
    if (words.size() != 14)
        return std::nullopt;
    std::uint64_t numbers[6] = {};
    for (std::size_t index = 0; index < 7; ++index) {
        if (words[2 * index] != labels[index])
            return std::nullopt;
        if (index == 0)
            continue;
        const std::string &text = words[2 * index + 1];
        const char *end = text.data() + text.size();
        const auto [stop, code] = std::from_chars(text.data(), end, numbers[index - 1]);
        if (code != std::errc{} || stop != end)
            return std::nullopt;
    }
    stream = words[1];
    ChainPosition position{
        {numbers[1], numbers[2]}, numbers[3], numbers[4], numbers[5], numbers[0]};
    if (position.message == 0 || position.owner.epoch == 0 ||
        position.ownerFence >= position.message)
        return std::nullopt;
    return position;
}

} // namespace

std::optional<ChainPosition> loadStreamPosition(const std::string &path, NatsStream &stream,
                                                std::string &note)
{
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::string line;
    std::getline(in, line);
    std::string named;
    const std::optional<ChainPosition> saved = parsePosition(line, named);
    if (!saved) {
        note = path + " is not a saved stream position";
        return std::nullopt;
    }
    if (named != stream.settings().stream) {
        note = path + " names the stream " + named + ", not " + stream.settings().stream;
        return std::nullopt;
    }
    std::string error;
    const std::optional<StreamMessage> message = stream.message(saved->message, error);
    if (!message) {
        note = path + ": " + error;
        return std::nullopt;
    }
    const std::string where = "stream " + named + " message " + std::to_string(saved->message);
    const DecodedBatch batch = decodeBatch(message->body, where);
    // Only runs are saved: a fence records where its writer's read of the chain began, not where
    // the chain ended at the fence.
    if (!batch.error.empty() || batch.header.kind != BatchKind::Events ||
        batch.header.stamp != saved->owner || batch.header.last() != saved->last ||
        batch.lastHash() != saved->lastHash) {
        note = path + " does not match " + where +
               (batch.error.empty() ? "" : " (" + batch.error + ")");
        return std::nullopt;
    }
    // The run's writer must have fenced where the file records. This catches a file copied from
    // another engine's journal, not a file edited to name a run that does not count.
    const std::optional<StreamMessage> fence = stream.message(saved->ownerFence, error);
    BatchHeader fenceHeader;
    if (!fence || readBatchHeader(fence->body, fenceHeader) ||
        fenceHeader.kind != BatchKind::Fence || fenceHeader.stamp != saved->owner) {
        note = path + " names message " + std::to_string(saved->ownerFence) + " of the stream " +
               named + " as the fence of " + describeStamp(saved->owner) + ", which it is not";
        return std::nullopt;
    }
    return saved;
}

} // namespace bourse::cluster
