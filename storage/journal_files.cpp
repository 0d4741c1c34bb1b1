#include "journal_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace bourse::storage {

namespace {

// How long a read waits for a lock held by another connection, such as a writer's checkpoint.
constexpr int busyTimeoutMs = 5000;

JournalError makeError(JournalErrorKind kind, const std::string &path, std::string what)
{
    return JournalError{kind, path, 0, std::move(what)};
}

ReadConnection failed(JournalErrorKind kind, const std::string &path, std::string what)
{
    return ReadConnection{nullptr, ReaderAccess::Shared, makeError(kind, path, std::move(what))};
}

std::optional<std::string> describeOtherFileType(std::filesystem::file_type type)
{
    using std::filesystem::file_type;
    switch (type) {
    case file_type::regular:
    case file_type::not_found:
    case file_type::none:
        return std::nullopt;
    case file_type::directory:
        return "is a directory, not a journal file";
    case file_type::fifo:
        return "is a FIFO, not a journal file";
    case file_type::socket:
        return "is a socket, not a journal file";
    case file_type::character:
        return "is a character device, not a journal file";
    case file_type::block:
        return "is a block device, not a journal file";
    default:
        return "is not a regular file, so it cannot be a journal";
    }
}

bool mayWrite(const std::filesystem::path &path)
{
    return ::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0;
}

struct FileAccess {
    bool writable = false;       // the process may write to the file and to its folder
    bool walExists = false;      // a -wal file exists, so a connection may have the journal open
    std::uintmax_t walBytes = 0; // the size of the -wal file; 0 when there is none
};

FileAccess inspectAccess(const std::string &path)
{
    const std::filesystem::path file(path);
    const std::filesystem::path folder =
        file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");

    FileAccess access;
    access.writable = mayWrite(file) && mayWrite(folder);
    std::error_code error;
    access.walExists = std::filesystem::exists(path + "-wal", error);
    const std::uintmax_t walBytes = std::filesystem::file_size(path + "-wal", error);
    access.walBytes = error ? 0 : walBytes;
    return access;
}

// Builds a `file:` URI for `path`. SQLite decodes %HH escapes in the path and ends it at '?' or
// '#', so those three characters are escaped. An absolute path gets an empty authority, so that a
// path starting with "//" is not read as a host name.
std::string fileUri(const std::string &path, const char *query)
{
    std::string uri = path.starts_with('/') ? "file://" : "file:";
    for (const char character : path) {
        if (character == '%' || character == '?' || character == '#') {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X",
                          static_cast<unsigned>(static_cast<unsigned char>(character)));
            uri += escaped;
        } else {
            uri += character;
        }
    }
    return uri + "?" + query;
}

// Reads the schema once. SQLite opens the -wal and -shm files of a database in WAL mode at the
// first read, so errors about them show only here, not when the connection opens.
int probeSchema(sqlite3 *database)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database, "SELECT count(*) FROM sqlite_schema", resultCode);
    if (!statement) {
        return resultCode;
    }
    resultCode = sqlite3_step(statement.get());
    return resultCode == SQLITE_ROW ? SQLITE_OK : resultCode;
}

// Returns true for the errors of a read-only connection that cannot create the -wal or -shm
// file, such as SQLITE_READONLY_DIRECTORY (SQLite 3.40) for a folder the process may not write to.
bool isMissingWriteAccess(int resultCode)
{
    const int primaryCode = resultCode & 0xff;
    return primaryCode == SQLITE_READONLY || primaryCode == SQLITE_CANTOPEN;
}

ReadConnection openImmutable(const std::string &path, std::uintmax_t walBytes)
{
    if (walBytes > 0) {
        return failed(JournalErrorKind::OpenFailed, path,
                      "cannot read the journal as immutable: its -wal file contains " +
                          std::to_string(walBytes) +
                          " bytes of events that are not in the database file yet; read it with "
                          "shared access");
    }

    std::string openError;
    DatabaseHandle database =
        openDatabase(fileUri(path, "mode=ro&immutable=1"), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                     busyTimeoutMs, openError);
    if (!database) {
        return failed(JournalErrorKind::OpenFailed, path,
                      "failed to open the journal: " + openError);
    }
    return ReadConnection{std::move(database), ReaderAccess::Immutable, std::nullopt};
}

