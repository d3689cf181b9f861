#include "spec_text.hpp"

#include <charconv>
#include <cmath>

namespace acsbatch::emulator::spec_text {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  if (trim(text).empty()) return parts;
  for (;;) {
    const auto at = text.find(separator);
    parts.push_back(trim(text.substr(0, at)));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

std::optional<double> parse_number(std::string_view text) {
  // Digits and one dot only: no sign, exponent, "inf" or "nan" slips through from_chars.
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos ||
      text.find('.') != text.rfind('.') || text == ".")
    return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  const auto unit_at = text.find_first_not_of("0123456789.");
  if (unit_at == 0 || unit_at == std::string_view::npos) return std::nullopt;
  const auto number = parse_number(text.substr(0, unit_at));
  if (!number) return std::nullopt;
  const std::string_view unit = text.substr(unit_at);
  double per_unit = 0;
  if (unit == "us") per_unit = 1e3;
  else if (unit == "ms") per_unit = 1e6;
  else if (unit == "s") per_unit = 1e9;
  else if (unit == "m") per_unit = 60e9;
  else return std::nullopt;
  const double nanoseconds = std::round(*number * per_unit);
  if (nanoseconds > 86'400e9) return std::nullopt;
  return std::chrono::nanoseconds{static_cast<std::int64_t>(nanoseconds)};
}

std::string format_duration(std::chrono::nanoseconds duration) {
  const auto ns = duration.count();
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
  if (ns < 0) return std::to_string(ns) + "ns";
  // Not whole microseconds: decimal ones (0.001us, 1.5us), since the parsers read no "ns".
  std::string fraction = std::to_string(1'000 + ns % 1'000).substr(1);
  while (fraction.back() == '0') fraction.pop_back();
  return std::to_string(ns / 1'000) + "." + fraction + "us";
}

}  // namespace acsbatch::emulator::spec_text
