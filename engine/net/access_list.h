#pragma once

// The access list of a Bourse server: which terminal public keys may connect, and what each may
// do (docs/network-security.md). One entry a line:
//
//   # comment
//   trader <Z85 public key> accounts 1,2   # alice
//   viewer <Z85 public key>                # room 3
//
// A trader may send orders for the accounts listed and watch market data; a viewer may only
// watch. A key that is not listed may not connect at all. A '#' at the start of a word starts
// a comment. A Z85 key never starts with '#', so a '#' inside a key is part of the key.

#include "types.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bourse::net {

enum class Role : std::uint8_t {
    Trader, // sends orders for its accounts and receives market data
    Viewer, // receives market data only
};

std::string_view roleName(Role role);

struct AccessEntry {
    std::string publicKey; // Z85 text, as ZAP reports it in the User-Id of each message
    Role role = Role::Viewer;
    std::vector<AccountId> accounts; // the accounts a trader may trade, sorted; empty for a viewer
    std::string comment;             // the comment after the entry, trimmed, such as "alice"
    std::size_t line = 0;            // the entry's line in its file, from 1
};

// A place and a problem in an access list file. Line and column count from 1; line 0 is about
// the whole file.
struct AccessListError {
    std::string file;
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;

    // "file:line:column: error: message", or "file: error: message" for line 0.
    std::string toString() const;
};

// The outcome of the access check of an order, with the reason for a rejection.
enum class OrderPermission : std::uint8_t {
    Allowed,
    UnknownKey,        // the key is not in the list (any more)
    ViewerRole,        // the key may only watch
    AccountNotAllowed, // a trader, but not of this account
};

std::string_view orderPermissionText(OrderPermission permission);

class AccessList {
public:
    const AccessEntry *find(std::string_view publicKey) const;
    std::optional<Role> roleOf(std::string_view publicKey) const;
    OrderPermission checkOrder(std::string_view publicKey, AccountId account) const;
    bool mayTrade(std::string_view publicKey, AccountId account) const
    {
        return checkOrder(publicKey, account) == OrderPermission::Allowed;
    }

    const std::vector<AccessEntry> &entries() const { return m_entries; }
    std::size_t size() const { return m_entries.size(); }
    // The file the list was read from, for log messages.
    const std::string &fileName() const { return m_fileName; }

private:
    friend struct AccessListParser;

    std::string m_fileName;
    std::vector<AccessEntry> m_entries;
    std::unordered_map<std::string, std::size_t> m_indexByKey;
};

struct AccessListResult {
    std::shared_ptr<const AccessList> list; // null when errors is not empty
    std::vector<AccessListError> errors;

    bool ok() const { return errors.empty(); }
};

// Parses a whole access list. Parsing goes on after an error, to report up to
// kMaximumAccessListErrors at once, but a list with any error is not returned.
AccessListResult parseAccessList(std::string_view text, const std::string &fileName);

// Reads and parses a file. A file that cannot be read gives one error at line 0.
AccessListResult loadAccessList(const std::string &path);

inline constexpr std::size_t kMaximumAccessListErrors = 20;

} // namespace bourse::net
