#include "acsbatch/report/report_merge.hpp"

#include <algorithm>
#include <chrono>

#include "acsbatch/core/http_date.hpp"
#include "acsbatch/report/threshold.hpp"

namespace acsbatch::report {
namespace {

using clock = std::chrono::system_clock;

/// As the run's own timeline: a week of seconds at most.
constexpr std::uint64_t max_timeline_seconds = 7 * 24 * 3600;

clock::time_point time_of(const merge_input& input, const std::string& text, std::string_view what) {
  const auto parsed = parse_rfc3339(text);
  if (!parsed)
    throw report_read_error(false, input.path.string() + ": not an acsbatch report: " + std::string(what) +
                                       " is not an RFC 3339 time");
  return *parsed;
}

void add(operation_totals& into, const operation_totals& from) {
  into.count += from.count;
  into.ok += from.ok;
  into.failed += from.failed;
  into.retries += from.retries;
  into.throttled += from.throttled;
  // Of any one run: runs of one job (resumes, shards) may or may not have overlapped in time.
  into.peak_sends_per_s = std::max(into.peak_sends_per_s, from.peak_sends_per_s);
  into.throttle_wait += from.throttle_wait;
  // A limit learned by any run is the one that held (the lowest); its verdict goes with it.
  if (from.learned_per_s && (!into.learned_per_s || *from.learned_per_s < *into.learned_per_s)) {
    into.learned_per_s = from.learned_per_s;
    into.throttling = from.throttling;
  } else if (into.throttling.empty()) {
    into.throttling = from.throttling;
  }
  into.already_gone += from.already_gone;
  into.latency.merge(from.latency);
  into.service_latency.merge(from.service_latency);
}

/// Load-mode counts are summed where any input has them (a bulk report has none).
void add(std::optional<std::uint64_t>& into, const std::optional<std::uint64_t>& from) {
  if (from) into = into.value_or(0) + *from;
}

/// The threshold behind a report's `expr` (its canonical text), to evaluate it again on the sums.
std::optional<threshold> threshold_of(const std::string& expr) {
  // Any operation name the text holds is acceptable: the reports' own run checked it.
  std::vector<std::string_view> names;
  const auto open = expr.find('('), close = expr.find(')');
  if (open != std::string::npos && close != std::string::npos && close > open)
    names.push_back(std::string_view(expr).substr(open + 1, close - open - 1));
  try {
    return parse_threshold(expr, names);
  } catch (const threshold_error&) {
    return std::nullopt;
  }
}

}  // namespace

report_document merge_reports(std::span<const merge_input> inputs, bool force) {
  report_document out;
  if (inputs.empty()) return out;
  const auto& first = inputs.front().document;
  for (std::size_t i = 0; i < inputs.size() && !force; ++i) {
    const auto& input = inputs[i];
    if (input.document.job_sha256 != first.job_sha256)
      throw merge_refused(input.path.string() + " is a report of another job than " + inputs.front().path.string() +
                          " (job '" + input.document.job_name + "' sha256 " + input.document.job_sha256.substr(0, 12) +
                          "… vs '" + first.job_name + "' " + first.job_sha256.substr(0, 12) +
                          "…); --force merges them anyway");
    if (input.document.job_effective_sha256 != first.job_effective_sha256)
      throw merge_refused(input.path.string() + " and " + inputs.front().path.string() +
                          " are reports of the same job file run with different --set overrides (effective sha256 " +
                          input.document.job_effective_sha256.substr(0, 12) + "… vs " +
                          first.job_effective_sha256.substr(0, 12) + "…): their sums would mean nothing; --force "
                          "merges them anyway");
    // The same run twice (one report given twice, or a merged report and one of its inputs),
    // or two runs of one shard, would count the same items twice.
    for (std::size_t j = 0; j < i; ++j) {
      const auto& other = inputs[j].document;
      const auto shared = std::find_first_of(input.document.runs.begin(), input.document.runs.end(),
                                             other.runs.begin(), other.runs.end());
      const bool same_shard = !input.document.shard.empty() && input.document.shard == other.shard;
      if (shared != input.document.runs.end() || same_shard)
        throw merge_refused(input.path.string() + " and " + inputs[j].path.string() + " both count " +
                            (shared != input.document.runs.end() ? "the items of run " + *shared
                                                                 : "shard " + input.document.shard) +
                            ": merging would count them twice; --force merges them anyway");
    }
  }
  out.job_name = first.job_name;
  out.job_file = first.job_file;
  out.job_sha256 = first.job_sha256;
  out.job_effective_sha256 = first.job_effective_sha256;
  out.endpoint = first.endpoint;
  out.api_version = first.api_version;
  out.parameters = first.parameters;
  out.embedded = true;

  std::vector<clock::time_point> starts;
  clock::time_point start = clock::time_point::max(), finish = clock::time_point::min();
  // Load shards: the merged load window ends when the last shard's load did (cleanup excluded).
  auto load_finish = clock::time_point::min();
  bool all_loads = true;
  for (const auto& input : inputs) {
    const auto s = time_of(input, input.document.started_at, "started_at");
    const auto f = time_of(input, input.document.finished_at, "finished_at");
    starts.push_back(s);
    start = std::min(start, s);
    finish = std::max(finish, f);
    if (const auto load = input.document.load_duration_s)
      load_finish = std::max(load_finish, s + std::chrono::duration_cast<clock::duration>(
                                                  std::chrono::duration<double>(*load)));
    else
      all_loads = false;
  }
  out.started_at = format_rfc3339(start);
  out.finished_at = format_rfc3339(std::max(start, finish));
  out.duration_s = std::max(0.0, std::chrono::duration<double>(finish - start).count());
  if (all_loads)
    out.load_duration_s = std::clamp(std::chrono::duration<double>(load_finish - start).count(), 0.0, out.duration_s);

  bool all_targets = true;
  double target = 0;
  std::vector<std::string> exprs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& d = inputs[i].document;
    out.merged_from.push_back(inputs[i].path.string());
    out.runs.insert(out.runs.end(), d.runs.begin(), d.runs.end());
    out.embedded = out.embedded && d.embedded;
    out.items.total += d.items.total;
    out.items.succeeded += d.items.succeeded;
    out.items.failed += d.items.failed;
    out.items.skipped += d.items.skipped;
    out.items.uncertain += d.items.uncertain;
    out.items.from_earlier_runs += d.items.from_earlier_runs;
    out.items.left_behind += d.items.left_behind;
    for (const auto& id : d.items.left_behind_ids)
      if (out.items.left_behind_ids.size() < max_left_behind_ids) out.items.left_behind_ids.push_back(id);
    add(out.items.dropped, d.items.dropped);
    add(out.items.delayed, d.items.delayed);
    for (const auto& [name, totals] : d.operations) add(out.operations[name], totals);
    if (d.target_rate) target += *d.target_rate;
    else all_targets = false;
    for (const auto& e : d.errors) {
      const auto it = std::find_if(out.errors.begin(), out.errors.end(), [&](const auto& g) { return g.code == e.code; });
      if (it == out.errors.end()) out.errors.push_back(e);
      else it->count += e.count;
    }
    for (const auto& t : d.thresholds)
      if (std::find(exprs.begin(), exprs.end(), t.expr) == exprs.end()) exprs.push_back(t.expr);

    // Whole seconds after the earliest start: step i of this report's timeline happened then.
    const auto offset = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(starts[i] - start).count());
    if (offset + d.timeline.size() > max_timeline_seconds)
      throw merge_refused(inputs[i].path.string() + " started more than 7 days after the earliest report: their "
                          "timelines cannot be aligned");
    if (d.timeline.size() + offset > out.timeline.size()) out.timeline.resize(d.timeline.size() + offset);
    for (std::size_t t = 0; t < d.timeline.size(); ++t) {
      auto& into = out.timeline[t + offset];
      into.started += d.timeline[t].started;
      into.ok += d.timeline[t].ok;
      into.failed += d.timeline[t].failed;
      into.throttled += d.timeline[t].throttled;
    }
    out.latencies.merge(d.latencies, offset);
  }
  if (all_targets) out.target_rate = target;
  std::uint64_t done = 0;
  for (const auto& [name, totals] : out.operations) done += totals.count;
  out.achieved_rate = out.rate_window_s() > 0 ? static_cast<double>(done) / out.rate_window_s() : 0.0;
  std::stable_sort(out.errors.begin(), out.errors.end(), [](const auto& a, const auto& b) { return a.count > b.count; });

  for (const auto& expr : exprs) {
    const auto t = threshold_of(expr);
    if (!t) {
      out.thresholds.push_back({expr, std::nullopt, "", false});  // not ours to judge: fails
      continue;
    }
    const auto result = evaluate(*t, out.operations, out.rate_window_s());
    out.thresholds.push_back({result.expr, result.value, std::string(base_unit(t->metric)), result.ok});
  }
  return out;
}

}  // namespace acsbatch::report
