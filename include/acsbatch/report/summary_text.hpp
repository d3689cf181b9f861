#pragma once
/// The table printed at the end of a run.

#include <string>

#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::report {

/// One row per operation (count, ok, failed, p50/p99/max in ms, in the report's operation
/// order) under a header row, then `items: N total, S succeeded, F failed, K skipped`.
/// Every line ends with '\n'.
std::string format_summary(const report_builder& builder);

}  // namespace acsbatch::report
