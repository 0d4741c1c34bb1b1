#include "curve_keys.h"

#include <zmq.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace bourse::net {

namespace {

constexpr std::string_view kZ85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

// A key file is a few lines, so anything larger is not one.
constexpr std::size_t kMaximumKeyFileBytes = 4096;

constexpr std::string_view kPublicKeyWord = "public-key";
constexpr std::string_view kSecretKeyWord = "secret-key";

constexpr const char *kSecretFileHeader =
    "# Bourse CURVE secret key, Z85 text. Whoever reads this file can act as its owner:\n"
    "# keep it private (mode 0600, owner only) and never copy it to another machine.\n";
constexpr const char *kPublicFileHeader =
    "# Bourse CURVE public key, Z85 text. It reveals nothing secret: give it to the server's\n"
    "# operator for the access list, or to terminals as the server's key.\n";

std::string systemError(int error)
{
    return std::strerror(error);
}

// The folder a file's path names, "." for a bare file name.
std::string folderOf(const std::string &path)
{
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

// Checks that a folder exists and that only its owner, this user or root, may change what it
// holds: a folder that others may write lets them swap the key file for one of their own.
std::optional<KeyFileError> checkFolder(const std::string &folder)
{
    struct stat status {};
    if (::stat(folder.c_str(), &status) != 0)
        return KeyFileError{folder, "cannot open the folder: " + systemError(errno)};
    if (!S_ISDIR(status.st_mode))
        return KeyFileError{folder, "is not a folder"};
    if (status.st_uid != ::geteuid() && status.st_uid != 0)
        return KeyFileError{folder, "the folder of a secret key file belongs to user id " +
                                        std::to_string(status.st_uid) +
                                        ", neither this user nor root"};
    if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return KeyFileError{folder, "permissions " + modeText(status.st_mode) +
                                        " are too open: the folder of a secret key file must "
                                        "not be writable by group or others; run chmod go-w " +
                                        folder + " or keep keys in a folder of mode 0700"};
    return std::nullopt;
}

// Reads a whole file of at most kMaximumKeyFileBytes from an open descriptor.
std::optional<KeyFileError> readAll(int descriptor, const std::string &path, std::string &text)
{
    std::array<char, kMaximumKeyFileBytes + 1> buffer{};
    std::size_t size = 0;
    while (size < buffer.size()) {
        const ssize_t count = ::read(descriptor, buffer.data() + size, buffer.size() - size);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return KeyFileError{path, "cannot read: " + systemError(errno)};
        if (count == 0)
            break;
        size += static_cast<std::size_t>(count);
    }
    if (size > kMaximumKeyFileBytes)
        return KeyFileError{path, "is larger than " + std::to_string(kMaximumKeyFileBytes) +
                                      " bytes, so it is not a key file"};
    text.assign(buffer.data(), size);
    return std::nullopt;
}

// The permission checks ssh makes of a private key, on the open file so that it cannot be
// swapped between the check and the read.
std::optional<KeyFileError> checkSecretFile(int descriptor, const std::string &path)
{
    struct stat status {};
    if (::fstat(descriptor, &status) != 0)
        return KeyFileError{path, "cannot read its permissions: " + systemError(errno)};
    if (!S_ISREG(status.st_mode))
        return KeyFileError{path, "is not a regular file"};
    if (status.st_uid != ::geteuid())
        return KeyFileError{path, "belongs to user id " + std::to_string(status.st_uid) +
                                      ", not to this user (" + std::to_string(::geteuid()) +
                                      "); a secret key file is read only by its owner"};
    if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return KeyFileError{path, "permissions " + modeText(status.st_mode) +
                                      " are too open: a secret key file must give group and "
                                      "others no access; run chmod 600 " +
                                      path};
    return std::nullopt;
}

// The "keyword value" lines of a key file, after comments and blank lines.
using KeyFileFields = std::map<std::string, std::string, std::less<>>;

std::optional<KeyFileError> parseKeyFile(std::string_view text, const std::string &path,
                                         KeyFileFields &fields)
{
    std::size_t lineNumber = 0;
    while (!text.empty()) {
        ++lineNumber;
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

        const std::size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos || line[first] == '#')
            continue;
        line = line.substr(first, line.find_last_not_of(" \t\r") + 1 - first);

        const std::string where = "line " + std::to_string(lineNumber) + ": ";
        const std::size_t space = line.find_first_of(" \t");
        if (space == std::string_view::npos)
            return KeyFileError{path, where + "expected 'KEYWORD KEY', found '" +
                                          std::string(line) + "'"};
        const std::string_view keyword = line.substr(0, space);
        const std::string_view value = line.substr(line.find_first_not_of(" \t", space));
        if (keyword != kPublicKeyWord && keyword != kSecretKeyWord)
            return KeyFileError{path, where + "unknown keyword '" + std::string(keyword) +
                                          "': expected public-key or secret-key"};
        if (fields.contains(keyword))
            return KeyFileError{path, where + std::string(keyword) + " appears twice"};
        if (const auto problem = checkKeyText(value))
            return KeyFileError{path, where + std::string(keyword) + " " + *problem};
        fields.emplace(keyword, value);
    }
    return std::nullopt;
}

std::optional<KeyFileError> requireField(const KeyFileFields &fields, std::string_view keyword,
                                         const std::string &path)
{
    if (fields.contains(keyword))
        return std::nullopt;
    return KeyFileError{path, "no " + std::string(keyword) +
                                  " line: the file is truncated or not a Bourse key file"};
}

bool exists(const std::string &path)
{
    struct stat status {};
    return ::lstat(path.c_str(), &status) == 0;
}

// True when path names a folder, or a symbolic link to one.
bool isFolder(const std::string &path)
{
    struct stat status {};
    return ::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode);
}

