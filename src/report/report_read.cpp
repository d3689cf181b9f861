#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include <boost/json.hpp>

#include "acsbatch/report/histogram_json.hpp"
#include "acsbatch/report/report_document.hpp"

namespace acsbatch::report {
namespace {

namespace json = boost::json;

/// Splits a report's text, as it streams by, into its head (every top-level member, `items`
/// replaced by null) and the raw text of each element of `items`, without parsing either: the
/// head is parsed afterwards, the items are only ever copied.
class report_splitter {
 public:
  explicit report_splitter(const std::function<void(std::string_view)>* on_item) : on_item_(on_item) {}

  void feed(std::string_view chunk) {
    for (const char c : chunk) feed(c);
  }
  std::string& head() { return head_; }
  bool has_items() const { return has_items_; }
  bool items_open() const { return in_items_; }

 private:
  void feed(char c) {
    if (in_items_) return feed_item(c);
    head_ += c;
    if (in_string_) {
      if (escape_) escape_ = false;
      else if (c == '\\') escape_ = true;
      else if (c == '"') in_string_ = false;
      else if (collecting_key_ && key_.size() < 16) key_ += c;
      if (!in_string_) collecting_key_ = false;
      return;
    }
    switch (c) {
      case '"':
        in_string_ = true;
        if (depth_ == 1 && expect_key_) {
          collecting_key_ = true;
          key_.clear();
        }
        break;
      case '{':
      case '[':
        ++depth_;
        if (depth_ == 1) expect_key_ = true;
        break;
      case '}':
      case ']': --depth_; break;
      case ',':
        if (depth_ == 1) expect_key_ = true;
        break;
      case ':':
        if (depth_ == 1 && expect_key_) {
          expect_key_ = false;
          value_of_items_ = key_ == "items";
          return;
        }
        break;
      case ' ': case '\n': case '\r': case '\t': return;
      default: break;
    }
    if (value_of_items_ && c == '[') {
      // The array's text goes to on_item, not to the head, which gets `null` instead.
      head_.back() = 'n';
      head_ += "ull";
      --depth_;
      in_items_ = true;
      has_items_ = true;
      item_depth_ = 0;
    }
    value_of_items_ = false;
  }

  void feed_item(char c) {
    if (item_in_string_) {
      item_ += c;
      if (item_escape_) item_escape_ = false;
      else if (c == '\\') item_escape_ = true;
      else if (c == '"') item_in_string_ = false;
      return;
    }
    if (item_depth_ == 0 && (c == ',' || c == ']')) {
      flush_item();
      if (c == ']') in_items_ = false;
      return;
    }
    if (item_.empty() && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) return;
    item_ += c;
    if (c == '"') item_in_string_ = true;
    else if (c == '{' || c == '[') ++item_depth_;
    else if (c == '}' || c == ']') --item_depth_;
  }

  void flush_item() {
    while (!item_.empty() && (item_.back() == ' ' || item_.back() == '\n' || item_.back() == '\r' ||
                              item_.back() == '\t'))
      item_.pop_back();
    if (!item_.empty() && on_item_ && *on_item_) (*on_item_)(item_);
    item_.clear();
  }

  const std::function<void(std::string_view)>* on_item_;
  std::string head_;
  int depth_ = 0;
  bool in_string_ = false, escape_ = false;
  bool expect_key_ = false, collecting_key_ = false, value_of_items_ = false;
  std::string key_;
  bool in_items_ = false, has_items_ = false;
  int item_depth_ = 0;
  bool item_in_string_ = false, item_escape_ = false;
  std::string item_;
};

/// Streams the file through the splitter. Throws report_read_error(unreadable) naming it.
void split_file(const std::filesystem::path& path, report_splitter& splitter) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno != 0 ? errno : ENOENT;
    throw report_read_error(true, "cannot read " + path.string() + ": " + std::generic_category().message(error));
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw report_read_error(true, "cannot read " + path.string() + ": it is a directory");
  std::string buffer(64 * 1024, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    splitter.feed(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) throw report_read_error(true, "cannot read " + path.string() + ": input/output error");
}

class reader {
 public:
  explicit reader(const std::filesystem::path& path) : file_(path.string()) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw report_read_error(false, file_ + ": not an acsbatch report: " + what);
  }
  const json::object& object(const json::value& v, const std::string& what) const {
    if (!v.is_object()) fail(what + " is not an object");
    return v.get_object();
  }
  const json::array& array(const json::value& v, const std::string& what) const {
    if (!v.is_array()) fail(what + " is not an array");
    return v.get_array();
  }
  const json::value& member(const json::object& o, std::string_view key, const std::string& where) const {
    const auto* v = o.if_contains(key);
    if (!v) fail("missing " + where + (where.empty() ? "" : ".") + std::string(key));
    return *v;
  }
  std::string string(const json::value& v, const std::string& what) const {
    if (!v.is_string()) fail(what + " is not a string");
    return std::string(v.get_string());
  }
  std::uint64_t count(const json::value& v, const std::string& what) const {
    if (const auto* u = v.if_uint64()) return *u;
    if (const auto* i = v.if_int64(); i && *i >= 0) return static_cast<std::uint64_t>(*i);
    fail(what + " is not a whole number");
  }
  double number(const json::value& v, const std::string& what) const {
    if (const auto* d = v.if_double(); d && std::isfinite(*d)) return *d;
    if (const auto* i = v.if_int64()) return static_cast<double>(*i);
    if (const auto* u = v.if_uint64()) return static_cast<double>(*u);
    fail(what + " is not a number");
  }

