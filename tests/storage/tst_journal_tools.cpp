// `bourse-engine journal inspect` and `journal export`, run as the executable on journals that a
// small engine session writes.

#include "event_text.h"

#include "engine.h"
#include "journal.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

using namespace bourse;
using namespace bourse::storage;

namespace {

// Exit statuses of bourse-engine.
constexpr int kSuccess = 0;
constexpr int kCheckFailed = 1;
constexpr int kUsageError = 2;
constexpr int kInputError = 3;

constexpr InstrumentId kAcme{7};
constexpr InstrumentId kPlain{9};
// A symbol with a comma and double quotes, which CSV must quote.
constexpr const char *kAcmeSymbol = "ACME, \"A\"";
constexpr int kSessionEvents = 10;

Timestamp at(int step)
{
    return Timestamp{34'200'000'000'000 + step * 1'000'000};
}

InstrumentDefinition definition(InstrumentId id, std::string_view symbol, int priceDecimals,
                                int quantityDecimals)
{
    InstrumentDefinition defined;
    defined.id = id;
    std::copy(symbol.begin(), symbol.end(), defined.symbol.begin());
    const std::string_view currency = "EUR";
    std::copy(currency.begin(), currency.end(), defined.currency.begin());
    defined.priceDecimals = static_cast<std::uint8_t>(priceDecimals);
    defined.quantityDecimals = static_cast<std::uint8_t>(quantityDecimals);
    return defined;
}

NewOrder limitOrder(std::uint64_t id, InstrumentId instrument, Side side, std::int64_t price,
                    std::int64_t quantity, std::uint32_t account)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.limit = Price{price};
    order.quantity = Quantity{quantity};
    order.instrument = instrument;
    order.account = AccountId{account};
    return order;
}

// The session behind every journal of these tests, with the events it publishes:
//   1  InstrumentAdded 7 "ACME, "A"" (price decimals 2, quantity decimals 1)
//   2  InstrumentAdded 9 "PLAIN" (no decimals)
//   3  OrderAccepted 1: sell 30 @ 12345 on 7, account 1
//   4  OrderAdded 1: sell 30 @ 12345
//   5  OrderAccepted 2: buy 10 @ 12350 on 7, account 2
//   6  Trade: maker 1, taker 2, buy aggressor, 10 @ 12345, maker keeps 20
//   7  OrderAccepted 3: buy 4 @ 500 on 9, account 1
//   8  OrderAdded 3: buy 4 @ 500
//   9  OrderCancelled 1: the remaining 20 @ 12345, requested
//  10  OrderRejected 4: quantity 0 on 7, invalid-quantity
void runSession(Engine &engine)
{
    engine.addInstrument(definition(kAcme, kAcmeSymbol, 2, 1), at(1));
    engine.addInstrument(definition(kPlain, "PLAIN", 0, 0), at(2));
    engine.submit(limitOrder(1, kAcme, Side::Sell, 12345, 30, 1), at(3));
    engine.submit(limitOrder(2, kAcme, Side::Buy, 12350, 10, 2), at(4));
    engine.submit(limitOrder(3, kPlain, Side::Buy, 500, 4, 1), at(5));
    engine.cancel(OrderId{1}, at(6));
    engine.submit(limitOrder(4, kAcme, Side::Buy, 12345, 0, 1), at(7));
}

// The exit status and output of one run of `bourse-engine`.
struct CommandResult {
    int exitCode = -1;
    QByteArray output;
    QString errors;
};

CommandResult runEngine(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), arguments);
    CommandResult result;
    if (!process.waitForFinished(60'000)) {
        result.errors = QStringLiteral("bourse-engine did not finish: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = process.readAllStandardOutput();
    result.errors = QString::fromUtf8(process.readAllStandardError());
    return result;
}

// The objects of `inspect --json` output, one per line, or an empty list after a failed check.
QList<QJsonObject> parseJsonLines(const QByteArray &output)
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : output.split('\n')) {
        if (line.isEmpty()) {
            continue;
        }
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            qWarning("not a JSON object: %s (%s)", line.constData(),
                     qPrintable(error.errorString()));
            return {};
        }
        objects.append(document.object());
    }
    return objects;
}

QList<qint64> sequencesOf(const QList<QJsonObject> &objects)
{
    QList<qint64> sequences;
    for (const QJsonObject &object : objects) {
        sequences.append(object.value(QStringLiteral("sequence")).toInteger(-1));
    }
    return sequences;
}

// Splits CSV text into records of fields as RFC 4180 defines them: CRLF ends a record, and a
// field in double quotes may contain commas, CRLF and doubled double quotes.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted && c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
            field += u'"';
            ++i;
        } else if (c == u'"') {
            quoted = !quoted;
        } else if (!quoted && c == u',') {
            record.append(field);
            field.clear();
        } else if (!quoted && c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n') {
            record.append(field);
            records.append(record);
            record.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !record.isEmpty()) {
        record.append(field);
        records.append(record);
    }
    return records;
}

// A plain SQLite connection that damages a journal the way a faulty disk or an editor would.
class RawDatabase {
public:
    explicit RawDatabase(const QString &path)
    {
        sqlite3_open_v2(path.toUtf8().constData(), &m_database, SQLITE_OPEN_READWRITE, nullptr);
    }
    ~RawDatabase() { sqlite3_close_v2(m_database); }
    RawDatabase(const RawDatabase &) = delete;
    RawDatabase &operator=(const RawDatabase &) = delete;

