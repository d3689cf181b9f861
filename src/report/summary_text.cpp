#include "acsbatch/report/summary_text.hpp"

#include <algorithm>
#include <cstdio>

namespace acsbatch::report {

std::string format_summary(const report_builder& builder) {
  std::size_t name_width = 9;  // "operation"
  for (const auto& [name, totals] : builder.operations()) name_width = std::max(name_width, name.size());
  const int width = static_cast<int>(std::min<std::size_t>(name_width, 64));

  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-*s %10s %10s %10s %10s %10s %10s\n", width, "operation", "count", "ok",
                "failed", "p50 ms", "p99 ms", "max ms");
  out += line;
  for (const auto& [name, totals] : builder.operations()) {
    const auto& h = totals.latency;
    std::snprintf(line, sizeof line, "%-*.*s %10llu %10llu %10llu %10.3f %10.3f %10.3f\n", width, width, name.c_str(),
                  static_cast<unsigned long long>(totals.count), static_cast<unsigned long long>(totals.ok),
                  static_cast<unsigned long long>(totals.failed), h.percentile_ms(0.50), h.percentile_ms(0.99),
                  h.max_ms());
    out += line;
  }
  const auto& items = builder.items();
  std::snprintf(line, sizeof line, "items: %llu total, %llu succeeded, %llu failed, %llu skipped\n",
                static_cast<unsigned long long>(items.total), static_cast<unsigned long long>(items.succeeded),
                static_cast<unsigned long long>(items.failed), static_cast<unsigned long long>(items.skipped));
  out += line;
  return out;
}

log_fields summary_fields(const report_builder& builder) {
  const auto& items = builder.items();
  log_fields item_counts;
  item_counts.add_unsigned("total", items.total)
      .add_unsigned("succeeded", items.succeeded)
      .add_unsigned("failed", items.failed)
      .add_unsigned("skipped", items.skipped);
  log_fields operations;
  for (const auto& [name, totals] : builder.operations()) {
    log_fields op;
    op.add_unsigned("count", totals.count)
        .add_unsigned("ok", totals.ok)
        .add_unsigned("failed", totals.failed)
        .add_number("p50_ms", totals.latency.percentile_ms(0.50))
        .add_number("p99_ms", totals.latency.percentile_ms(0.99))
        .add_number("max_ms", totals.latency.max_ms());
    operations.add_raw(name, op.object());
  }
  log_fields out;
  out.add_raw("items", item_counts.object())
      .add_raw("operations", operations.object())
      .add_string("report", builder.path().string());
  return out;
}

}  // namespace acsbatch::report
