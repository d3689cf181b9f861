#include "acsbatch/report/report_builder.hpp"

#include <algorithm>
#include <unistd.h>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "item_json.hpp"

namespace acsbatch::report {
namespace {

/// A step stamped days after the run started is a bug upstream; clamping keeps the timeline's
/// memory bounded (a week of seconds is ~19 MB at most).
constexpr std::uint64_t max_timeline_seconds = 7 * 24 * 3600;

std::error_code last_error() { return {errno != 0 ? errno : EIO, std::generic_category()}; }

std::filesystem::path with_suffix(const std::filesystem::path& path, std::string_view suffix) {
  std::filesystem::path out = path;
  out += std::string(suffix);
  return out;
}

/// Beside the report, or in the temp directory when the report goes to a device or a pipe
/// (/dev/full, /dev/stdout), where no side file can be created.
std::filesystem::path items_path_for(const std::filesystem::path& report_path) {
  std::error_code ec;
  if (!std::filesystem::exists(report_path, ec) || std::filesystem::is_regular_file(report_path, ec))
    return with_suffix(report_path, ".items.jsonl.tmp");
  return std::filesystem::temp_directory_path(ec) /
         ("acsbatch-" + std::to_string(::getpid()) + "-" + report_path.filename().string() + ".items.jsonl.tmp");
}

}  // namespace

bool item_outcome::ok() const {
  return !skipped && std::all_of(steps.begin(), steps.end(), [](const step_outcome& s) { return s.ok; });
}

report_builder::report_builder(run_info info, std::filesystem::path report_path, bool include_items)
    : info_(std::move(info)),
      report_path_(std::move(report_path)),
      items_path_(items_path_for(report_path_)),
      include_items_(include_items) {
  if (!include_items_) return;
  if (const auto parent = report_path_.parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw std::system_error(ec, "cannot create the report directory " + parent.string());
  }
  errno = 0;
  items_out_.open(items_path_, std::ios::binary | std::ios::trunc);
  if (!items_out_) throw std::system_error(last_error(), "cannot create " + items_path_.string());
}

report_builder::~report_builder() {
  std::error_code ignored;
  if (items_out_.is_open()) items_out_.close();
  if (include_items_) std::filesystem::remove(items_path_, ignored);
  std::filesystem::remove(with_suffix(report_path_, ".tmp"), ignored);
}

void report_builder::add_skipped(std::uint64_t count) {
  if (written_) throw std::logic_error("report_builder::add_skipped after write");
  items_.total += count;
  items_.skipped += count;
}

void report_builder::add_left_behind(const std::vector<std::string>& ids) {
  if (written_) throw std::logic_error("report_builder::add_left_behind after write");
  items_.left_behind += ids.size();
  for (const auto& id : ids) {
    if (items_.left_behind_ids.size() >= max_left_behind_ids) break;
    items_.left_behind_ids.push_back(id);
  }
}

void report_builder::add_dropped(std::uint64_t dropped, std::uint64_t delayed) {
  if (written_) throw std::logic_error("report_builder::add_dropped after write");
  items_.dropped = items_.dropped.value_or(0) + dropped;
  items_.delayed = items_.delayed.value_or(0) + delayed;
}

void report_builder::add(const item_outcome& item) {
  if (written_) throw std::logic_error("report_builder::add after write");
  ++items_.total;
  if (item.skipped) ++items_.skipped;
  else if (item.ok()) ++items_.succeeded;
  else ++items_.failed;
  if (item.uncertain) ++items_.uncertain;
  if (item.from_earlier_run) ++items_.from_earlier_runs;

  for (const auto& step : item.steps) {
    auto& totals = operations_[step.op];
    ++totals.count;
    if (step.ok) ++totals.ok;
    else ++totals.failed;
    if (step.already_gone) ++totals.already_gone;
    totals.retries += step.attempts > 1 ? step.attempts - 1 : 0;
    totals.throttled += step.throttled;
    totals.throttle_wait += step.throttle_wait;
    const auto measured = step.corrected_latency.value_or(step.latency);
    totals.latency.record(measured);
    if (step.corrected_latency) totals.service_latency.record(step.latency);

    if (!step.ok) {
      auto& group = errors_[std::string(detail::error_code_of(step))];
      if (group.count++ == 0) {
        group.http_status = step.http_status;
        group.example = step.error_message;
      }
    }

    // The timeline is this run's seconds; an earlier run's steps have their own clock.
    if (item.from_earlier_run || step.from_earlier_run) continue;
    const auto offset = step.started_at.count() > 0 ? static_cast<std::uint64_t>(step.started_at.count()) : 0;
    const std::size_t second = static_cast<std::size_t>(std::min(offset / 1'000'000, max_timeline_seconds));
    if (timeline_.size() <= second) timeline_.resize(second + 1);
    auto& bucket = timeline_[second];
    ++bucket.started;
    if (step.ok) ++bucket.ok;
    else ++bucket.failed;
    bucket.throttled += step.throttled;
    latencies_.record(step.op, second, measured.count() > 0 ? static_cast<std::uint64_t>(measured.count()) : 0);
  }

  if (include_items_) {
    errno = 0;
    items_out_ << detail::item_json(item) << '\n';
    if (!items_out_) throw std::system_error(last_error(), "cannot write " + items_path_.string());
  }
}

std::vector<error_group> report_builder::error_groups() const {
  std::vector<error_group> out;
  out.reserve(errors_.size());
  for (const auto& [code, tally] : errors_) out.push_back({code, tally.http_status, tally.count, tally.example});
  // Most frequent first: the top of the list is what needs fixing.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  return out;
}

}  // namespace acsbatch::report
