#include "number.hpp"

#include <charconv>
#include <cstdint>

namespace acsbatch::job::detail {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::optional<double> parse_decimal(std::string_view text) {
  std::string_view unsigned_part = text;
  if (!unsigned_part.empty() && unsigned_part.front() == '-') unsigned_part.remove_prefix(1);
  const auto dot = unsigned_part.find('.');
  // from_chars alone would accept "1e3", "inf" and "nan"; a job file means plain decimals.
  if (!all_digits(unsigned_part.substr(0, dot))) return std::nullopt;
  if (dot != std::string_view::npos && !all_digits(unsigned_part.substr(dot + 1))) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string format_number(double value) {
  char buffer[512];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  if (ec != std::errc{}) return "?";
  return std::string(buffer, end);
}

std::string format_duration(std::chrono::milliseconds value) {
  struct unit {
    std::int64_t ms;
    const char* name;
  };
  static constexpr unit units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}, {1, "ms"}};
  const std::int64_t ms = value.count();
  if (ms == 0) return "0s";
  for (const auto& u : units)
    if (ms % u.ms == 0) return std::to_string(ms / u.ms) + u.name;
  return std::to_string(ms) + "ms";
}

}  // namespace acsbatch::job::detail
