#include "stream_position.h"

#include <filesystem>
#include <fstream>
#include <sstream>

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

// Parses the file's one line. Nothing when it is not in the form saveStreamPosition() writes.
std::optional<ChainPosition> parsePosition(const std::string &line, std::string &stream)
{
    std::istringstream words(line);
    ChainPosition position;
    std::string labels[7];
    words >> labels[0] >> stream >> labels[1] >> position.message >> labels[2] >>
        position.owner.epoch >> labels[3] >> position.owner.token >> labels[4] >>
        position.ownerFence >> labels[5] >> position.last >> labels[6] >> position.lastHash;
    const char *expected[7] = {"stream", "message", "epoch", "writer", "fence", "last", "hash"};
    for (int index = 0; index < 7; ++index) {
        if (labels[index] != expected[index])
            return std::nullopt;
    }
    std::string extra;
    if (!words || words >> extra || position.message == 0 || position.owner.epoch == 0)
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
    const bool fence = batch.header.kind == BatchKind::Fence;
    const bool sameWriter = batch.error.empty() && batch.header.stamp == saved->owner;
    // A fence records where its writer's read of the chain began, so only the writer's own
    // file records where the chain ended at the fence. Its stamp and token identify that run.
    const bool sameEnd =
        fence || (batch.header.last() == saved->last && batch.lastHash() == saved->lastHash);
    if (!sameWriter || !sameEnd) {
        note = path + " does not match " + where +
               (batch.error.empty() ? "" : " (" + batch.error + ")");
        return std::nullopt;
    }
    return saved;
}

} // namespace bourse::cluster
