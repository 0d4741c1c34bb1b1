// bourse-engine keygen: a new CURVE key pair for a server or a terminal.

#include "commands.h"

#include "curve_keys.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace bourse::cli {

namespace {

struct KeygenArguments {
    std::string basePath; // empty: the default under the user's configuration folder
    bool force = false;
    bool help = false;
};

constexpr const char *kSynopsis = "usage: bourse-engine keygen [--out PATH] [--force]\n";

std::string usageText()
{
    return std::string(kSynopsis) +
           "\n"
           "Generates a CURVE key pair and writes PATH.key, the secret key (mode 0600), and\n"
           "PATH.pub, the public key, then prints the public key. A server gives its .pub file\n"
           "to the terminals; a terminal's public key goes into the server's access list\n"
           "(docs/network-security.md).\n"
           "  --out PATH  the two files' path without .key or .pub. Its folder must exist and\n"
           "              must not be writable by group or others. Without --out:\n"
           "              $XDG_CONFIG_HOME/bourse/keys/curve, or ~/.config/bourse/keys/curve\n"
           "              when XDG_CONFIG_HOME is unset or relative, creating the keys folder\n"
           "              with mode 0700. PATH must not be a folder.\n"
           "  --force     replace an existing key pair; without it, an existing PATH.key or\n"
           "              PATH.pub stops the command and nothing is written.\n"
           "Exit status: 0 success, 2 usage error, 3 a key file cannot be written or exists.\n";
}

int fail(const std::string &message, int status)
{
    std::cerr << "bourse-engine keygen: " << message << "\n";
    return status;
}

// Parses the arguments after "keygen". Returns nothing after printing what is wrong.
std::optional<KeygenArguments> parseArguments(const std::vector<std::string> &arguments)
{
    KeygenArguments parsed;
    for (std::size_t index = 0; index < arguments.size(); ++index) {
        const std::string &argument = arguments[index];
        if (argument == "--help" || argument == "-h") {
            parsed.help = true;
        } else if (argument == "--force") {
            parsed.force = true;
        } else if (argument == "--out") {
            // An option in its place, such as `--out --force`, is a forgotten PATH.
            if (index + 1 == arguments.size() || arguments[index + 1].empty() ||
                arguments[index + 1].rfind("--", 0) == 0) {
                fail("missing PATH after --out", UsageError);
                return std::nullopt;
            }
            parsed.basePath = arguments[++index];
            if (parsed.basePath.back() == '/') {
                fail("--out " + parsed.basePath +
                         " names a folder; give the path of the key "
                         "files without .key or .pub, such as " +
                         parsed.basePath + "server",
                     UsageError);
                return std::nullopt;
            }
        } else {
            fail("unexpected argument '" + argument + "'", UsageError);
            return std::nullopt;
        }
    }
    return parsed;
}

// Sets basePath to the default, creating its folders with mode 0700 as needed. Returns the exit
// status, after printing what is wrong unless it is Success.
int findDefaultBasePath(std::string &basePath)
{
    std::string config;
    if (const char *xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg == '/')
        config = xdg;
    else if (const char *home = std::getenv("HOME"); home != nullptr && *home == '/')
        config = std::string(home) + "/.config";
    if (config.empty())
        return fail("neither XDG_CONFIG_HOME nor HOME is an absolute path; give --out PATH",
                    UsageError);

    // mkdir leaves an existing folder as it is; writeKeyPair then checks its permissions.
    for (const std::string &folder : {config, config + "/bourse", config + "/bourse/keys"}) {
        if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)
            return fail(folder + ": cannot create the folder: " + std::strerror(errno), InputError);
    }
    basePath = config + "/bourse/keys/curve";
    return Success;
}

} // namespace

int runKeygenCommand(const std::vector<std::string> &arguments)
{
    const std::optional<KeygenArguments> parsed = parseArguments(arguments);
    if (!parsed) {
        std::cerr << kSynopsis;
        return UsageError;
    }
    if (parsed->help) {
        std::cout << usageText();
        return Success;
    }

    std::string basePath = parsed->basePath;
    if (basePath.empty()) {
        if (const int status = findDefaultBasePath(basePath); status != Success)
            return status;
    }

    const net::KeyPairResult generated = net::generateKeyPair();
    if (!generated.ok())
        return fail(generated.error.toString(), InputError);
    const auto existing = parsed->force ? net::ExistingKeys::Replace : net::ExistingKeys::Keep;
    if (const auto error = net::writeKeyPair(*generated.pair, basePath, existing))
        return fail(error->toString(), InputError);

    const net::KeyFilePaths paths = net::keyFilePaths(basePath);
    std::cout << "secret key file: " << paths.secretFile << " (mode 0600, keep it private)\n"
              << "public key file: " << paths.publicFile << "\n"
              << "public key: " << generated.pair->publicKey << "\n";
    return Success;
}

} // namespace bourse::cli
