#include "sections.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view users_keys[] = {"create", "from_file", "from_state", "from_report", "custom_id"};
constexpr std::string_view timeouts_keys[] = {"request", "job"};
constexpr std::string_view report_keys[] = {"path", "items"};

constexpr std::uint64_t max_users = 100'000'000;
constexpr auto min_request_timeout = std::chrono::milliseconds{1};
constexpr auto max_request_timeout = std::chrono::milliseconds{std::chrono::hours{1}};

}  // namespace

void read_users(reader& r, const entry& section, users_spec& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  bool has_source = false;
  for (const auto& e : *entries) {
    if (e.key == "create") {
      has_source = true;
      if (const auto n = r.integer(e, 1, max_users)) out.create = *n;
    } else if (e.key == "from_file" || e.key == "from_state" || e.key == "from_report" || e.key == "custom_id") {
      // Recognised, so that a job written for a later version fails clearly instead of vaguely.
      has_source = has_source || e.key != "custom_id";
      r.report().error(e.key_at, e.path + " is not supported yet");
    } else {
      r.unknown_key(e, users_keys);
    }
  }
  if (!has_source)
    r.report().error(section.key_at, section.path + " needs create: N (how many new users the job makes)");
}

void read_timeouts(reader& r, const entry& section, job& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  for (const auto& e : *entries) {
    if (e.key == "request") {
      const auto value = r.duration(e);
      if (!value) continue;
      if (*value < min_request_timeout || *value > max_request_timeout)
        r.report().error(e.value_at, e.path + " must be between 1ms and 1h");
      else
        out.request_timeout = *value;
    } else if (e.key == "job") {
      if (r.duration(e)) r.report().warning(e.key_at, e.path + " is not enforced by this version; ignored");
    } else {
      r.unknown_key(e, timeouts_keys);
    }
  }
}

void read_report(reader& r, const entry& section, report_spec& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  for (const auto& e : *entries) {
    if (e.key == "path") {
      const auto value = r.string(e);
      if (!value) continue;
      if (value->text.empty() || value->text.back() == '/')
        r.report().error(value->at, e.path + " must name a file, not " + shown(*value));
      else if (value->text.find('\0') != std::string::npos)
        r.report().error(value->at, e.path + " must not contain a NUL character");
      else
        out.path = value->text;
    } else if (e.key == "items") {
      if (const auto value = r.boolean(e)) out.items = *value;
    } else {
      r.unknown_key(e, report_keys);
    }
  }
}

void read_not_yet_supported(reader& r, const entry& section) {
  if (section.key != "outputs") {
    const std::string message = section.key == "rate_limit" ? "rate_limit is not enforced by this version; ignored"
                                : section.key == "retry"    ? "retry is not applied by this version; ignored"
                                : section.key == "state"
                                    ? "state is not written by this version; ignored (a killed run cannot be resumed)"
                                : section.key == "thresholds" ? "thresholds are not evaluated by this version; ignored"
                                : section.key == "load"
                                    ? "load is not run by this version; ignored (users and steps are what runs)"
                                    : section.key + " is not supported by this version; ignored";
    r.report().warning(section.key_at, message);
    return;
  }
  // outputs: a token path would silently receive nothing; refuse it rather than drop tokens.
  if (!section.value.IsMap()) {
    if (!section.value.IsNull()) r.report().warning(section.key_at, "outputs is not written by this version; ignored");
    return;
  }
  for (auto it = section.value.begin(); it != section.value.end(); ++it) {
    const YAML::Node key = it->first;
    if (it->second.IsNull()) continue;
    if (key.IsScalar() && key.Scalar() == "tokens")
      r.report().error(position_of(key), "outputs.tokens is not supported by this version: the tokens would be "
                                         "written nowhere; remove it or set it to null");
    else
      r.report().warning(position_of(key), "outputs key " + quoted(key.IsScalar() ? key.Scalar() : "?") +
                                               " is not written by this version; ignored");
  }
}

}  // namespace acsbatch::job::detail
