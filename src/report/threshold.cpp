#include "acsbatch/report/threshold.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace acsbatch::report {
namespace {

bool is_latency(threshold_metric m) {
  return m == threshold_metric::p50 || m == threshold_metric::p90 || m == threshold_metric::p95 ||
         m == threshold_metric::p99 || m == threshold_metric::p999 || m == threshold_metric::max ||
         m == threshold_metric::mean;
}

/// Shortest text that reads back as the same double, never in exponent form.
std::string format_number(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  if (ec != std::errc{}) return "0";
  return std::string(buffer, end);
}

/// Every operation's histogram merged, or the named one's; nullptr when it recorded nothing.
const latency_histogram* latency_of(const threshold& t, const std::map<std::string, operation_totals>& operations,
                                    latency_histogram& merged) {
  if (!t.operation.empty()) {
    const auto it = operations.find(t.operation);
    return it == operations.end() || it->second.latency.count() == 0 ? nullptr : &it->second.latency;
  }
  for (const auto& [name, totals] : operations) merged.merge(totals.latency);
  return merged.count() == 0 ? nullptr : &merged;
}

}  // namespace

std::string_view to_string(threshold_comparison comparison) {
  switch (comparison) {
    case threshold_comparison::less: return "<";
    case threshold_comparison::less_equal: return "<=";
    case threshold_comparison::greater: return ">";
    case threshold_comparison::greater_equal: return ">=";
    case threshold_comparison::equal: return "==";
  }
  return "?";
}

std::string to_string(const threshold& t) {
  std::string out(to_string(t.metric));
  if (!t.operation.empty()) out += "(" + t.operation + ")";
  out += " ";
  out += to_string(t.comparison);
  out += " " + format_number(t.written_value);
  switch (t.written_unit) {
    case threshold_unit::none: break;
    case threshold_unit::us: out += "us"; break;
    case threshold_unit::ms: out += "ms"; break;
    case threshold_unit::s: out += "s"; break;
    case threshold_unit::percent: out += "%"; break;
    case threshold_unit::per_second: out += "/s"; break;
  }
  return out;
}

std::string_view base_unit(threshold_metric metric) {
  if (is_latency(metric)) return "ms";
  if (metric == threshold_metric::error_rate) return "ratio";
  if (metric == threshold_metric::rate) return "/s";
  return "count";
}

bool judges_errors(threshold_metric metric) {
  return metric == threshold_metric::error_rate || metric == threshold_metric::failed;
}

std::optional<double> measure(const threshold& t, const std::map<std::string, operation_totals>& operations,
                              double duration_s) {
  if (is_latency(t.metric)) {
    latency_histogram merged;
    const latency_histogram* h = latency_of(t, operations, merged);
    if (!h) return std::nullopt;
    switch (t.metric) {
      case threshold_metric::p50: return h->percentile_ms(0.50);
      case threshold_metric::p90: return h->percentile_ms(0.90);
      case threshold_metric::p95: return h->percentile_ms(0.95);
      case threshold_metric::p99: return h->percentile_ms(0.99);
      case threshold_metric::p999: return h->percentile_ms(0.999);
      case threshold_metric::max: return h->max_ms();
      default: return h->mean_ms();
    }
  }
  operation_totals sum;
  for (const auto& [name, totals] : operations) {
    if (!t.operation.empty() && name != t.operation) continue;
    sum.count += totals.count;
    sum.ok += totals.ok;
    sum.failed += totals.failed;
    sum.throttled += totals.throttled;
  }
  switch (t.metric) {
    case threshold_metric::error_rate:
      if (sum.count == 0) return std::nullopt;
      return static_cast<double>(sum.failed) / static_cast<double>(sum.count);
    case threshold_metric::rate:
      if (!(duration_s > 0)) return std::nullopt;
      return static_cast<double>(sum.ok) / duration_s;
    case threshold_metric::count: return static_cast<double>(sum.count);
    case threshold_metric::failed: return static_cast<double>(sum.failed);
    default: return static_cast<double>(sum.throttled);
  }
}

threshold_result evaluate(const threshold& t, const std::map<std::string, operation_totals>& operations,
                          double duration_s) {
  threshold_result out{to_string(t), measure(t, operations, duration_s), false};
  if (!out.value) return out;
  const double v = *out.value;
  switch (t.comparison) {
    case threshold_comparison::less: out.ok = v < t.limit; break;
    case threshold_comparison::less_equal: out.ok = v <= t.limit; break;
    case threshold_comparison::greater: out.ok = v > t.limit; break;
    case threshold_comparison::greater_equal: out.ok = v >= t.limit; break;
    case threshold_comparison::equal:
      // A limit written in seconds or percent was scaled: equal within rounding.
      out.ok = std::abs(v - t.limit) <= 1e-9 * std::max(std::abs(v), std::abs(t.limit));
      break;
  }
  return out;
}

std::vector<threshold_result> evaluate(std::span<const threshold> thresholds,
                                       const std::map<std::string, operation_totals>& operations, double duration_s) {
  std::vector<threshold_result> out;
  out.reserve(thresholds.size());
  for (const auto& t : thresholds) out.push_back(evaluate(t, operations, duration_s));
  return out;
}

std::string format_value(const threshold& t, std::optional<double> value) {
  if (!value) return "no data";
  const auto rounded = [](double v, int decimals) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, decimals);
    std::string out = ec == std::errc{} ? std::string(buffer, end) : std::string("?");
    // "12.300" → "12.3", "12.000" → "12"
    if (out.find('.') != std::string::npos) {
      while (out.back() == '0') out.pop_back();
      if (out.back() == '.') out.pop_back();
    }
    return out;
  };
  const double v = *value;
  switch (t.written_unit) {
    case threshold_unit::us: return rounded(v * 1000.0, 0) + "us";
    case threshold_unit::ms: return rounded(v, 3) + "ms";
    case threshold_unit::s: return rounded(v / 1000.0, 6) + "s";
    case threshold_unit::percent: return rounded(v * 100.0, 4) + "%";
    case threshold_unit::per_second: return rounded(v, 1) + "/s";
    case threshold_unit::none: break;
  }
  if (t.metric == threshold_metric::rate) return rounded(v, 1) + "/s";
  if (t.metric == threshold_metric::error_rate) return rounded(v, 6);
  return rounded(v, 0);
}

}  // namespace acsbatch::report
