#pragma once

#include "journal.h"
#include "sqlite_support.h"

#include <optional>
#include <string>

// The journal's files on disk: which paths may be opened, and how JournalReader connects. The
// writer's lock file, declared in journal.h, is implemented in journal_files.cpp too.
namespace bourse::storage {

// Rejects a path that exists but is not a regular file: SQLite reports a directory as a disk
// I/O error or a file it cannot open, and opening a FIFO read-only blocks until a process opens
// it for writing. Returns nothing
// for a regular file and for a path that does not exist, which the caller creates or reports.
std::optional<JournalError> checkRegularFile(const std::string &path);

struct ReadConnection {
    DatabaseHandle database; // null when error is set
    ReaderAccess access = ReaderAccess::Shared;
    std::optional<JournalError> error;
};

// Opens a connection for JournalReader as ReaderAccess describes, falling back from Shared to
// Immutable where that is safe. An error SQLite reports while reading the schema, other than one
// the fallback resolves, is left for format::inspectSchema to classify.
ReadConnection openReadConnection(const std::string &path, ReaderAccess access);

} // namespace bourse::storage
