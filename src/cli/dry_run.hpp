#pragma once

#include <ostream>

#include "acsbatch/job/job.hpp"

namespace acsbatch::cli {

/// Prints what `run` would do — items, steps, limits, requests and the expected duration at the
/// configured rates — without connecting anywhere. Throws config_error for an unreadable users file.
void print_plan(const job::job& job, std::ostream& out);

}  // namespace acsbatch::cli
