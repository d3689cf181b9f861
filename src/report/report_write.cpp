#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "acsbatch/core/http_date.hpp"
#include "acsbatch/report/histogram_json.hpp"
#include "acsbatch/report/report_builder.hpp"
#include "json_text.hpp"

namespace acsbatch::report {
namespace {

using detail::append_json_string;
using detail::json_fixed3;

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

}  // namespace

void report_builder::write(std::chrono::system_clock::time_point finished_at) {
  if (written_) throw std::logic_error("report_builder::write called twice");
  if (include_items_ && items_out_.is_open()) {
    errno = 0;
    items_out_.close();
    if (!items_out_) throw std::system_error(last_error(), "cannot write " + items_path_.string());
  }
  if (const auto parent = report_path_.parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw std::system_error(ec, "cannot create the report directory " + parent.string());
  }

  const double duration_s =
      std::max(0.0, std::chrono::duration<double>(finished_at - info_.started_at).count());
  std::uint64_t operations_done = 0;
  for (const auto& [name, totals] : operations_) operations_done += totals.count;

  std::string head = "{\"schema\":\"acsbatch.report/v1\",\n\"job\":{\"name\":";
  append_json_string(head, info_.job_name);
  head += ",\"file\":";
  append_json_string(head, info_.job_file);
  head += ",\"sha256\":";
  append_json_string(head, info_.job_sha256);
  head += "},\n\"endpoint\":";
  append_json_string(head, info_.endpoint_host);
  head += info_.embedded ? ",\n\"embedded\":true" : ",\n\"embedded\":false";
  head += ",\n\"api_version\":";
  append_json_string(head, info_.api_version);
  head += ",\n\"started_at\":";
  append_json_string(head, format_rfc3339(info_.started_at));
  head += ",\n\"finished_at\":";
  append_json_string(head, format_rfc3339(finished_at));
  head += ",\n\"duration_s\":" + json_fixed3(duration_s);

  head += ",\n\"summary\":{\"items\":{\"total\":" + std::to_string(items_.total) +
          ",\"succeeded\":" + std::to_string(items_.succeeded) + ",\"failed\":" + std::to_string(items_.failed) +
          ",\"skipped\":" + std::to_string(items_.skipped) + "},\n\"operations\":{";
  bool first = true;
  for (const auto& [name, totals] : operations_) {
    head += first ? "\n" : ",\n";
    first = false;
    append_json_string(head, name);
    head += ":{\"count\":" + std::to_string(totals.count) + ",\"ok\":" + std::to_string(totals.ok) +
            ",\"failed\":" + std::to_string(totals.failed) + ",\"retries\":" + std::to_string(totals.retries) +
            ",\"throttled\":" + std::to_string(totals.throttled) + ",\"latency_ms\":" + latency_json(totals.latency) +
            ",\"histogram\":" + histogram_json(totals.latency) + "}";
  }
  head += "},\n\"rate\":{\"target\":";
  head += info_.target_rate ? json_fixed3(*info_.target_rate) : "null";
  head += ",\"achieved\":" +
          json_fixed3(duration_s > 0 ? static_cast<double>(operations_done) / duration_s : 0.0) + "}},";

  // Most frequent first: the top of the list is what needs fixing.
  std::vector<std::pair<const std::string*, const error_group*>> errors;
  for (const auto& [code, group] : errors_) errors.emplace_back(&code, &group);
  std::stable_sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
  head += "\n\"errors\":[";
  first = true;
  for (const auto& [code, group] : errors) {
    head += first ? "\n" : ",\n";
    first = false;
    head += "{\"code\":";
    append_json_string(head, *code);
    head += ",\"http_status\":" + std::to_string(group->http_status) + ",\"count\":" + std::to_string(group->count) +
            ",\"example\":";
    append_json_string(head, group->example);
    head += '}';
  }
  head += "],\n\"thresholds\":[],\n\"timeline\":[";
  for (std::size_t t = 0; t < timeline_.size(); ++t) {
    const auto& b = timeline_[t];
    head += t == 0 ? "\n" : ",\n";
    head += "{\"t\":" + std::to_string(t) + ",\"started\":" + std::to_string(b.started) + ",\"ok\":" +
            std::to_string(b.ok) + ",\"failed\":" + std::to_string(b.failed) + ",\"throttled\":" +
            std::to_string(b.throttled) + "}";
  }
  head += "]";

  temporary_file temporary{report_path_};
  temporary.path += ".tmp";
  const auto fail = [&](const std::filesystem::path& path) {
    return std::system_error(last_error(), "cannot write the report " + path.string());
  };
  errno = 0;
  std::ofstream out(temporary.path, std::ios::binary | std::ios::trunc);
  if (!out) throw fail(temporary.path);
  out << head;
  if (include_items_) {
    out << ",\n\"items\":[";
    errno = 0;
    std::ifstream items(items_path_, std::ios::binary);
    if (!items) throw std::system_error(last_error(), "cannot read " + items_path_.string());
    // One line at a time: memory stays flat however many items the run had.
    std::string line;
    bool first_item = true;
    while (std::getline(items, line)) {
      if (line.empty()) continue;
      out << (first_item ? "\n" : ",\n") << line;
      first_item = false;
    }
    if (items.bad()) throw std::system_error(last_error(), "cannot read " + items_path_.string());
    out << "]";
  }
  out << "}\n";
  errno = 0;
  out.close();
  if (!out) throw fail(temporary.path);

  std::error_code ec;
  std::filesystem::rename(temporary.path, report_path_, ec);
  if (ec) throw std::system_error(ec, "cannot write the report " + report_path_.string());
  temporary.keep = true;
  written_ = true;
  if (include_items_) std::filesystem::remove(items_path_, ec);
}

}  // namespace acsbatch::report
