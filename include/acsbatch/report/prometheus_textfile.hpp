#pragma once
/// outputs.prometheus: the run's metrics for node_exporter's textfile collector, so a cron job's
/// health shows up in Prometheus. Written to `<path>.tmp` and renamed over `path` (the collector
/// never reads half a file); every line ends with a newline.

#include <chrono>
#include <string>

#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::report {

struct prometheus_run {
  std::string job;
  std::chrono::system_clock::time_point started_at;
  std::chrono::system_clock::time_point finished_at;
  int exit_code = 0;
};

/// The text of the file. `last_success` is this run's finish when it succeeded (exit 0),
/// else the value the previous file held (nullopt: never).
std::string prometheus_text(const report_builder& report, const prometheus_run& run,
                            std::optional<double> last_success_seconds);

/// Reads `acsbatch_last_success_timestamp_seconds` from an existing file; nullopt if absent.
std::optional<double> previous_last_success(const std::string& path);

/// Writes the file atomically. Throws std::system_error naming the path.
void write_prometheus_textfile(const std::string& path, const report_builder& report, const prometheus_run& run);

}  // namespace acsbatch::report