    bool hasTable(const char *name)
    {
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, "SELECT 1 FROM sqlite_master WHERE name = ?1", -1,
                           &statement, nullptr);
        sqlite3_bind_text(statement, 1, name, -1, SQLITE_STATIC);
        const bool found = sqlite3_step(statement) == SQLITE_ROW;
        sqlite3_finalize(statement);
        return found;
    }

    // The rowid and body of the chunk that contains `sequence`, if any.
    std::optional<std::pair<qint64, QByteArray>> chunkOf(SequenceNumber sequence)
    {
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database,
                           "SELECT rowid, body FROM chunks WHERE first_sequence <= ?1 "
                           "AND last_sequence >= ?1",
                           -1, &statement, nullptr);
        sqlite3_bind_int64(statement, 1, static_cast<sqlite3_int64>(sequence));
        std::optional<std::pair<qint64, QByteArray>> chunk;
        if (sqlite3_step(statement) == SQLITE_ROW) {
            chunk.emplace(sqlite3_column_int64(statement, 0),
                          QByteArray(static_cast<const char *>(sqlite3_column_blob(statement, 1)),
                                     sqlite3_column_bytes(statement, 1)));
        }
        sqlite3_finalize(statement);
        return chunk;
    }

    // Flips the low bit of one byte of a blob in place, through the incremental blob API, so
    // that nothing else in the row changes and no trigger runs.
    bool flipByte(const char *table, const char *column, qint64 rowid, int offset)
    {
        sqlite3_blob *blob = nullptr;
        if (sqlite3_blob_open(m_database, "main", table, column, rowid, 1, &blob) != SQLITE_OK) {
            return false;
        }
        char byte = 0;
        bool flipped = sqlite3_blob_read(blob, &byte, 1, offset) == SQLITE_OK;
        byte = static_cast<char>(byte ^ 0x01);
        flipped = flipped && sqlite3_blob_write(blob, &byte, 1, offset) == SQLITE_OK;
        return sqlite3_blob_close(blob) == SQLITE_OK && flipped;
    }

private:
    sqlite3 *m_database = nullptr;
};

std::uint64_t littleEndian(const QByteArray &bytes, qsizetype offset, int width)
{
    std::uint64_t value = 0;
    for (int byte = width - 1; byte >= 0; --byte) {
        value = value << 8 | static_cast<std::uint8_t>(bytes[offset + byte]);
    }
    return value;
}

// The offset of the payload of `sequence` in a chunk body. Each record is sequence (8 bytes),
// time (8), instrument (4), type (1), payload size (2), payload, checksum (8) and hash (8).
std::optional<int> payloadOffsetInChunk(const QByteArray &body, SequenceNumber sequence)
{
    constexpr int kHeader = 8 + 8 + 4 + 1 + 2;
    qsizetype offset = 0;
    while (offset + kHeader <= body.size()) {
        const auto payloadSize = static_cast<qsizetype>(littleEndian(body, offset + 21, 2));
        if (littleEndian(body, offset, 8) == sequence) {
            return static_cast<int>(offset + kHeader);
        }
        offset += kHeader + payloadSize + 16;
    }
    return std::nullopt;
}

} // namespace

class TestJournalTools : public QObject {
    Q_OBJECT

private slots:
    void init();

    void inspectPrintsHeaderAndRunWording();
    void inspectFilters_data();
    void inspectFilters();
    void inspectJsonHasExactValues();
    void inspectJsonWithoutDefinitionHasNoDecimals();
    void inspectStopsAtDamage();
    void exportCsvQuotesSymbols();
    void exportJsonIsOneArray();
    void exportOfDamagedJournalLeavesNoFile_data();
    void exportOfDamagedJournalLeavesNoFile();
    void exportToStandardOutputStopsAtDamage();
    void exportRejectsExistingOutput();
    void exportRejectsJournalAsOutput();
    void badTypeNameListsValidNames();
    void badArgumentsAreUsageErrors_data();
    void badArgumentsAreUsageErrors();
    void unreadableFilesAreInputErrors_data();
    void unreadableFilesAreInputErrors();
    void recoverOfIntactJournalChangesNothing();
    void recoverPrintsKeptEvents_data();
    void recoverPrintsKeptEvents();

private:
    QString journalPath() const { return m_directory->filePath(QStringLiteral("session.journal")); }
    QString outputPath(const char *name) const { return m_directory->filePath(name); }

    // Writes the session's journal and returns the events it published.
    std::vector<Event> writeSessionJournal();
    // Flips a byte of the payload of event `sequence`, wherever the journal's layout keeps it.
    void damagePayload(SequenceNumber sequence);

    std::optional<QTemporaryDir> m_directory;
};

// Collects the events an engine publishes.
class EventRecorder : public EventHandler {
public:
    void onEvent(const Event &event) override { events.push_back(event); }
    std::vector<Event> events;
};

void TestJournalTools::init()
{
    m_directory.emplace();
    QVERIFY(m_directory->isValid());
}

