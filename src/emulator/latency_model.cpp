#include "acsbatch/emulator/latency_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/seeded_random.hpp"
#include "spec_text.hpp"

namespace acsbatch::emulator {
namespace {

using std::chrono::microseconds;

/// The standard normal's 99th percentile.
constexpr double z99 = 2.326;

[[noreturn]] void fail(std::string_view spec, std::string_view why) {
  throw config_error("--latency: '" + std::string(spec) + "' " + std::string(why));
}

microseconds parse_delay(std::string_view spec, std::string_view text, std::string_view what) {
  const auto duration = spec_text::parse_duration(text);
  if (!duration)
    fail(spec, "has " + std::string(what) + " '" + std::string(text) +
                   "', which is not a duration such as 20ms, 1.5s or 500us");
  const auto out = std::chrono::round<microseconds>(*duration);
  if (out > max_latency) fail(spec, std::string(what) + " exceeds the emulator's maximum of 60s");
  return out;
}

/// `min=5ms,max=50ms` → the two values, in any order; every key must be one of `keys`.
std::array<microseconds, 2> parse_pair(std::string_view spec, std::string_view params,
                                       std::string_view first, std::string_view second) {
  std::array<std::optional<microseconds>, 2> found;
  for (const auto part : spec_text::split(params, ',')) {
    const auto equals = part.find('=');
    const auto key = spec_text::trim(part.substr(0, equals));
    const std::size_t index = key == first ? 0 : key == second ? 1 : 2;
    if (equals == std::string_view::npos || index == 2)
      fail(spec, "has '" + std::string(part) + "'; expected " + std::string(first) + "=DURATION," +
                     std::string(second) + "=DURATION");
    found[index] = parse_delay(spec, spec_text::trim(part.substr(equals + 1)), key);
  }
  for (std::size_t i = 0; i < 2; ++i)
    if (!found[i]) fail(spec, "needs " + std::string(i == 0 ? first : second) + "=DURATION");
  return {*found[0], *found[1]};
}

std::string format(microseconds value) { return spec_text::format_duration(value); }

}  // namespace

latency_spec parse_latency_spec(std::string_view text) {
  const auto spec = spec_text::trim(text);
  latency_spec out;
  if (spec.empty() || spec == "none" || spec == "off") return out;
  const auto colon = spec.find(':');
  const auto shape = spec.substr(0, colon);
  const auto params = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
  if (shape == "fixed") {
    out.distribution = latency_spec::shape::fixed;
    out.fixed = parse_delay(spec, spec_text::trim(params), "the delay");
  } else if (shape == "uniform") {
    out.distribution = latency_spec::shape::uniform;
    const auto [min, max] = parse_pair(spec, params, "min", "max");
    if (min > max) fail(spec, "has min above max");
    out.min = min;
    out.max = max;
  } else if (shape == "lognormal") {
    out.distribution = latency_spec::shape::lognormal;
    const auto [median, p99] = parse_pair(spec, params, "median", "p99");
    if (median <= microseconds{0}) fail(spec, "needs a median above 0");
    if (p99 < median) fail(spec, "has p99 below the median");
    out.median = median;
    out.p99 = p99;
  } else {
    fail(spec, "is not none, fixed:DURATION, uniform:min=DURATION,max=DURATION or "
               "lognormal:median=DURATION,p99=DURATION");
  }
  return out;
}

std::string to_string(const latency_spec& spec) {
  switch (spec.distribution) {
    case latency_spec::shape::fixed: return "fixed:" + format(spec.fixed);
    case latency_spec::shape::uniform: return "uniform:min=" + format(spec.min) + ",max=" + format(spec.max);
    case latency_spec::shape::lognormal:
      return "lognormal:median=" + format(spec.median) + ",p99=" + format(spec.p99);
    case latency_spec::shape::none: break;
  }
  return "none";
}

latency_sampler::latency_sampler(latency_spec spec, std::uint64_t seed) : spec_(spec), random_(seed) {
  if (spec_.distribution == latency_spec::shape::lognormal) {
    mu_ = std::log(static_cast<double>(spec_.median.count()));
    sigma_ = std::log(static_cast<double>(spec_.p99.count()) / static_cast<double>(spec_.median.count())) / z99;
  }
}

microseconds latency_sampler::sample() {
  switch (spec_.distribution) {
    case latency_spec::shape::none: return microseconds{0};
    case latency_spec::shape::fixed: return spec_.fixed;
    default: break;
  }
  std::lock_guard lock(mutex_);
  if (spec_.distribution == latency_spec::shape::uniform) {
    const auto span = static_cast<double>((spec_.max - spec_.min).count() + 1);
    return spec_.min + microseconds{static_cast<std::int64_t>(unit_interval(random_) * span)};
  }
  // Box–Muller; 1 − u keeps the logarithm's argument in (0,1].
  const double u1 = 1.0 - unit_interval(random_);
  const double u2 = unit_interval(random_);
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  const double value = std::exp(mu_ + sigma_ * z);
  const double cap = static_cast<double>(std::chrono::duration_cast<microseconds>(max_latency).count());
  return microseconds{static_cast<std::int64_t>(std::min(value, cap))};
}

}  // namespace acsbatch::emulator
