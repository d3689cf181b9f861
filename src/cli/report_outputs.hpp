#pragma once
/// What a run adds to its report beyond the engine's counters: the job's thresholds and
/// settings going in, the HTML and JUnit files coming out, and the exit code the thresholds decide.

#include "acsbatch/core/exit_code.hpp"
#include "acsbatch/job/job.hpp"
#include "acsbatch/report/console.hpp"
#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::cli {

/// Copies the job's thresholds into `info` (report_builder::write evaluates them) and its
/// settings as the report's `parameters`. Never a connection string or a key.
void describe_job(const job::job& job, report::run_info& info);

/// After the JSON report is written: the job's `report.html` and `report.junit` files, from
/// the report just written. Logs each failure; false when one could not be written.
bool write_report_outputs(const job::report_spec& spec, const report::report_builder& report,
                          report::console& console);

/// `FILE` with its extension replaced by `extension` (".html"): where `--report FILE` and a
/// failed run put the HTML and JUnit pages, beside their JSON.
std::string beside(const std::string& file, std::string_view extension);

/// The exit code once the thresholds are judged. A stop (69, 130, 65) keeps its code; an output
/// that could not be written gives 73; a failed threshold gives 2; when every threshold passed
/// and one of them judges errors (error_rate, failed), failed items no longer give 1 (skipped
/// ones, after timeouts.job, still do).
exit_code judge_thresholds(exit_code outcome, const report::report_builder& report, bool outputs_written);

}  // namespace acsbatch::cli
