#pragma once
/// Small lexers shared by the --limits, --faults and --latency parsers (private to
/// src/emulator): they report "malformed" as nullopt and leave the message to the caller, which
/// knows which flag and which part of it was wrong.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acsbatch::emulator::spec_text {

/// Splits at `separator`, trimming spaces around each part; "" gives no parts.
std::vector<std::string_view> split(std::string_view text, char separator);

/// Trims leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

/// A non-negative decimal number and a unit: `250ms`, `1.5s`, `100us`, `2m`. nullopt when
/// malformed or longer than a day (no fault spec needs more, and the arithmetic stays exact).
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

/// A non-negative decimal number without unit: `0.3`, `1`, `.05`.
std::optional<double> parse_number(std::string_view text);

/// A whole number: `1000`.
std::optional<std::uint64_t> parse_count(std::string_view text);

/// `250ms`, `1s`, `100us`, `0.5us`: the largest unit that gives a whole number (decimal
/// microseconds below one), for messages and the stats echo; parse_duration reads it back.
std::string format_duration(std::chrono::nanoseconds duration);

}  // namespace acsbatch::emulator::spec_text
