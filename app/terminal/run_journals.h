#pragma once

#include "session.h"

#include <QString>

namespace bourse::app {

// Makes the journal of each run the terminal starts: a new SQLite journal in `directory`,
// named after the mode and the start time, that records every engine event of that run, with
// a snapshot every million events and at the end of the run. When a journal cannot be created
// the run goes on without one and a warning names the file and the reason.
Session::RunHandlerFactory makeRunJournals(const QString &directory);

} // namespace bourse::app
