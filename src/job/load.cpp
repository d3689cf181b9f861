#include <algorithm>
#include <cstdlib>

#include "number.hpp"
#include "sections.hpp"
#include "suggest.hpp"

namespace acsbatch::job {

std::string_view to_string(load_spec::executor_kind kind) {
  switch (kind) {
    case load_spec::executor_kind::constant_arrival_rate: return "constant-arrival-rate";
    case load_spec::executor_kind::ramping_arrival_rate: return "ramping-arrival-rate";
    case load_spec::executor_kind::constant_concurrency: return "constant-concurrency";
  }
  return "unknown";
}

std::chrono::milliseconds load_spec::total_duration() const {
  if (executor != executor_kind::ramping_arrival_rate) return duration;
  std::chrono::milliseconds sum{0};
  for (const auto& stage : stages) sum += stage.duration;
  return sum;
}

}  // namespace acsbatch::job

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view load_keys[] = {"executor",    "rate",          "duration",        "start_rate", "stages",
                                          "concurrency", "max_in_flight", "max_start_delay", "scenario"};
constexpr std::string_view stage_keys[] = {"target", "duration"};
constexpr std::string_view executor_names[] = {"constant-arrival-rate", "ramping-arrival-rate",
                                               "constant-concurrency"};
/// A load test is minutes long; a day is a typo.
constexpr std::chrono::milliseconds max_load_duration{std::chrono::hours{24}};
/// Waiting longer than this for a slot is not a load test's iteration any more.
constexpr std::chrono::milliseconds max_start_delay_limit{std::chrono::minutes{10}};
constexpr double max_iteration_rate = 100'000;
constexpr std::uint64_t max_load_concurrency = 100'000;

