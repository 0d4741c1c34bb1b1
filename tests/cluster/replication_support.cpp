#include "replication_support.h"

#include "replicated_batch.h"
#include "stream_chain.h"
#include "stream_follower.h"

#include <QDir>
#include <QFile>
#include <QProcess>

#include <sqlite3.h>

#include <algorithm>

namespace bourse::test {

JournaledMarket::JournaledMarket(std::string journalPath, std::uint64_t seed)
    : m_journalPath(std::move(journalPath))
    , m_simulator(seed)
{
    storage::JournalWriterOptions options;
    // The tests check replication, not durability, so commits skip the fsync.
    options.synchronous = storage::SynchronousMode::Normal;
    storage::JournalWriter::Created created =
        storage::JournalWriter::create(m_journalPath, options);
    if (!created.writer) {
        m_error = created.error->toString();
        return;
    }
    m_writer = std::move(created.writer);
    m_writer->setCommitListener([this](SequenceNumber committed) {
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (m_replicator != nullptr)
            m_replicator->notifyCommitted(committed);
    });
    m_engine.addHandler(m_writer.get());

    // The simulator trades the engine's primary instrument, its first.
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    const std::string symbol = "BLUE";
    std::copy(symbol.begin(), symbol.end(), definition.symbol.begin());
    m_engine.addInstrument(definition, Timestamp{0});
}

JournaledMarket::~JournaledMarket()
{
    if (m_writer)
        m_writer->close();
}

void JournaledMarket::produce(std::uint64_t count)
{
    const SequenceNumber target = m_engine.lastSequence() + count;
    int orders = 0;
    while (m_engine.lastSequence() < target) {
        m_simulator.step(m_engine, Timestamp{++m_time});
        if (++orders % 64 == 0)
            m_engine.endBatch();
    }
    m_engine.endBatch();
}

SequenceNumber JournaledMarket::flush()
{
    m_engine.endBatch();
    m_writer->flush();
    return m_writer->committedSequence();
}

std::vector<std::uint8_t> journalRecordBytes(const std::string &journalPath, QString &error)
{
    std::vector<std::uint8_t> bytes;
    sqlite3 *database = nullptr;
    if (sqlite3_open_v2(journalPath.c_str(), &database, SQLITE_OPEN_READONLY, nullptr) !=
        SQLITE_OK) {
        error = QStringLiteral("cannot open %1").arg(QString::fromStdString(journalPath));
        sqlite3_close(database);
        return bytes;
    }
    sqlite3_stmt *statement = nullptr;
    sqlite3_prepare_v2(database, "SELECT body FROM chunks ORDER BY first_sequence", -1, &statement,
                       nullptr);
    while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
        const auto *body = static_cast<const std::uint8_t *>(sqlite3_column_blob(statement, 0));
        bytes.insert(bytes.end(), body, body + sqlite3_column_bytes(statement, 0));
    }
    if (statement == nullptr)
        error = QString::fromUtf8(sqlite3_errmsg(database));
    sqlite3_finalize(statement);
    sqlite3_close(database);
    return bytes;
}

