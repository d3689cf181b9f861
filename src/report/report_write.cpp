#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "acsbatch/core/http_date.hpp"
#include "acsbatch/report/histogram_json.hpp"
#include "acsbatch/report/report_builder.hpp"
#include "acsbatch/report/report_document.hpp"
#include "json_text.hpp"

namespace acsbatch::report {
namespace {

using detail::append_json_string;
using detail::json_fixed3;
using detail::json_number;

std::error_code last_error() { return {errno != 0 ? errno : EIO, std::generic_category()}; }

std::string latency_json(const latency_histogram& h) {
  return "{\"mean\":" + json_fixed3(h.mean_ms()) + ",\"p50\":" + json_fixed3(h.percentile_ms(0.50)) +
         ",\"p90\":" + json_fixed3(h.percentile_ms(0.90)) + ",\"p99\":" + json_fixed3(h.percentile_ms(0.99)) +
         ",\"p999\":" + json_fixed3(h.percentile_ms(0.999)) + ",\"max\":" + json_fixed3(h.max_ms()) + "}";
}

/// Deletes the temporary report unless the rename consumed it.
struct temporary_file {
  std::filesystem::path path;
  bool keep = false;
  ~temporary_file() {
    std::error_code ignored;
    if (!keep) std::filesystem::remove(path, ignored);
  }
};

/// Everything before `items`, without the closing brace.
std::string head_json(const report_document& d) {
  std::string head = "{\"schema\":\"acsbatch.report/v1\",\n\"job\":{\"name\":";
  append_json_string(head, d.job_name);
  head += ",\"file\":";
  append_json_string(head, d.job_file);
  head += ",\"sha256\":";
  append_json_string(head, d.job_sha256);
  head += ",\"effective_sha256\":";
  append_json_string(head, d.job_effective_sha256.empty() ? d.job_sha256 : d.job_effective_sha256);
  if (!d.shard.empty()) {
    head += ",\"shard\":";
    append_json_string(head, d.shard);
  }
  head += ",\"runs\":[";
  for (std::size_t i = 0; i < d.runs.size(); ++i) {
    if (i > 0) head += ',';
    append_json_string(head, d.runs[i]);
  }
  head += ']';
  head += "},\n\"endpoint\":";
  append_json_string(head, d.endpoint);
  head += d.embedded ? ",\n\"embedded\":true" : ",\n\"embedded\":false";
  head += ",\n\"api_version\":";
  append_json_string(head, d.api_version);
  head += ",\n\"started_at\":";
  append_json_string(head, d.started_at);
  head += ",\n\"finished_at\":";
  append_json_string(head, d.finished_at);
  head += ",\n\"duration_s\":" + json_fixed3(d.duration_s);
  if (d.load_duration_s) head += ",\n\"load_duration_s\":" + json_fixed3(*d.load_duration_s);
  if (!d.merged_from.empty()) {
    head += ",\n\"merged_from\":[";
    for (std::size_t i = 0; i < d.merged_from.size(); ++i) {
      if (i > 0) head += ',';
      append_json_string(head, d.merged_from[i]);
    }
    head += ']';
  }
  head += ",\n\"parameters\":{";
  for (std::size_t i = 0; i < d.parameters.size(); ++i) {
    if (i > 0) head += ',';
    append_json_string(head, d.parameters[i].first);
    head += ':';
    append_json_string(head, d.parameters[i].second);
  }
  head += '}';

  const auto& items = d.items;
  head += ",\n\"summary\":{\"items\":{\"total\":" + std::to_string(items.total) +
          ",\"succeeded\":" + std::to_string(items.succeeded) + ",\"failed\":" + std::to_string(items.failed) +
          ",\"skipped\":" + std::to_string(items.skipped) + ",\"uncertain\":" + std::to_string(items.uncertain) +
          ",\"from_earlier_runs\":" + std::to_string(items.from_earlier_runs) +
          (items.dropped ? ",\"dropped\":" + std::to_string(*items.dropped) : std::string()) +
          (items.delayed ? ",\"delayed\":" + std::to_string(*items.delayed) : std::string()) +
          (items.left_behind > 0 ? ",\"left_behind\":" + std::to_string(items.left_behind) : std::string());
  if (items.left_behind > 0) {
    head += ",\"left_behind_ids\":[";
    for (std::size_t i = 0; i < items.left_behind_ids.size(); ++i) {
      if (i > 0) head += ',';
      append_json_string(head, items.left_behind_ids[i]);
    }
    head += ']';
  }
  head += "},\n\"operations\":{";
  bool first = true;
  for (const auto& [name, totals] : d.operations) {
    head += first ? "\n" : ",\n";
    first = false;
    append_json_string(head, name);
    head += ":{\"count\":" + std::to_string(totals.count) + ",\"ok\":" + std::to_string(totals.ok) +
            ",\"failed\":" + std::to_string(totals.failed) + ",\"retries\":" + std::to_string(totals.retries) +
            ",\"throttled\":" + std::to_string(totals.throttled) +
            ",\"peak_sends_per_s\":" + std::to_string(totals.peak_sends_per_s) +
            ",\"throttle_wait_s\":" + json_fixed3(static_cast<double>(totals.throttle_wait.count()) / 1000.0) +
            (totals.throttling.empty()
                 ? std::string()
                 : ",\"throttling\":{\"verdict\":\"" + totals.throttling + "\",\"learned_per_s\":" +
                       (totals.learned_per_s ? json_fixed3(*totals.learned_per_s) : std::string("null")) + "}") +
            (totals.already_gone > 0 ? ",\"already_gone\":" + std::to_string(totals.already_gone) : std::string()) +
            ",\"latency_ms\":" + latency_json(totals.latency) +
            (totals.service_latency.count() > 0 ? ",\"service_latency_ms\":" + latency_json(totals.service_latency)
                                                : std::string()) +
            ",\"histogram\":" + histogram_json(totals.latency) +
            (totals.service_latency.count() > 0 ? ",\"service_histogram\":" + histogram_json(totals.service_latency)
                                                : std::string()) +
            "}";
  }
  head += "},\n\"rate\":{\"target\":";
  head += d.target_rate ? json_fixed3(*d.target_rate) : "null";
  head += ",\"achieved\":" + json_fixed3(d.achieved_rate) + "}},";

  head += "\n\"errors\":[";
  first = true;
  for (const auto& group : d.errors) {
    head += first ? "\n" : ",\n";
    first = false;
    head += "{\"code\":";
    append_json_string(head, group.code);
    head += ",\"http_status\":" + std::to_string(group.http_status) + ",\"count\":" + std::to_string(group.count) +
            ",\"example\":";
    append_json_string(head, group.example);
    head += '}';
  }
  head += "],\n\"thresholds\":[";
  first = true;
  for (const auto& t : d.thresholds) {
    head += first ? "\n" : ",\n";
    first = false;
    head += "{\"expr\":";
    append_json_string(head, t.expr);
    head += ",\"value\":" + (t.value ? json_number(*t.value) : std::string("null")) + ",\"unit\":";
    append_json_string(head, t.unit);
    head += t.ok ? ",\"ok\":true}" : ",\"ok\":false}";
  }
  head += "],\n\"timeline\":[";
  for (std::size_t t = 0; t < d.timeline.size(); ++t) {
    const auto& b = d.timeline[t];
    head += t == 0 ? "\n" : ",\n";
    head += "{\"t\":" + std::to_string(t) + ",\"started\":" + std::to_string(b.started) + ",\"ok\":" +
            std::to_string(b.ok) + ",\"failed\":" + std::to_string(b.failed) + ",\"throttled\":" +
            std::to_string(b.throttled) + "}";
  }
  head += "],\n\"latency_timeline\":" + d.latencies.to_json();
  return head;
}

}  // namespace

void write_report(const std::filesystem::path& path, const report_document& document, const item_lines& items) {
  if (const auto parent = path.parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw std::system_error(ec, "cannot create the report directory " + parent.string());
  }
  // A device or a pipe (/dev/full, /dev/stdout) is written in place: renaming a file over it
  // would replace it (as root, even /dev/full itself).
  std::error_code status_ec;
  const bool in_place =
      std::filesystem::exists(path, status_ec) && !std::filesystem::is_regular_file(path, status_ec);
  temporary_file temporary{path, in_place};
  if (!in_place) temporary.path += ".tmp";
  const auto fail = [&](const std::filesystem::path& p) {
    return std::system_error(last_error(), "cannot write the report " + p.string());
  };
  errno = 0;
  std::ofstream out(temporary.path, std::ios::binary | std::ios::trunc);
  if (!out) throw fail(temporary.path);
  const std::string head = head_json(document);
  out << head;
  if (!out) throw fail(temporary.path);  // now, while errno still says why (ENOSPC on a full disk)
  if (items) {
    out << ",\n\"items\":[";
    bool first_item = true;
    items([&](std::string_view line) {
      out << (first_item ? "\n" : ",\n") << line;
      first_item = false;
      if (!out) throw fail(temporary.path);  // errno is only meaningful right after the first failed write
    });
    out << "]";
  }
  out << "}\n";
  errno = 0;
  out.close();
  if (!out) throw fail(temporary.path);
  if (in_place) return;

  std::error_code ec;
  std::filesystem::rename(temporary.path, path, ec);
  if (ec) throw std::system_error(ec, "cannot write the report " + path.string());
  temporary.keep = true;
}

void report_builder::write(std::chrono::system_clock::time_point finished_at) {
  if (written_) throw std::logic_error("report_builder::write called twice");
  if (include_items_ && items_out_.is_open()) {
    errno = 0;
    items_out_.close();
    if (!items_out_) throw std::system_error(last_error(), "cannot write " + items_path_.string());
  }

  report_document d;
  d.job_name = info_.job_name;
  d.job_file = info_.job_file;
  d.job_sha256 = info_.job_sha256;
  d.job_effective_sha256 = info_.job_effective_sha256;
  d.shard = info_.shard;
  if (!info_.run_id.empty()) d.runs.push_back(info_.run_id);
  d.endpoint = info_.endpoint_host;
  d.embedded = info_.embedded;
  d.api_version = info_.api_version;
  d.started_at = format_rfc3339(info_.started_at);
  d.finished_at = format_rfc3339(finished_at);
  d.duration_s = std::max(0.0, std::chrono::duration<double>(finished_at - info_.started_at).count());
  if (load_ended_)
    d.load_duration_s = std::clamp(std::chrono::duration<double>(*load_ended_ - info_.started_at).count(), 0.0,
                                   d.duration_s);
  rate_window_s_ = d.rate_window_s();
  d.parameters = info_.parameters;
  d.items = items_;
  d.operations = operations_;
  std::uint64_t operations_done = 0;
  for (const auto& [name, totals] : operations_) operations_done += totals.count;
  d.target_rate = info_.target_rate;
  d.achieved_rate = rate_window_s_ > 0 ? static_cast<double>(operations_done) / rate_window_s_ : 0.0;
  d.errors = error_groups();
  auto results = evaluate(info_.thresholds, operations_, rate_window_s_);
  for (std::size_t i = 0; i < results.size(); ++i)
    d.thresholds.push_back({results[i].expr, results[i].value, std::string(base_unit(info_.thresholds[i].metric)),
                            results[i].ok});
  d.timeline.reserve(timeline_.size());
  for (const auto& b : timeline_) d.timeline.push_back({b.started, b.ok, b.failed, b.throttled});
  d.latencies = latencies_;

  item_lines items;
  if (include_items_) {
    items = [this](const std::function<void(std::string_view)>& write_line) {
      errno = 0;
      std::ifstream in(items_path_, std::ios::binary);
      if (!in) throw std::system_error(last_error(), "cannot read " + items_path_.string());
      // One line at a time: memory stays flat however many items the run had.
      std::string line;
      while (std::getline(in, line))
        if (!line.empty()) write_line(line);
      if (in.bad()) throw std::system_error(last_error(), "cannot read " + items_path_.string());
    };
  }
  write_report(report_path_, d, items);
  threshold_results_ = std::move(results);
  written_ = true;
  std::error_code ec;
  if (include_items_) std::filesystem::remove(items_path_, ec);
}

}  // namespace acsbatch::report
