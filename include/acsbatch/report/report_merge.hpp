#pragma once
/// `acsbatch report merge`: reports of shards (or repeated runs) of one job added into one, as
/// if a single run had done all their work.

#include <filesystem>
#include <span>
#include <stdexcept>
#include <vector>

#include "acsbatch/report/report_document.hpp"

namespace acsbatch::report {

struct merge_input {
  std::filesystem::path path;
  report_document document;
  bool has_items = false;
};

/// The inputs are not reports of the same job (their job sha256 differ) and --force was not given.
class merge_refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Adds the reports exactly: counts summed; histograms (summary and latency_timeline) merged by
/// bucket counts, so percentiles are those of one histogram over every sample; timelines aligned
/// on absolute time (to the second, from each report's started_at); errors summed by code;
/// started_at the earliest, finished_at the latest; thresholds re-evaluated on the sums. The job,
/// endpoint and parameters are the first report's; `merged_from` lists the inputs. Throws
/// merge_refused for different jobs unless `force`, report_read_error for an unreadable time.
report_document merge_reports(std::span<const merge_input> inputs, bool force);

}  // namespace acsbatch::report
