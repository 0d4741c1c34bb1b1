#include "engine.h"
#include "engine_printers.h"
#include "journal.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::storage;

namespace {

constexpr InstrumentId kInstrument{3};

// Builds payload bytes by hand, so that old journals do not come from the current encoder.
class Bytes {
public:
    Bytes &byte(std::uint8_t value)
    {
        m_bytes.append(static_cast<char>(value));
        return *this;
    }

    Bytes &littleEndian(std::uint64_t value, int width = 8)
    {
        for (int byte = 0; byte < width; ++byte) {
            m_bytes.append(static_cast<char>(static_cast<std::uint8_t>(value >> (8 * byte))));
        }
        return *this;
    }

    QByteArray toByteArray() const { return m_bytes; }

private:
    QByteArray m_bytes;
};

// FNV-1a 64 as the journal format documents it, written here apart from the journal's own.
std::uint64_t fnv1a(const QByteArray &bytes)
{
    std::uint64_t hash = 0xcbf29ce484222325;
    for (const char byte : bytes) {
        hash ^= static_cast<std::uint8_t>(byte);
        hash *= 0x100000001b3;
    }
    return hash;
}

struct Row {
    std::int64_t time = 0;
    std::uint8_t type = 0;
    QByteArray payload;
};

// Eleven events of one instrument in codec version 1, the format of the first journals. Two
// limit orders rest, and a market buy of 4 takes 4 of the 10 offered at 10100. A cancel of an
// unknown order is rejected and the bid is cancelled. A replayed order of 7 at 9800 is reduced
// by 2, and trading halts. The book ends with 6 offered at 10100 and 5 bid at 9800.
std::vector<Row> version1Rows()
{
    const auto header = [](std::uint8_t type) { return Bytes().byte(1).byte(type); };
    return {
        {1'000, 1,
         header(1)
             .littleEndian(1)
             .byte(1)
             .byte(0)
             .littleEndian(10'100)
             .littleEndian(10)
             .toByteArray()},
        {1'000, 2,
         header(2)
             .littleEndian(1)
             .byte(1)
             .littleEndian(10'100)
             .littleEndian(10)
             .byte(0)
             .toByteArray()},
        {2'000, 1,
         header(1)
             .littleEndian(2)
             .byte(0)
             .byte(0)
             .littleEndian(9'900)
             .littleEndian(10)
             .toByteArray()},
        {2'000, 2,
         header(2)
             .littleEndian(2)
             .byte(0)
             .littleEndian(9'900)
             .littleEndian(10)
             .byte(0)
             .toByteArray()},
        {3'000, 1,
         header(1).littleEndian(3).byte(0).byte(1).littleEndian(0).littleEndian(4).toByteArray()},
        {3'000, 6,
         header(6)
             .littleEndian(1)
             .littleEndian(3)
             .byte(0)
             .littleEndian(10'100)
             .littleEndian(4)
             .littleEndian(6)
             .toByteArray()},
        {4'000, 3, header(3).littleEndian(4).byte(1).toByteArray()},
        {5'000, 4,
         header(4)
             .littleEndian(2)
             .byte(0)
             .littleEndian(9'900)
             .littleEndian(10)
             .byte(1)
             .toByteArray()},
        {6'000, 2,
         header(2)
             .littleEndian(5)
             .byte(0)
             .littleEndian(9'800)
             .littleEndian(7)
             .byte(1)
             .toByteArray()},
        {7'000, 5,
         header(5)
             .littleEndian(5)
             .byte(0)
             .littleEndian(9'800)
             .littleEndian(2)
             .littleEndian(5)
             .toByteArray()},
        {8'000, 7, header(7).byte(1).toByteArray()},
    };
}

// The same events as the reader must return them: fields that version 1 lacks at their
// defaults (no account, no client order id, GTC, any liquidity, the account's self-trade
// prevention, zero stop, display and protection prices and expiry).
std::vector<EventPayload> version1Payloads()
{
    const auto accepted = [](std::uint64_t id, Side side, OrderType type, std::int64_t limit,
                             std::int64_t quantity) {
        return OrderAccepted{OrderId{id},
                             side,
                             type,
                             Price{limit},
                             Quantity{quantity},
                             AccountId{0},
                             ClientOrderId{0},
                             TimeInForce::Gtc,
                             Liquidity::Any,
                             SelfTradePrevention::AccountDefault,
                             Price{0},
                             Quantity{0},
                             Price{0},
                             Timestamp{0}};
    };
    return {
        accepted(1, Side::Sell, OrderType::Limit, 10'100, 10),
        OrderAdded{OrderId{1}, Side::Sell, Price{10'100}, Quantity{10}, OrderOrigin::OrderEntry},
        accepted(2, Side::Buy, OrderType::Limit, 9'900, 10),
        OrderAdded{OrderId{2}, Side::Buy, Price{9'900}, Quantity{10}, OrderOrigin::OrderEntry},
        accepted(3, Side::Buy, OrderType::Market, 0, 4),
        Trade{OrderId{1}, OrderId{3}, Side::Buy, Price{10'100}, Quantity{4}, Quantity{6},
              AccountId{0}, AccountId{0}},
        OrderRejected{OrderId{4}, RejectReason::UnknownOrder, ClientOrderId{0}, AccountId{0}},
        OrderCancelled{OrderId{2}, Side::Buy, Price{9'900}, Quantity{10}, CancelReason::Requested},
        OrderAdded{OrderId{5}, Side::Buy, Price{9'800}, Quantity{7}, OrderOrigin::MarketData},
        OrderReduced{OrderId{5}, Side::Buy, Price{9'800}, Quantity{2}, Quantity{5}},
        TradingStatusChanged{TradingStatus::Halted},
    };
}

// Three events a current build appends to the old journal: trading resumes and an order with
// an account and a client order id rests at 10000.
std::vector<Event> currentEvents()
{
    OrderAccepted accepted{OrderId{6},
                           Side::Sell,
                           OrderType::Limit,
                           Price{10'000},
                           Quantity{3},
                           AccountId{9},
                           ClientOrderId{77},
                           TimeInForce::Day,
                           Liquidity::PostOnly,
                           SelfTradePrevention::CancelOldest,
                           Price{0},
                           Quantity{0},
                           Price{0},
                           Timestamp{0}};
    const std::vector<EventPayload> payloads{
        TradingStatusChanged{TradingStatus::Trading}, accepted,
        OrderAdded{OrderId{6}, Side::Sell, Price{10'000}, Quantity{3}, OrderOrigin::OrderEntry}};

    std::vector<Event> events;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        Event event;
        event.sequence = 12 + i;
        event.time = Timestamp{9'000 + static_cast<std::int64_t>(i)};
        event.instrument = kInstrument;
        event.payload = payloads[i];
        events.push_back(event);
    }
    return events;
}

// Every field of the payload kinds of version 1, new fields included.
QString describe(const EventPayload &payload)
{
    const auto number = [](auto value) { return QString::number(value); };
    if (const auto *e = std::get_if<OrderAccepted>(&payload)) {
        return QStringList{"OrderAccepted",
                           number(e->id.value()),
                           number(int(e->side)),
                           number(int(e->type)),
                           number(e->limit.value()),
                           number(e->quantity.value()),
                           number(e->account.value()),
                           number(e->clientOrderId.value()),
                           number(int(e->timeInForce)),
                           number(int(e->liquidity)),
                           number(int(e->selfTradePrevention)),
                           number(e->stopPrice.value()),
                           number(e->displayQuantity.value()),
                           number(e->protectionPrice.value()),
                           number(e->expiry.value())}
            .join(' ');
    }
    if (const auto *e = std::get_if<OrderAdded>(&payload)) {
        return QStringList{"OrderAdded",
                           number(e->id.value()),
                           number(int(e->side)),
                           number(e->price.value()),
                           number(e->quantity.value()),
                           number(int(e->origin))}
            .join(' ');
    }
    if (const auto *e = std::get_if<OrderRejected>(&payload)) {
        return QStringList{"OrderRejected", number(e->id.value()), number(int(e->reason)),
                           number(e->clientOrderId.value()), number(e->account.value())}
            .join(' ');
    }
    if (const auto *e = std::get_if<OrderCancelled>(&payload)) {
        return QStringList{
            "OrderCancelled",         number(e->id.value()),       number(int(e->side)),
            number(e->price.value()), number(e->quantity.value()), number(int(e->reason))}
            .join(' ');
    }
    if (const auto *e = std::get_if<OrderReduced>(&payload)) {
        return QStringList{
            "OrderReduced",           number(e->id.value()),        number(int(e->side)),
            number(e->price.value()), number(e->reducedBy.value()), number(e->remaining.value())}
            .join(' ');
    }
    if (const auto *e = std::get_if<Trade>(&payload)) {
        return QStringList{"Trade",
                           number(e->maker.value()),
                           number(e->taker.value()),
                           number(int(e->aggressor)),
                           number(e->price.value()),
                           number(e->quantity.value()),
                           number(e->makerRemaining.value()),
                           number(e->makerAccount.value()),
                           number(e->takerAccount.value())}
            .join(' ');
    }
    if (const auto *e = std::get_if<TradingStatusChanged>(&payload)) {
        return QStringList{"TradingStatusChanged", number(int(e->status))}.join(' ');
    }
    return QStringLiteral("payload of type %1").arg(int(typeOf(payload)));
}

// 16 lower-case hex digits, as bourse-engine prints hashes.
QString hex(std::uint64_t value)
{
    return QStringLiteral("%1").arg(value, 16, 16, QLatin1Char('0'));
}

struct CommandResult {
    int exitCode = -1;
    QString output;
    QString errors;
};

CommandResult runEngineCommand(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), arguments);
    CommandResult result;
    if (!process.waitForFinished(60'000)) {
        result.errors = QStringLiteral("bourse-engine did not finish: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = QString::fromUtf8(process.readAllStandardOutput());
    result.errors = QString::fromUtf8(process.readAllStandardError());
    return result;
}

struct ReadResult {
    std::vector<Event> events;
    std::optional<JournalError> error;
    std::uint64_t lastHash = 0;
};

ReadResult readAll(const QString &path)
{
    ReadResult result;
    JournalReader::Opened opened = JournalReader::open(path.toStdString());
    if (!opened.reader) {
        result.error = opened.error;
        return result;
    }
    while (std::optional<Event> event = opened.reader->next()) {
        result.events.push_back(*event);
    }
    result.error = opened.reader->error();
    result.lastHash = opened.reader->lastHash();
    return result;
}

} // namespace

class TestJournalCompatibility : public QObject {
    Q_OBJECT

private slots:
    void init();
    void version1JournalReads();
    void version1JournalVerifies();
    void version1JournalReplays();
    void continuedJournalMixesVersions();

private:
    // Writes version1Rows() into a new journal and returns the chain hash of its last row.
    std::uint64_t writeVersion1Journal();
    QString journalPath() const { return m_folder.filePath(QStringLiteral("old.sqlite")); }

    QTemporaryDir m_folder;
};

void TestJournalCompatibility::init()
{
    QVERIFY(m_folder.isValid());
    QFile::remove(journalPath());
}

// Creates the tables and metadata of format version 1 as the first builds did, then inserts
// the rows as those builds wrote them.
std::uint64_t TestJournalCompatibility::writeVersion1Journal()
{
    sqlite3 *database = nullptr;
    sqlite3_open_v2(journalPath().toUtf8().constData(), &database,
                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    const char *version1Schema = R"sql(
PRAGMA journal_mode = WAL;
BEGIN IMMEDIATE;
CREATE TABLE metadata (
    key TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE events (
    sequence INTEGER PRIMARY KEY NOT NULL CHECK (sequence > 0),
    time INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    type INTEGER NOT NULL,
    payload BLOB NOT NULL,
    checksum INTEGER NOT NULL,
    hash INTEGER NOT NULL
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the events table of a journal is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the events table of a journal is append-only'); END;
INSERT INTO metadata (key, value) VALUES
    ('format_version', 1), ('last_sequence', 0), ('last_hash', 0);
PRAGMA application_id = 1112691530;
COMMIT;
)sql";
    if (sqlite3_exec(database, version1Schema, nullptr, nullptr, nullptr) != SQLITE_OK) {
        qFatal("failed to create a version 1 journal: %s", sqlite3_errmsg(database));
    }
    sqlite3_stmt *insert = nullptr;
    sqlite3_prepare_v2(database,
                       "INSERT INTO events (sequence, time, instrument, type, payload, checksum, "
                       "hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                       -1, &insert, nullptr);

    // Checksum: FNV-1a over sequence (8 bytes), time (8), instrument (4), type (1) and the
    // payload. Hash: FNV-1a over the previous hash and the checksum, 8 bytes each.
    std::uint64_t hash = 0;
    std::int64_t sequence = 0;
    for (const Row &row : version1Rows()) {
        ++sequence;
        const QByteArray checked = Bytes()
                                       .littleEndian(static_cast<std::uint64_t>(sequence))
                                       .littleEndian(static_cast<std::uint64_t>(row.time))
                                       .littleEndian(kInstrument.value(), 4)
                                       .littleEndian(row.type, 1)
                                       .toByteArray() +
                                   row.payload;
        const std::uint64_t checksum = fnv1a(checked);
        hash = fnv1a(Bytes().littleEndian(hash).littleEndian(checksum).toByteArray());

        sqlite3_bind_int64(insert, 1, sequence);
        sqlite3_bind_int64(insert, 2, row.time);
        sqlite3_bind_int64(insert, 3, kInstrument.value());
        sqlite3_bind_int64(insert, 4, row.type);
        sqlite3_bind_blob(insert, 5, row.payload.constData(), static_cast<int>(row.payload.size()),
                          SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 6, static_cast<sqlite3_int64>(checksum));
        sqlite3_bind_int64(insert, 7, static_cast<sqlite3_int64>(hash));
        if (sqlite3_step(insert) != SQLITE_DONE) {
            qFatal("failed to insert row %lld: %s", static_cast<long long>(sequence),
                   sqlite3_errmsg(database));
        }
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);

    const std::string tail = "UPDATE metadata SET value = " + std::to_string(sequence) +
                             " WHERE key = 'last_sequence'; UPDATE metadata SET value = " +
                             std::to_string(static_cast<std::int64_t>(hash)) +
                             " WHERE key = 'last_hash';";
    if (sqlite3_exec(database, tail.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        qFatal("failed to update the metadata: %s", sqlite3_errmsg(database));
    }
    sqlite3_close_v2(database);
    return hash;
}

void TestJournalCompatibility::version1JournalReads()
{
    const std::uint64_t lastHash = writeVersion1Journal();

    const ReadResult result = readAll(journalPath());

    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    const std::vector<EventPayload> expected = version1Payloads();
    const std::vector<Row> rows = version1Rows();
    QCOMPARE(result.events.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const Event &event = result.events[i];
        QCOMPARE(event.sequence, SequenceNumber{i + 1});
        QCOMPARE(event.time.value(), rows[i].time);
        QCOMPARE(event.instrument.value(), kInstrument.value());
        QCOMPARE(describe(event.payload), describe(expected[i]));
    }
    QCOMPARE(result.lastHash, lastHash);
}

void TestJournalCompatibility::version1JournalVerifies()
{
    const std::uint64_t lastHash = writeVersion1Journal();

    const CommandResult result =
        runEngineCommand({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});

    QCOMPARE(result.errors, QString());
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.output, QStringLiteral("events: 11\nlast sequence: 11\nchain hash: %1 at "
                                           "sequence 11\njournal ok\n")
                                .arg(hex(lastHash)));
}

void TestJournalCompatibility::version1JournalReplays()
{
    writeVersion1Journal();

    Engine restored(kInstrument);
    for (const Event &event : readAll(journalPath()).events) {
        QCOMPARE(restored.restore(event), RestoreResult::Restored);
    }
    QCOMPARE(restored.book().levelCount(Side::Sell), std::size_t{1});
    QCOMPARE(restored.book().level(Side::Sell, 0), (LevelSummary{Price{10'100}, Quantity{6}, 1}));
    QCOMPARE(restored.book().levelCount(Side::Buy), std::size_t{1});
    QCOMPARE(restored.book().level(Side::Buy, 0), (LevelSummary{Price{9'800}, Quantity{5}, 1}));
    QCOMPARE(restored.status(), TradingStatus::Halted);

    const CommandResult result =
        runEngineCommand({QStringLiteral("journal"), QStringLiteral("replay"), journalPath()});

    QCOMPARE(result.errors, QString());
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.output.startsWith(QStringLiteral("events: 11\nlast sequence: 11\n"
                                                     "trades: 1\n")),
             qPrintable(result.output));
    QVERIFY2(
        result.output.endsWith(QStringLiteral("state hash: %1\n").arg(hex(restored.stateHash()))),
        qPrintable(result.output));
}

// A current build continues an old journal: the reader returns both versions in one pass.
void TestJournalCompatibility::continuedJournalMixesVersions()
{
    writeVersion1Journal();
    {
        JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
        QVERIFY2(created.writer, created.error ? created.error->toString().c_str() : "");
        for (const Event &event : currentEvents()) {
            created.writer->onEvent(event);
        }
        const std::optional<JournalError> error = created.writer->close();
        QVERIFY2(!error, error ? error->toString().c_str() : "");
    }

    const ReadResult result = readAll(journalPath());

    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    std::vector<EventPayload> expected = version1Payloads();
    for (const Event &event : currentEvents()) {
        expected.push_back(event.payload);
    }
    QCOMPARE(result.events.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(describe(result.events[i].payload), describe(expected[i]));
    }

    const CommandResult verified =
        runEngineCommand({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    QCOMPARE(verified.errors, QString());
    QCOMPARE(verified.exitCode, 0);
    QVERIFY2(verified.output.startsWith(QStringLiteral("events: 14\n")),
             qPrintable(verified.output));

    Engine restored(kInstrument);
    for (const Event &event : result.events) {
        QCOMPARE(restored.restore(event), RestoreResult::Restored);
    }
    QCOMPARE(restored.book().level(Side::Sell, 0), (LevelSummary{Price{10'000}, Quantity{3}, 1}));
    QCOMPARE(restored.book().level(Side::Sell, 1), (LevelSummary{Price{10'100}, Quantity{6}, 1}));

    const CommandResult replayed =
        runEngineCommand({QStringLiteral("journal"), QStringLiteral("replay"), journalPath()});
    QCOMPARE(replayed.errors, QString());
    QCOMPARE(replayed.exitCode, 0);
    QVERIFY2(
        replayed.output.endsWith(QStringLiteral("state hash: %1\n").arg(hex(restored.stateHash()))),
        qPrintable(replayed.output));
}

QTEST_GUILESS_MAIN(TestJournalCompatibility)
#include "tst_journal_compatibility.moc"
