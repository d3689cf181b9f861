#include "report_outputs.hpp"

#include <algorithm>
#include <filesystem>

#include "acsbatch/report/html_report.hpp"
#include "acsbatch/report/junit_report.hpp"
#include "acsbatch/report/report_document.hpp"
#include "acsbatch/report/text_file.hpp"
#include "load_execution.hpp"

namespace acsbatch::cli {
namespace {

/// The largest unit that divides it exactly: 200ms, 30s, 10m, 24h.
std::string duration_text(std::chrono::milliseconds value) {
  const auto ms = value.count();
  if (ms == 0) return "0s";
  constexpr std::pair<long long, const char*> units[] = {{3'600'000, "h"}, {60'000, "m"}, {1000, "s"}};
  for (const auto& [size, unit] : units)
    if (ms % size == 0) return std::to_string(ms / size) + unit;
  return std::to_string(ms) + "ms";
}

std::string number_text(double value) {
  std::string text = std::to_string(value);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::string steps_text(const job::job& job) {
  std::string out;
  for (const auto& step : job.steps) {
    if (!out.empty()) out += ", ";
    out += job::to_string(step.op);
    if (!step.scopes.empty()) {
      out += " [";
      for (std::size_t i = 0; i < step.scopes.size(); ++i) out += (i ? "," : "") + step.scopes[i];
      out += "]";
    }
    if (step.expires_in) out += " " + duration_text(*step.expires_in);
  }
  return out;
}

std::string rate_limit_text(const job::rate_limit_spec& spec) {
  std::string out;
  if (spec.per_second)
    out = number_text(*spec.per_second) + "/s, burst " + number_text(spec.burst) + (spec.adaptive ? ", adaptive" : "");
  else
    out = spec.adaptive ? "no job-wide limit, adaptive" : "no job-wide limit";
  out += "; per operation: ";
  switch (spec.per_operation) {
    case job::rate_limit_spec::per_operation_mode::service_defaults: out += "service-defaults"; break;
    case job::rate_limit_spec::per_operation_mode::none: out += "none"; break;
    case job::rate_limit_spec::per_operation_mode::custom: out += "service-defaults with"; break;
  }
  for (const auto& [op, rate] : spec.per_operation_overrides)
    out += " " + std::string(job::to_string(op)) + "=" + number_text(rate.count) + "/" + duration_text(rate.window);
  return out;
}

std::string retry_text(const job::retry_spec& spec) {
  std::string on;
  const std::pair<bool, const char*> kinds[] = {{spec.on_429, "429"}, {spec.on_500, "500"}, {spec.on_502, "502"},
                                                {spec.on_503, "503"}, {spec.on_504, "504"}, {spec.on_timeout, "timeout"},
                                                {spec.on_connection, "connection"}};
  for (const auto& [enabled, name] : kinds)
    if (enabled) on += (on.empty() ? "" : " ") + std::string(name);
  return std::to_string(spec.max_attempts) + " attempts, backoff " + duration_text(spec.initial_backoff) + " to " +
         duration_text(spec.max_backoff) + ", on " + (on.empty() ? "nothing" : on);
}

}  // namespace

void describe_job(const job::job& job, report::run_info& info) {
  info.thresholds = job.thresholds;
  for (const auto& step : job.steps) {
    if (step.op == job::operation::create_user_and_token) {
      // Reported as its two requests' operations, or as itself by an older build.
      for (const auto op : {job::operation::create_user, job::operation::issue_token})
        info.operation_order.push_back(std::string(job::to_string(op)));
    }
    info.operation_order.push_back(std::string(job::to_string(step.op)));
  }
  auto& p = info.parameters;
  const bool entra = job.connection.auth == job::auth_mode::entra;
  p.emplace_back("connection", std::string(job.connection.embedded ? "embedded emulator" : entra ? "endpoint" : "connection string") +
                                   (entra ? ", Entra ID" : ""));
  p.emplace_back("api_version", job.connection.api_version);
  if (job.users.creates_users()) p.emplace_back("users", "create " + std::to_string(job.users.create));
  else if (!job.users.from_file.empty()) p.emplace_back("users", "from_file " + job.users.from_file);
  else if (!job.users.from_report.empty()) p.emplace_back("users", "from_report " + job.users.from_report);
  if (job.load) p.emplace_back("load", load_plan(job));
  p.emplace_back(job.load ? "scenario" : "steps", steps_text(job));
  if (!job.load) p.emplace_back("concurrency", std::to_string(job.concurrency));  // load: max_in_flight, in `load`
  p.emplace_back("rate_limit", rate_limit_text(job.rate_limit));
  p.emplace_back("retry", retry_text(job.retry));
  std::string timeouts = "request " + duration_text(job.request_timeout);
  if (job.job_timeout) timeouts += ", job " + duration_text(*job.job_timeout);
  timeouts += ", grace " + duration_text(job.grace);
  p.emplace_back("timeouts", timeouts);
}

std::string beside(const std::string& file, std::string_view extension) {
  std::filesystem::path out(file);
  out.replace_extension(extension);
  return out.string();
}

bool write_report_outputs(const job::report_spec& spec, const report::report_builder& report,
                          report::console& console) {
  if (spec.html.empty() && spec.junit.empty()) return true;
  // From the file just written, so that `acsbatch report html|junit` on it gives the same pages.
  report::report_document document;
  try {
    document = report::read_report(report.path()).document;
  } catch (const std::exception& e) {
    console.log(report::log_level::error, "cannot_write", std::string("cannot read the report back: ") + e.what());
    return false;
  }
  bool ok = true;
  const auto write = [&](const std::string& path, std::string_view what, auto render) {
    if (path.empty()) return;
    try {
      report::write_text_file(path, render(document));
    } catch (const std::exception& e) {
      console.log(report::log_level::error, "cannot_write", "cannot write the " + std::string(what) + ": " + e.what());
      ok = false;
    }
  };
  write(spec.html, "HTML report", report::render_html);
  write(spec.junit, "JUnit report", report::render_junit);
  return ok;
}

exit_code judge_thresholds(exit_code outcome, const report::report_builder& report, bool outputs_written) {
  if (outcome != exit_code::ok && outcome != exit_code::items_failed) return outcome;
  if (!outputs_written) return exit_code::cannot_write;
  const auto& results = report.threshold_results();
  if (std::any_of(results.begin(), results.end(), [](const auto& r) { return !r.ok; }))
    return exit_code::threshold_failed;
  const auto& thresholds = report.info().thresholds;
  const bool errors_judged = std::any_of(thresholds.begin(), thresholds.end(),
                                         [](const auto& t) { return report::judges_errors(t.metric); });
  // Skipped items (timeouts.job) are not the thresholds' to excuse: the run did not finish.
  return errors_judged && report.items().skipped == 0 ? exit_code::ok : outcome;
}

}  // namespace acsbatch::cli
