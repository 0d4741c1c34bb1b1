// `bourse-engine journal verify`, `journal recover` and `journal records` on a journal whose
// record is damaged on purpose. The damage is a changed body, a chain hash that is not the one of
// the event the record follows, or a record past the last event.

#include "engine.h"
#include "journal.h"
#include "journal_format.h"

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

constexpr InstrumentId kAcme{7};
constexpr char kRecordKind[] = "training";
constexpr char kRecordBody[] = "training 1\nfile halt.scenario\nseed 3\ntext 0\n";

Timestamp at(int step)
{
    return Timestamp{34'200'000'000'000 + step * 1'000'000};
}

InstrumentDefinition acme()
{
    InstrumentDefinition defined;
    defined.id = kAcme;
    const std::string_view symbol = "ACME";
    std::copy(symbol.begin(), symbol.end(), defined.symbol.begin());
    return defined;
}

NewOrder limitOrder(std::uint64_t id, Side side, std::int64_t price)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.limit = Price{price};
    order.quantity = Quantity{10};
    order.instrument = kAcme;
    order.account = AccountId{1};
    return order;
}

struct CommandResult {
    int exitCode = -1;
    QString output;
    QString errors;
};

CommandResult runJournal(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), QStringList{"journal"} + arguments);
    CommandResult result;
    if (!process.waitForFinished(60'000)) {
        result.errors = QStringLiteral("bourse-engine did not finish: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitCode();
    result.output = QString::fromUtf8(process.readAllStandardOutput());
    result.errors = QString::fromUtf8(process.readAllStandardError());
    return result;
}

// Runs SQL on the journal file directly, as damage from outside the writer would.
bool executeSql(const QString &path, const std::string &sql)
{
    sqlite3 *database = nullptr;
    if (sqlite3_open(path.toLocal8Bit().constData(), &database) != SQLITE_OK) {
        sqlite3_close(database);
        return false;
    }
    char *message = nullptr;
    const int result = sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message);
    if (message != nullptr) {
        qWarning("%s", message);
        sqlite3_free(message);
    }
    sqlite3_close(database);
    return result == SQLITE_OK;
}

} // namespace

class TestJournalRecords : public QObject {
    Q_OBJECT

private slots:
    void init();
    void intactRecordPassesVerify();
    void changedBodyFailsVerify();
    void wrongChainHashFailsVerify();
    void recordPastLastEventFailsVerify();
    void recoverLeavesOutDamagedRecord();
    void recordsCommandNamesDamagedRecord();

private:
    QString journalPath() const { return m_directory->filePath(QStringLiteral("day.journal")); }
    // Writes events 1 to 3, the record after event 3, then events 4 and 5.
    void writeJournal();
    // Rewrites record 1 with `assignments`, then gives it the checksum its new content has, so
    // that only the link checks can find the change.
    void rewriteRecordWithChecksum(const std::string &assignments);

    std::optional<QTemporaryDir> m_directory;
};

void TestJournalRecords::init()
{
    m_directory.emplace();
    QVERIFY(m_directory->isValid());
    writeJournal();
}

void TestJournalRecords::writeJournal()
{
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY2(created.writer, created.error ? created.error->toString().c_str() : "");
    Engine engine;
    engine.addHandler(created.writer.get());
    engine.addInstrument(acme(), at(1));                    // event 1
    engine.submit(limitOrder(1, Side::Sell, 12345), at(2)); // events 2 and 3
    engine.endBatch();
    created.writer->writeRecord(kRecordKind, kRecordBody);
    engine.submit(limitOrder(2, Side::Buy, 12300), at(3)); // events 4 and 5
    engine.endBatch();
    const std::optional<JournalError> error = created.writer->close();
    QVERIFY2(!error, error ? error->toString().c_str() : "");
}

void TestJournalRecords::rewriteRecordWithChecksum(const std::string &assignments)
{
    QVERIFY(executeSql(journalPath(), "DROP TRIGGER records_no_update; UPDATE records SET " +
                                          assignments + " WHERE id = 1"));
    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    std::optional<JournalError> error;
    std::vector<DamagedRecord> damaged;
    opened.reader->records(error, &damaged);
    QVERIFY(!damaged.empty());
    opened.reader.reset();

    // The reader left the record out, so its fields are read back here.
    sqlite3 *database = nullptr;
    QCOMPARE(sqlite3_open(journalPath().toLocal8Bit().constData(), &database), SQLITE_OK);
    sqlite3_stmt *statement = nullptr;
    QCOMPARE(sqlite3_prepare_v2(database,
                                "SELECT sequence, chain_hash, kind, body FROM records WHERE id = 1",
                                -1, &statement, nullptr),
             SQLITE_OK);
    QCOMPARE(sqlite3_step(statement), SQLITE_ROW);
    JournalRecord record;
    record.sequence = static_cast<SequenceNumber>(sqlite3_column_int64(statement, 0));
    record.chainHash = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 1));
    record.kind = reinterpret_cast<const char *>(sqlite3_column_text(statement, 2));
    record.body.assign(static_cast<const char *>(sqlite3_column_blob(statement, 3)),
                       static_cast<std::size_t>(sqlite3_column_bytes(statement, 3)));
    sqlite3_finalize(statement);
    sqlite3_close(database);
    const auto checksum = static_cast<std::int64_t>(format::recordChecksum(record));
    QVERIFY(executeSql(journalPath(), "UPDATE records SET checksum = " + std::to_string(checksum) +
                                          " WHERE id = 1"));
}