std::vector<Event> TestJournalTools::writeSessionJournal()
{
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    if (!created.writer) {
        qWarning("cannot create the journal: %s", created.error->toString().c_str());
        return {};
    }
    Engine engine;
    EventRecorder recorder;
    engine.addHandler(created.writer.get());
    engine.addHandler(&recorder);
    runSession(engine);
    engine.endBatch();
    if (const std::optional<JournalError> error = created.writer->close()) {
        qWarning("cannot close the journal: %s", error->toString().c_str());
        return {};
    }
    return recorder.events;
}

void TestJournalTools::damagePayload(SequenceNumber sequence)
{
    RawDatabase database(journalPath());
    if (database.hasTable("chunks")) {
        if (const auto chunk = database.chunkOf(sequence)) {
            const std::optional<int> offset = payloadOffsetInChunk(chunk->second, sequence);
            QVERIFY2(offset, "the chunk does not contain the event");
            QVERIFY(database.flipByte("chunks", "body", chunk->first, *offset + 2));
            return;
        }
    }
    QVERIFY2(database.hasTable("events"), "the journal has neither chunks nor events rows");
    QVERIFY(database.flipByte("events", "payload", static_cast<qint64>(sequence), 2));
}

void TestJournalTools::inspectPrintsHeaderAndRunWording()
{
    const std::vector<Event> events = writeSessionJournal();
    QCOMPARE(events.size(), std::size_t{kSessionEvents});

    const CommandResult result =
        runEngine({QStringLiteral("journal"), QStringLiteral("inspect"), journalPath()});
    QCOMPARE(result.errors, QString());
    QCOMPARE(result.exitCode, kSuccess);

    const QStringList lines = QString::fromUtf8(result.output).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), kSessionEvents + 1);
    QCOMPARE(lines[0], QStringLiteral("journal %1: 10 events recorded (sequence 1 to 10). Chain "
                                      "verified through sequence 10. Showing 10 events "
                                      "(sequence 1 to 10).")
                           .arg(journalPath()));

    // Each line is what `bourse-engine run` prints: the sequence in 8 columns, the time and
    // the event text, with the instruments the journal defined.
    EventNames names;
    names.addInstrument(definition(kAcme, kAcmeSymbol, 2, 1));
    names.addInstrument(definition(kPlain, "PLAIN", 0, 0));
    for (int index = 0; index < kSessionEvents; ++index) {
        const Event &event = events[static_cast<std::size_t>(index)];
        const QString expected = QStringLiteral("%1 %2 %3")
                                     .arg(event.sequence, 8)
                                     .arg(QString::fromStdString(formatTime(event.time)),
                                          QString::fromStdString(formatEvent(event, names)));
        QCOMPARE(lines[index + 1], expected);
    }
    QVERIFY2(lines[6].contains(QStringLiteral("@ 123.45")), qPrintable(lines[6]));
    QVERIFY2(lines[6].startsWith(QStringLiteral("       6 09:30:00.004 trade")),
             qPrintable(lines[6]));
}

void TestJournalTools::inspectFilters_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QList<qint64>>("sequences");

    using Sequences = QList<qint64>;
    QTest::newRow("no filter") << QStringList{} << Sequences{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    QTest::newRow("from and to") << QStringList{"--from", "4", "--to", "6"} << Sequences{4, 5, 6};
    QTest::newRow("from only") << QStringList{"--from=9"} << Sequences{9, 10};
    QTest::newRow("to beyond the end")
        << QStringList{"--to", "99"} << Sequences{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    QTest::newRow("one type") << QStringList{"--type", "Trade"} << Sequences{6};
    QTest::newRow("types in any case")
        << QStringList{"--type", "orderaccepted,ORDERADDED"} << Sequences{3, 4, 5, 7, 8};
    QTest::newRow("types over two options")
        << QStringList{"--type", "OrderCancelled", "--type", "orderRejected"} << Sequences{9, 10};
    QTest::newRow("instrument") << QStringList{"--instrument", "9"} << Sequences{2, 7, 8};
    QTest::newRow("order as maker") << QStringList{"--order", "1"} << Sequences{3, 4, 6, 9};
    QTest::newRow("order as taker") << QStringList{"--order", "2"} << Sequences{5, 6};
    QTest::newRow("rejected order") << QStringList{"--order", "4"} << Sequences{10};
    QTest::newRow("limit") << QStringList{"--limit", "3"} << Sequences{1, 2, 3};
    QTest::newRow("limit after filters")
        << QStringList{"--instrument", "7", "--from", "4", "--limit", "2"} << Sequences{4, 5};
    QTest::newRow("type and order")
        << QStringList{"--type", "OrderAccepted", "--order", "2"} << Sequences{5};
    QTest::newRow("nothing matches") << QStringList{"--type", "StopTriggered"} << Sequences{};
}

void TestJournalTools::inspectFilters()
{
    QFETCH(QStringList, options);
    QFETCH(QList<qint64>, sequences);
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});

    const QStringList command = QStringList{"journal", "inspect", journalPath()} + options;
    const CommandResult json = runEngine(command + QStringList{"--json"});
    QCOMPARE(json.errors, QString());
    QCOMPARE(json.exitCode, kSuccess);
    QCOMPARE(sequencesOf(parseJsonLines(json.output)), sequences);

    // The text output shows the same events, and its header counts them.
    const CommandResult text = runEngine(command);
    QCOMPARE(text.exitCode, kSuccess);
    const QStringList lines = QString::fromUtf8(text.output).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), sequences.size() + 1);
    QVERIFY2(lines[0].contains(QStringLiteral("Showing %1 events").arg(sequences.size())),
             qPrintable(lines[0]));
    for (qsizetype index = 0; index < sequences.size(); ++index) {
        QCOMPARE(lines[index + 1].left(8).trimmed().toLongLong(), sequences[index]);
    }
}