bool writeAll(int descriptor, std::string_view text)
{
    while (!text.empty()) {
        const ssize_t count = ::write(descriptor, text.data(), text.size());
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            return false;
        text.remove_prefix(static_cast<std::size_t>(count));
    }
    return true;
}

// Writes text to a new temporary file beside path and moves it to path. mkostemp creates the
// file with mode 0600, so a secret is never in a file that others may read, even briefly. Then
// fchmod sets the final mode, whatever the umask is.
std::optional<KeyFileError> writeFileAtomically(const std::string &path, std::string_view text,
                                                mode_t mode, ExistingKeys existing)
{
    std::string temporary = path + ".partial-XXXXXX";
    const int descriptor = ::mkostemp(temporary.data(), O_CLOEXEC);
    if (descriptor < 0)
        return KeyFileError{path,
                            "cannot create a temporary file beside it: " + systemError(errno)};

    const bool written =
        writeAll(descriptor, text) && ::fchmod(descriptor, mode) == 0 && ::fsync(descriptor) == 0;
    const int writeError = errno;
    ::close(descriptor);
    if (!written) {
        ::unlink(temporary.c_str());
        return KeyFileError{path, "cannot write: " + systemError(writeError)};
    }

    // link() fails when path exists, atomically, where rename() would replace it.
    const bool moved = existing == ExistingKeys::Keep
                           ? ::link(temporary.c_str(), path.c_str()) == 0
                           : ::rename(temporary.c_str(), path.c_str()) == 0;
    const int moveError = errno;
    ::unlink(temporary.c_str());
    if (!moved && moveError == EEXIST)
        return KeyFileError{path, "already exists; an existing key is replaced only when "
                                  "asked to (bourse-engine keygen --force)"};
    if (!moved)
        return KeyFileError{path, "cannot create: " + systemError(moveError)};

    const int folder = ::open(folderOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder >= 0) {
        ::fsync(folder);
        ::close(folder);
    }
    return std::nullopt;
}

