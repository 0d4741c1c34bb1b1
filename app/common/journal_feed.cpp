#include "journal_feed.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string_view>
#include <utility>

namespace bourse::app {

namespace {

// Replays a journal's events, restored one a step into the engine (Engine::restore checks each
// against the state) and handed to the restored-event handler, as the engine would publish
// them. It reads one event ahead, for nextTime().
class JournalFeed final : public ReplayFeed {
public:
    JournalFeed(std::shared_ptr<const JournalTimeline> timeline, Engine &engine,
                std::unique_ptr<storage::JournalReader> reader)
        : m_timeline(std::move(timeline))
        , m_engine(engine)
        , m_reader(std::move(reader))
    {
        m_next = m_reader->next();
    }

    Step step() override
    {
        if (!m_error.empty())
            return Step::Failed;
        if (!m_next) {
            if (!m_reader->error())
                return Step::Finished;
            m_error = "the journal is damaged: " + m_reader->error()->toString() +
                      "; the replay stopped after sequence " +
                      std::to_string(m_engine.lastSequence()) + ", the last intact event";
            return Step::Failed;
        }
        if (const RestoreResult result = m_engine.restore(*m_next);
            result != RestoreResult::Restored) {
            m_error = m_timeline->path + ": sequence " + std::to_string(m_next->sequence) +
                      ": cannot restore this " + std::string(nameOf(typeOf(m_next->payload))) +
                      " event: " + std::string(nameOf(result));
            return Step::Failed;
        }
        if (m_handler) {
            m_handler->onEvent(*m_next);
            m_handler->onCommandEnd();
        }
        m_next = m_reader->next();
        return Step::Applied;
    }

    std::optional<Timestamp> nextTime() const override
    {
        if (!m_next || !m_error.empty())
            return std::nullopt;
        return m_next->time;
    }

    std::string error() const override { return m_error; }

    // Events of the journal applied so far, those before the snapshot it started from included.
    std::size_t messages() const override { return m_engine.lastSequence(); }

    std::optional<Timestamp> endTime() const override { return m_timeline->lastTime; }

    std::optional<Timestamp> restartPoint(Timestamp target) const override
    {
        const std::vector<JournalTimeline::Snapshot> &snapshots = m_timeline->snapshots;
        for (auto snapshot = snapshots.rbegin(); snapshot != snapshots.rend(); ++snapshot) {
            if (snapshot->time <= target)
                return snapshot->time;
        }
        return std::nullopt;
    }

    void setRestoredEventHandler(EventHandler *handler) override { m_handler = handler; }

    bool replaysAccounts() const override { return true; }

private:
    std::shared_ptr<const JournalTimeline> m_timeline;
    Engine &m_engine;
    std::unique_ptr<storage::JournalReader> m_reader;
    std::optional<Event> m_next;
    EventHandler *m_handler = nullptr;
    std::string m_error;
};

// Opens the journal's reader after the snapshot and loads the snapshot into a fresh engine.
// Returns why the snapshot cannot be used otherwise.
std::optional<std::string> openAtSnapshot(const JournalTimeline &timeline,
                                          const storage::SnapshotInfo &info,
                                          std::unique_ptr<Engine> &engine,
                                          std::unique_ptr<storage::JournalReader> &reader)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(timeline.path);
    if (!opened.reader)
        return opened.error->toString();
    std::optional<storage::JournalError> problem;
    const std::optional<storage::StoredSnapshot> snapshot =
        opened.reader->readSnapshot(info.sequence, problem);
    if (!snapshot)
        return problem ? problem->toString() : "the snapshot is missing";
    auto loaded = std::make_unique<Engine>();
    if (const std::optional<SnapshotError> failed = Engine::loadSnapshot(snapshot->body, *loaded))
        return "the snapshot does not load: " + failed->message;
    if (loaded->stateHash() != info.stateHash || loaded->lastSequence() != info.sequence)
        return "the loaded state differs from the one recorded with the snapshot";
    if (!opened.reader->startAfter(info.sequence, info.chainHash))
        return "the snapshot does not match the journal: " + opened.reader->error()->toString();
    engine = std::move(loaded);
    reader = std::move(opened.reader);
    return std::nullopt;
}

std::unique_ptr<ReplayFeed> openJournalAt(const std::shared_ptr<const JournalTimeline> &timeline,
                                          Timestamp target, std::unique_ptr<Engine> &engine,
                                          std::string &error)
{
    std::unique_ptr<storage::JournalReader> reader;
    const std::vector<JournalTimeline::Snapshot> &snapshots = timeline->snapshots;
    for (auto snapshot = snapshots.rbegin(); snapshot != snapshots.rend(); ++snapshot) {
        if (snapshot->time > target)
            continue;
        // NOTE: a snapshot that does not load is passed over for an older one, and the
        // session then takes the replay for started at the newer one's time until its next
        // step.
        if (!openAtSnapshot(*timeline, snapshot->info, engine, reader))
            return std::make_unique<JournalFeed>(timeline, *engine, std::move(reader));
    }

    storage::JournalReader::Opened opened = storage::JournalReader::open(timeline->path);
    if (!opened.reader) {
        error = opened.error->toString();
        return nullptr;
    }
    engine = timeline->singleBook ? std::make_unique<Engine>(*timeline->singleBook)
                                  : std::make_unique<Engine>();
    return std::make_unique<JournalFeed>(timeline, *engine, std::move(opened.reader));
}

} // namespace

