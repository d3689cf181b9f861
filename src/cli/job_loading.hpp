#pragma once
/// Loading a job for `run` and `validate` alike: --set overrides, diagnostics on stderr.

#include <optional>
#include <string>
#include <vector>

#include "acsbatch/job/job.hpp"

namespace acsbatch::cli {

/// The job, or nullopt after printing every problem as FILE:LINE:COL: message (exit 65).
/// Warnings are printed too.
std::optional<job::job> load_job_or_report(const std::string& file, const std::vector<std::string>& overrides);

}  // namespace acsbatch::cli
