#pragma once
/// The `thresholds:` section of a job: a list of report::threshold texts, each checked when the
/// job loads so that a typo fails `validate` with FILE:LINE:COL, not the run at its end.

#include <vector>

#include "acsbatch/job/job.hpp"
#include "yaml_reader.hpp"

namespace acsbatch::job::detail {

/// `thresholds: ["p99(issue_token) < 300ms", "error_rate < 0.1%"]`; an entry may also be
/// `{threshold: TEXT, abort_on_fail: BOOL, delay_abort_eval: DURATION}` (the abort rules go to
/// `aborts`). A threshold may name only an operation that is one of `steps` (every operation
/// when the steps could not be read).
void read_thresholds(reader& r, const entry& section, const std::vector<step>& steps,
                     std::vector<report::threshold>& out, std::vector<job::threshold_abort>& aborts);

}  // namespace acsbatch::job::detail
