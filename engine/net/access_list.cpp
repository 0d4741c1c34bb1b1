#include "access_list.h"

#include "curve_keys.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bourse::net {

namespace {

struct Word {
    std::string_view text;
    std::size_t column = 0; // from 1
};

// The words of a line before its comment, and the comment. A word that starts with '#' starts
// the comment. Z85 keys may contain '#', but never first: a group of five characters that
// starts with '#' (84 of 85) is more than 32 bits.
struct SplitLine {
    std::vector<Word> words;
    std::string_view comment;
    std::size_t commentColumn = 0; // 0 without a comment
};

std::string systemError(int error)
{
    return std::strerror(error);
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

SplitLine splitLine(std::string_view line)
{
    SplitLine split;
    std::size_t position = 0;
    while (position < line.size()) {
        if (isSpace(line[position])) {
            ++position;
            continue;
        }
        if (line[position] == '#') {
            split.commentColumn = position + 1;
            split.comment = line.substr(position + 1);
            break;
        }
        const std::size_t start = position;
        while (position < line.size() && !isSpace(line[position]))
            ++position;
        split.words.push_back({line.substr(start, position - start), start + 1});
    }
    return split;
}

std::string_view trimmed(std::string_view text)
{
    const std::size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \t\r") + 1 - first);
}

// Text of the file as a message quotes it: at most 48 bytes, with bytes outside printable ASCII
// as \xNN, so that a binary file still gives a readable message.
std::string shown(std::string_view text)
{
    constexpr std::size_t kShownBytes = 48;
    std::string result;
    for (const char c : text.substr(0, kShownBytes)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f) {
            result += c;
        } else {
            constexpr std::string_view digits = "0123456789abcdef";
            result += "\\x";
            result += digits[byte >> 4];
            result += digits[byte & 0xf];
        }
    }
    return text.size() > kShownBytes ? result + "..." : result;
}

} // namespace

// Parses one line at a time into a list; errors collect in the result.
struct AccessListParser {
    AccessList list;
    std::vector<AccessListError> errors;
    std::size_t lineNumber = 0;

    explicit AccessListParser(const std::string &fileName) { list.m_fileName = fileName; }

    void error(std::size_t column, std::string message)
    {
        if (errors.size() < kMaximumAccessListErrors)
            errors.push_back({list.m_fileName, lineNumber, column, std::move(message)});
    }

    void parseLine(std::string_view line)
    {
        const SplitLine split = splitLine(line);
        if (split.words.empty())
            return;

        AccessEntry entry;
        entry.line = lineNumber;
        entry.comment = trimmed(split.comment);
        if (!parseRole(split.words[0], entry.role))
            return;
        if (split.words.size() < 2) {
            error(split.words[0].column + split.words[0].text.size(),
                  "missing the public key after '" + std::string(split.words[0].text) + "'");
            return;
        }
        if (!parseKey(split.words[1], entry.publicKey))
            return;
        if (!parseRest(line, split, entry))
            return;

        list.m_indexByKey.emplace(entry.publicKey, list.m_entries.size());
        list.m_entries.push_back(std::move(entry));
    }

    bool parseRole(const Word &word, Role &role)
    {
        if (word.text == "trader") {
            role = Role::Trader;
        } else if (word.text == "viewer") {
            role = Role::Viewer;
        } else {
            error(word.column,
                  "unknown role '" + shown(word.text) + "': expected trader or viewer");
            return false;
        }
        return true;
    }

    bool parseKey(const Word &word, std::string &key)
    {
        if (const auto problem = checkKeyText(word.text)) {
            error(word.column, "invalid public key '" + shown(word.text) + "': it " + *problem);
            return false;
        }
        key = word.text;
        if (const auto found = list.m_indexByKey.find(key); found != list.m_indexByKey.end()) {
            error(word.column, "duplicate key: line " +
                                   std::to_string(list.m_entries[found->second].line) +
                                   " lists it already");
            return false;
        }
        return true;
    }

    // The words after the key: "accounts LIST" for a trader, nothing for a viewer.
    bool parseRest(std::string_view line, const SplitLine &split, AccessEntry &entry)
    {
        const Word &key = split.words[1];
        if (entry.role == Role::Viewer) {
            if (split.words.size() == 2)
                return true;
            const Word &extra = split.words[2];
            error(extra.column, "unexpected '" + shown(extra.text) +
                                    "' after a viewer's key: a viewer trades no accounts");
            return false;
        }

        if (split.words.size() == 2 || split.words[2].text != "accounts") {
            const std::size_t column =
                split.words.size() == 2 ? key.column + key.text.size() : split.words[2].column;
            error(column, "a trader needs 'accounts LIST' after its key, such as 'accounts 1,2'");
            return false;
        }
        const Word &keyword = split.words[2];
        const std::size_t start = keyword.column - 1 + keyword.text.size();
        const std::size_t end = split.commentColumn == 0 ? line.size() : split.commentColumn - 1;
        return parseAccounts(line.substr(start, end - start), start + 1, entry.accounts);
    }

