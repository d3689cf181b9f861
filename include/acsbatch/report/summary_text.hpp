#pragma once
/// What is printed at the end of a run: a table in text format, a `summary` record in json.

#include <string>

#include "acsbatch/report/log_line.hpp"
#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::report {

/// The thresholds first when the job has any (`✓`/`✗`, the expression, the measured value),
/// then one row per operation (count, ok, failed, rate/s over rate_window_s(), p50/p90/p99/p99.9/max in
/// ms, in the report's operation order) under a header row, then `items: N total, S succeeded,
/// F failed, K skipped`, and for a load run what waited for a slot and what was dropped.
/// Every line ends with '\n'.
std::string format_summary(const report_builder& builder);

/// The members of the `summary` log record: `thresholds [{expr, value, ok}]` when the job has
/// any, `items {total, succeeded, failed, skipped[, dropped, delayed]}`, `operations {<op>:
/// {count, ok, failed, rate_per_s, p50_ms, p90_ms, p99_ms, p999_ms, max_ms}}` and `report`.
log_fields summary_fields(const report_builder& builder);

}  // namespace acsbatch::report
