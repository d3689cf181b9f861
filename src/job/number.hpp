#pragma once
/// Decimal numbers and durations as job files write them and messages show them.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace acsbatch::job::detail {

/// `-?[0-9]+(\.[0-9]+)?` → its value; nullopt for anything else (exponents, "inf", spaces, "+1").
std::optional<double> parse_decimal(std::string_view text);

/// 1000000, 0.5, 33.333333333333336: the shortest text that reads back the same, never an exponent.
std::string format_number(double value);

/// The largest unit that divides it exactly: 200ms, 30s, 10m, 1h, 1d (0 is "0s").
std::string format_duration(std::chrono::milliseconds value);

}  // namespace acsbatch::job::detail
