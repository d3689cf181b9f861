#pragma once
// What a finished run tells its operator: the exit code of how it stopped, why it stopped and
// what to type next, and what a load test left behind.

#include <string>
#include <string_view>
#include <vector>

#include "acsbatch/core/exit_code.hpp"
#include "acsbatch/engine/runner.hpp"
#include "acsbatch/job/job.hpp"
#include "acsbatch/report/console.hpp"
#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::cli {

/// The warning naming the identities a load test could not delete (up to 20; all in the report).
void warn_left_behind(const job::job& job, const std::vector<std::string>& ids, report::console& console);

/// The exit code of how the run stopped (a stop) or of its items (none failed: 0).
exit_code outcome_code(const engine::runner& runner, const report::report_builder& report);

/// How to finish an interrupted run ("; `acsbatch run JOB --resume` finishes the job").
std::string resume_hint(const job::job& job);

/// Why the run stopped early, with `refusal_hint` after a refusal and `resume` after an
/// interrupt; empty when it did not stop.
std::string describe_stop(const engine::runner& runner, const std::string& host, std::string_view refusal_hint,
                          std::string_view resume);

}  // namespace acsbatch::cli
