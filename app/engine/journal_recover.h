#pragma once

#include <string>

namespace bourse::cli {

// Repairs a damaged journal with app::repairJournal and prints what it kept, what it left out
// and where the original went. Returns the exit status.
int recoverJournal(const std::string &path);

// Rebuilds what a journal derives from its events: a snapshot of the engine at the last event
// (when the newest snapshot is older) and the read models in the views file next to it.
int rebuildJournal(const std::string &path);

} // namespace bourse::cli
