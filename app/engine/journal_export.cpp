// bourse-engine journal export: the events of a journal as one CSV table or one JSON array.

#include "journal_tools.h"

#include "commands.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace bourse::cli {

using namespace journal_tools;

namespace {

constexpr const char *kSynopsis =
    "usage: bourse-engine journal export FILE --format csv|json [--output PATH] [--force]\n"
    "           [--from SEQ] [--to SEQ] [--type TYPE[,TYPE...]] [--instrument ID]\n"
    "           [--order ID] [--limit N]\n";

std::string usageText()
{
    return std::string(kSynopsis) +
           "\n"
           "Writes the events of a journal in sequence order as one CSV table or one JSON array\n"
           "of objects, streamed as they are read. Each event is checked before it is written;\n"
           "at the first damaged row the export stops with the error, naming the sequence, on\n"
           "standard error.\n"
           "  --format csv     a header row, then one row per event; RFC 4180 quoting, CRLF\n"
           "                   line ends\n"
           "  --format json    one array with one object per event, each on its own line; the\n"
           "                   array is closed only when the export is complete\n"
           "  --output PATH    write to PATH instead of standard output: into a temporary file\n"
           "                   beside it, renamed to PATH only once the export is complete, so\n"
           "                   a failed export leaves no file at PATH\n"
           "  --force          replace PATH when it exists; without it, an existing PATH is an\n"
           "                   error\n"
           "  --from, --to, --type, --instrument, --order, --limit\n"
           "                   choose events as `bourse-engine journal inspect` does\n"
           "\n"
           "CSV columns, in order; JSON objects have the same keys, without the empty ones:\n" +
           wrapList(csvColumns(), 4) +
           "The first six are set for every event: time is HH:MM:SS with a fraction, counted\n"
           "from the origin of time_ns (nanoseconds), and symbol is set once an InstrumentAdded\n"
           "event defined the instrument. The type is one of\n" +
           wrapList(eventTypeNames(), 4) +
           "The payload columns follow, and a cell is empty when the event's type has no such\n"
           "field. Prices and quantities are integers (ticks, lots). Each is followed by a\n"
           "_decimal column with the exact decimal in the instrument's scale, set once an\n"
           "InstrumentAdded event defined the instrument. Enumerations are words, such as buy\n"
           "or price-not-on-tick. docs/journal-tools.md describes every column.\n"
           "Exit status: 0 success, 1 damage found (nothing written to PATH), 2 usage error,\n"
           "3 the file is missing or not a journal, or the output cannot be written.\n";
}

int fail(const std::string &message, int status)
{
    std::cerr << "bourse-engine journal export: " << message << "\n";
    return status;
}

// The temporary file's path, for the signal handler to remove it when the export is
// interrupted. Empty while no temporary file exists.
char g_temporaryPath[PATH_MAX + 32];

extern "C" void removeTemporaryFileAndRaise(int signalNumber)
{
    if (g_temporaryPath[0] != '\0') {
        ::unlink(g_temporaryPath);
    }
    std::signal(signalNumber, SIG_DFL);
    std::raise(signalNumber);
}

// A temporary file beside the output path that becomes the output only once commit()
// succeeds. Until then the output path is untouched, and the destructor removes the file.
class TemporaryOutput {
public:
    ~TemporaryOutput() { discard(); }

    // Creates the temporary file. Returns an empty string, or the reason it cannot be created.
    std::string create(const std::string &outputPath)
    {
        m_outputPath = outputPath;
        m_path = outputPath + ".partial-XXXXXX";
        if (m_path.size() >= sizeof g_temporaryPath) {
            return "the output path is too long";
        }
        m_fileDescriptor = ::mkstemp(m_path.data());
        if (m_fileDescriptor < 0) {
            return "cannot create " + m_path + ": " + std::strerror(errno);
        }
        std::memcpy(g_temporaryPath, m_path.c_str(), m_path.size() + 1);
        for (const int signalNumber : {SIGINT, SIGTERM, SIGHUP}) {
            std::signal(signalNumber, removeTemporaryFileAndRaise);
        }

        // mkstemp creates the file readable by its owner only, but an export is an ordinary file.
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(m_fileDescriptor, 0666 & ~mask);
        return {};
    }

    int fileDescriptor() const { return m_fileDescriptor; }

    // Syncs the file and renames it to the output path. Without `replace`, an output path that
    // appeared since the start is not replaced. Returns an empty string or the reason.
    std::string commit(bool replace)
    {
        const bool synced = ::fsync(m_fileDescriptor) == 0;
        const int syncError = errno;
        const bool closed = ::close(m_fileDescriptor) == 0;
        m_fileDescriptor = -1;
        if (!synced || !closed) {
            return "cannot write " + m_path + ": " + std::strerror(synced ? errno : syncError);
        }
        if (!rename(replace)) {
            return errno == EEXIST ? m_outputPath + " was created during the export; it is left "
                                                    "as it was, and the export is lost"
                                   : "cannot rename " + m_path + " to " + m_outputPath + ": " +
                                         std::strerror(errno);
        }
        m_path.clear();
        g_temporaryPath[0] = '\0';
        return {};
    }

