#include <algorithm>

#include "number.hpp"
#include "sections.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view retry_keys[] = {"max_attempts", "initial_backoff", "max_backoff", "throttled_for", "on"};
constexpr std::string_view retry_conditions[] = {"429", "500", "502", "503", "504", "timeout", "connection"};
constexpr std::uint64_t max_attempts = 100;
constexpr std::chrono::milliseconds max_backoff{std::chrono::hours{1}};
constexpr std::chrono::milliseconds max_throttled_for{std::chrono::hours{24}};

bool& flag_for(retry_spec& out, std::string_view condition) {
  if (condition == "429") return out.on_429;
  if (condition == "500") return out.on_500;
  if (condition == "502") return out.on_502;
  if (condition == "503") return out.on_503;
  if (condition == "504") return out.on_504;
  if (condition == "timeout") return out.on_timeout;
  return out.on_connection;
}

/// A backoff of 0..1h; nullopt, reported, otherwise.
std::optional<std::chrono::milliseconds> read_backoff(reader& r, const entry& e) {
  const auto value = r.duration(e);
  if (value && *value > max_backoff) {
    r.report().error(e.value_at, e.path + " must be between 0s and 1h");
    return std::nullopt;
  }
  return value;
}

void read_conditions(reader& r, const entry& e, retry_spec& out) {
  const auto list = r.sequence(e);
  if (!list) return;
  // Listing replaces the default (everything): only what is listed is retried, nothing for [].
  for (const auto condition : retry_conditions) flag_for(out, condition) = false;
  std::vector<std::string> seen;
  for (const auto& element : *list) {
    const auto condition = r.string(element);
    if (!condition) continue;
    if (std::find(std::begin(retry_conditions), std::end(retry_conditions), condition->text) ==
        std::end(retry_conditions))
      r.report().error(condition->at, "unknown condition " + shown(*condition) + " in " + e.path + " (valid: " +
                                          join(retry_conditions) + ")");
    else if (std::find(seen.begin(), seen.end(), condition->text) != seen.end())
      r.report().error(condition->at, shown(*condition) + " is listed twice in " + e.path);
    else {
      flag_for(out, condition->text) = true;
      seen.push_back(condition->text);
    }
  }
}

}  // namespace

void read_retry(reader& r, const entry& section, retry_spec& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  const entry* initial_at = nullptr;
  const entry* max_at = nullptr;
  for (const auto& e : *entries) {
    if (e.key == "max_attempts") {
      if (const auto n = r.integer(e, 1, max_attempts)) out.max_attempts = static_cast<unsigned>(*n);
    } else if (e.key == "initial_backoff") {
      if (const auto value = read_backoff(r, e)) {
        out.initial_backoff = *value;
        initial_at = &e;
      }
    } else if (e.key == "max_backoff") {
      if (const auto value = read_backoff(r, e)) {
        out.max_backoff = *value;
        max_at = &e;
      }
    } else if (e.key == "throttled_for") {
      if (const auto value = r.duration(e)) {
        if (*value <= std::chrono::milliseconds{0} || *value > max_throttled_for)
          r.report().error(e.value_at, e.path + " must be longer than 0s and at most 24h");
        else
          out.throttled_for = *value;
      }
    } else if (e.key == "on") {
      read_conditions(r, e, out);
    } else {
      r.unknown_key(e, retry_keys);
    }
  }
  if (out.initial_backoff <= out.max_backoff) return;
  // Blame the value the file gave; when it gave both, the initial one (the usual slip).
  const auto shown_backoff = [](const entry* given, std::chrono::milliseconds value) {
    return format_duration(value) + (given == nullptr ? ", the default" : "");
  };
  if (initial_at != nullptr)
    r.report().error(initial_at->value_at, initial_at->path + " (" + format_duration(out.initial_backoff) +
                                               ") must not be longer than " + section.path + ".max_backoff (" +
                                               shown_backoff(max_at, out.max_backoff) + ")");
  else if (max_at != nullptr)
    r.report().error(max_at->value_at, max_at->path + " (" + format_duration(out.max_backoff) +
                                           ") must not be shorter than " + section.path + ".initial_backoff (" +
                                           shown_backoff(initial_at, out.initial_backoff) + ")");
}

}  // namespace acsbatch::job::detail