void TestJournalTools::inspectJsonHasExactValues()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    const CommandResult result =
        runEngine({QStringLiteral("journal"), QStringLiteral("inspect"), journalPath(), "--json"});
    QCOMPARE(result.exitCode, kSuccess);
    const QList<QJsonObject> objects = parseJsonLines(result.output);
    QCOMPARE(objects.size(), kSessionEvents);

    const QJsonObject added = objects[0];
    QCOMPARE(added.value("type").toString(), QStringLiteral("InstrumentAdded"));
    QCOMPARE(added.value("instrument").toInteger(), 7);
    QCOMPARE(added.value("symbol").toString(), QString::fromUtf8(kAcmeSymbol));
    QCOMPARE(added.value("definition_symbol").toString(), QString::fromUtf8(kAcmeSymbol));
    QCOMPARE(added.value("currency").toString(), QStringLiteral("EUR"));
    QCOMPARE(added.value("price_decimals").toInteger(), 2);
    QCOMPARE(added.value("quantity_decimals").toInteger(), 1);
    QCOMPARE(added.value("tick_size").toInteger(), 1);
    QCOMPARE(added.value("tick_size_decimal").toString(), QStringLiteral("0.01"));
    QCOMPARE(added.value("lot_size_decimal").toString(), QStringLiteral("0.1"));

    // 12345 ticks at two price decimals, 10 and 20 lots at one quantity decimal.
    const QJsonObject trade = objects[5];
    QCOMPARE(trade.value("sequence").toInteger(), 6);
    QCOMPARE(trade.value("time").toString(), QStringLiteral("09:30:00.004"));
    QCOMPARE(trade.value("time_ns").toInteger(), 34'200'004'000'000);
    QCOMPARE(trade.value("instrument").toInteger(), 7);
    QCOMPARE(trade.value("symbol").toString(), QString::fromUtf8(kAcmeSymbol));
    QCOMPARE(trade.value("type").toString(), QStringLiteral("Trade"));
    QCOMPARE(trade.value("maker").toInteger(), 1);
    QCOMPARE(trade.value("taker").toInteger(), 2);
    QCOMPARE(trade.value("aggressor").toString(), QStringLiteral("buy"));
    QCOMPARE(trade.value("price").toInteger(), 12345);
    QCOMPARE(trade.value("price_decimal").toString(), QStringLiteral("123.45"));
    QCOMPARE(trade.value("quantity").toInteger(), 10);
    QCOMPARE(trade.value("quantity_decimal").toString(), QStringLiteral("1.0"));
    QCOMPARE(trade.value("maker_remaining").toInteger(), 20);
    QCOMPARE(trade.value("maker_remaining_decimal").toString(), QStringLiteral("2.0"));
    QCOMPARE(trade.value("maker_account").toInteger(), 1);
    QCOMPARE(trade.value("taker_account").toInteger(), 2);
    QCOMPARE(trade.size(), 17);

    const QJsonObject accepted = objects[2];
    QCOMPARE(accepted.value("type").toString(), QStringLiteral("OrderAccepted"));
    QCOMPARE(accepted.value("order_id").toInteger(), 1);
    QCOMPARE(accepted.value("side").toString(), QStringLiteral("sell"));
    QCOMPARE(accepted.value("order_type").toString(), QStringLiteral("limit"));
    QCOMPARE(accepted.value("limit").toInteger(), 12345);
    QCOMPARE(accepted.value("limit_decimal").toString(), QStringLiteral("123.45"));
    QCOMPARE(accepted.value("quantity_decimal").toString(), QStringLiteral("3.0"));
    QCOMPARE(accepted.value("account").toInteger(), 1);
    QCOMPARE(accepted.value("time_in_force").toString(), QStringLiteral("gtc"));
    QCOMPARE(accepted.value("expiry_ns").toInteger(-1), 0);

    // An instrument without decimals: 500 ticks are "500".
    const QJsonObject plain = objects[7];
    QCOMPARE(plain.value("type").toString(), QStringLiteral("OrderAdded"));
    QCOMPARE(plain.value("symbol").toString(), QStringLiteral("PLAIN"));
    QCOMPARE(plain.value("price").toInteger(), 500);
    QCOMPARE(plain.value("price_decimal").toString(), QStringLiteral("500"));
    QCOMPARE(plain.value("quantity_decimal").toString(), QStringLiteral("4"));

    const QJsonObject cancelled = objects[8];
    QCOMPARE(cancelled.value("type").toString(), QStringLiteral("OrderCancelled"));
    QCOMPARE(cancelled.value("quantity").toInteger(), 20);
    QCOMPARE(cancelled.value("reason").toString(), QStringLiteral("requested"));

    const QJsonObject rejected = objects[9];
    QCOMPARE(rejected.value("type").toString(), QStringLiteral("OrderRejected"));
    QCOMPARE(rejected.value("order_id").toInteger(), 4);
    QCOMPARE(rejected.value("reason").toString(), QStringLiteral("invalid-quantity"));
}

