#pragma once
/// What `run` says about a load job (job.load) before it starts.

#include <cstdint>
#include <optional>
#include <string>

#include "acsbatch/job/job.hpp"

namespace acsbatch::cli {

/// "constant-arrival-rate 200/s for 20s (4000 iterations, at most 200 in flight), scenario
/// create_user → issue_token → delete_user". For run's header, validate and --dry-run.
std::string load_plan(const job::job& job);

}  // namespace acsbatch::cli