ReadConnection openShared(const std::string &path)
{
    const FileAccess access = inspectAccess(path);

    // Without a -wal file, no connection has the journal open and the database file contains
    // every committed event. A read-only connection would create -wal and -shm files owned by
    // this process and leave them. In a folder the process may not write to, that fails. In one
    // it may write to, the files it leaves keep the journal's owner from writing to the journal.
    // NOTE: A writer with write access to the file and folder could still open the journal
    // during the read and checkpoint new pages into the file. The read may then fail with damage
    // that is not in the journal, although every event it returns has passed its checks.
    if (!access.writable && !access.walExists) {
        return openImmutable(path, 0);
    }

    // Read-write only while the -wal file is empty: closing last would otherwise checkpoint a
    // crashed writer's events into the database file, which a check of the file should not do.
    const bool readWrite = access.writable && access.walBytes == 0;
    std::string openError;
    DatabaseHandle database = openDatabase(
        path, readWrite ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, busyTimeoutMs, openError);
    if (!database) {
        return failed(JournalErrorKind::OpenFailed, path,
                      "failed to open the journal: " + openError);
    }
    if (readWrite) {
        const int resultCode = executeSql(database.get(), "PRAGMA query_only = ON");
        if (resultCode != SQLITE_OK) {
            return failed(JournalErrorKind::SqliteFailed, path,
                          "failed to make the connection read-only: " +
                              describeSqliteError(database.get(), resultCode));
        }
    }

    const int probeCode = probeSchema(database.get());
    if (probeCode == SQLITE_OK || readWrite || !isMissingWriteAccess(probeCode)) {
        return ReadConnection{std::move(database), ReaderAccess::Shared, std::nullopt};
    }
    if (access.walBytes > 0) {
        return failed(
            JournalErrorKind::OpenFailed, path,
            "failed to open the journal: " + describeSqliteError(database.get(), probeCode) +
                ". Its -wal file contains " + std::to_string(access.walBytes) +
                " bytes of events, which SQLite cannot read here without write access "
                "to the folder; copy the journal and its -wal file to a folder you may "
                "write to");
    }

    // The -wal file is empty, so the database file contains every committed event, but SQLite
    // cannot open the -shm file beside it.
    database.reset();
    return openImmutable(path, access.walBytes);
}

} // namespace

std::optional<JournalError> checkRegularFile(const std::string &path)
{
    std::error_code error;
    const std::filesystem::file_status status = std::filesystem::status(path, error);
    if (std::optional<std::string> problem = describeOtherFileType(status.type())) {
        return makeError(JournalErrorKind::OpenFailed, path, std::move(*problem));
    }
    return std::nullopt;
}

ReadConnection openReadConnection(const std::string &path, ReaderAccess access)
{
    if (std::optional<JournalError> error = checkRegularFile(path)) {
        return ReadConnection{nullptr, access, std::move(error)};
    }
    // SQLite reports only "unable to open database file" for a missing file or folder.
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) {
        return ReadConnection{nullptr, access,
                              makeError(JournalErrorKind::OpenFailed, path,
                                        "no such file: check the path of the journal")};
    }
    if (access == ReaderAccess::Immutable) {
        return openImmutable(path, inspectAccess(path).walBytes);
    }
    return openShared(path);
}

} // namespace bourse::storage