void TestJournalTools::inspectJsonWithoutDefinitionHasNoDecimals()
{
    // An engine with a primary instrument defines it without an InstrumentAdded event.
    {
        JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
        QVERIFY(created.writer);
        Engine engine(InstrumentId{3});
        engine.addHandler(created.writer.get());
        engine.submit(limitOrder(1, InstrumentId{3}, Side::Buy, 12345, 5, 1), at(1));
        engine.endBatch();
        QVERIFY(!created.writer->close());
    }

    const CommandResult result = runEngine({"journal", "inspect", journalPath(), "--json"});
    QCOMPARE(result.exitCode, kSuccess);
    const QList<QJsonObject> objects = parseJsonLines(result.output);
    QCOMPARE(objects.size(), 2);
    const QJsonObject added = objects[1];
    QCOMPARE(added.value("type").toString(), QStringLiteral("OrderAdded"));
    QCOMPARE(added.value("price").toInteger(), 12345);
    QVERIFY(!added.contains("price_decimal"));
    QVERIFY(!added.contains("quantity_decimal"));
    QVERIFY(!added.contains("symbol"));
}

void TestJournalTools::inspectStopsAtDamage()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    damagePayload(6);

    // The reader returns an event once the row after it passed its checks, so the damage in
    // row 6 stops it after event 4.
    const CommandResult text = runEngine({"journal", "inspect", journalPath()});
    QCOMPARE(text.exitCode, kCheckFailed);
    QVERIFY2(text.errors.contains(journalPath() + QStringLiteral(": sequence 6:")),
             qPrintable(text.errors));
    const QStringList lines = QString::fromUtf8(text.output).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    QVERIFY2(lines[0].contains(QStringLiteral(
                 "Chain verified through sequence 4, damaged at sequence 6. Showing 4 events")),
             qPrintable(lines[0]));
    QVERIFY(lines[4].startsWith(QStringLiteral("       4 ")));

    const CommandResult json = runEngine({"journal", "inspect", journalPath(), "--json"});
    QCOMPARE(json.exitCode, kCheckFailed);
    QVERIFY2(json.errors.contains(QStringLiteral("sequence 6")), qPrintable(json.errors));
    QCOMPARE(sequencesOf(parseJsonLines(json.output)), (QList<qint64>{1, 2, 3, 4}));

    // Events before the damage can still be chosen on their own.
    const CommandResult before = runEngine({"journal", "inspect", journalPath(), "--to", "3"});
    QCOMPARE(before.exitCode, kSuccess);
}

void TestJournalTools::exportCsvQuotesSymbols()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    const QString output = outputPath("events.csv");
    const CommandResult result =
        runEngine({"journal", "export", journalPath(), "--format", "csv", "--output", output});
    QCOMPARE(result.errors, QString());
    QCOMPARE(result.exitCode, kSuccess);

    QFile file(output);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.endsWith("\r\n"));
    QVERIFY2(bytes.contains(",\"ACME, \"\"A\"\"\",Trade,"), bytes.constData());

    const QList<QStringList> records = parseCsv(QString::fromUtf8(bytes));
    QCOMPARE(records.size(), kSessionEvents + 1);
    const QStringList header = records[0];
    QCOMPARE(header.mid(0, 6),
             (QStringList{"sequence", "time", "time_ns", "instrument", "symbol", "type"}));
    for (const QStringList &record : records) {
        QCOMPARE(record.size(), header.size());
    }
    const auto cell = [&header](const QStringList &record, const char *column) {
        const qsizetype index = header.indexOf(QString::fromUtf8(column));
        return index < 0 ? QStringLiteral("(no column %1)").arg(column) : record[index];
    };

    const QStringList trade = records[6];
    QCOMPARE(cell(trade, "sequence"), QStringLiteral("6"));
    QCOMPARE(cell(trade, "time"), QStringLiteral("09:30:00.004"));
    QCOMPARE(cell(trade, "time_ns"), QStringLiteral("34200004000000"));
    QCOMPARE(cell(trade, "instrument"), QStringLiteral("7"));
    QCOMPARE(cell(trade, "symbol"), QString::fromUtf8(kAcmeSymbol));
    QCOMPARE(cell(trade, "type"), QStringLiteral("Trade"));
    QCOMPARE(cell(trade, "price"), QStringLiteral("12345"));
    QCOMPARE(cell(trade, "price_decimal"), QStringLiteral("123.45"));
    QCOMPARE(cell(trade, "quantity_decimal"), QStringLiteral("1.0"));
    QCOMPARE(cell(trade, "maker"), QStringLiteral("1"));
    QCOMPARE(cell(trade, "aggressor"), QStringLiteral("buy"));
    // A Trade has no order id, limit or reason: those cells stay empty.
    QCOMPARE(cell(trade, "order_id"), QString());
    QCOMPARE(cell(trade, "limit"), QString());
    QCOMPARE(cell(trade, "reason"), QString());

    const QStringList added = records[1];
    QCOMPARE(cell(added, "definition_symbol"), QString::fromUtf8(kAcmeSymbol));
    QCOMPARE(cell(added, "price_decimals"), QStringLiteral("2"));
    QCOMPARE(cell(added, "price"), QString());

    // Standard output gets the same bytes.
    const CommandResult standardOutput =
        runEngine({"journal", "export", journalPath(), "--format", "csv"});
    QCOMPARE(standardOutput.exitCode, kSuccess);
    QCOMPARE(standardOutput.output, bytes);
}