 private:
  std::string file_;
};

report_document to_document(const json::object& root, const reader& r) {
  report_document d;
  if (r.string(r.member(root, "schema", ""), "schema") != "acsbatch.report/v1")
    r.fail("schema is not acsbatch.report/v1");
  const auto& job = r.object(r.member(root, "job", ""), "job");
  d.job_name = r.string(r.member(job, "name", "job"), "job.name");
  d.job_file = r.string(r.member(job, "file", "job"), "job.file");
  d.job_sha256 = r.string(r.member(job, "sha256", "job"), "job.sha256");
  d.job_effective_sha256 = d.job_sha256;  // reports before --set was recorded
  if (const auto* v = job.if_contains("effective_sha256")) d.job_effective_sha256 = r.string(*v, "job.effective_sha256");
  if (const auto* v = job.if_contains("shard")) d.shard = r.string(*v, "job.shard");
  if (const auto* v = job.if_contains("runs"))
    for (const auto& id : r.array(*v, "job.runs")) d.runs.push_back(r.string(id, "job.runs[]"));
  d.endpoint = r.string(r.member(root, "endpoint", ""), "endpoint");
  if (const auto* v = root.if_contains("embedded"); v && v->is_bool()) d.embedded = v->get_bool();
  d.api_version = r.string(r.member(root, "api_version", ""), "api_version");
  d.started_at = r.string(r.member(root, "started_at", ""), "started_at");
  d.finished_at = r.string(r.member(root, "finished_at", ""), "finished_at");
  d.duration_s = r.number(r.member(root, "duration_s", ""), "duration_s");
  if (const auto* v = root.if_contains("load_duration_s")) d.load_duration_s = r.number(*v, "load_duration_s");
  if (const auto* v = root.if_contains("merged_from"))
    for (const auto& f : r.array(*v, "merged_from")) d.merged_from.push_back(r.string(f, "merged_from[]"));
  if (const auto* v = root.if_contains("parameters"))
    for (const auto& [key, value] : r.object(*v, "parameters"))
      d.parameters.emplace_back(std::string(key), r.string(value, "parameters." + std::string(key)));

  const auto& summary = r.object(r.member(root, "summary", ""), "summary");
  const auto& items = r.object(r.member(summary, "items", "summary"), "summary.items");
  d.items.total = r.count(r.member(items, "total", "summary.items"), "summary.items.total");
  d.items.succeeded = r.count(r.member(items, "succeeded", "summary.items"), "summary.items.succeeded");
  d.items.failed = r.count(r.member(items, "failed", "summary.items"), "summary.items.failed");
  d.items.skipped = r.count(r.member(items, "skipped", "summary.items"), "summary.items.skipped");
  // Written by every run since they were added; optional so older reports still read.
  const auto optional_count = [&](std::string_view key) -> std::optional<std::uint64_t> {
    if (const auto* v = items.if_contains(key)) return r.count(*v, "summary.items." + std::string(key));
    return std::nullopt;
  };
  d.items.uncertain = optional_count("uncertain").value_or(0);
  d.items.from_earlier_runs = optional_count("from_earlier_runs").value_or(0);
  d.items.dropped = optional_count("dropped");
  d.items.delayed = optional_count("delayed");
  d.items.left_behind = optional_count("left_behind").value_or(0);
  if (const auto* ids = items.if_contains("left_behind_ids"); ids && ids->is_array())
    for (const auto& id : ids->as_array())
      if (id.is_string() && d.items.left_behind_ids.size() < max_left_behind_ids)
        d.items.left_behind_ids.emplace_back(id.as_string());
  for (const auto& [name, value] : r.object(r.member(summary, "operations", "summary"), "summary.operations")) {
    const std::string where = "summary.operations." + std::string(name);
    const auto& op = r.object(value, where);
    operation_totals totals;
    totals.count = r.count(r.member(op, "count", where), where + ".count");
    totals.ok = r.count(r.member(op, "ok", where), where + ".ok");
    totals.failed = r.count(r.member(op, "failed", where), where + ".failed");
    totals.retries = r.count(r.member(op, "retries", where), where + ".retries");
    totals.throttled = r.count(r.member(op, "throttled", where), where + ".throttled");
    if (const auto* peak = op.if_contains("peak_sends_per_s"))
      totals.peak_sends_per_s = r.count(*peak, where + ".peak_sends_per_s");
    if (const auto* wait = op.if_contains("throttle_wait_s"); wait && wait->is_number())
      totals.throttle_wait = std::chrono::milliseconds{static_cast<std::int64_t>(wait->to_number<double>() * 1000.0 + 0.5)};
    if (const auto* throttling = op.if_contains("throttling"); throttling && throttling->is_object()) {
      if (const auto* verdict = throttling->as_object().if_contains("verdict"); verdict && verdict->is_string())
        totals.throttling = std::string(verdict->as_string());
      if (const auto* learned = throttling->as_object().if_contains("learned_per_s"); learned && learned->is_number())
        totals.learned_per_s = learned->to_number<double>();
    }
    if (const auto* gone = op.if_contains("already_gone")) totals.already_gone = r.count(*gone, where + ".already_gone");
    try {
      totals.latency = histogram_from_json(r.member(op, "histogram", where));
    } catch (const std::invalid_argument& e) {
      r.fail(where + ".histogram: " + e.what());
    }
    if (totals.latency.count() != totals.count) r.fail(where + ": the histogram's count is not the operation's");
    if (const auto* service = op.if_contains("service_histogram")) {
      try {
        totals.service_latency = histogram_from_json(*service);
      } catch (const std::invalid_argument& e) {
        r.fail(where + ".service_histogram: " + e.what());
      }
    }
    d.operations.emplace(std::string(name), std::move(totals));
  }
  const auto& rate = r.object(r.member(summary, "rate", "summary"), "summary.rate");
  if (const auto& target = r.member(rate, "target", "summary.rate"); !target.is_null())
    d.target_rate = r.number(target, "summary.rate.target");
  d.achieved_rate = r.number(r.member(rate, "achieved", "summary.rate"), "summary.rate.achieved");

  for (const auto& value : r.array(r.member(root, "errors", ""), "errors")) {
    const auto& e = r.object(value, "errors[]");
    error_group group;
    group.code = r.string(r.member(e, "code", "errors[]"), "errors[].code");
    group.http_status = static_cast<unsigned>(std::min<std::uint64_t>(
        999, r.count(r.member(e, "http_status", "errors[]"), "errors[].http_status")));
    group.count = r.count(r.member(e, "count", "errors[]"), "errors[].count");
    group.example = r.string(r.member(e, "example", "errors[]"), "errors[].example");
    d.errors.push_back(std::move(group));
  }
  for (const auto& value : r.array(r.member(root, "thresholds", ""), "thresholds")) {
    const auto& t = r.object(value, "thresholds[]");
    threshold_outcome outcome;
    outcome.expr = r.string(r.member(t, "expr", "thresholds[]"), "thresholds[].expr");
    if (const auto& v = r.member(t, "value", "thresholds[]"); !v.is_null())
      outcome.value = r.number(v, "thresholds[].value");
    if (const auto* unit = t.if_contains("unit")) outcome.unit = r.string(*unit, "thresholds[].unit");
    const auto& ok = r.member(t, "ok", "thresholds[]");
    if (!ok.is_bool()) r.fail("thresholds[].ok is not true or false");
    outcome.ok = ok.get_bool();
    d.thresholds.push_back(std::move(outcome));
  }
  for (const auto& value : r.array(r.member(root, "timeline", ""), "timeline")) {
    const auto& s = r.object(value, "timeline[]");
    const auto t = r.count(r.member(s, "t", "timeline[]"), "timeline[].t");
    if (t != d.timeline.size()) r.fail("timeline[].t does not count the seconds from 0");
    d.timeline.push_back({r.count(r.member(s, "started", "timeline[]"), "timeline[].started"),
                          r.count(r.member(s, "ok", "timeline[]"), "timeline[].ok"),
                          r.count(r.member(s, "failed", "timeline[]"), "timeline[].failed"),
                          r.count(r.member(s, "throttled", "timeline[]"), "timeline[].throttled")});
  }
  if (const auto* v = root.if_contains("latency_timeline")) {
    try {
      d.latencies = latency_timeline::from_json(*v);
    } catch (const std::invalid_argument& e) {
      r.fail(e.what());
    }
  }
  return d;
}

}  // namespace

read_report_result read_report(const std::filesystem::path& path) {
  report_splitter splitter(nullptr);
  split_file(path, splitter);
  const reader r(path);
  json::value root;
  boost::system::error_code ec;
  root = json::parse(splitter.head(), ec);
  if (ec || splitter.items_open()) r.fail("not valid JSON");
  if (!root.is_object()) r.fail("not a JSON object");
  return {to_document(root.get_object(), r), splitter.has_items()};
}

void copy_report_items(const std::filesystem::path& path, const std::function<void(std::string_view)>& write_line) {
  report_splitter splitter(&write_line);
  split_file(path, splitter);
}

}  // namespace acsbatch::report
