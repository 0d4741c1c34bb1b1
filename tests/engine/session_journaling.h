#pragma once

#include "journal.h"
#include "journaled_run.h"
#include "session.h"

#include <QtGlobal>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bourse::test {

// Journals each run into `path`, continuing it when the run continues a journal, as the terminal
// does, with a snapshot when the run stops. A journal that does not open ends the test program,
// because the run cannot go on without its handlers.
inline Session::RunHandlerFactory journalingInto(const std::string &path)
{
    return [path](const Session::RunContext &context) {
        std::vector<std::unique_ptr<EventHandler>> handlers;
        storage::JournalWriter::Created created = storage::JournalWriter::create(
            context.continuedJournal.empty() ? path : context.continuedJournal);
        if (!created.writer)
            qFatal("the journal does not open: %s", created.error->toString().c_str());
        handlers.push_back(std::make_unique<app::JournaledRun>(
            std::move(created.writer), context.engine, app::JournaledRun::kDefaultSnapshotEvery,
            context.lastSnapshot));
        return handlers;
    };
}

} // namespace bourse::test
