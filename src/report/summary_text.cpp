#include "acsbatch/report/summary_text.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace acsbatch::report {

namespace {

/// `✓ p99(issue_token) < 300ms   12.3ms` per threshold, under a `thresholds:` line; "" without.
std::string thresholds_text(const report_builder& builder) {
  const auto& results = builder.threshold_results();
  const auto& thresholds = builder.info().thresholds;
  if (results.empty() || results.size() != thresholds.size()) return {};
  std::size_t width = 0;
  for (const auto& r : results) width = std::max(width, r.expr.size());
  std::string out = "thresholds:\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    out += results[i].ok ? "  \u2713 " : "  \u2717 ";
    out += results[i].expr;
    out.append(width - results[i].expr.size() + 3, ' ');
    out += format_value(thresholds[i], results[i].value);
    out += results[i].ok ? "\n" : "  FAILED\n";
  }
  return out;
}

/// Operations per second over the run; 0 before the report was written.
double rate_of(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

/// "throttling: 12.5 s waited on 429/503 — delete_user: limited by the service, held 98.0/s; …"
/// Nothing when no step was throttled and no limit was learned.
std::string throttling_text(const report_builder& builder) {
  std::chrono::milliseconds waited{0};
  std::string verdicts;
  for (const auto& [name, totals] : builder.operations()) {
    waited += totals.throttle_wait;
    if (totals.throttling == "rate_limited" && totals.learned_per_s) {
      char held[64];
      std::snprintf(held, sizeof held, "%.1f/s", *totals.learned_per_s);
      verdicts += "; " + name + ": limited by its rate, held " + held;
    } else if (totals.throttling == "rate_independent") {
      verdicts += "; " + name + ": throttled whatever the rate, pace kept";
    }
  }
  if (waited.count() == 0 && verdicts.empty()) return {};
  char line[96];
  std::snprintf(line, sizeof line, "throttling: %.1f s waited on 429/503 (summed over steps)",
                static_cast<double>(waited.count()) / 1000.0);
  return line + verdicts + "\n";
}

/// The operations in the order of the job's steps, then any other (by name).
std::vector<std::pair<std::string, const operation_totals&>> in_step_order(const report_builder& builder) {
  std::vector<std::pair<std::string, const operation_totals&>> out;
  const auto& operations = builder.operations();
  const auto& order = builder.info().operation_order;
  for (const auto& name : order)
    if (const auto it = operations.find(name);
        it != operations.end() && std::none_of(out.begin(), out.end(), [&](const auto& row) { return row.first == name; }))
      out.emplace_back(name, it->second);
  for (const auto& [name, totals] : operations)
    if (std::find(order.begin(), order.end(), name) == order.end()) out.emplace_back(name, totals);
  return out;
}

}  // namespace

std::string format_summary(const report_builder& builder) {
  std::size_t name_width = 9;  // "operation"
  for (const auto& [name, totals] : builder.operations()) name_width = std::max(name_width, name.size());
  const int width = static_cast<int>(std::min<std::size_t>(name_width, 64));

  std::string out = thresholds_text(builder);
  char line[320];
  std::snprintf(line, sizeof line, "%-*s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n", width, "operation", "count", "ok",
                "failed", "rate/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
  out += line;
  const double seconds = builder.rate_window_s();
  for (const auto& [name, totals] : in_step_order(builder)) {
    const auto& h = totals.latency;
    const double rate = rate_of(totals.count, seconds);
    std::snprintf(line, sizeof line, "%-*.*s %9llu %9llu %9llu %9.1f %9.3f %9.3f %9.3f %9.3f %9.3f\n", width, width,
                  name.c_str(), static_cast<unsigned long long>(totals.count),
                  static_cast<unsigned long long>(totals.ok), static_cast<unsigned long long>(totals.failed), rate,
                  h.percentile_ms(0.50), h.percentile_ms(0.90), h.percentile_ms(0.99), h.percentile_ms(0.999),
                  h.max_ms());
    out += line;
  }
  out += throttling_text(builder);
  for (const auto& [name, totals] : builder.operations())
    if (totals.already_gone > 0)
      out += name + ": " + std::to_string(totals.already_gone) + " of the ok were already gone (HTTP 404): not deleted by this run\n";
  const auto& items = builder.items();
  std::snprintf(line, sizeof line, "items: %llu total, %llu succeeded, %llu failed, %llu skipped\n",
                static_cast<unsigned long long>(items.total), static_cast<unsigned long long>(items.succeeded),
                static_cast<unsigned long long>(items.failed), static_cast<unsigned long long>(items.skipped));
  out += line;
  if (const auto groups = builder.error_groups(); !groups.empty()) {
    // The codes at a glance, so that nobody has to open the JSON to know what failed.
    std::string codes = "errors:";
    for (std::size_t i = 0; i < groups.size(); ++i) {
      codes += (i == 0 ? " " : ", ") + groups[i].code;
      if (groups[i].http_status != 0) codes += " (HTTP " + std::to_string(groups[i].http_status) + ")";
      codes += " x" + std::to_string(groups[i].count);
    }
    out += codes + " (one example message each in the report's \"errors\")\n";
  }
  if (items.dropped && *items.dropped == 0 && items.delayed.value_or(0) == 0) {
    out += "load: every iteration started on time\n";
  } else if (items.dropped) {
    std::snprintf(line, sizeof line,
                  "load: %llu iteration(s) waited for a slot (max_in_flight) and started late, %llu dropped "
                  "(no slot within max_start_delay)\n",
                  static_cast<unsigned long long>(items.delayed.value_or(0)),
                  static_cast<unsigned long long>(*items.dropped));
    out += line;
  }
  return out;
}

log_fields summary_fields(const report_builder& builder) {
  const auto& items = builder.items();
  log_fields item_counts;
  item_counts.add_unsigned("total", items.total)
      .add_unsigned("succeeded", items.succeeded)
      .add_unsigned("failed", items.failed)
      .add_unsigned("skipped", items.skipped);
  if (items.dropped) item_counts.add_unsigned("dropped", *items.dropped);
  if (items.delayed) item_counts.add_unsigned("delayed", *items.delayed);
  log_fields operations;
  for (const auto& [name, totals] : builder.operations()) {
    log_fields op;
    op.add_unsigned("count", totals.count)
        .add_unsigned("ok", totals.ok)
        .add_unsigned("failed", totals.failed);
    if (totals.already_gone > 0) op.add_unsigned("already_gone", totals.already_gone);
    op.add_number("rate_per_s", rate_of(totals.count, builder.rate_window_s()))
        .add_number("p50_ms", totals.latency.percentile_ms(0.50))
        .add_number("p90_ms", totals.latency.percentile_ms(0.90))
        .add_number("p99_ms", totals.latency.percentile_ms(0.99))
        .add_number("p999_ms", totals.latency.percentile_ms(0.999))
        .add_number("max_ms", totals.latency.max_ms());
    operations.add_raw(name, op.object());
  }
  log_fields out;
  if (!builder.threshold_results().empty()) {
    std::string thresholds = "[";
    for (const auto& r : builder.threshold_results()) {
      log_fields t;
      t.add_string("expr", r.expr);
      if (r.value) t.add_number("value", *r.value);
      else t.add_null("value");
      t.add_bool("ok", r.ok);
      thresholds += (thresholds.size() > 1 ? "," : "") + t.object();
    }
    out.add_raw("thresholds", thresholds + "]");
  }
  out.add_raw("items", item_counts.object())
      .add_raw("operations", operations.object())
      .add_string("report", builder.path().string());
  return out;
}

}  // namespace acsbatch::report