namespace bourse::storage {

namespace {

// How often acquire() starts over when the lock file it locked was removed meanwhile by the
// holder before it. Each round needs another holder to come and go, so a few suffice.
constexpr int maxLockAttempts = 16;

JournalError lockFileError(const std::string &journalPath, const std::string &lockPath,
                           const char *step, int error)
{
    return makeError(JournalErrorKind::OpenFailed, journalPath,
                     std::string("failed to ") + step + " the writer lock file " + lockPath + ": " +
                         std::strerror(error) +
                         "; a writer needs write access to the journal's folder");
}

// The process id the holder wrote into the lock file; 0 when it is missing or not a number, as
// for a file that its holder has not written yet.
long readHolderPid(int descriptor)
{
    char text[32] = {};
    const ssize_t size = ::pread(descriptor, text, sizeof text - 1, 0);
    if (size <= 0) {
        return 0;
    }
    long pid = 0;
    const auto [end, code] = std::from_chars(text, text + size, pid);
    return code == std::errc{} && pid > 0 && (end == text + size || *end == '\n') ? pid : 0;
}

JournalError inUseError(const std::string &journalPath, long holder)
{
    std::string who = "another process is writing to it";
    if (holder == static_cast<long>(::getpid())) {
        who =
            "another writer in this process (pid " + std::to_string(holder) + ") is writing to it";
    } else if (holder != 0) {
        who = "another process (pid " + std::to_string(holder) + ") is writing to it";
    }
    return makeError(JournalErrorKind::InUse, journalPath,
                     "the journal is in use: " + who +
                         ". A journal has one writer at a time; stop that writer or wait until "
                         "it closes the journal");
}

// Returns true when `descriptor` is still the file at `path`. The holder before removes the
// file when it releases the lock, so a lock taken on a descriptor opened before that removal
// is a lock on a file that no other writer finds.
bool isStillNamed(int descriptor, const std::string &path)
{
    struct stat opened {};
    struct stat named {};
    return ::fstat(descriptor, &opened) == 0 && ::stat(path.c_str(), &named) == 0 &&
           opened.st_dev == named.st_dev && opened.st_ino == named.st_ino;
}

void writeHolderPid(int descriptor)
{
    const std::string text = std::to_string(::getpid()) + "\n";
    if (::ftruncate(descriptor, 0) == 0) {
        // The process id only improves the message another writer gets, so a failed write is
        // not an error.
        [[maybe_unused]] const ssize_t written = ::pwrite(descriptor, text.data(), text.size(), 0);
    }
}

} // namespace

std::string writerLockPath(const std::string &journalPath)
{
    return journalPath + "-lock";
}

JournalWriterLock::Acquired JournalWriterLock::acquire(const std::string &journalPath)
{
    const std::string lockPath = writerLockPath(journalPath);
    for (int attempt = 0; attempt < maxLockAttempts; ++attempt) {
        // 0666 before the umask, as SQLite creates the -wal file, so that every user who may write
        // the journal may take its lock. A lock file of another user that this one may only read
        // still takes an flock lock.
        bool writable = true;
        int descriptor = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (descriptor < 0 && errno == EACCES) {
            writable = false;
            descriptor = ::open(lockPath.c_str(), O_RDONLY | O_CLOEXEC);
        }
        if (descriptor < 0) {
            return Acquired{nullptr, lockFileError(journalPath, lockPath, "open", errno)};
        }

        if (::flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            const long holder = error == EWOULDBLOCK ? readHolderPid(descriptor) : 0;
            ::close(descriptor);
            if (error == EINTR) {
                continue;
            }
            if (error == EWOULDBLOCK) {
                return Acquired{nullptr, inUseError(journalPath, holder)};
            }
            return Acquired{nullptr, lockFileError(journalPath, lockPath, "lock", error)};
        }

        if (!isStillNamed(descriptor, lockPath)) {
            ::close(descriptor);
            continue;
        }
        if (writable) {
            writeHolderPid(descriptor);
        }
        return Acquired{std::unique_ptr<JournalWriterLock>(
                            new JournalWriterLock(journalPath, lockPath, descriptor)),
                        std::nullopt};
    }
    return Acquired{nullptr, makeError(JournalErrorKind::InUse, journalPath,
                                       "the journal is in use: its writer lock file " + lockPath +
                                           " was replaced " + std::to_string(maxLockAttempts) +
                                           " times while this process tried to lock it")};
}

JournalWriterLock::JournalWriterLock(std::string journalPath, std::string lockPath, int descriptor)
    : m_journalPath(std::move(journalPath))
    , m_lockPath(std::move(lockPath))
    , m_descriptor(descriptor)
{
}

// The file goes before the lock, so that a process that opened this file and locks it after the
// release finds it removed and starts over with a new one.
JournalWriterLock::~JournalWriterLock()
{
    ::unlink(m_lockPath.c_str());
    ::close(m_descriptor);
}

const std::string &JournalWriterLock::journalPath() const
{
    return m_journalPath;
}

const std::string &JournalWriterLock::lockPath() const
{
    return m_lockPath;
}

} // namespace bourse::storage