std::optional<KeyFileError> checkPair(const CurveKeyPair &pair)
{
    if (const auto problem = checkKeyText(pair.publicKey))
        return KeyFileError{"", "public key " + *problem};
    if (const auto problem = checkKeyText(pair.secretKey))
        return KeyFileError{"", "secret key " + *problem};
    if (publicKeyOf(pair.secretKey) != pair.publicKey)
        return KeyFileError{"", "the public key is not the one derived from the secret key"};
    return std::nullopt;
}

} // namespace

std::string KeyFileError::toString() const
{
    return file.empty() ? what : file + ": " + what;
}

std::string modeText(unsigned mode)
{
    char text[8];
    std::snprintf(text, sizeof text, "%04o", mode & 07777u);
    return text;
}

KeyPairResult generateKeyPair()
{
    char publicKey[kCurveKeyTextLength + 1] = {};
    char secretKey[kCurveKeyTextLength + 1] = {};
    if (zmq_curve_keypair(publicKey, secretKey) != 0)
        return {std::nullopt, KeyFileError{"", "cannot generate a CURVE key pair: " +
                                                   std::string(zmq_strerror(zmq_errno())) +
                                                   " (libzmq built without CURVE?)"}};
    return {CurveKeyPair{publicKey, secretKey}, {}};
}

std::optional<std::string> checkKeyText(std::string_view text)
{
    if (text.size() != kCurveKeyTextLength)
        return "is " + std::to_string(text.size()) + " characters long; a Z85 CURVE key has " +
               std::to_string(kCurveKeyTextLength);

    for (std::size_t index = 0; index < text.size(); ++index) {
        if (kZ85Alphabet.find(text[index]) == std::string_view::npos)
            return "has a character that is not Z85 at position " + std::to_string(index + 1);
    }

    const std::string terminated(text);
    std::array<std::uint8_t, kCurveKeyBytes> bytes{};
    if (zmq_z85_decode(bytes.data(), terminated.c_str()) == nullptr)
        return "is not valid Z85: a group of five characters exceeds 32 bits";
    return std::nullopt;
}

std::optional<std::string> publicKeyOf(std::string_view secretKey)
{
    if (checkKeyText(secretKey))
        return std::nullopt;
    const std::string terminated(secretKey);
    char publicKey[kCurveKeyTextLength + 1] = {};
    if (zmq_curve_public(publicKey, terminated.c_str()) != 0)
        return std::nullopt;
    return std::string(publicKey);
}

KeyFilePaths keyFilePaths(const std::string &basePath)
{
    return {basePath + ".key", basePath + ".pub"};
}

std::optional<KeyFileError> writeKeyPair(const CurveKeyPair &pair, const std::string &basePath,
                                         ExistingKeys existing)
{
    if (auto error = checkPair(pair))
        return error;
    const KeyFilePaths paths = keyFilePaths(basePath);
    if (isFolder(basePath))
        return KeyFileError{basePath, "is a folder; give the path of the key files without .key "
                                      "or .pub, such as " +
                                          basePath + "/server"};
    if (auto error = checkFolder(folderOf(paths.secretFile)))
        return error;
    // Both destinations are checked before either is written, because a rename onto a folder
    // fails and would leave the new secret file without its public file.
    for (const std::string &path : {paths.secretFile, paths.publicFile}) {
        if (isFolder(path))
            return KeyFileError{path, "is a folder, so the key file cannot be written there"};
    }
    if (existing == ExistingKeys::Keep) {
        for (const std::string &path : {paths.secretFile, paths.publicFile}) {
            if (exists(path))
                return KeyFileError{path, "already exists; an existing key is replaced only "
                                          "when asked to (bourse-engine keygen --force)"};
        }
    }

    const std::string secretText = std::string(kSecretFileHeader) + "public-key " + pair.publicKey +
                                   "\nsecret-key " + pair.secretKey + "\n";
    if (auto error = writeFileAtomically(paths.secretFile, secretText, 0600, existing))
        return error;

    const std::string publicText =
        std::string(kPublicFileHeader) + "public-key " + pair.publicKey + "\n";
    if (auto error = writeFileAtomically(paths.publicFile, publicText, 0644, existing)) {
        // A secret file without its public file is half a pair. With Keep it is new, so remove
        // it. With Replace the old secret file is gone already, and the error reports that.
        if (existing == ExistingKeys::Keep)
            ::unlink(paths.secretFile.c_str());
        else
            error->what += " (" + paths.secretFile + " already holds the new secret key)";
        return error;
    }
    return std::nullopt;
}