std::optional<JournalTimeline> readJournalTimeline(const std::string &path, std::string &error)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        error = opened.error->toString();
        return std::nullopt;
    }
    storage::JournalReader &reader = *opened.reader;
    JournalTimeline timeline;
    timeline.path = path;

    // A snapshot list that cannot be read leaves the seeks to step from the start.
    std::optional<storage::JournalError> problem;
    std::vector<storage::SnapshotInfo> snapshots = reader.snapshots(problem);
    std::reverse(snapshots.begin(), snapshots.end());

    std::size_t nextSnapshot = 0;
    std::int64_t latest = std::numeric_limits<std::int64_t>::min();
    // The first event that concerns an instrument decides the kind: an InstrumentAdded
    // in a journal that defines its instruments, or a book event in a journal of a single book.
    // Events before it, such as the trader's accounts opening, name no instrument.
    bool kindKnown = false;
    while (const std::optional<Event> event = reader.next()) {
        if (event->sequence == 1)
            timeline.firstTime = event->time;
        if (!kindKnown && std::holds_alternative<InstrumentAdded>(event->payload)) {
            kindKnown = true;
        } else if (!kindKnown && event->instrument.value() != 0) {
            timeline.singleBook = event->instrument;
            kindKnown = true;
        }
        latest = std::max(latest, event->time.value());
        while (nextSnapshot < snapshots.size() &&
               snapshots[nextSnapshot].sequence < event->sequence)
            ++nextSnapshot;
        if (nextSnapshot < snapshots.size() &&
            snapshots[nextSnapshot].sequence == event->sequence) {
            timeline.snapshots.push_back({snapshots[nextSnapshot], Timestamp{latest}});
            ++nextSnapshot;
        }
        timeline.lastSequence = event->sequence;
        timeline.lastTime = Timestamp{latest};
    }
    timeline.damage = reader.error();
    return timeline;
}

namespace {

// The application id at byte 68 of an SQLite file, big-endian; nothing for a file that is not
// SQLite, which starts with another header.
std::optional<std::uint32_t> sqliteApplicationId(const std::string &path)
{
    constexpr std::string_view header{"SQLite format 3\0", 16};
    std::array<char, 72> bytes{};
    std::ifstream file(path, std::ios::binary);
    if (!file.read(bytes.data(), bytes.size()))
        return std::nullopt;
    if (std::string_view(bytes.data(), header.size()) != header)
        return std::nullopt;
    std::uint32_t applicationId = 0;
    for (std::size_t index = 68; index < 72; ++index)
        applicationId = (applicationId << 8) | static_cast<unsigned char>(bytes[index]);
    return applicationId;
}

constexpr std::uint32_t kJournalApplicationId = 0x4252534A; // "BRSJ"

} // namespace

bool isJournalFile(const std::string &path)
{
    return sqliteApplicationId(path) == kJournalApplicationId;
}

std::optional<std::string> otherSqliteFileError(const std::string &path)
{
    const std::optional<std::uint32_t> applicationId = sqliteApplicationId(path);
    if (!applicationId || *applicationId == kJournalApplicationId)
        return std::nullopt;
    return path + ": an SQLite database, but not a Bourse journal: its application id is " +
           std::to_string(*applicationId) + ", not the journal's 1112691530 (\"BRSJ\")";
}

std::optional<std::string> setUpJournalReplay(const std::string &path,
                                              Session::ReplaySource &source)
{
    std::string error;
    std::optional<JournalTimeline> timeline = readJournalTimeline(path, error);
    if (!timeline)
        return error;
    auto shared = std::make_shared<const JournalTimeline>(std::move(*timeline));
    source.messagePath = path;
    source.openFeed = {};
    source.openFeedAt = [shared](Timestamp target, std::unique_ptr<Engine> &engine,
                                 std::string &problem) {
        return openJournalAt(shared, target, engine, problem);
    };
    return std::nullopt;
}

} // namespace bourse::app
