#include "journaled_run.h"

namespace bourse::app {

JournaledRun::JournaledRun(std::unique_ptr<storage::JournalWriter> writer, const Engine &engine,
                           std::uint64_t snapshotEvery, SequenceNumber lastSnapshot,
                           std::chrono::milliseconds handOverInterval)
    : m_writer(std::move(writer))
    , m_engine(engine)
    , m_snapshotEvery(std::max<std::uint64_t>(snapshotEvery, 1))
    , m_lastSnapshot(lastSnapshot)
    , m_handOverInterval(handOverInterval)
{
}

void JournaledRun::onBatchEnd()
{
    if (m_handOverInterval.count() > 0) {
        const auto now = std::chrono::steady_clock::now();
        if (now - m_lastHandOver < m_handOverInterval)
            return;
        m_lastHandOver = now;
    }
    m_writer->onBatchEnd();
}

JournaledRun::~JournaledRun()
{
    finish();
}

void JournaledRun::onCommandEnd()
{
    m_writer->onCommandEnd();
    if (m_engine.lastSequence() - m_lastSnapshot >= m_snapshotEvery)
        snapshotNow();
}

void JournaledRun::snapshotNow()
{
    if (m_writer->error())
        return;
    m_writer->writeSnapshot(m_engine.lastSequence(), m_engine.stateHash(), m_engine.snapshot());
    m_lastSnapshot = m_engine.lastSequence();
}

std::optional<storage::JournalError> JournaledRun::finish()
{
    if (m_finished)
        return m_writer->error();
    m_finished = true;
    m_writer->onBatchEnd();
    if (m_engine.lastSequence() != m_lastSnapshot && m_engine.lastSequence() != 0)
        snapshotNow();
    return m_writer->close();
}

} // namespace bourse::app
