#pragma once

// The last position that a writer or a standby read in its stream, saved in a file beside its
// journal. A reader cannot know which messages count without the fences before them. So without
// this file a restart reads the stream from its first message, and with it from the saved one.

#include "nats_stream.h"
#include "stream_chain.h"

#include <optional>
#include <string>

namespace bourse::cluster {

// "JOURNAL.stream-position".
std::string streamPositionPath(const std::string &journalPath);

// Writes `position` in `stream` to `path` through a temporary file and a rename, so that a crash
// of the process leaves the old file or the new one. Nothing is synced to the disk, so after a
// power loss the file may be empty, and a reader then starts from the stream's first message.
// Returns an error naming the file, or nothing.
std::optional<std::string> saveStreamPosition(const std::string &path, const std::string &stream,
                                              const ChainPosition &position);

// The saved position, once the stream's message there is still the one saved: a run of the same
// writer that ends at the saved event and chain hash, whose fence is where the file records.
// Nothing when the file is missing. Nothing with `note` set when the file names another stream,
// cannot be read or no longer matches the stream, so that the caller reads the stream from its
// first message and logs why.
std::optional<ChainPosition> loadStreamPosition(const std::string &path, NatsStream &stream,
                                                std::string &note);

} // namespace bourse::cluster
