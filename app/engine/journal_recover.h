#pragma once

#include <string>

namespace bourse::cli {

// Keeps the events of a journal up to its first damage, moving a byte-for-byte copy of the
// whole original (damage included) to a side file next to it. Returns the exit status.
int recoverJournal(const std::string &path);

// Rebuilds what a journal derives from its events: a snapshot of the engine at the last event
// (when the newest snapshot is older) and the read models in the views file next to it.
int rebuildJournal(const std::string &path);

} // namespace bourse::cli
