#include "acsbatch/emulator/fault_spec.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "acsbatch/core/error.hpp"
#include "spec_text.hpp"

namespace acsbatch::emulator {
namespace {

constexpr std::array<std::string_view, fault_kind_count> kind_names{
    "429", "500", "502", "503", "504", "reset", "timeout", "close"};

[[noreturn]] void fail(std::string_view item, std::string_view why) {
  throw config_error("--faults: '" + std::string(item) + "' " + std::string(why));
}

std::optional<fault_kind> kind_named(std::string_view name) {
  for (std::size_t i = 0; i < fault_kind_count; ++i)
    if (kind_names[i] == name) return static_cast<fault_kind>(i);
  return std::nullopt;
}

bool has_retry_after(fault_kind kind) {
  return kind == fault_kind::too_many_requests || kind == fault_kind::service_unavailable;
}

double parse_probability(std::string_view item, std::string_view text) {
  const auto p = spec_text::parse_number(text);
  if (!p || *p > 1.0) fail(item, "probability must be in [0,1]");
  return *p;
}

/// %g keeps 0.3 as "0.3" where std::to_string would write "0.300000".
std::string format_probability(double p) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", p);
  return text;
}

/// The shortest text that reads back as exactly `p`, without exponent (parse_number reads none):
/// %g's six digits would turn 0.3333335,0.6666665 into a spec whose sum exceeds 1.
std::string format_probability_exactly(double p) {
  char text[512];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, p, std::chars_format::fixed);
  if (ec != std::errc{}) return format_probability(p);
  return std::string(text, end);
}

fault_rule parse_rule(std::string_view item) {
  const auto colon = item.rfind(':');
  if (colon == std::string_view::npos)
    fail(item, "must be KIND:PROBABILITY (e.g. 429:0.3, reset:0.01)");
  std::string_view kind_text = item.substr(0, colon);
  std::optional<std::string_view> retry_text;
  if (const auto at = kind_text.find('@'); at != std::string_view::npos) {
    retry_text = kind_text.substr(at + 1);
    kind_text = kind_text.substr(0, at);
  }
  const auto kind = kind_named(kind_text);
  if (!kind)
    fail(item, "names no fault kind '" + std::string(kind_text) +
                   "' (kinds: 429, 500, 502, 503, 504, reset, timeout, close)");
  fault_rule rule;
  rule.kind = *kind;
  rule.probability = parse_probability(item, item.substr(colon + 1));
  if (retry_text) {
    if (!has_retry_after(*kind)) fail(item, "sets a Retry-After, which only 429 and 503 carry");
    if (*retry_text == "none") {
      rule.retry_after.reset();
    } else {
      const auto duration = spec_text::parse_duration(*retry_text);
      if (!duration) fail(item, "needs a Retry-After such as 250ms, 2s or none after '@'");
      rule.retry_after = std::chrono::ceil<std::chrono::milliseconds>(*duration);
    }
  }
  return rule;
}

}  // namespace

std::string_view to_string(fault_kind kind) { return kind_names[static_cast<std::size_t>(kind)]; }

bool fault_may_follow_the_operation(fault_kind kind) {
  return kind != fault_kind::too_many_requests && kind != fault_kind::service_unavailable;
}

unsigned status_of(fault_kind kind) {
  switch (kind) {
    case fault_kind::too_many_requests: return 429;
    case fault_kind::internal_error: return 500;
    case fault_kind::bad_gateway: return 502;
    case fault_kind::service_unavailable: return 503;
    case fault_kind::gateway_timeout: return 504;
    default: return 0;
  }
}

fault_spec parse_fault_spec(std::string_view spec) {
  const auto whole = spec_text::trim(spec);
  if (whole.empty() || whole == "off" || whole == "none") return {};
  fault_spec out;
  double total = 0;
  for (const auto item : spec_text::split(whole, ',')) {
    if (item.starts_with("apply=")) {
      out.apply_probability = parse_probability(item, item.substr(6));
      continue;
    }
    const auto rule = parse_rule(item);
    if (std::any_of(out.rules.begin(), out.rules.end(), [&](const auto& r) { return r.kind == rule.kind; }))
      fail(item, "repeats the fault kind " + std::string(to_string(rule.kind)));
    total += rule.probability;
    out.rules.push_back(rule);
  }
  // One fault at most per request, drawn from one number: the kinds share the unit interval.
  if (total > 1.0 + 1e-9)
    throw config_error("--faults: '" + std::string(whole) + "' probabilities add up to " +
                       format_probability(total) + "; at most one fault strikes a request, so "
                       "they must add up to 1 or less");
  return out;
}

std::string to_string(const fault_spec& spec) {
  if (spec.empty()) return "off";
  std::string out;
  for (const auto& rule : spec.rules) {
    out += out.empty() ? "" : ",";
    out += to_string(rule.kind);
    if (has_retry_after(rule.kind))
      out += "@" + (rule.retry_after ? spec_text::format_duration(*rule.retry_after) : std::string("none"));
    out += ":" + format_probability_exactly(rule.probability);
  }
  return out + ",apply=" + format_probability_exactly(spec.apply_probability);
}

}  // namespace acsbatch::emulator
