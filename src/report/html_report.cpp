#include "acsbatch/report/html_report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "svg_chart.hpp"

namespace acsbatch::report {
namespace {

using detail::chart_series;
using detail::html_escape;
using detail::line_chart;

/// A restrained palette: one blue for what went well, brick and amber for what did not.
constexpr const char* color_ok = "#2f6f9f";
constexpr const char* color_failed = "#c0392b";
constexpr const char* color_throttled = "#d49a1a";
constexpr const char* color_p50 = "#8fb3d3";
constexpr const char* color_p90 = "#2f6f9f";
constexpr const char* color_p99 = "#16324f";
constexpr const char* operation_colors[] = {"#2f6f9f", "#c0392b", "#3d8b5f", "#7b5ea7", "#d49a1a", "#5f6b7a"};

/// More points than a chart is pixels wide only hide each other: longer runs are averaged.
constexpr std::size_t max_chart_points = 1200;
/// Latency bands of the distribution chart: 4 per power of two (each ~19 % wide).
constexpr double bands_per_octave = 4;

constexpr const char* style = R"(
:root{--ink:#1f2933;--muted:#66727f;--line:#e3e7ec;--bg:#f5f6f8;--good:#2e7d4f;--bad:#b3362a}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 "Segoe UI",Roboto,"Helvetica Neue","DejaVu Sans",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1160px;margin:0 auto;padding:32px 28px 40px}
header h1{font-size:26px;line-height:1.25;margin:0 0 6px;font-weight:600;letter-spacing:-.01em;word-break:break-word}
.meta{color:var(--muted);font-size:13px;margin:0}
.badge{display:inline-block;vertical-align:middle;margin-left:10px;padding:2px 10px;border-radius:999px;font-size:12px;font-weight:600;letter-spacing:.05em;text-transform:uppercase}
.badge.pass{background:#e2f0e7;color:var(--good)}
.badge.fail{background:#f8e2df;color:var(--bad)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:12px;margin:22px 0 8px}
.tile{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.tile .label{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.06em}
.tile .value{font-size:21px;font-weight:600;font-variant-numeric:tabular-nums}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px 20px;margin:16px 0}
h2{font-size:17px;margin:0 0 2px;font-weight:600}
h3{font-size:14px;margin:10px 0 0;font-weight:600;color:#3e4c59}
p.note{margin:0 0 12px;color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}
th{text-align:left;font-weight:600;color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.05em;border-bottom:1px solid var(--line);padding:6px 10px}
td{padding:7px 10px;border-bottom:1px solid #eef1f4;font-variant-numeric:tabular-nums;vertical-align:top}
tr:last-child td{border-bottom:0}
.num{text-align:right;white-space:nowrap}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
.pass{color:var(--good);font-weight:600}
.fail{color:var(--bad);font-weight:600}
.example{color:#52606d;font-size:13px;word-break:break-word}
.small-multiples{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:8px 24px}
svg.chart{width:100%;height:auto;display:block;margin-top:6px}
svg .grid line{stroke:#edf0f3;stroke-width:1}
svg .axis,svg .tick{stroke:#9aa5b1;stroke-width:1}
svg text{font-size:12px;fill:#52606d}
svg .axis-label{fill:#3e4c59}
svg .line{fill:none;stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
svg .area{opacity:.13}
svg .legend text{fill:#323f4b}
svg .legend line{stroke-width:3}
svg .empty{fill:#9aa5b1;font-size:14px}
svg .bar-label{fill:#323f4b}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:22px}
)";

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "–";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  return ec == std::errc{} ? std::string(buffer, end) : std::string("–");
}

/// 1234567 → "1,234,567".
std::string count_text(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string ms_text(double ms) { return fixed(ms, ms >= 100 ? 1 : ms >= 10 ? 2 : 3); }

std::string duration_text(double seconds) {
  if (seconds < 60) return fixed(seconds, seconds < 10 ? 2 : 1) + " s";
  const auto total = static_cast<long long>(std::llround(seconds));
  if (total < 3600) return std::to_string(total / 60) + "m " + std::to_string(total % 60) + "s";
  return std::to_string(total / 3600) + "h " + std::to_string(total / 60 % 60) + "m";
}

/// "2026-11-25T16:00:55.7176233+00:00" → "2026-11-25 16:00:55 UTC"; other texts as they are.
std::string time_text(const std::string& rfc3339) {
  if (rfc3339.size() >= 19 && rfc3339[10] == 'T' && (rfc3339.ends_with("+00:00") || rfc3339.ends_with("Z")))
    return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 8) + " UTC";
  return rfc3339;
}

/// Operation names become element ids: anything outside [a-z0-9] becomes '-'.
std::string id_part(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    out += ((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9')) ? lower : '-';
  }
  return out.substr(0, 64);
}

/// A value for a threshold's unit, for people.
std::string threshold_value_text(const threshold_outcome& t) {
  if (!t.value) return "no data";
  const double v = *t.value;
  if (t.unit == "ms") return ms_text(v) + " ms";
  if (t.unit == "ratio") return fixed(v * 100, 3) + " %";
  if (t.unit == "/s") return fixed(v, 1) + " /s";
  if (t.unit == "count") return count_text(static_cast<std::uint64_t>(std::max(0.0, v)));
  return fixed(v, 3);
}

struct time_axis {
  double divisor = 1;
  std::string label = "time since start (s)";
};

time_axis time_axis_for(double span_s) {
  if (span_s > 2 * 3600) return {3600, "time since start (h)"};
  if (span_s > 600) return {60, "time since start (min)"};
  return {};
}

std::string tile(std::string_view label, const std::string& value, std::string_view css_class = {}) {
  return "<div class=\"tile\"><div class=\"label\">" + std::string(label) + "</div><div class=\"value" +
         (css_class.empty() ? std::string() : " " + std::string(css_class)) + "\">" + value + "</div></div>";
}

std::string header_html(const report_document& d) {
  const bool has_thresholds = !d.thresholds.empty();
  const bool thresholds_ok = std::all_of(d.thresholds.begin(), d.thresholds.end(), [](const auto& t) { return t.ok; });
  const bool passed = has_thresholds ? thresholds_ok : d.items.failed == 0;
  const std::string verdict = has_thresholds ? (passed ? "thresholds passed" : "thresholds failed")
                                             : (passed ? "no failures" : "items failed");
  std::string out = "<header><h1>" + html_escape(d.job_name) + "<span id=\"verdict\" class=\"badge " +
                    (passed ? "pass" : "fail") + "\">" + verdict + "</span></h1>";
  out += "<p class=\"meta\"><code>" + html_escape(d.job_file) + "</code> · " + html_escape(time_text(d.started_at)) + " → " +
         html_escape(time_text(d.finished_at)) + " · " + (d.embedded ? "embedded emulator" : html_escape(d.endpoint)) +
         " · api-version " + html_escape(d.api_version) + "</p>";
  if (!d.merged_from.empty())
    out += "<p class=\"meta\">merged from " + std::to_string(d.merged_from.size()) + " reports</p>";
  std::uint64_t operations = 0;
  for (const auto& [name, totals] : d.operations) operations += totals.count;
  out += "<div class=\"tiles\">" + tile("duration", duration_text(d.duration_s)) +
         tile("items", count_text(d.items.total)) + tile("succeeded", count_text(d.items.succeeded)) +
         tile("failed", count_text(d.items.failed), d.items.failed > 0 ? "fail" : "") +
         tile("skipped", count_text(d.items.skipped)) + tile("operations", count_text(operations)) +
         tile("achieved rate", fixed(d.achieved_rate, 1) + " /s") + "</div></header>";
  return out;
}

std::string thresholds_html(const report_document& d) {
  std::string out = "<section><h2>Thresholds</h2><p class=\"note\">The job's pass criteria, evaluated at the end of "
                    "the run.</p><table id=\"thresholds\"><thead><tr><th>result</th><th>threshold</th>"
                    "<th class=\"num\">measured</th></tr></thead><tbody>";
  if (d.thresholds.empty()) out += "<tr><td colspan=\"3\" class=\"example\">This job has no thresholds.</td></tr>";
  for (const auto& t : d.thresholds)
    out += std::string("<tr><td class=\"") + (t.ok ? "pass\">&#10003; pass" : "fail\">&#10007; fail") +
           "</td><td><code>" + html_escape(t.expr) + "</code></td><td class=\"num\">" +
           html_escape(threshold_value_text(t)) + "</td></tr>";
  return out + "</tbody></table></section>";
}

std::string throughput_html(const report_document& d) {
  const auto axis = time_axis_for(static_cast<double>(d.timeline.size()));
  const std::size_t per_point = std::max<std::size_t>(1, (d.timeline.size() + max_chart_points - 1) / max_chart_points);
  chart_series ok{"ok", color_ok, {}, true, false};
  chart_series failed{"failed", color_failed, {}, false, false};
  chart_series throttled{"throttled (429)", color_throttled, {}, false, true};
  for (std::size_t start = 0; start < d.timeline.size(); start += per_point) {
    const std::size_t end = std::min(d.timeline.size(), start + per_point);
    double sum_ok = 0, sum_failed = 0, sum_throttled = 0;
    for (std::size_t t = start; t < end; ++t) {
      sum_ok += static_cast<double>(d.timeline[t].ok);
      sum_failed += static_cast<double>(d.timeline[t].failed);
      sum_throttled += static_cast<double>(d.timeline[t].throttled);
    }
    const double n = static_cast<double>(end - start);
    const double x = static_cast<double>(start) / axis.divisor;
    ok.points.emplace_back(x, sum_ok / n);
    failed.points.emplace_back(x, sum_failed / n);
    throttled.points.emplace_back(x, sum_throttled / n);
  }
  line_chart chart{"chart-throughput", "Operations per second over time", {axis.label}, {"operations per second"},
                   {ok, failed, throttled}};
  return "<section><h2>Throughput</h2><p class=\"note\">Steps per second by the second they started: completed, "
         "failed, and attempts answered 429." +
         std::string(per_point > 1 ? " Averaged over " + std::to_string(per_point) + " s per point." : "") + "</p>" +
         render_line_chart(chart) + "</section>";
}

std::string latency_over_time_html(const report_document& d) {
  // The same latency as the operations table: in a load test it counts from each iteration's
  // intended start (corrected for coordinated omission), elsewhere it is the service time.
  std::string out = "<section><h2>Latency over time</h2><p class=\"note\">Percentiles of each operation's latency";
  if (d.load_duration_s) out += " from each iteration's intended start (waiting for a slot included)";
  const auto resolution = d.latencies.resolution_s();
  out += resolution == 1 ? ", second by second" : ", per " + std::to_string(resolution) + " s";
  out += " (within 6.25 %).</p><div class=\"small-multiples\">";
  if (d.latencies.empty()) out += "<p class=\"note\">This report has no per-second latencies.</p>";
  double span = 0;
  for (const auto& [op, slots] : d.latencies.operations())
    span = std::max(span, static_cast<double>(slots.size() * resolution));
  const auto axis = time_axis_for(span);
  for (const auto& [op, slots] : d.latencies.operations()) {
    chart_series p50{"p50", color_p50, {}, false, false}, p90{"p90", color_p90, {}, false, false},
        p99{"p99", color_p99, {}, false, false};
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].count == 0) continue;
      const double x = static_cast<double>(i * resolution) / axis.divisor;
      p50.points.emplace_back(x, static_cast<double>(slots[i].percentile_us(0.50)) / 1000.0);
      p90.points.emplace_back(x, static_cast<double>(slots[i].percentile_us(0.90)) / 1000.0);
      p99.points.emplace_back(x, static_cast<double>(slots[i].percentile_us(0.99)) / 1000.0);
    }
    line_chart chart{"chart-latency-" + id_part(op), op + ": latency percentiles over time", {axis.label},
                     {"latency (ms)"}, {p50, p90, p99}, 540, 250};
    out += "<div><h3><code>" + html_escape(op) + "</code></h3>" + render_line_chart(chart) + "</div>";
  }
  return out + "</div></section>";
}

std::string distribution_html(const report_document& d) {
  line_chart chart{"chart-distribution", "Latency distribution per operation", {"latency (ms, log scale)", true},
                   {"share of the operation's steps (%)"}, {}};
  std::size_t color = 0;
  for (const auto& [op, totals] : d.operations) {
    if (totals.latency.count() == 0) continue;
    std::map<long, std::uint64_t> bands;
    for (const auto& [upper_us, n] : totals.latency.buckets())
      bands[static_cast<long>(std::floor(std::log2(static_cast<double>(std::max<std::uint64_t>(upper_us, 1))) *
                                         bands_per_octave))] += n;
    chart_series s{op, operation_colors[color++ % std::size(operation_colors)], {}, false, false};
    const double total = static_cast<double>(totals.latency.count());
    for (const auto& [band, n] : bands)
      s.points.emplace_back(std::exp2((static_cast<double>(band) + 0.5) / bands_per_octave) / 1000.0,
                            100.0 * static_cast<double>(n) / total);
    chart.series.push_back(std::move(s));
  }
  return "<section><h2>Latency distribution</h2><p class=\"note\">Share of each operation's steps per latency band "
         "(4 bands per doubling), from the report's histograms.</p>" +
         render_line_chart(chart) + "</section>";
}

std::string operations_html(const report_document& d) {
  std::string out = "<section><h2>Operations</h2><table id=\"operations\"><thead><tr><th>operation</th>"
                    "<th class=\"num\">count</th><th class=\"num\">ok</th><th class=\"num\">failed</th>"
                    "<th class=\"num\">retries</th><th class=\"num\">throttled</th><th class=\"num\">mean ms</th>"
                    "<th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th>"
                    "<th class=\"num\">p99.9</th><th class=\"num\">max</th></tr></thead><tbody>";
  for (const auto& [op, t] : d.operations) {
    const auto& h = t.latency;
    out += "<tr><td><code>" + html_escape(op) + "</code></td><td class=\"num\">" + count_text(t.count) +
           "</td><td class=\"num\">" + count_text(t.ok) + "</td><td class=\"num" + (t.failed ? " fail" : "") + "\">" +
           count_text(t.failed) + "</td><td class=\"num\">" + count_text(t.retries) + "</td><td class=\"num\">" +
           count_text(t.throttled) + "</td><td class=\"num\">" + ms_text(h.mean_ms()) + "</td><td class=\"num\">" +
           ms_text(h.percentile_ms(0.5)) + "</td><td class=\"num\">" + ms_text(h.percentile_ms(0.9)) +
           "</td><td class=\"num\">" + ms_text(h.percentile_ms(0.99)) + "</td><td class=\"num\">" +
           ms_text(h.percentile_ms(0.999)) + "</td><td class=\"num\">" + ms_text(h.max_ms()) + "</td></tr>";
  }
  if (d.operations.empty()) out += "<tr><td colspan=\"12\" class=\"example\">No operation ran.</td></tr>";
  return out + "</tbody></table></section>";
}

/// Horizontal bars, one per error code, longest first (the report's order).
std::string error_bars(const std::vector<error_group>& errors) {
  constexpr double width = 1080, row = 26, label_width = 260, right = 90;
  const std::size_t rows = std::min<std::size_t>(errors.size(), 12);
  const double height = static_cast<double>(rows) * row + 8;
  std::uint64_t most = 1;
  for (std::size_t i = 0; i < rows; ++i) most = std::max(most, errors[i].count);
  std::string out = "<svg id=\"chart-errors\" class=\"chart\" role=\"img\" viewBox=\"0 0 " + fixed(width, 0) + " " +
                    fixed(height, 0) + "\" xmlns=\"http://www.w3.org/2000/svg\"><title>Errors by code</title>";
  for (std::size_t i = 0; i < rows; ++i) {
    const double y = 4 + static_cast<double>(i) * row;
    const double length = (width - label_width - right) * static_cast<double>(errors[i].count) / static_cast<double>(most);
    std::string label = errors[i].code + (errors[i].http_status ? " (" + std::to_string(errors[i].http_status) + ")" : "");
    if (label.size() > 34) label = label.substr(0, 33) + "…";
    out += "<text class=\"bar-label\" x=\"" + fixed(label_width - 10, 0) + "\" y=\"" + fixed(y + 16, 1) +
           "\" text-anchor=\"end\">" + html_escape(label) + "</text><rect x=\"" + fixed(label_width, 0) + "\" y=\"" +
           fixed(y + 4, 1) + "\" width=\"" + fixed(std::max(2.0, length), 1) + "\" height=\"16\" rx=\"2\" fill=\"" +
           color_failed + "\" opacity=\"0.85\"/><text x=\"" + fixed(label_width + std::max(2.0, length) + 8, 1) +
           "\" y=\"" + fixed(y + 16, 1) + "\">" + count_text(errors[i].count) + "</text>";
  }
  return out + "</svg>";
}

std::string errors_html(const report_document& d) {
  std::string out = "<section><h2>Errors</h2>";
  std::uint64_t failed = 0;
  for (const auto& e : d.errors) failed += e.count;
  if (d.errors.empty()) {
    out += "<p class=\"note\">No step failed.</p><table id=\"errors\"><tbody></tbody></table>";
    return out + "</section>";
  }
  out += "<p class=\"note\">Failed steps by error code, most frequent first.</p>" + error_bars(d.errors);
  out += "<table id=\"errors\"><thead><tr><th>code</th><th class=\"num\">HTTP</th><th class=\"num\">count</th>"
         "<th class=\"num\">share</th><th>example</th></tr></thead><tbody>";
  for (const auto& e : d.errors)
    out += "<tr><td><code>" + html_escape(e.code) + "</code></td><td class=\"num\">" +
           (e.http_status ? std::to_string(e.http_status) : std::string("–")) + "</td><td class=\"num\">" +
           count_text(e.count) + "</td><td class=\"num\">" +
           fixed(100.0 * static_cast<double>(e.count) / static_cast<double>(std::max<std::uint64_t>(failed, 1)), 1) +
           " %</td><td class=\"example\">" + html_escape(e.example) + "</td></tr>";
  return out + "</tbody></table></section>";
}

std::string parameters_html(const report_document& d) {
  std::string out = "<section><h2>Job parameters</h2><table id=\"parameters\"><tbody>";
  out += "<tr><th>job</th><td><code>" + html_escape(d.job_name) + "</code> · <code>" + html_escape(d.job_file) +
         "</code></td></tr><tr><th>sha256</th><td><code>" + html_escape(d.job_sha256) + "</code></td></tr>";
  for (const auto& [key, value] : d.parameters)
    out += "<tr><th>" + html_escape(key) + "</th><td>" + html_escape(value) + "</td></tr>";
  if (d.target_rate) out += "<tr><th>target rate</th><td>" + fixed(*d.target_rate, 1) + " /s</td></tr>";
  for (const auto& file : d.merged_from)
    out += "<tr><th>merged from</th><td><code>" + html_escape(file) + "</code></td></tr>";
  return out + "</tbody></table></section>";
}

}  // namespace

std::string render_html(const report_document& d) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    // Nothing may be fetched: the page is complete as it is.
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'; img-src data:\">"
                    "<title>acsbatch report: " + html_escape(d.job_name) + "</title><style>" + style +
                    "</style></head><body><main>";
  out += header_html(d);
  out += thresholds_html(d);
  out += throughput_html(d);
  out += latency_over_time_html(d);
  out += distribution_html(d);
  out += operations_html(d);
  out += errors_html(d);
  out += parameters_html(d);
  out += "<footer>acsbatch · report schema acsbatch.report/v1</footer></main></body></html>\n";
  return out;
}

}  // namespace acsbatch::report
