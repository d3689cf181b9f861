#include "run_messages.hpp"

namespace acsbatch::cli {
namespace {

/// Up to this many left-behind ids on the console (the report has up to max_left_behind_ids).
constexpr std::size_t max_ids_shown = 20;

}  // namespace

void warn_left_behind(const job::job& job, const std::vector<std::string>& ids, report::console& console) {
  std::string text = std::to_string(ids.size()) + " identit" + (ids.size() == 1 ? "y" : "ies") +
                     " this load test created could not be deleted and remain on the resource:";
  for (std::size_t i = 0; i < ids.size() && i < max_ids_shown; ++i) text += ' ' + ids[i];
  if (ids.size() > max_ids_shown) text += " … (" + std::to_string(ids.size() - max_ids_shown) + " more in the report)";
  text += job.state.path.empty()
              ? "; they are listed in the report (summary.items.left_behind_ids): set state.path to have "
                "`acsbatch cleanup` delete them"
              : "; `acsbatch cleanup --state " + job.state.path + "` deletes them";
  console.log(report::log_level::warning, "left_behind", text);
}

exit_code outcome_code(const engine::runner& runner, const report::report_builder& report) {
  switch (runner.stopped_because()) {
    case engine::stop_reason::unavailable: return exit_code::unavailable;
    case engine::stop_reason::interrupted: return exit_code::interrupted;
    case engine::stop_reason::source_failed: return exit_code::invalid_job;
    case engine::stop_reason::journal_failed: return exit_code::cannot_write;
    case engine::stop_reason::job_timeout: return exit_code::items_failed;
    case engine::stop_reason::threshold_failed: return exit_code::threshold_failed;
    case engine::stop_reason::none: break;
  }
  return report.items().failed > 0 ? exit_code::items_failed : exit_code::ok;
}

/// How to finish an interrupted run: what the operator types next.
std::string resume_hint(const job::job& job) {
  if (job.load) return {};
  if (job.state.path.empty()) return "; without state.path a re-run starts over";
  return "; `acsbatch run " + job.file + " --resume` finishes the job";
}

std::string describe_stop(const engine::runner& runner, const std::string& host, std::string_view refusal_hint,
                          std::string_view resume) {
  switch (runner.stopped_because()) {
    case engine::stop_reason::unavailable:
      return host + " rejected the request or could not be reached: " + runner.stop_detail() +
             (runner.stop_detail().starts_with("TLS handshake failed")
                  ? " — check the server's certificate, or trust its CA with connection.ca_file"
                  : std::string(refusal_hint));
    case engine::stop_reason::source_failed: return "cannot read the users: " + runner.stop_detail();
    case engine::stop_reason::journal_failed: return "stopped: " + runner.stop_detail() + " (nothing unjournalled was sent)";
    case engine::stop_reason::job_timeout: return "timeouts.job passed: no new items were started";
    case engine::stop_reason::interrupted:
      return "interrupted: in-flight items finished, the rest were not started" + std::string(resume);
    case engine::stop_reason::threshold_failed:
      return "stopped: " + runner.stop_detail() + " (abort_on_fail): in-flight items finished, the rest were not started";
    case engine::stop_reason::none: break;
  }
  return {};
}

}  // namespace acsbatch::cli