void TestJournalTools::exportJsonIsOneArray()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    const QString output = outputPath("events.json");
    const CommandResult result = runEngine({"journal", "export", journalPath(), "--format", "json",
                                            "--output", output, "--type", "trade,orderadded"});
    QCOMPARE(result.errors, QString());
    QCOMPARE(result.exitCode, kSuccess);
    QVERIFY2(result.output.contains("wrote 3 events (sequence 4 to 8) to"),
             result.output.constData());

    QFile file(output);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    QCOMPARE(error.errorString(), QJsonParseError().errorString());
    QVERIFY(document.isArray());
    const QJsonArray array = document.array();
    QCOMPARE(array.size(), 3);

    // The objects are those of `inspect --json`.
    const CommandResult inspected =
        runEngine({"journal", "inspect", journalPath(), "--json", "--type", "Trade,OrderAdded"});
    const QList<QJsonObject> objects = parseJsonLines(inspected.output);
    QCOMPARE(objects.size(), 3);
    for (int index = 0; index < 3; ++index) {
        QCOMPARE(array[index].toObject(), objects[index]);
    }
    QCOMPARE(array[1].toObject().value("price_decimal").toString(), QStringLiteral("123.45"));

    // No event chosen: an empty array.
    const CommandResult empty =
        runEngine({"journal", "export", journalPath(), "--format", "json", "--from", "11"});
    QCOMPARE(empty.exitCode, kSuccess);
    QVERIFY(QJsonDocument::fromJson(empty.output).isArray());
    QCOMPARE(QJsonDocument::fromJson(empty.output).array().size(), 0);
}

void TestJournalTools::exportOfDamagedJournalLeavesNoFile_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("force");

    QTest::newRow("csv, new file") << QStringLiteral("csv") << false;
    QTest::newRow("json, new file") << QStringLiteral("json") << false;
    QTest::newRow("csv, replacing a file") << QStringLiteral("csv") << true;
}

void TestJournalTools::exportOfDamagedJournalLeavesNoFile()
{
    QFETCH(QString, format);
    QFETCH(bool, force);
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    damagePayload(6);

    const QString output = outputPath("events.out");
    QStringList arguments{"journal", "export",   journalPath(), "--format",
                          format,    "--output", output};
    if (force) {
        QFile existing(output);
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("earlier export\n");
        existing.close();
        arguments.append("--force");
    }

    const CommandResult result = runEngine(arguments);
    QCOMPARE(result.exitCode, kCheckFailed);
    QVERIFY2(result.errors.contains(journalPath() + QStringLiteral(": sequence 6:")),
             qPrintable(result.errors));
    QVERIFY2(result.errors.contains(QStringLiteral("nothing was written to ") + output),
             qPrintable(result.errors));

    // The directory contains the journal and, when there was one, the untouched earlier file:
    // no output, and no temporary file either.
    QStringList expected{QStringLiteral("session.journal")};
    if (force) {
        QFile existing(output);
        QVERIFY(existing.open(QIODevice::ReadOnly));
        QCOMPARE(existing.readAll(), QByteArray("earlier export\n"));
        expected.append(QStringLiteral("events.out"));
    }
    const QStringList files =
        QDir(m_directory->path()).entryList(QDir::Files | QDir::Hidden, QDir::Name);
    QStringList withoutJournalFiles;
    for (const QString &file : files) {
        if (!file.startsWith(QStringLiteral("session.journal-"))) { // -wal, -shm
            withoutJournalFiles.append(file);
        }
    }
    expected.sort();
    QCOMPARE(withoutJournalFiles, expected);
}

void TestJournalTools::exportToStandardOutputStopsAtDamage()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    damagePayload(6);

    const CommandResult csv = runEngine({"journal", "export", journalPath(), "--format", "csv"});
    QCOMPARE(csv.exitCode, kCheckFailed);
    QVERIFY2(csv.errors.contains(QStringLiteral("sequence 6")), qPrintable(csv.errors));
    QCOMPARE(parseCsv(QString::fromUtf8(csv.output)).size(), 1 + 4);

    // The array stays open, so that a reader that ignores the exit status still fails.
    const CommandResult json = runEngine({"journal", "export", journalPath(), "--format", "json"});
    QCOMPARE(json.exitCode, kCheckFailed);
    QVERIFY(json.output.startsWith("[\n{\"sequence\":1,"));
    QVERIFY(!json.output.contains(']'));
    QVERIFY(QJsonDocument::fromJson(json.output).isNull());
}

