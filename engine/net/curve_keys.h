#pragma once

// CURVE key pairs and the files that keep them (docs/network-security.md).
//
// A key travels as text: the 40 Z85 characters of its 32 bytes, the form libzmq's
// ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY and ZMQ_CURVE_SERVERKEY options accept. A key pair
// with base path P is two files:
//
//   P.pub   # comment lines
//           public-key <40 Z85 characters>
//   P.key   # comment lines
//           public-key <40 Z85 characters>
//           secret-key <40 Z85 characters>
//
// P.key is created with mode 0600. It is read only when group and others have no access to it
// and its folder is not writable by group or others, as ssh treats a private key.

#include <optional>
#include <string>
#include <string_view>

namespace bourse::net {

inline constexpr std::size_t kCurveKeyBytes = 32;
inline constexpr std::size_t kCurveKeyTextLength = 40; // Z85 of 32 bytes

struct CurveKeyPair {
    std::string publicKey; // Z85 text
    std::string secretKey; // Z85 text
};

// An error about a key file or a key.
struct KeyFileError {
    std::string file; // empty for an error about a key that is in no file
    std::string what;

    // "<file>: <what>", or only what when no file is concerned.
    std::string toString() const;
};

struct KeyPairResult {
    std::optional<CurveKeyPair> pair;
    KeyFileError error; // set when pair is empty

    bool ok() const { return pair.has_value(); }
};

struct PublicKeyResult {
    std::optional<std::string> publicKey;
    KeyFileError error; // set when publicKey is empty

    bool ok() const { return publicKey.has_value(); }
};

// Generates a new key pair with zmq_curve_keypair. Fails only when libzmq was built without
// CURVE.
KeyPairResult generateKeyPair();

// Checks that text is a 40-character Z85 key. Returns what is wrong, or nothing when it is one.
std::optional<std::string> checkKeyText(std::string_view text);

// Derives the public key of a secret key (zmq_curve_public). Returns nothing when the secret key
// is not valid Z85 key text.
std::optional<std::string> publicKeyOf(std::string_view secretKey);

// The two files of a key pair: basePath + ".key" and basePath + ".pub".
struct KeyFilePaths {
    std::string secretFile;
    std::string publicFile;
};
KeyFilePaths keyFilePaths(const std::string &basePath);

enum class ExistingKeys {
    Keep,    // fail when either file exists
    Replace, // replace them, as `bourse-engine keygen --force` does
};

// Writes a key pair to its two files. Each file is written in full to a new temporary file in
// the same folder, created with its final mode (0600 for the secret file, 0644 for the public
// one) and flushed to disk, then moved to its name. With ExistingKeys::Keep it fails, changing
// nothing, when either file exists, even when another process creates one meanwhile. A pair
// whose public key does not match its secret key is not written. The folder must exist and must
// not be writable by group or others. Returns the first error, or nothing on success.
std::optional<KeyFileError> writeKeyPair(const CurveKeyPair &pair, const std::string &basePath,
                                         ExistingKeys existing);

// Reads a secret key file (P.key). Fails unless the file belongs to this user and gives group
// and others no access, and its folder is not writable by group or others. The file must
// contain both keys as valid Z85, and its public key must be the one derived from its secret.
KeyPairResult readSecretKeyFile(const std::string &path);

// Reads a public key file (P.pub): any mode, one valid public-key line.
PublicKeyResult readPublicKeyFile(const std::string &path);

// Reads both files of a key pair and checks that the public file contains the public key of
// the secret file.
KeyPairResult readKeyPair(const std::string &basePath);

// "0644": the permission bits of a mode in octal, as errors print them.
std::string modeText(unsigned mode);

} // namespace bourse::net
