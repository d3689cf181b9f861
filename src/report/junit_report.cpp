#include "acsbatch/report/junit_report.hpp"

#include <charconv>
#include <cmath>

namespace acsbatch::report {
namespace {

std::string seconds_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, seconds, std::chars_format::fixed, 3);
  return ec == std::errc{} ? std::string(buffer, end) : std::string("0.000");
}

std::string number_text(double value, int decimals) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  return ec == std::errc{} ? std::string(buffer, end) : std::string("?");
}

std::string measured_text(const threshold_outcome& t) {
  if (!t.value) return "nothing was measured";
  if (t.unit == "ms") return "measured " + number_text(*t.value, 3) + " ms";
  if (t.unit == "ratio") return "measured " + number_text(*t.value * 100, 4) + " %";
  if (t.unit == "/s") return "measured " + number_text(*t.value, 1) + "/s";
  return "measured " + number_text(*t.value, 0);
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string render_junit(const report_document& d) {
  const std::string job = xml_escape(d.job_name);
  std::size_t threshold_failures = 0, operation_failures = 0;
  for (const auto& t : d.thresholds) threshold_failures += t.ok ? 0 : 1;
  for (const auto& [name, totals] : d.operations) operation_failures += totals.failed > 0 ? 1 : 0;
  const std::size_t tests = d.thresholds.size() + d.operations.size();

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"acsbatch " + job + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(threshold_failures + operation_failures) + "\" errors=\"0\" time=\"" +
         seconds_text(d.duration_s) + "\">\n";

  const std::string thresholds_suite = "acsbatch." + job + ".thresholds";
  out += "  <testsuite name=\"" + thresholds_suite + "\" tests=\"" + std::to_string(d.thresholds.size()) +
         "\" failures=\"" + std::to_string(threshold_failures) + "\" errors=\"0\" skipped=\"0\" time=\"0.000\" timestamp=\"" +
         xml_escape(d.started_at) + "\">\n";
  for (const auto& t : d.thresholds) {
    out += "    <testcase classname=\"" + thresholds_suite + "\" name=\"" + xml_escape(t.expr) + "\" time=\"0.000\"";
    if (t.ok) {
      out += "><system-out>" + xml_escape(measured_text(t)) + "</system-out></testcase>\n";
    } else {
      out += "><failure type=\"threshold\" message=\"" + xml_escape(t.expr + ": " + measured_text(t)) + "\">" +
             xml_escape(t.expr + " failed: " + measured_text(t)) + "</failure></testcase>\n";
    }
  }
  out += "  </testsuite>\n";

  const std::string operations_suite = "acsbatch." + job + ".operations";
  out += "  <testsuite name=\"" + operations_suite + "\" tests=\"" + std::to_string(d.operations.size()) +
         "\" failures=\"" + std::to_string(operation_failures) + "\" errors=\"0\" skipped=\"0\" time=\"" +
         seconds_text(d.duration_s) + "\" timestamp=\"" + xml_escape(d.started_at) + "\">\n";
  for (const auto& [name, totals] : d.operations) {
    const auto& h = totals.latency;
    const std::string summary = std::to_string(totals.count) + " steps, " + std::to_string(totals.ok) + " ok, " +
                                std::to_string(totals.failed) + " failed, " + std::to_string(totals.retries) +
                                " retries, " + std::to_string(totals.throttled) + " throttled; latency p50 " +
                                number_text(h.percentile_ms(0.5), 3) + " ms, p99 " +
                                number_text(h.percentile_ms(0.99), 3) + " ms, max " + number_text(h.max_ms(), 3) + " ms";
    // The time of a test case: the steps' total service time.
    out += "    <testcase classname=\"" + operations_suite + "\" name=\"" + xml_escape(name) + "\" time=\"" +
           seconds_text(static_cast<double>(h.sum_us()) / 1e6) + "\">";
    if (totals.failed > 0) {
      std::string detail = std::to_string(totals.failed) + " of " + std::to_string(totals.count) + " step(s) failed";
      out += "<failure type=\"operation\" message=\"" + xml_escape(detail) + "\">" + xml_escape(detail + ".");
      if (!d.errors.empty()) {
        out += xml_escape("\nErrors of the run:");
        for (const auto& e : d.errors)
          out += xml_escape("\n  " + e.code + " (HTTP " + std::to_string(e.http_status) + "): " +
                            std::to_string(e.count) + " — " + e.example);
      }
      out += "</failure>";
    }
    out += "<system-out>" + xml_escape(summary) + "</system-out></testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace acsbatch::report
