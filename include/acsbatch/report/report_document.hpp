#pragma once
/// A report (schema acsbatch.report/v1) as values: everything but its `items`, which can be
/// millions of lines and are only ever streamed. report_builder writes one at the end of a run;
/// `report merge`, `report html` and `report junit` read them back.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "acsbatch/report/error_group.hpp"
#include "acsbatch/report/latency_timeline.hpp"
#include "acsbatch/report/operation_totals.hpp"
#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::report {

/// One evaluated threshold as the report keeps it.
struct threshold_outcome {
  std::string expr;
  std::optional<double> value;  ///< in `unit`; null when nothing was measured
  std::string unit;             ///< "ms", "ratio", "/s" or "count"
  bool ok = false;
};

struct timeline_second {
  std::uint64_t started = 0, ok = 0, failed = 0, throttled = 0;
};

struct report_document {
  std::string job_name, job_file, job_sha256;
  std::string job_effective_sha256;  ///< = job_sha256 in reports written before it existed
  std::string shard;                 ///< "I/N", or empty
  /// The runs whose items this report counts: a run's own id (a random UUID), or, merged, every
  /// input's. `report merge` refuses an id twice: the same items would be counted twice.
  std::vector<std::string> runs;
  std::string endpoint;  ///< host only
  bool embedded = false;
  std::string api_version;
  std::string started_at, finished_at;  ///< RFC 3339, as written
  double duration_s = 0;
  /// Load mode: from started_at until the last iteration ended, before the leftover identities
  /// were deleted. Rates (achieved_rate, rate() thresholds, rate/s) are over this window.
  std::optional<double> load_duration_s;
  item_totals items;
  std::map<std::string, operation_totals> operations;
  std::optional<double> target_rate;  ///< operations per second
  double achieved_rate = 0;
  std::vector<error_group> errors;  ///< most frequent first
  std::vector<threshold_outcome> thresholds;
  std::vector<timeline_second> timeline;  ///< one entry per second of the run, by step start
  latency_timeline latencies;             ///< the report's `latency_timeline`
  std::vector<std::pair<std::string, std::string>> parameters;  ///< the job's settings, as text
  std::vector<std::string> merged_from;  ///< the inputs of `report merge`; empty for a run

  /// The seconds operation rates are measured over: the load's own window in load mode.
  double rate_window_s() const { return load_duration_s.value_or(duration_s); }
};

/// Calls `write_line` with each item's JSON text in turn; nullptr/empty when there are none.
using item_lines = std::function<void(const std::function<void(std::string_view)>& write_line)>;

/// Writes the report to `<path>.tmp`, then renames it over `path` (a reader never sees half a
/// report); creates missing parent directories. With `items`, an `items` array follows with one
/// line per item. Throws std::system_error naming the path (the temporary file removed).
void write_report(const std::filesystem::path& path, const report_document& document, const item_lines& items);

/// A report that cannot be read: `unreadable` when the file cannot be opened or read (exit 66),
/// otherwise its content is not a report (exit 65). The message names the file.
class report_read_error : public std::runtime_error {
 public:
  report_read_error(bool unreadable, const std::string& message)
      : std::runtime_error(message), unreadable_(unreadable) {}
  bool unreadable() const { return unreadable_; }

 private:
  bool unreadable_;
};

struct read_report_result {
  report_document document;
  bool has_items = false;  ///< the report has an `items` array (possibly empty)
};

/// Reads a report but its items (skipped while parsing, so memory does not grow with them).
/// Reports written before `latency_timeline` and `parameters` existed read fine without them.
read_report_result read_report(const std::filesystem::path& path);

/// Streams the text of each element of the report's `items` array to `write_line`, without
/// parsing them. Throws report_read_error.
void copy_report_items(const std::filesystem::path& path, const std::function<void(std::string_view)>& write_line);

}  // namespace acsbatch::report
