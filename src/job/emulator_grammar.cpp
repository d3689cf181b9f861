#include "emulator_grammar.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace acsbatch::job::detail {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

/// The emulator's limits (service_limits.hpp, latency_model.hpp).
constexpr std::uint64_t max_limit_requests = 1'000'000;
constexpr std::chrono::seconds max_latency{60};
constexpr std::string_view limitable[] = {"create_user", "create_user_and_token", "issue_token", "revoke_tokens",
                                          "delete_user", "get_user", "exchange_teams_token"};
constexpr std::string_view fault_kinds[] = {"429", "500", "502", "503", "504", "reset", "timeout", "close"};

// The lexers of src/emulator/spec_text.cpp.

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

std::optional<nanoseconds> parse_duration(std::string_view text) {
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
  const double ns = std::round(*number * per_unit);
  if (ns > 86'400e9) return std::nullopt;
  return nanoseconds{static_cast<std::int64_t>(ns)};
}

bool is_one_of(std::string_view word, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

template <std::size_t N>
bool is_one_of(std::string_view word, const std::string_view (&words)[N]) {
  return std::find(std::begin(words), std::end(words), word) != std::end(words);
}

std::string problem(std::string_view item, std::string_view why) {
  return "'" + std::string(item) + "' " + std::string(why);
}

// --limits (src/emulator/service_limits.cpp).

std::optional<std::string> rate_problem(std::string_view item, std::string_view rate) {
  const auto slash = rate.find('/');
  if (slash == std::string_view::npos) return problem(item, "must be OP=N/WINDOW (e.g. create_user=100/1s)");
  const auto requests = parse_count(rate.substr(0, slash));
  if (!requests || *requests == 0 || *requests > max_limit_requests)
    return problem(item, "needs a request count N between 1 and " + std::to_string(max_limit_requests));
  std::string window_text(rate.substr(slash + 1));
  if (!window_text.empty() && window_text.front() >= 'a' && window_text.front() <= 'z') window_text.insert(0, "1");
  const auto window = parse_duration(window_text);
  if (!window || *window <= nanoseconds{0})
    return problem(item, "needs a window such as 1s, 500ms or 30s after the '/'");
  return std::nullopt;
}

// --latency (src/emulator/latency_model.cpp).

std::optional<std::string> delay_problem(std::string_view spec, std::string_view text, std::string_view what,
                                         microseconds& out) {
  const auto duration = parse_duration(text);
  if (!duration)
    return problem(spec, "has " + std::string(what) + " '" + std::string(text) +
                             "', which is not a duration such as 20ms, 1.5s or 500us");
  out = std::chrono::round<microseconds>(*duration);
  if (out > max_latency) return problem(spec, std::string(what) + " exceeds the emulator's maximum of 60s");
  return std::nullopt;
}

std::optional<std::string> pair_problem(std::string_view spec, std::string_view params, std::string_view first,
                                        std::string_view second, microseconds& first_out, microseconds& second_out) {
  bool found[2] = {false, false};
  for (const auto part : split(params, ',')) {
    const auto equals = part.find('=');
    const auto key = trim(part.substr(0, equals));
    const std::size_t index = key == first ? 0 : key == second ? 1 : 2;
    if (equals == std::string_view::npos || index == 2)
      return problem(spec, "has '" + std::string(part) + "'; expected " + std::string(first) + "=DURATION," +
                               std::string(second) + "=DURATION");
    if (auto p = delay_problem(spec, trim(part.substr(equals + 1)), key, index == 0 ? first_out : second_out))
      return p;
    found[index] = true;
  }
  for (std::size_t i = 0; i < 2; ++i)
    if (!found[i]) return problem(spec, "needs " + std::string(i == 0 ? first : second) + "=DURATION");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> limits_spec_problem(std::string_view spec) {
  const auto whole = trim(spec);
  if (whole.empty() || whole == "off" || whole == "none") return std::nullopt;
  for (const auto item : split(whole, ',')) {
    if (item == "real") continue;
    const auto equals = item.find('=');
    if (equals == std::string_view::npos)
      return problem(item, "must be real, off, or OP=N/WINDOW (e.g. create_user=100/1s)");
    if (!is_one_of(trim(item.substr(0, equals)), limitable))
      return problem(item, "names no operation (operations: create_user, create_user_and_token, issue_token, "
                           "revoke_tokens, delete_user, get_user, exchange_teams_token)");
    const auto rate = trim(item.substr(equals + 1));
    if (is_one_of(rate, {"off", "none"})) continue;
    if (auto p = rate_problem(item, rate)) return p;
  }
  return std::nullopt;
}

std::optional<std::string> faults_spec_problem(std::string_view spec) {
  const auto whole = trim(spec);
  if (whole.empty() || whole == "off" || whole == "none") return std::nullopt;
  double total = 0;
  std::vector<std::string_view> kinds;
  for (const auto item : split(whole, ',')) {
    if (item.starts_with("apply=")) {
      const auto p = parse_number(item.substr(6));
      if (!p || *p > 1.0) return problem(item, "probability must be in [0,1]");
      continue;
    }
    const auto colon = item.rfind(':');
    if (colon == std::string_view::npos) return problem(item, "must be KIND:PROBABILITY (e.g. 429:0.3, reset:0.01)");
    std::string_view kind = item.substr(0, colon);
    std::optional<std::string_view> retry_after;
    if (const auto at = kind.find('@'); at != std::string_view::npos) {
      retry_after = kind.substr(at + 1);
      kind = kind.substr(0, at);
    }
    if (!is_one_of(kind, fault_kinds))
      return problem(item, "names no fault kind '" + std::string(kind) +
                               "' (kinds: 429, 500, 502, 503, 504, reset, timeout, close)");
    const auto probability = parse_number(item.substr(colon + 1));
    if (!probability || *probability > 1.0) return problem(item, "probability must be in [0,1]");
    if (retry_after) {
      if (kind != "429" && kind != "503") return problem(item, "sets a Retry-After, which only 429 and 503 carry");
      if (*retry_after != "none" && !parse_duration(*retry_after))
        return problem(item, "needs a Retry-After such as 250ms, 2s or none after '@'");
    }
    if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end())
      return problem(item, "repeats the fault kind " + std::string(kind));
    kinds.push_back(kind);
    total += *probability;
  }
  if (total > 1.0 + 1e-9) {
    char sum[32];
    std::snprintf(sum, sizeof sum, "%g", total);
    return problem(whole, std::string("probabilities add up to ") + sum +
                              "; at most one fault strikes a request, so they must add up to 1 or less");
  }
  return std::nullopt;
}

std::optional<std::string> latency_spec_problem(std::string_view text) {
  const auto spec = trim(text);
  if (spec.empty() || spec == "none" || spec == "off") return std::nullopt;
  const auto colon = spec.find(':');
  const auto shape = spec.substr(0, colon);
  const auto params = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
  microseconds first{0};
  microseconds second{0};
  if (shape == "fixed") return delay_problem(spec, trim(params), "the delay", first);
  if (shape == "uniform") {
    if (auto p = pair_problem(spec, params, "min", "max", first, second)) return p;
    if (first > second) return problem(spec, "has min above max");
    return std::nullopt;
  }
  if (shape == "lognormal") {
    if (auto p = pair_problem(spec, params, "median", "p99", first, second)) return p;
    if (first <= microseconds{0}) return problem(spec, "needs a median above 0");
    if (second < first) return problem(spec, "has p99 below the median");
    return std::nullopt;
  }
  return problem(spec, "is not none, fixed:DURATION, uniform:min=DURATION,max=DURATION or "
                       "lognormal:median=DURATION,p99=DURATION");
}

}  // namespace acsbatch::job::detail