/// `200/s`, `1000/30s` or a bare number of iterations per second; 0 allowed where `zero_ok`.
std::optional<double> read_iteration_rate(reader& r, const entry& e, bool zero_ok) {
  const auto text = r.string(e);
  if (!text) return std::nullopt;
  std::optional<double> per_second;
  if (const auto value = parse_rate(text->text)) {
    per_second = value->per_second();
  } else {
    char* end = nullptr;
    const double number = std::strtod(text->text.c_str(), &end);
    if (!text->text.empty() && end == text->text.c_str() + text->text.size()) per_second = number;
  }
  if (!per_second) {
    r.report().error(text->at, e.path + " must be iterations per second such as 200/s, 1000/30s or 200, not " +
                                   shown(*text));
  } else if (*per_second < 0 || (!zero_ok && *per_second == 0)) {
    r.report().error(text->at, e.path + " must be " + (zero_ok ? "0 or more" : "more than 0") +
                                   " iterations per second, not " + shown(*text));
  } else if (*per_second > max_iteration_rate) {
    r.report().error(text->at, e.path + " must be at most " + format_number(max_iteration_rate) +
                                   " iterations per second, not " + shown(*text));
  } else {
    return per_second;
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> read_load_duration(reader& r, const entry& e) {
  const auto value = r.duration(e);
  if (!value) return std::nullopt;
  if (*value <= std::chrono::milliseconds{0} || *value > max_load_duration) {
    r.report().error(e.value_at, e.path + " must be more than 0 and at most 24h");
    return std::nullopt;
  }
  return value;
}

void read_stages(reader& r, const entry& section, load_spec& out) {
  const auto elements = r.sequence(section);
  if (!elements) return;
  if (elements->empty()) r.report().error(section.value_at, section.path + " must list at least one stage");
  for (const auto& element : *elements) {
    const auto entries = r.mapping(element);
    if (!entries) continue;
    load_stage stage;
    bool complete = true;
    for (const auto& e : *entries) {
      if (e.key == "target") {
        if (const auto v = read_iteration_rate(r, e, true)) stage.target = *v;
      } else if (e.key == "duration") {
        if (const auto v = read_load_duration(r, e)) stage.duration = *v;
      } else {
        r.unknown_key(e, stage_keys);
      }
    }
    for (const std::string_view key : stage_keys)
      if (!find(*entries, key)) {
        r.report().error(element.value_at, "each stage needs " + std::string(key) + " (e.g. {target: 200/s, "
                                                                                    "duration: 30s})");
        complete = false;
      }
    if (complete) out.stages.push_back(stage);
  }
}

}  // namespace

void read_load(reader& r, const entry& section, const connection_spec& connection, load_spec& out,
               std::vector<step>& steps) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  for (const auto& e : *entries)
    if (std::find(std::begin(load_keys), std::end(load_keys), e.key) == std::end(load_keys)) r.unknown_key(e, load_keys);

  const entry* executor = find(*entries, "executor");
  if (!executor) {
    r.report().error(section.key_at, "load needs an executor: " + join(executor_names));
    return;
  }
  const auto name = r.string(*executor);
  if (!name) return;
  const auto known = std::find(std::begin(executor_names), std::end(executor_names), name->text);
  if (known == std::end(executor_names)) {
    const std::string suggestion = did_you_mean(name->text, executor_names);
    r.report().error(name->at, "unknown executor " + shown(*name) +
                                   (suggestion.empty() ? " (executors: " + join(executor_names) + ")" : suggestion));
    return;
  }
  out.executor = static_cast<load_spec::executor_kind>(known - std::begin(executor_names));

  // What each executor needs, and what it would silently ignore.
  std::vector<std::string_view> needed, allowed{"executor", "scenario"};
  switch (out.executor) {
    case load_spec::executor_kind::constant_arrival_rate:
      needed = {"rate", "duration"};
      allowed.insert(allowed.end(), {"max_in_flight", "max_start_delay"});
      break;
    case load_spec::executor_kind::ramping_arrival_rate:
      needed = {"start_rate", "stages"};
      allowed.insert(allowed.end(), {"max_in_flight", "max_start_delay"});
      break;
    case load_spec::executor_kind::constant_concurrency:
      needed = {"concurrency", "duration"};
      break;
  }
  needed.push_back("scenario");
  allowed.insert(allowed.end(), needed.begin(), needed.end());
  for (const auto key : needed)
    if (!find(*entries, key))
      r.report().error(section.key_at, "load with executor " + name->text + " needs " + std::string(key));
  for (const auto& e : *entries) {
    if (std::find(std::begin(load_keys), std::end(load_keys), e.key) == std::end(load_keys)) continue;
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
      r.report().error(e.key_at, e.path + " is not used by executor " + name->text + " (it takes " +
                                     join(std::span<const std::string_view>(needed)) + ")");
      continue;
    }
    if (e.key == "rate") {
      if (const auto v = read_iteration_rate(r, e, false)) out.rate = *v;
    } else if (e.key == "start_rate") {
      if (const auto v = read_iteration_rate(r, e, true)) out.start_rate = *v;
    } else if (e.key == "duration") {
      if (const auto v = read_load_duration(r, e)) out.duration = *v;
    } else if (e.key == "stages") {
      read_stages(r, e, out);
    } else if (e.key == "concurrency") {
      if (const auto v = r.integer(e, 1, max_load_concurrency)) out.concurrency = static_cast<std::uint32_t>(*v);
    } else if (e.key == "max_in_flight") {
      if (const auto v = r.integer(e, 1, max_load_concurrency)) out.max_in_flight = static_cast<std::uint32_t>(*v);
    } else if (e.key == "max_start_delay") {
      if (const auto v = r.duration(e)) {
        if (*v < std::chrono::milliseconds{0} || *v > max_start_delay_limit)
          r.report().error(e.value_at, e.path + " must be at most 10m (0s drops an iteration that cannot start "
                                                "on time), not '" + e.value.Scalar() + "'");
        else
          out.max_start_delay = *v;
      }
    } else if (e.key == "scenario") {
      // Every iteration makes its own user: the scenario is checked as steps of users.create.
      users_spec creates;
      creates.create = 1;
      read_steps(r, e, connection, creates, steps);
    }
  }
  if (out.executor == load_spec::executor_kind::ramping_arrival_rate && out.total_duration() > max_load_duration)
    r.report().error(section.key_at, "load.stages must last at most 24h in all");
}

}  // namespace acsbatch::job::detail