KeyPairResult readSecretKeyFile(const std::string &path)
{
    // O_NONBLOCK keeps open() from waiting for a writer when path names a FIFO.
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (descriptor < 0)
        return {std::nullopt, KeyFileError{path, "cannot open: " + systemError(errno)}};

    std::string text;
    std::optional<KeyFileError> error = checkSecretFile(descriptor, path);
    if (!error)
        error = readAll(descriptor, path, text);
    ::close(descriptor);
    if (error)
        return {std::nullopt, *error};

    // The folder is checked where the file really is, past any symbolic link.
    std::error_code ignored;
    const std::filesystem::path real = std::filesystem::canonical(path, ignored);
    if (auto folderError = checkFolder(folderOf(real.empty() ? path : real.string())))
        return {std::nullopt, *folderError};

    KeyFileFields fields;
    if (auto parseError = parseKeyFile(text, path, fields))
        return {std::nullopt, *parseError};
    for (const std::string_view keyword : {kPublicKeyWord, kSecretKeyWord}) {
        if (auto missing = requireField(fields, keyword, path))
            return {std::nullopt, *missing};
    }

    CurveKeyPair pair{fields.find(kPublicKeyWord)->second, fields.find(kSecretKeyWord)->second};
    if (publicKeyOf(pair.secretKey) != pair.publicKey)
        return {std::nullopt, KeyFileError{path, "the public-key line is not the public key of "
                                                 "the secret-key line: the file was edited or "
                                                 "mixes two key pairs"}};
    return {std::move(pair), {}};
}

PublicKeyResult readPublicKeyFile(const std::string &path)
{
    // O_NONBLOCK keeps open() from waiting for a writer when path names a FIFO.
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (descriptor < 0)
        return {std::nullopt, KeyFileError{path, "cannot open: " + systemError(errno)}};
    std::string text;
    struct stat status {};
    std::optional<KeyFileError> error;
    if (::fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode))
        error = KeyFileError{path, "is not a regular file"};
    else
        error = readAll(descriptor, path, text);
    ::close(descriptor);
    if (error)
        return {std::nullopt, *error};

    KeyFileFields fields;
    if (auto parseError = parseKeyFile(text, path, fields))
        return {std::nullopt, *parseError};
    if (fields.contains(kSecretKeyWord))
        return {std::nullopt, KeyFileError{path, "contains a secret key: pass the .pub file, "
                                                 "and keep this one private"}};
    if (auto missing = requireField(fields, kPublicKeyWord, path))
        return {std::nullopt, *missing};
    return {fields.find(kPublicKeyWord)->second, {}};
}

KeyPairResult readKeyPair(const std::string &basePath)
{
    const KeyFilePaths paths = keyFilePaths(basePath);
    KeyPairResult secret = readSecretKeyFile(paths.secretFile);
    if (!secret.ok())
        return secret;
    const PublicKeyResult publicKey = readPublicKeyFile(paths.publicFile);
    if (!publicKey.ok())
        return {std::nullopt, publicKey.error};
    if (*publicKey.publicKey != secret.pair->publicKey)
        return {std::nullopt,
                KeyFileError{paths.publicFile, "is not the public key of " + paths.secretFile}};
    return secret;
}

} // namespace bourse::net
