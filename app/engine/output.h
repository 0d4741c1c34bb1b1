#pragma once

#include <cstdint>
#include <string>

namespace bourse::cli {

// A 64-bit hash as 16 lower-case hex digits, the form every command prints.
std::string hex(std::uint64_t value);

// Text as a JSON string literal, with quotes, backslashes and control characters escaped.
std::string jsonString(const std::string &text);

} // namespace bourse::cli
