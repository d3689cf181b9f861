#include <charconv>
#include <cstdint>
#include <limits>

#include "acsbatch/job/job.hpp"

namespace acsbatch::job {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const auto unit_at = text.find_first_not_of("0123456789");
  if (unit_at == 0 || unit_at == std::string_view::npos) return std::nullopt;
  const std::string_view digits = text.substr(0, unit_at);
  const std::string_view unit = text.substr(unit_at);

  std::int64_t per_unit = 0;
  if (unit == "ms") per_unit = 1;
  else if (unit == "s") per_unit = 1'000;
  else if (unit == "m") per_unit = 60'000;
  else if (unit == "h") per_unit = 3'600'000;
  else if (unit == "d") per_unit = 86'400'000;
  else return std::nullopt;

  std::uint64_t count = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  // The result must fit milliseconds' representation; from_chars already refused > 2^64.
  constexpr auto max_rep = static_cast<std::uint64_t>(std::numeric_limits<std::chrono::milliseconds::rep>::max());
  if (count > max_rep / static_cast<std::uint64_t>(per_unit)) return std::nullopt;
  return std::chrono::milliseconds{static_cast<std::int64_t>(count) * per_unit};
}

}  // namespace acsbatch::job
