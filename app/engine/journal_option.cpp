#include "journal_option.h"

#include "journal.h"

#include <iostream>

namespace bourse::cli {

std::unique_ptr<JournalOption> JournalOption::open(const std::string &path, Engine &engine)
{
    auto option = std::unique_ptr<JournalOption>(new JournalOption);
    if (path.empty())
        return option;

    auto created = storage::JournalWriter::create(path);
    if (!created.writer) {
        std::cerr << "bourse-engine: cannot open the journal: " << created.error->toString()
                  << "\n";
        return nullptr;
    }
    if (created.writer->lastSequence() != engine.lastSequence()) {
        std::cerr << "bourse-engine: " << path << " already holds "
                  << created.writer->lastSequence()
                  << " events; give a new file for the journal of this run\n";
        return nullptr;
    }
    option->m_writer = std::move(created.writer);
    engine.addHandler(option->m_writer.get());
    return option;
}

JournalOption::~JournalOption() = default;

bool JournalOption::close()
{
    if (!m_writer)
        return true;
    if (auto error = m_writer->close()) {
        std::cerr << "bourse-engine: the journal failed: " << error->toString() << "\n";
        return false;
    }
    return true;
}

} // namespace bourse::cli
