#pragma once

#include "engine.h"

#include <memory>
#include <string>

namespace bourse::storage {
class JournalWriter;
}

namespace bourse::cli {

// The --journal option of a command: when a path is given, every event of the engine goes
// into a journal at that path until close().
class JournalOption {
public:
    // Returns nullptr after printing the reason when the journal cannot be opened.
    static std::unique_ptr<JournalOption> open(const std::string &path, Engine &engine);

    ~JournalOption();

    // Commits what is left. Returns false after printing the reason when that fails.
    bool close();

private:
    JournalOption() = default;

    std::unique_ptr<storage::JournalWriter> m_writer; // null without --journal
};

} // namespace bourse::cli