void TestJournalTools::exportRejectsExistingOutput()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    const QString output = outputPath("events.csv");
    QFile existing(output);
    QVERIFY(existing.open(QIODevice::WriteOnly));
    existing.write("keep me\n");
    existing.close();

    const QStringList arguments{"journal", "export",   journalPath(), "--format",
                                "csv",     "--output", output};
    const CommandResult rejected = runEngine(arguments);
    QCOMPARE(rejected.exitCode, kUsageError);
    QVERIFY2(rejected.errors.contains(output + QStringLiteral(" already exists")),
             qPrintable(rejected.errors));
    QVERIFY2(rejected.errors.contains(QStringLiteral("--force")), qPrintable(rejected.errors));
    QVERIFY(existing.open(QIODevice::ReadOnly));
    QCOMPARE(existing.readAll(), QByteArray("keep me\n"));
    existing.close();

    const CommandResult forced = runEngine(arguments + QStringList{"--force"});
    QCOMPARE(forced.errors, QString());
    QCOMPARE(forced.exitCode, kSuccess);
    QVERIFY(existing.open(QIODevice::ReadOnly));
    QVERIFY(existing.readAll().startsWith("sequence,time,time_ns,"));
}

void TestJournalTools::exportRejectsJournalAsOutput()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    const CommandResult result = runEngine({"journal", "export", journalPath(), "--format", "csv",
                                            "--output", journalPath(), "--force"});
    QCOMPARE(result.exitCode, kUsageError);
    QVERIFY2(result.errors.contains(QStringLiteral("is the journal itself")),
             qPrintable(result.errors));

    const CommandResult verify = runEngine({"journal", "verify", journalPath()});
    QCOMPARE(verify.exitCode, kSuccess);
}

void TestJournalTools::badTypeNameListsValidNames()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    for (const QString &action : {QStringLiteral("inspect"), QStringLiteral("export")}) {
        QStringList arguments{"journal", action, journalPath(), "--type", "Trade,Trades"};
        if (action == QStringLiteral("export")) {
            arguments << "--format"
                      << "csv";
        }
        const CommandResult result = runEngine(arguments);
        QCOMPARE(result.exitCode, kUsageError);
        QVERIFY2(result.errors.contains(QStringLiteral("invalid event type 'Trades'")),
                 qPrintable(result.errors));
        for (const char *name : {"OrderAccepted", "Trade", "InstrumentAdded", "DepthLevel"}) {
            QVERIFY2(result.errors.contains(QString::fromUtf8(name)), name);
        }
        QVERIFY(result.output.isEmpty());
    }
}

void TestJournalTools::badArgumentsAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    const QString journal = QStringLiteral("JOURNAL");
    QTest::newRow("inspect without file")
        << QStringList{"inspect"} << QStringLiteral("missing journal FILE");
    QTest::newRow("two files") << QStringList{"inspect", journal, "other"}
                               << QStringLiteral("'other'");
    QTest::newRow("from not a number") << QStringList{"inspect", journal, "--from", "abc"}
                                       << QStringLiteral("invalid --from 'abc'");
    QTest::newRow("negative limit") << QStringList{"inspect", journal, "--limit", "-1"}
                                    << QStringLiteral("invalid --limit '-1'");
    QTest::newRow("instrument too large")
        << QStringList{"inspect", journal, "--instrument", "4294967296"}
        << QStringLiteral("invalid --instrument '4294967296'");
    QTest::newRow("from after to") << QStringList{"inspect", journal, "--from", "5", "--to", "2"}
                                   << QStringLiteral("--from 5 is after --to 2");
    QTest::newRow("value missing")
        << QStringList{"inspect", journal, "--to"} << QStringLiteral("'--to' needs a value");
    QTest::newRow("option twice") << QStringList{"inspect", journal, "--order", "1", "--order", "2"}
                                  << QStringLiteral("'--order' given more than once");
    QTest::newRow("unknown option") << QStringList{"inspect", journal, "--verbose"}
                                    << QStringLiteral("unknown option '--verbose'");
    QTest::newRow("format on inspect") << QStringList{"inspect", journal, "--format", "csv"}
                                       << QStringLiteral("unknown option '--format'");
    QTest::newRow("json on export") << QStringList{"export", journal, "--format", "csv", "--json"}
                                    << QStringLiteral("unknown option '--json'");
    QTest::newRow("export without format")
        << QStringList{"export", journal} << QStringLiteral("missing --format");
    QTest::newRow("unknown format") << QStringList{"export", journal, "--format", "xml"}
                                    << QStringLiteral("invalid --format 'xml'");
    QTest::newRow("force without output")
        << QStringList{"export", journal, "--format", "csv", "--force"}
        << QStringLiteral("--force needs --output");
}

void TestJournalTools::badArgumentsAreUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    arguments.replaceInStrings(QStringLiteral("JOURNAL"), journalPath());

    const CommandResult result = runEngine(QStringList{"journal"} + arguments);
    QCOMPARE(result.exitCode, kUsageError);
    QVERIFY2(result.errors.contains(message), qPrintable(result.errors));
    QVERIFY2(result.errors.contains(QStringLiteral("usage: bourse-engine journal")),
             qPrintable(result.errors));
    QVERIFY(result.output.isEmpty());
}

void TestJournalTools::unreadableFilesAreInputErrors_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<bool>("exists");

    QTest::newRow("inspect, missing file") << QStringLiteral("inspect") << false;
    QTest::newRow("inspect, not a journal") << QStringLiteral("inspect") << true;
    QTest::newRow("export, missing file") << QStringLiteral("export") << false;
    QTest::newRow("export, not a journal") << QStringLiteral("export") << true;
    QTest::newRow("recover, missing file") << QStringLiteral("recover") << false;
    QTest::newRow("recover, not a journal") << QStringLiteral("recover") << true;
}