void TestJournalRecords::intactRecordPassesVerify()
{
    const CommandResult verify = runJournal({"verify", journalPath()});
    QVERIFY2(verify.exitCode == kSuccess, qPrintable(verify.errors));
    QVERIFY(verify.output.contains(QStringLiteral("journal ok")));

    const CommandResult records = runJournal({"records", journalPath()});
    QCOMPARE(records.exitCode, kSuccess);
    QVERIFY2(records.output.contains(
                 QStringLiteral("journal %1: 1 record\ntraining record 1 after sequence 3 (")
                     .arg(journalPath())),
             qPrintable(records.output));
}

void TestJournalRecords::changedBodyFailsVerify()
{
    QVERIFY(executeSql(journalPath(), "DROP TRIGGER records_no_update; UPDATE records SET body = "
                                      "CAST('training 1' AS BLOB) WHERE id = 1"));
    const CommandResult verify = runJournal({"verify", journalPath()});
    QCOMPARE(verify.exitCode, kCheckFailed);
    QVERIFY(!verify.output.contains(QStringLiteral("journal ok")));
    const QString expected =
        QStringLiteral("bourse-engine journal verify: %1: record 1 (training, after sequence 3) "
                       "is damaged: checksum mismatch: stored ")
            .arg(journalPath());
    QVERIFY2(verify.errors.startsWith(expected), qPrintable(verify.errors));
}

void TestJournalRecords::wrongChainHashFailsVerify()
{
    rewriteRecordWithChecksum("chain_hash = chain_hash + 1");
    const CommandResult verify = runJournal({"verify", journalPath()});
    QCOMPARE(verify.exitCode, kCheckFailed);
    const QString expected =
        QStringLiteral("bourse-engine journal verify: %1: record 1 (training, after sequence 3) "
                       "is damaged: it carries chain hash ")
            .arg(journalPath());
    QVERIFY2(verify.errors.startsWith(expected), qPrintable(verify.errors));
    QVERIFY(verify.errors.contains(QStringLiteral(", but the event it follows has ")));
}

void TestJournalRecords::recordPastLastEventFailsVerify()
{
    rewriteRecordWithChecksum("sequence = 9");
    const CommandResult verify = runJournal({"verify", journalPath()});
    QCOMPARE(verify.exitCode, kCheckFailed);
    QCOMPARE(verify.errors,
             QStringLiteral("bourse-engine journal verify: %1: record 1 (training, after "
                            "sequence 9) is damaged: it follows sequence 9, past the journal's "
                            "last event, 5\n")
                 .arg(journalPath()));
}

void TestJournalRecords::recoverLeavesOutDamagedRecord()
{
    rewriteRecordWithChecksum("chain_hash = chain_hash + 1");
    const CommandResult recover = runJournal({"recover", journalPath()});
    QVERIFY2(recover.exitCode == kSuccess, qPrintable(recover.errors));
    QVERIFY2(!recover.output.contains(QStringLiteral("nothing to recover")),
             qPrintable(recover.output));
    QVERIFY2(recover.output.contains(
                 QStringLiteral("left out: record 1 (training), because it is damaged\n")),
             qPrintable(recover.output));

    const CommandResult verify = runJournal({"verify", journalPath()});
    QVERIFY2(verify.exitCode == kSuccess, qPrintable(verify.errors));
    QVERIFY(verify.output.contains(QStringLiteral("events: 5\n")));
    const CommandResult records = runJournal({"records", journalPath()});
    QCOMPARE(records.exitCode, kSuccess);
    QVERIFY2(
        records.output.startsWith(QStringLiteral("journal %1: 0 records\n").arg(journalPath())),
        qPrintable(records.output));
}

void TestJournalRecords::recordsCommandNamesDamagedRecord()
{
    QVERIFY(executeSql(journalPath(), "DROP TRIGGER records_no_update; UPDATE records SET body = "
                                      "CAST('training 1' AS BLOB) WHERE id = 1"));
    const CommandResult records = runJournal({"records", journalPath()});
    QCOMPARE(records.exitCode, kCheckFailed);
    QVERIFY2(records.output.startsWith(
                 QStringLiteral("journal %1: 1 record, 1 of them damaged\ntraining record 1 "
                                "after sequence 3: damaged: checksum mismatch: stored ")
                     .arg(journalPath())),
             qPrintable(records.output));
}

QTEST_GUILESS_MAIN(TestJournalRecords)
#include "tst_journal_records.moc"
