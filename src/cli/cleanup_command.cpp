// `acsbatch cleanup --state FILE`: deletes every identity the journal says a run created and did
// not delete (load tests, aborted provisioning). It runs like a job — same connection, limits,
// retries, report — over the journal's live identities, and marks each one deleted in that same
// journal as it goes, so a cleanup that is itself interrupted just runs again.

#include <algorithm>
#include <iostream>
#include <optional>

#include <unistd.h>

#include "acsbatch/state/job_lock.hpp"
#include "acsbatch/state/journal.hpp"
#include "acsbatch/state/journal_items.hpp"
#include "acsbatch/state/journal_recorder.hpp"
#include "commands.hpp"
#include "execution.hpp"
#include "job_loading.hpp"

namespace acsbatch::cli {

exit_code cleanup_command(const cleanup_options& options) {
  const auto format = options.log_format == "json" ? report::log_format::json : report::log_format::text;
  report::console console{std::cout, std::cerr,
                          {format, options.quiet,
                           report::choose_progress_mode(options.quiet, options.progress,
                                                        ::isatty(STDERR_FILENO) == 1, format)}};
  constexpr auto error = report::log_level::error;
  constexpr auto warning = report::log_level::warning;
  const std::string& path = options.state_file;

  std::optional<state::job_lock> lock;
  std::optional<state::journal> journal;
  std::optional<state::journal_meta> meta;
  try {
    journal.emplace(path, false);
    meta = journal->meta();
    if (!meta) {
      console.log(error, "no_input", path + " holds no run: there is nothing to clean up");
      return exit_code::no_input;
    }
    lock = state::job_lock::try_acquire(state::lock_path_for(path));
  } catch (const state::state_error& e) {
    console.log(error, "no_input", e.what());
    return exit_code::no_input;
  }
  if (!lock) {
    console.log(error, "locked", "a run of job " + meta->job_name + " holds " + state::lock_path_for(path) +
                                     ": clean up once it has finished");
    return exit_code::locked;
  }

  // The connection, limits and retries come from the job that made the identities.
  const std::string job_file = options.job_file.value_or(meta->job_file);
  auto loaded = load_job_or_report(job_file, options.overrides);
  if (!loaded) return exit_code::invalid_job;
  job::job job = std::move(*loaded);
  job.steps = {job::step{job::operation::delete_user, {}, std::nullopt}};
  job.users = job::users_spec{};
  job.users.from_state = path;
  job.state.path.clear();
  // Deleting what is left is not a measurement: retried at least as a safe default would, even
  // when the job (a load test's scenario) says max_attempts: 1.
  job.retry.max_attempts = std::max(job.retry.max_attempts, 6u);
  job.retry.on_429 = job.retry.on_500 = job.retry.on_502 = job.retry.on_503 = job.retry.on_504 = true;
  job.retry.on_timeout = job.retry.on_connection = true;
  job.load.reset();  // a load test's cleanup is a batch over what it left, not another load
  job.thresholds.clear();  // they judge the job's own steps, not this cleanup
  job.threshold_aborts.clear();
  job.outputs = job::outputs_spec{};
  job.report.path = options.report_path.value_or("reports/" + job.name + ".cleanup.json");

  std::optional<state::journal_identities> source;
  std::optional<state::journal_writer> writer;
  try {
    source.emplace(path, true);
    writer.emplace(path, meta->runs);
  } catch (const state::state_error& e) {
    console.log(error, "cannot_write", e.what());
    return exit_code::cannot_write;
  }
  state::deletion_recorder recorder{*writer};

  execution_hooks hooks;
  hooks.header = "cleanup of";
  hooks.journal = &recorder;
  hooks.after_report = [&](const report::report_builder& report, engine::stop_reason, exit_code code) {
    if (writer->flush_now()) {
      console.log(error, "cannot_write", writer->error_message());
      return exit_code::cannot_write;
    }
    const auto after = journal->counts();
    // Creates cut off in flight without a customId to find them by: whatever they made is named
    // by no record, and the ACS Identity API cannot list identities.
    if (const auto unknown = after.uncertain + after.creates_in_doubt; unknown > 0)
      console.log(warning, "uncertain",
                  std::to_string(unknown) + " create(s) of that job were cut off before their answer arrived, "
                  "without a customId: an identity each may have made is named by no record and cannot be found");
    const auto candidates = source->total().value_or(0);
    // A 404 is "gone" for the journal, but this cleanup deleted nothing there: said apart.
    const auto& operations = report.operations();
    const auto op = operations.find("delete_user");
    const std::uint64_t gone = op == operations.end() ? 0 : op->second.already_gone;
    const auto done = candidates - std::min(candidates, after.live_identities);
    console.print(std::to_string(done - std::min(done, gone)) + " of " + std::to_string(candidates) +
                  " identities deleted, " + std::to_string(gone) + " already gone (HTTP 404); " +
                  std::to_string(after.live_identities) + " remain in " + path + "\n");
    return code;
  };
  return execute_job(job, *source, console, {options.quiet, options.threads}, hooks);
}

}  // namespace acsbatch::cli