void TestJournalTools::unreadableFilesAreInputErrors()
{
    QFETCH(QString, action);
    QFETCH(bool, exists);
    const QString path = outputPath("notes.txt");
    if (exists) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a journal, just text that is long enough to fill a header page\n");
    }
    const QString output = outputPath("out.csv");

    QStringList arguments{"journal", action, path};
    if (action == QStringLiteral("export")) {
        arguments << "--format"
                  << "csv"
                  << "--output" << output;
    }
    const CommandResult result = runEngine(arguments);
    QCOMPARE(result.exitCode, kInputError);
    QVERIFY2(result.errors.startsWith(
                 QStringLiteral("bourse-engine journal %1: %2: ").arg(action, path)),
             qPrintable(result.errors));
    QVERIFY(!QFile::exists(output));
    // recover changes nothing it cannot read: it creates no file and no side copy.
    QCOMPARE(QFile::exists(path), exists);
    QVERIFY(!QFile::exists(path + QStringLiteral(".damaged")));
}

// A journal without damage is left as it is, and recover reports that.
void TestJournalTools::recoverOfIntactJournalChangesNothing()
{
    QCOMPARE(writeSessionJournal().size(), std::size_t{kSessionEvents});
    QFile file(journalPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();

    const CommandResult result = runEngine({"journal", "recover", journalPath()});
    QCOMPARE(result.exitCode, kSuccess);
    QCOMPARE(QString::fromUtf8(result.output),
             QStringLiteral("nothing to recover: every event, the metadata and every snapshot of "
                            "%1 passed their checks (last sequence 10), so it was not changed\n")
                 .arg(journalPath()));
    QVERIFY(result.errors.isEmpty());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
    QVERIFY(!QFile::exists(journalPath() + QStringLiteral(".damaged")));
}

void TestJournalTools::recoverPrintsKeptEvents_data()
{
    QTest::addColumn<qint64>("damaged");
    QTest::addColumn<qint64>("kept");
    QTest::addColumn<QStringList>("lines");

    // The session's journal in chunks of at least 4 events, each closed at the end of the
    // command that reaches 4: events 1 to 4, 5 to 8, and 9 to 10. A damaged row N leaves event
    // N - 1 unconfirmed, and the kept events end at the last chunk end before it.
    const QString path = QStringLiteral("JOURNAL");
    QTest::newRow("event 2 damaged, nothing kept")
        << qint64{2} << qint64{0}
        << QStringList{
               QStringLiteral("damage: %1: sequence 2: checksum mismatch").arg(path),
               QStringLiteral("kept: no events in %1, which is an empty journal now").arg(path),
               QStringLiteral("left out: event 1, which passed its own checks, but "
                              "nothing after it confirms its hash")};
    QTest::newRow("event 7 damaged, first chunk kept")
        << qint64{7} << qint64{4}
        << QStringList{QStringLiteral("damage: %1: sequence 7: checksum mismatch").arg(path),
                       QStringLiteral("kept: events 1 to 4 in %1").arg(path),
                       QStringLiteral("left out: events 5 to 6, which passed their own checks, "
                                      "but nothing after event 6 confirms its hash, and only "
                                      "whole commands are kept")};
    QTest::newRow("event 10 damaged, two chunks kept")
        << qint64{10} << qint64{8}
        << QStringList{QStringLiteral("damage: %1: sequence 10: checksum mismatch").arg(path),
                       QStringLiteral("kept: events 1 to 8 in %1").arg(path),
                       QStringLiteral("left out: event 9, which passed its own checks, but "
                                      "nothing after it confirms its hash")};
}

void TestJournalTools::recoverPrintsKeptEvents()
{
    QFETCH(qint64, damaged);
    QFETCH(qint64, kept);
    QFETCH(QStringList, lines);

    JournalWriterOptions options;
    options.eventsPerChunk = 4;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    Engine engine;
    engine.addHandler(created.writer.get());
    runSession(engine);
    engine.endBatch();
    engine.removeHandler(created.writer.get());
    QVERIFY(!created.writer->close());
    damagePayload(static_cast<SequenceNumber>(damaged));

    const CommandResult result = runEngine({"journal", "recover", journalPath()});
    QCOMPARE(result.exitCode, kSuccess);
    QVERIFY2(result.errors.isEmpty(), qPrintable(result.errors));
    const QString output = QString::fromUtf8(result.output);
    QVERIFY2(!output.contains(QStringLiteral("events 1 to 0")), qPrintable(output));
    const QStringList printed = output.split(u'\n', Qt::SkipEmptyParts);
    lines.replaceInStrings(QStringLiteral("JOURNAL"), journalPath());
    lines.append(QStringLiteral("set aside: the original journal, damaged part included, in %1")
                     .arg(journalPath() + QStringLiteral(".damaged")));
    QCOMPARE(printed.size(), lines.size());
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QVERIFY2(printed[i].startsWith(lines[i]), qPrintable(printed[i]));
    }

    const CommandResult verify = runEngine({"journal", "verify", journalPath()});
    QCOMPARE(verify.exitCode, kSuccess);
    QVERIFY2(verify.output.contains(QStringLiteral("last sequence: %1\n").arg(kept).toUtf8()),
             verify.output.constData());
}

QTEST_GUILESS_MAIN(TestJournalTools)
#include "tst_journal_tools.moc"