    // A comma-separated list of account numbers; text begins at the given column.
    bool parseAccounts(std::string_view text, std::size_t column, std::vector<AccountId> &accounts)
    {
        if (trimmed(text).empty()) {
            error(column, "empty account list: give the accounts the key may trade, such as "
                          "'accounts 1,2'");
            return false;
        }
        std::size_t offset = 0;
        while (offset <= text.size()) {
            const std::size_t comma = std::min(text.find(',', offset), text.size());
            const std::string_view raw = text.substr(offset, comma - offset);
            const std::string_view item = trimmed(raw);
            const std::size_t itemColumn =
                column + offset +
                (item.empty() ? 0 : static_cast<std::size_t>(item.data() - raw.data()));
            if (!parseAccount(item, itemColumn, accounts))
                return false;
            offset = comma + 1;
        }
        std::sort(accounts.begin(), accounts.end());
        return true;
    }

    bool parseAccount(std::string_view item, std::size_t column, std::vector<AccountId> &accounts)
    {
        if (item.empty()) {
            error(column, "empty item in the account list");
            return false;
        }
        std::uint32_t value = 0;
        const char *end = item.data() + item.size();
        const auto [stop, code] = std::from_chars(item.data(), end, value);
        if (code != std::errc{} || stop != end || value == 0) {
            error(column, "invalid account '" + shown(item) + "': expected a whole number from 1");
            return false;
        }
        if (std::find(accounts.begin(), accounts.end(), AccountId{value}) != accounts.end()) {
            error(column, "account " + std::string(item) + " is listed twice");
            return false;
        }
        accounts.push_back(AccountId{value});
        return true;
    }
};

std::string_view roleName(Role role)
{
    return role == Role::Trader ? "trader" : "viewer";
}

std::string AccessListError::toString() const
{
    if (line == 0)
        return file + ": error: " + message;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: " + message;
}

std::string_view orderPermissionText(OrderPermission permission)
{
    switch (permission) {
    case OrderPermission::Allowed:
        return "allowed";
    case OrderPermission::UnknownKey:
        return "the key is not in the access list";
    case OrderPermission::ViewerRole:
        return "the key is a viewer's, which may not send orders";
    case OrderPermission::AccountNotAllowed:
        return "the key's trader may not trade this account";
    }
    return "unknown permission";
}

const AccessEntry *AccessList::find(std::string_view publicKey) const
{
    const auto found = m_indexByKey.find(std::string(publicKey));
    return found == m_indexByKey.end() ? nullptr : &m_entries[found->second];
}

std::optional<Role> AccessList::roleOf(std::string_view publicKey) const
{
    const AccessEntry *entry = find(publicKey);
    return entry ? std::optional<Role>(entry->role) : std::nullopt;
}

OrderPermission AccessList::checkOrder(std::string_view publicKey, AccountId account) const
{
    const AccessEntry *entry = find(publicKey);
    if (!entry)
        return OrderPermission::UnknownKey;
    if (entry->role != Role::Trader)
        return OrderPermission::ViewerRole;
    if (!std::binary_search(entry->accounts.begin(), entry->accounts.end(), account))
        return OrderPermission::AccountNotAllowed;
    return OrderPermission::Allowed;
}

AccessListResult parseAccessList(std::string_view text, const std::string &fileName)
{
    AccessListParser parser(fileName);
    while (!text.empty() && parser.errors.size() < kMaximumAccessListErrors) {
        ++parser.lineNumber;
        const std::size_t end = text.find('\n');
        parser.parseLine(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    if (!parser.errors.empty())
        return {nullptr, std::move(parser.errors)};
    return {std::make_shared<const AccessList>(std::move(parser.list)), {}};
}

AccessListResult loadAccessList(const std::string &path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return {nullptr, {{path, 0, 0, "cannot open the access list: " + systemError(errno)}}};
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad())
        return {nullptr, {{path, 0, 0, "cannot read the access list"}}};
    return parseAccessList(text.str(), path);
}

} // namespace bourse::net
