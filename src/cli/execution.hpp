#pragma once
/// Running a job's items against its connection, shared by `run` and `cleanup`: connection
/// (embedded emulator or a real resource), engine, signals, timeouts, progress, the report.

#include <chrono>
#include <functional>
#include <string>

#include "acsbatch/core/exit_code.hpp"
#include "acsbatch/engine/item_stream.hpp"
#include "acsbatch/engine/run_journal.hpp"
#include "acsbatch/engine/runner.hpp"
#include "acsbatch/job/job.hpp"
#include "acsbatch/report/console.hpp"
#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::cli {

struct execution_options {
  bool quiet = false;
  unsigned threads = 1;
  std::string shard;  ///< "I/N" for the report, or empty
};

struct execution_hooks {
  /// Records the run (state.path); null: nothing recorded.
  engine::run_journal* journal = nullptr;
  /// Receives each issued token (outputs.tokens); empty: tokens go nowhere.
  std::function<void(const std::string&, const std::string&, std::chrono::system_clock::time_point)> on_token;
  /// Called once the report is written, with the engine's stop reason and the exit code so far;
  /// may return a different exit code (e.g. 73 when the journal could not be completed).
  std::function<exit_code(const report::report_builder&, engine::stop_reason, exit_code)> after_report;
  /// An earlier run found that the service honours repeatability ids: creates whose answer was
  /// lost may be retried from the start.
  bool repeatability_honoured = false;
  /// "job" for run, "cleanup of" for cleanup: the first word of the header line.
  std::string header = "job";
};

/// Runs every item of `source` as `job` says; prints the header, the items (up to 10), the
/// progress, the summary; writes the report. Returns the exit code.
exit_code execute_job(const job::job& job, engine::item_stream& source, report::console& console,
                      const execution_options& options, execution_hooks& hooks);

}  // namespace acsbatch::cli
