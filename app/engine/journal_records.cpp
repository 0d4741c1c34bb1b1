// bourse-engine journal records: the records a journal keeps beside its events, such as the
// training scenario a run played, which a restart continues.

#include "commands.h"
#include "journal_tools.h"
#include "output.h"

#include "journal.h"
#include "training_record.h"

#include <cstdint>
#include <iostream>

namespace bourse::cli {

namespace {

constexpr const char *kUsage =
    "usage: bourse-engine journal records FILE\n"
    "\n"
    "Prints the records a journal keeps beside its events, oldest first: its kind, its id, the\n"
    "event it follows and that event's chain hash. A training record also shows the scenario's\n"
    "file, the seed and the scenario's text, which a terminal restarted on the journal\n"
    "continues. Each record is checked against its checksum and the journal's last event, and a\n"
    "damaged one is printed with what is wrong (`journal verify` also checks its chain hash).\n"
    "Exit status: 0 success, 1 a record is damaged, 2 usage error, 3 the file is missing or\n"
    "not a journal.\n";

void printTraining(const storage::JournalRecord &record)
{
    std::string error;
    const std::optional<training::TrainingRecord> training =
        training::decodeTrainingRecord(record.body, error);
    if (!training) {
        std::cout << "  invalid training record: " << error << "\n";
        return;
    }
    std::cout << "  scenario file: " << training->fileName << "\n"
              << "  seed: " << training->seed << "\n"
              << "  scenario text (" << training->text.size() << " bytes):\n";
    std::size_t start = 0;
    while (start < training->text.size()) {
        std::size_t end = training->text.find('\n', start);
        if (end == std::string::npos)
            end = training->text.size();
        std::cout << "    " << std::string_view(training->text).substr(start, end - start) << "\n";
        start = end + 1;
    }
}

} // namespace

int runJournalRecordsCommand(const std::vector<std::string> &arguments)
{
    if (arguments.size() == 1 && (arguments[0] == "--help" || arguments[0] == "-h")) {
        std::cout << kUsage;
        return Success;
    }
    if (arguments.size() != 1 || arguments[0].starts_with("--")) {
        std::cerr << kUsage;
        return UsageError;
    }
    storage::JournalReader::Opened opened = storage::JournalReader::open(arguments[0]);
    if (!opened.reader) {
        std::cerr << "bourse-engine journal records: " << opened.error->toString() << "\n";
        return InputError;
    }
    std::optional<storage::JournalError> error;
    std::vector<storage::DamagedRecord> damaged;
    const std::vector<storage::JournalRecord> records = opened.reader->records(error, &damaged);
    const std::size_t total = records.size() + damaged.size();
    std::cout << "journal " << arguments[0] << ": " << total
              << (total == 1 ? " record" : " records");
    if (!damaged.empty())
        std::cout << ", " << damaged.size() << " of them damaged";
    std::cout << "\n";

    // Both lists are in id order, and merged so that the records print as they are stored.
    std::size_t nextDamaged = 0;
    const auto printDamagedBefore = [&](std::int64_t id) {
        for (; nextDamaged < damaged.size() && damaged[nextDamaged].id < id; ++nextDamaged) {
            const storage::DamagedRecord &record = damaged[nextDamaged];
            std::cout << record.kind << " record " << record.id << " after sequence "
                      << record.sequence << ": damaged: " << record.what << "\n";
        }
    };
    for (const storage::JournalRecord &record : records) {
        printDamagedBefore(record.id);
        std::cout << record.kind << " record " << record.id << " after sequence " << record.sequence
                  << " (chain hash " << hex(record.chainHash) << ")\n";
        if (record.kind == training::kTrainingRecordKind)
            printTraining(record);
        else
            std::cout << "  " << record.body.size() << " bytes\n";
    }
    printDamagedBefore(INT64_MAX);
    if (error) {
        std::cerr << "bourse-engine journal records: " << error->toString() << "\n";
        return CheckFailed;
    }
    return Success;
}

} // namespace bourse::cli
