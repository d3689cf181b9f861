#pragma once
/// Pass/fail criteria of a run, written in a job's `thresholds:` list:
///
///   p99(issue_token) < 300ms      error_rate < 0.1%      rate(create_user) > 900/s
///
/// A threshold is METRIC[(OPERATION)] COMPARISON VALUE[UNIT]. Without an operation a metric
/// covers every operation of the run. Metrics and the units their value takes:
///
///   p50 p90 p95 p99 p999 max mean (avg = mean)   latency of a step, in us, ms or s (required)
///   error_rate                                   failed / count: a fraction (0.001) or a % (0.1%)
///   rate                                         ok operations per second over the run: N or N/s
///   count failed throttled                       whole numbers (throttled = attempts answered 429)
///
/// Comparisons: < <= > >= ==. parse_threshold is a pure function of its text (the job loader and
/// a fuzz target use it); evaluate() works on the counters of a finished report or of a run still
/// going (report_builder::operations()), so a run can stop early on a failed threshold.

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "acsbatch/report/operation_totals.hpp"

namespace acsbatch::report {

enum class threshold_metric { p50, p90, p95, p99, p999, max, mean, error_rate, rate, count, failed, throttled };
enum class threshold_comparison { less, less_equal, greater, greater_equal, equal };
/// The unit a value was written with, so the canonical text and messages show it the same way.
enum class threshold_unit { none, us, ms, s, percent, per_second };

/// Metric names as written, for messages and suggestions (`avg` is read as `mean`).
inline constexpr std::string_view threshold_metric_names[] = {
    "p50", "p90", "p95", "p99", "p999", "max", "mean", "avg", "error_rate", "rate", "count", "failed", "throttled"};

std::string_view to_string(threshold_metric metric);
std::string_view to_string(threshold_comparison comparison);

struct threshold {
  threshold_metric metric = threshold_metric::p99;
  std::string operation;  ///< empty: every operation
  threshold_comparison comparison = threshold_comparison::less;
  /// In the metric's base unit: ms for latencies, a fraction for error_rate, per second for
  /// rate, a count for count/failed/throttled.
  double limit = 0;
  double written_value = 0;  ///< the number as written (300 in "300ms")
  threshold_unit written_unit = threshold_unit::none;

  friend bool operator==(const threshold&, const threshold&) = default;
};

/// The canonical text: `p99(issue_token) < 300ms`, `error_rate < 0.1%`. parse_threshold reads it
/// back as the same threshold.
std::string to_string(const threshold& t);

/// A threshold that cannot be read. `offset` is the byte in the text where the problem starts.
class threshold_error : public std::invalid_argument {
 public:
  threshold_error(std::size_t offset, const std::string& message) : std::invalid_argument(message), offset_(offset) {}
  std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

/// Appends a suggestion to a message about an unknown word (e.g. "; did you mean 'p99'?"), or "".
using suggestion = std::function<std::string(std::string_view word, std::span<const std::string_view> candidates)>;

/// Reads one threshold. `operations` are the operation names it may name (a job's steps, say).
/// Throws threshold_error for anything else: unknown metric or operation (with `suggest`'s
/// hint and the valid names), missing or wrong unit, out-of-range value (a percentage above
/// 100 %, a number beyond 1e12), trailing text.
threshold parse_threshold(std::string_view text, std::span<const std::string_view> operations,
                          const suggestion& suggest = {});

struct threshold_result {
  std::string expr;  ///< the canonical text
  /// What was measured, in the metric's base unit (see threshold::limit); nullopt when there
  /// was nothing to measure (a latency or error rate of an operation that never ran).
  std::optional<double> value;
  bool ok = false;  ///< nothing measured is a failure: a threshold must be met, not skipped
};

/// The base unit of a metric's values, as the report writes it: "ms", "ratio", "/s" or "count".
std::string_view base_unit(threshold_metric metric);

/// What the threshold's metric is on these counters. `duration_s` is the run's length so far
/// (rate divides by it; nullopt when it is not positive). Pure: safe on a snapshot of a run
/// (report_builder::operations() while items still arrive, under whatever serialises add()).
std::optional<double> measure(const threshold& t, const std::map<std::string, operation_totals>& operations,
                              double duration_s);
/// measure() compared with the limit.
threshold_result evaluate(const threshold& t, const std::map<std::string, operation_totals>& operations,
                          double duration_s);
std::vector<threshold_result> evaluate(std::span<const threshold> thresholds,
                                       const std::map<std::string, operation_totals>& operations, double duration_s);

/// A measured value in the threshold's written unit, for people: "312.5ms", "0.02%", "912.3/s",
/// "12"; "no data" for nullopt.
std::string format_value(const threshold& t, std::optional<double> value);

/// Whether a metric judges failed operations (error_rate, failed): a job with such a threshold
/// lets its thresholds decide the exit code instead of any failed item.
bool judges_errors(threshold_metric metric);

}  // namespace acsbatch::report
