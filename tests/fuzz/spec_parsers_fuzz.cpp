// Bytes → every small grammar: job durations and rates, --set overrides, thresholds, and the
// emulator's --limits, --faults and --latency. Properties: the parsers throw nothing but their documented
// error type; results are in range; canonical texts read back the same; and the yes/no check the
// job loader uses for a spec gives the parser's verdict on every text.

#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/fault_spec.hpp"
#include "acsbatch/emulator/latency_model.hpp"
#include "acsbatch/emulator/service_limits.hpp"
#include "acsbatch/emulator/spec_checks.hpp"
#include "acsbatch/job/job.hpp"
#include "acsbatch/report/threshold.hpp"
#include "fuzz_support.hpp"
#include "job/number.hpp"

namespace {

using namespace acsbatch;

void check_duration(std::string_view text) {
  const auto duration = job::parse_duration(text);
  if (!duration) return;
  fuzz::check(duration->count() >= 0, "a negative duration", text);
  const auto canonical = job::detail::format_duration(*duration);
  fuzz::check(job::parse_duration(canonical) == duration, "a duration's canonical text reads back different",
              std::string(text) + " -> " + canonical);
}

void check_rate(std::string_view text) {
  const auto rate = job::parse_rate(text);
  if (!rate) return;
  fuzz::check(rate->window.count() > 0, "a rate with an empty window", text);
  fuzz::check(!std::isnan(rate->per_second()), "a rate of NaN per second", text);
}

/// job.hpp's promise for parse_override: names of A-Z a-z 0-9 _ - separated by single dots.
bool is_key_path(std::string_view path) {
  for (const auto key : fuzz::split(path, ".")) {
    if (key.empty()) return false;
    for (const char c : key)
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
        return false;
  }
  return true;
}

void check_override(std::string_view text) {
  try {
    const auto o = job::parse_override(text);
    fuzz::check(is_key_path(o.path), "an override with a bad key path", text);
    fuzz::check(o.path.size() + 1 + o.value.size() == text.size(), "an override lost part of its text", text);
  } catch (const job::job_error& e) {
    fuzz::check(e.diagnostics().size() == 1 && e.diagnostics().front().file == "--set",
                "parse_override's error is not one --set diagnostic", text);
  }
}

/// Counters every threshold is evaluated on: one operation with samples, one failing, none for others.
const std::map<std::string, report::operation_totals>& sample_counters() {
  static const auto counters = [] {
    std::map<std::string, report::operation_totals> out;
    auto& create = out["create_user"];
    for (int i = 0; i < 50; ++i) create.latency.record(std::chrono::microseconds(100 + i * 997));
    create.count = create.ok = 50;
    auto& issue = out["issue_token"];
    issue.latency.record(std::chrono::microseconds(0));
    issue.count = issue.failed = issue.throttled = 1;
    return out;
  }();
  return counters;
}

void check_threshold(std::string_view text) {
  constexpr std::string_view operations[] = {"create_user", "create_user_and_token", "issue_token", "revoke_tokens",
                                             "delete_user", "get_user"};
  report::threshold parsed;
  try {
    parsed = report::parse_threshold(text, operations, [](std::string_view word, auto) {
      return std::string(word.substr(0, 8));  // a suggestion must be safe to append to anything
    });
  } catch (const report::threshold_error& e) {
    fuzz::check(e.offset() <= text.size(), "a threshold error points beyond the text", text);
    return;
  }
  fuzz::check(std::isfinite(parsed.limit) && parsed.limit >= 0, "a threshold limit out of range", text);
  const auto canonical = report::to_string(parsed);
  try {
    fuzz::check(report::parse_threshold(canonical, operations) == parsed,
                "a threshold's canonical text reads back different", std::string(text) + " -> " + canonical);
  } catch (const report::threshold_error& e) {
    fuzz::fail("the canonical threshold does not parse", canonical + "\n" + e.what());
  }
  for (const double duration : {0.0, 2.5}) {
    const auto result = report::evaluate(parsed, sample_counters(), duration);
    fuzz::check(!result.value || std::isfinite(*result.value), "a threshold measured a non-finite value", canonical);
    fuzz::check(result.value || !result.ok, "a threshold passed with nothing measured", canonical);
    (void)report::format_value(parsed, result.value);
  }
}

/// Runs `parse`; the verdict (accepted or not) must match the loader's check of the text.
template <class Parse, class Problem, class Check>
void check_spec(std::string_view what, std::string_view text, Parse parse, Problem problem, Check check) {
  std::optional<decltype(parse(text))> parsed;
  std::string message;
  try {
    parsed = parse(text);
  } catch (const config_error& e) {
    message = e.what();
  }
  const auto loader_problem = problem(text);
  if (parsed.has_value() == loader_problem.has_value())
    fuzz::fail(std::string(what) + ": the job loader's check and the emulator's parser disagree",
               "spec: '" + std::string(text) + "'\nemulator: " + (parsed ? "accepts" : message) +
                   "\nloader: " + loader_problem.value_or("accepts"));
  if (parsed) check(*parsed);
}

/// Parses a canonical text, which must not fail.
template <class Parse>
auto reparse(std::string_view what, Parse parse, const std::string& canonical) {
  try {
    return parse(canonical);
  } catch (const config_error& e) {
    fuzz::fail(std::string("the canonical ") + std::string(what) + " does not parse", canonical + "\n" + e.what());
  }
}

void check_limits(const emulator::service_limits& limits) {
  for (const auto& limit : limits.per_operation) {
    if (!limit) continue;
    fuzz::check(limit->requests >= 1 && limit->requests <= emulator::max_limit_requests,
                "a limit's request count out of range", emulator::to_string(limits));
    fuzz::check(limit->window.count() > 0, "a limit with an empty window", emulator::to_string(limits));
  }
  const auto canonical = emulator::to_string(limits);
  fuzz::check(reparse("--limits", emulator::parse_service_limits, canonical) == limits, "the canonical --limits reads back different",
              canonical);
}

void check_faults(const emulator::fault_spec& spec) {
  double total = 0;
  for (const auto& rule : spec.rules) {
    fuzz::check(rule.probability >= 0 && rule.probability <= 1, "a fault probability out of [0,1]",
                emulator::to_string(spec));
    total += rule.probability;
  }
  fuzz::check(total <= 1 + 1e-9, "fault probabilities adding up to more than 1", emulator::to_string(spec));
  // The canonical text is for logs: probabilities are rounded to 6 digits there.
  const auto canonical = emulator::to_string(spec);
  const auto again = reparse("--faults", emulator::parse_fault_spec, canonical);
  fuzz::check(again.rules.size() == spec.rules.size(), "the canonical --faults reads back different", canonical);
  for (std::size_t i = 0; i < spec.rules.size(); ++i) {
    fuzz::check(again.rules[i].kind == spec.rules[i].kind && again.rules[i].retry_after == spec.rules[i].retry_after &&
                    std::abs(again.rules[i].probability - spec.rules[i].probability) <= 1e-5,
                "the canonical --faults reads back different", canonical);
  }
}

void check_latency(const emulator::latency_spec& spec) {
  const auto canonical = emulator::to_string(spec);
  fuzz::check(reparse("--latency", emulator::parse_latency_spec, canonical) == spec, "the canonical --latency reads back different",
              canonical);
  emulator::latency_sampler sampler(spec, 7);
  for (int i = 0; i < 4; ++i) {
    const auto delay = sampler.sample();
    fuzz::check(delay.count() >= 0 && delay <= emulator::max_latency, "a latency sample out of [0, 60s]", canonical);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  check_duration(text);
  check_rate(text);
  check_override(text);
  check_threshold(text);
  check_spec("--limits", text, emulator::parse_service_limits, emulator::limits_spec_problem, check_limits);
  check_spec("--faults", text, emulator::parse_fault_spec, emulator::faults_spec_problem, check_faults);
  check_spec("--latency", text, emulator::parse_latency_spec, emulator::latency_spec_problem, check_latency);
  return 0;
}
