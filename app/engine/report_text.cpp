#include "report_text.h"

#include <array>
#include <cstdio>

namespace bourse::cli::report {

namespace {

constexpr std::int64_t kNanosecondsPerMillisecond = 1'000'000;
constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;
constexpr std::int64_t kNanosecondsPerDay = 86'400 * kNanosecondsPerSecond;

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 when it is not one
// (a stray continuation byte, an overlong form, a surrogate, or a code point past U+10FFFF).
std::size_t utf8SequenceLength(std::string_view text)
{
    const auto byte = [&](std::size_t index) { return static_cast<unsigned char>(text[index]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    char32_t codePoint = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        codePoint = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        codePoint = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        codePoint = lead & 0x07;
    } else {
        return 0;
    }
    if (text.size() < length)
        return 0;

    for (std::size_t index = 1; index < length; ++index) {
        if ((byte(index) & 0xC0) != 0x80)
            return 0;
        codePoint = (codePoint << 6) | (byte(index) & 0x3F);
    }
    const char32_t smallest = length == 3 ? 0x800 : (length == 4 ? 0x10000 : 0x80);
    const bool surrogate = codePoint >= 0xD800 && codePoint <= 0xDFFF;
    return codePoint < smallest || surrogate || codePoint > 0x10FFFF ? 0 : length;
}

void appendHexByte(std::string &out, unsigned char value)
{
    static constexpr char kDigits[] = "0123456789ABCDEF";
    out += "\\x";
    out += kDigits[value >> 4];
    out += kDigits[value & 0x0F];
}

std::string twoDigits(std::int64_t value)
{
    return {static_cast<char>('0' + value / 10), static_cast<char>('0' + value % 10)};
}

// The civil date of a day count since 1970-01-01, as "YYYY-MM-DD", by civil_from_days from
// Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms" (2013).
std::string civilDate(std::int64_t days)
{
    const std::int64_t shifted = days + 719'468;
    const std::int64_t era = (shifted >= 0 ? shifted : shifted - 146'096) / 146'097;
    const std::int64_t dayOfEra = shifted - era * 146'097;
    const std::int64_t yearOfEra =
        (dayOfEra - dayOfEra / 1'460 + dayOfEra / 36'524 - dayOfEra / 146'096) / 365;
    const std::int64_t dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const std::int64_t monthIndex = (5 * dayOfYear + 2) / 153;
    const std::int64_t day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
    const std::int64_t month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
    const std::int64_t year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%04lld-%02lld-%02lld", static_cast<long long>(year),
                  static_cast<long long>(month), static_cast<long long>(day));
    return text.data();
}

} // namespace

std::string escapeXml(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t index = 0;
    while (index < text.size()) {
        const auto byte = static_cast<unsigned char>(text[index]);
        if (byte >= 0x80) {
            const std::size_t length = utf8SequenceLength(text.substr(index));
            if (length == 0) {
                appendHexByte(out, byte);
                ++index;
            } else {
                out.append(text.substr(index, length));
                index += length;
            }
            continue;
        }

        switch (byte) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            if ((byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7F)
                appendHexByte(out, byte);
            else
                out += static_cast<char>(byte);
        }
        ++index;
    }
    return out;
}

std::string groupedDecimal(std::int64_t units, int decimals)
{
    const std::string plain = toDecimalText(units, decimals).toString();
    const bool negative = !plain.empty() && plain.front() == '-';
    const std::size_t wholeBegin = negative ? 1 : 0;
    const std::size_t point = plain.find('.');
    const std::size_t wholeEnd = point == std::string::npos ? plain.size() : point;

    std::string grouped = negative ? "-" : "";
    for (std::size_t index = wholeBegin; index < wholeEnd; ++index) {
        const std::size_t left = wholeEnd - index;
        if (index > wholeBegin && left % 3 == 0)
            grouped += ',';
        grouped += plain[index];
    }
    grouped.append(plain, wholeEnd);
    return grouped;
}

std::string formatCount(std::uint64_t count)
{
    const std::string digits = std::to_string(count);
    std::string grouped;
    for (std::size_t index = 0; index < digits.size(); ++index) {
        if (index > 0 && (digits.size() - index) % 3 == 0)
            grouped += ',';
        grouped += digits[index];
    }
    return grouped;
}

std::string formatPercent(std::uint64_t part, std::uint64_t whole)
{
    if (whole == 0)
        return "\u2014";
    using UInt128 = detail::UInt128;
    const auto value =
        static_cast<std::uint64_t>((UInt128{part} * 2'000 + whole) / (UInt128{whole} * 2));
    return formatCount(value / 10) + "." + std::to_string(value % 10) + "%";
}

bool isTimeOfDay(Timestamp time)
{
    return time.value() >= 0 && time.value() < kNanosecondsPerDay;
}

std::int64_t utcDay(Timestamp time)
{
    const std::int64_t nanoseconds = time.value();
    const std::int64_t day = nanoseconds / kNanosecondsPerDay;
    return nanoseconds % kNanosecondsPerDay < 0 ? day - 1 : day;
}

std::string formatTime(Timestamp time, bool withDate)
{
    const std::int64_t day = utcDay(time);
    const std::int64_t intoDay = time.value() - day * kNanosecondsPerDay;
    const std::int64_t seconds = intoDay / kNanosecondsPerSecond;
    const std::int64_t milliseconds = intoDay / kNanosecondsPerMillisecond % 1'000;

    std::string text = withDate && !isTimeOfDay(time) ? civilDate(day) + " " : std::string();
    text += twoDigits(seconds / 3'600) + ":" + twoDigits(seconds / 60 % 60) + ":" +
            twoDigits(seconds % 60) + ".";
    text += std::to_string(1'000 + milliseconds).substr(1);
    return text;
}

std::string formatDuration(std::int64_t nanoseconds)
{
    const bool negative = nanoseconds < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(nanoseconds)
                                             : static_cast<std::uint64_t>(nanoseconds);
    const std::uint64_t milliseconds = magnitude / kNanosecondsPerMillisecond;
    const std::string sign = negative ? "-" : "";
    if (milliseconds < 1'000)
        return sign + std::to_string(milliseconds) + " ms";

    const std::uint64_t hours = milliseconds / 3'600'000;
    const std::uint64_t minutes = milliseconds / 60'000 % 60;
    const std::uint64_t seconds = milliseconds / 1'000 % 60;
    const std::uint64_t fraction = milliseconds % 1'000;
    const bool hasSeconds = seconds != 0 || fraction != 0;

    std::string text = sign;
    if (hours > 0)
        text += formatCount(hours) + " h";
    if (minutes > 0 || (hours > 0 && hasSeconds)) {
        if (hours > 0)
            text += ' ';
        text += std::to_string(minutes);
        text += " min";
    }
    if (!hasSeconds)
        return text;
    if (text.size() > sign.size())
        text += ' ';
    text += std::to_string(seconds);
    if (fraction != 0) {
        text += '.';
        text += std::to_string(1'000 + fraction).substr(1);
    }
    return text + " s";
}

} // namespace bourse::cli::report