std::vector<std::uint8_t> streamRecordBytes(cluster::NatsStream &stream, QString &error)
{
    std::vector<std::uint8_t> bytes;
    std::string problem;
    const std::optional<cluster::StreamState> state = stream.state(problem);
    if (!state) {
        error = QString::fromStdString(problem);
        return bytes;
    }
    cluster::ChainReader reader(stream.settings().stream);
    for (std::uint64_t sequence = state->firstMessage;
         state->messages > 0 && sequence <= state->lastMessage; ++sequence) {
        const std::optional<cluster::StreamMessage> message = stream.message(sequence, problem);
        if (!message) {
            error = QString::fromStdString(problem);
            return bytes;
        }
        const std::uint64_t hashBefore = reader.position().lastHash;
        const cluster::ChainReader::Reading reading = reader.read(*message);
        if (reading.verdict == cluster::ChainReader::Verdict::Failed) {
            error = QString::fromStdString(reading.note);
            return bytes;
        }
        if (reading.verdict != cluster::ChainReader::Verdict::Events)
            continue;
        cluster::BatchHeader header;
        cluster::readBatchHeader(message->body, header);
        if (reading.events.size() == header.count) {
            bytes.insert(bytes.end(), message->body.begin() + cluster::kBatchHeaderSize,
                         message->body.end());
            continue;
        }
        // A run that repeats events before its tail: its tail's records, encoded again.
        cluster::BatchBuilder tail;
        tail.start(reading.events.front().sequence, hashBefore);
        for (const Event &event : reading.events)
            tail.add(event);
        bytes.insert(bytes.end(), tail.body().begin() + cluster::kBatchHeaderSize,
                     tail.body().end());
    }
    return bytes;
}

long long followWholeStream(cluster::NatsStream &stream, QString &error)
{
    cluster::StreamFollower follower(stream, 0, 0);
    long long events = 0;
    for (;;) {
        cluster::StreamFollower::Step step = follower.next();
        if (step.status == cluster::StreamFollower::Status::NoMessage)
            return events;
        if (step.status == cluster::StreamFollower::Status::Failed ||
            step.status == cluster::StreamFollower::Status::ReadError) {
            error = QString::fromStdString(step.error);
            return -1;
        }
        events += static_cast<long long>(step.events.size());
    }
}

std::unique_ptr<cluster::NatsStream> connectToStream(const std::vector<std::string> &servers,
                                                     const std::string &stream, QString &error)
{
    cluster::StreamSettings settings;
    settings.servers = servers;
    settings.stream = stream;
    cluster::NatsStream::Connected connected = cluster::NatsStream::connect(settings, {});
    if (!connected.stream)
        error = QString::fromStdString(connected.error);
    return std::move(connected.stream);
}

cluster::ReplicatorOptions replicatorOptions(const std::vector<std::string> &servers,
                                             const std::string &stream)
{
    cluster::ReplicatorOptions options;
    options.stream.servers = servers;
    options.stream.stream = stream;
    options.retryInterval = std::chrono::milliseconds(100);
    return options;
}

QString writeServeKeys(const QString &engine, const QString &folder, QString &error)
{
    const QDir directory(folder);
    for (const char *name : {"server", "trader"}) {
        QProcess keygen;
        keygen.setProcessChannelMode(QProcess::MergedChannels);
        keygen.start(engine, {QStringLiteral("keygen"), QStringLiteral("--out"),
                              directory.filePath(QString::fromLatin1(name))});
        if (!keygen.waitForFinished(10'000) || keygen.exitCode() != 0) {
            error = QStringLiteral("keygen of %1 failed: ").arg(QString::fromLatin1(name)) +
                    QString::fromUtf8(keygen.readAll());
            return {};
        }
    }
    QFile traderKey(directory.filePath(QStringLiteral("trader.pub")));
    if (!traderKey.open(QIODevice::ReadOnly)) {
        error = QStringLiteral("cannot read ") + traderKey.fileName();
        return {};
    }
    QString key;
    for (const QString &line : QString::fromUtf8(traderKey.readAll()).split(QLatin1Char('\n'))) {
        if (line.startsWith(QStringLiteral("public-key ")))
            key = line.mid(11).trimmed();
    }
    if (key.isEmpty()) {
        error = traderKey.fileName() + QStringLiteral(" has no public-key line");
        return {};
    }
    QFile access(directory.filePath(QStringLiteral("serve.access")));
    if (!access.open(QIODevice::WriteOnly) ||
        access.write(QStringLiteral("trader %1 accounts 1\n").arg(key).toUtf8()) < 0) {
        error = QStringLiteral("cannot write ") + access.fileName();
        return {};
    }
    return key;
}

} // namespace bourse::test
