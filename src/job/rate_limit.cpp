#include <algorithm>

#include "number.hpp"
#include "sections.hpp"
#include "suggest.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view rate_limit_keys[] = {"per_second", "burst", "adaptive", "per_operation", "scope"};
constexpr std::string_view per_operation_modes[] = {"service-defaults", "none"};
/// A million requests a second is beyond any one resource; more is a typo (an extra 0 or two).
constexpr double max_rate = 1'000'000;
constexpr std::chrono::milliseconds max_rate_window{std::chrono::hours{24}};
constexpr std::string_view rate_examples = "33/s, 1000/30s or 50/1m";

/// `N/W`, N > 0, W at most a day, at most max_rate per second.
std::optional<rate> read_rate(reader& r, const entry& e) {
  const auto text = r.string(e);
  if (!text) return std::nullopt;
  const auto value = parse_rate(text->text);
  if (!value) {
    r.report().error(text->at, e.path + " must be a rate such as " + std::string(rate_examples) +
                                   " (requests per time window), not " + shown(*text));
  } else if (value->count <= 0) {
    r.report().error(text->at, e.path + " must allow more than 0 requests, not " + shown(*text));
  } else if (value->window > max_rate_window) {
    r.report().error(text->at, e.path + " must have a window of at most 1d, not " + shown(*text));
  } else if (value->per_second() > max_rate) {
    r.report().error(text->at, e.path + " must be at most " + format_number(max_rate) + " requests per second, not " +
                                   shown(*text));
  } else {
    return value;
  }
  return std::nullopt;
}

void read_per_operation(reader& r, const entry& e, rate_limit_spec& out) {
  if (!e.value.IsMap() && !e.value.IsSequence()) {
    const auto mode = r.string(e);
    if (!mode) return;
    if (mode->text == "service-defaults") {
      out.per_operation = rate_limit_spec::per_operation_mode::service_defaults;
    } else if (mode->text == "none") {
      out.per_operation = rate_limit_spec::per_operation_mode::none;
    } else {
      const auto suggestion = mode->from_environment ? std::string() : did_you_mean(mode->text, per_operation_modes);
      r.report().error(mode->at, e.path + " must be service-defaults, none or a mapping of operation: rate (e.g. "
                                          "{create_user: 33/s}), not " + shown(*mode) + suggestion);
    }
    return;
  }
  const auto entries = r.mapping(e);
  if (!entries) return;
  out.per_operation = rate_limit_spec::per_operation_mode::custom;
  for (const auto& limit : *entries) {
    const auto op = operation_from_string(limit.key);
    if (!op) {
      r.report().error(limit.key_at, "unknown operation " + quoted(limit.key) + " in " + e.path +
                                         did_you_mean(limit.key, operation_names) + " (operations: " +
                                         join(operation_names) + ")");
      continue;
    }
    if (const auto value = read_rate(r, limit)) out.per_operation_overrides.emplace_back(*op, *value);
  }
}

}  // namespace

void read_rate_limit(reader& r, const entry& section, rate_limit_spec& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  for (const auto& e : *entries) {
    if (e.key == "per_second") {
      if (const auto v = r.decimal(e, "a number of requests per second such as 200 or 0.5", 0, false, max_rate))
        out.per_second = *v;
    } else if (e.key == "burst") {
      if (const auto v = r.decimal(e, "a number of requests such as 20", 1, true, max_rate)) out.burst = *v;
    } else if (e.key == "adaptive") {
      if (const auto v = r.boolean(e)) out.adaptive = *v;
    } else if (e.key == "per_operation") {
      read_per_operation(r, e, out);
    } else if (e.key == "scope") {
      const auto value = r.string(e);
      if (!value) continue;
      if (value->text == "job") out.scope = rate_limit_spec::limit_scope::job;
      else if (value->text == "shard") out.scope = rate_limit_spec::limit_scope::shard;
      else r.report().error(value->at, e.path + " must be job or shard, not " + shown(*value));
    } else {
      r.unknown_key(e, rate_limit_keys);
    }
  }
}

}  // namespace acsbatch::job::detail