    void discard()
    {
        if (m_fileDescriptor >= 0) {
            ::close(m_fileDescriptor);
            m_fileDescriptor = -1;
        }
        if (!m_path.empty()) {
            g_temporaryPath[0] = '\0';
            ::unlink(m_path.c_str());
            m_path.clear();
        }
    }

private:
    bool rename(bool replace) const
    {
        if (replace) {
            return ::rename(m_path.c_str(), m_outputPath.c_str()) == 0;
        }
        if (::renameat2(AT_FDCWD, m_path.c_str(), AT_FDCWD, m_outputPath.c_str(),
                        RENAME_NOREPLACE) == 0) {
            return true;
        }
        // File systems without RENAME_NOREPLACE: check, then rename, which leaves a short race.
        if (errno != EINVAL && errno != ENOSYS) {
            return false;
        }
        struct stat status {};
        if (::lstat(m_outputPath.c_str(), &status) == 0) {
            errno = EEXIST;
            return false;
        }
        return ::rename(m_path.c_str(), m_outputPath.c_str()) == 0;
    }

    std::string m_outputPath;
    std::string m_path;
    int m_fileDescriptor = -1;
};

// Rejects an output path that is a directory, the journal itself, or an existing file
// without --force. Returns an empty string when the path may be written.
std::string checkOutputPath(const ToolArguments &arguments)
{
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_status status = fs::symlink_status(arguments.output, error);
    if (!fs::exists(status)) {
        return {};
    }
    if (fs::is_directory(fs::status(arguments.output, error))) {
        return "--output " + arguments.output + " is a directory; give a file path";
    }
    // The journal's -wal file contains committed events that the database file may not have yet,
    // and its -shm file coordinates readers: writing over either loses events.
    for (const char *suffix : {"", "-wal", "-shm"}) {
        if (fs::equivalent(arguments.output, arguments.path + suffix, error)) {
            return "--output " + arguments.output + " is the journal" +
                   (*suffix ? " file " + arguments.path + suffix : std::string(" itself")) +
                   "; give another path";
        }
    }
    // The output is written to a temporary file and renamed over the path, which would replace
    // a pipe, a device or a link with a regular file.
    if (!fs::is_regular_file(status)) {
        return "--output " + arguments.output +
               " exists and is not a regular file; give a new path or a regular file";
    }
    if (!arguments.force) {
        return "--output " + arguments.output +
               " already exists; pass --force to replace it, or give another path";
    }
    return {};
}

// Writes the chosen events in the chosen format. A JSON array is closed only when reading
// reached its end without damage, so an export cut short by damage is not valid JSON.
ReadSummary writeEvents(storage::JournalReader &reader, const ToolArguments &arguments,
                        OutputBuffer &out)
{
    KnownInstruments instruments;
    if (*arguments.format == ExportFormat::Csv) {
        appendCsvHeader(out);
        return readJournal(reader, arguments.filter, instruments, [&](const Event &event) {
            appendCsvEvent(out, event, instruments.find(event.instrument));
            return !out.failed();
        });
    }

    out.append("[");
    bool first = true;
    const ReadSummary summary =
        readJournal(reader, arguments.filter, instruments, [&](const Event &event) {
            out.append(first ? "\n" : ",\n");
            first = false;
            appendJsonEvent(out, event, instruments.find(event.instrument));
            return !out.failed();
        });
    if (!summary.error) {
        out.append("\n]\n");
    }
    return summary;
}

std::string describeWritten(const ReadSummary &summary, const std::string &path)
{
    std::string text = "wrote " + std::to_string(summary.matched) + " events";
    if (summary.matched > 0) {
        text += " (sequence " + std::to_string(summary.firstMatched) + " to " +
                std::to_string(summary.lastMatched) + ")";
    }
    return text + " to " + path + "\n";
}

int exportJournal(const ToolArguments &arguments)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(arguments.path);
    if (!opened.reader) {
        return reportReaderError(ToolAction::Export, *opened.error);
    }
    const bool toFile = !arguments.output.empty();
    TemporaryOutput temporary;
    if (toFile) {
        if (const std::string problem = checkOutputPath(arguments); !problem.empty()) {
            return fail(problem, UsageError);
        }
        if (const std::string problem = temporary.create(arguments.output); !problem.empty()) {
            return fail(problem, InputError);
        }
    }

    OutputBuffer out(toFile ? temporary.fileDescriptor() : STDOUT_FILENO);
    const ReadSummary summary = writeEvents(*opened.reader, arguments, out);
    const std::string destination = toFile ? arguments.output : "standard output";
    if (!out.flush()) {
        return fail("cannot write to " + destination + ": " + std::strerror(out.errorNumber()),
                    InputError);
    }
    if (summary.error) {
        const int status = reportReaderError(ToolAction::Export, *summary.error);
        if (toFile) {
            fail("the export stopped; nothing was written to " + arguments.output, status);
        }
        return status;
    }
    if (toFile) {
        if (const std::string problem = temporary.commit(arguments.force); !problem.empty()) {
            return fail(problem, InputError);
        }
        std::cout << describeWritten(summary, arguments.output);
    }
    return Success;
}

} // namespace

int runJournalExportCommand(const std::vector<std::string> &arguments)
{
    const std::optional<ToolArguments> parsed = parseToolArguments(ToolAction::Export, arguments);
    if (!parsed) {
        std::cerr << kSynopsis << "Run `bourse-engine journal export --help` for details.\n";
        return UsageError;
    }
    if (parsed->help) {
        std::cout << usageText();
        return Success;
    }
    return exportJournal(*parsed);
}

} // namespace bourse::cli
