#pragma once
// A small report document for the rendering tests; its texts can try to inject markup.

#include <string>

#include "acsbatch/report/report_document.hpp"

namespace acsbatch::report::testing {

inline const std::string hostile = "<script>alert(\"x\")</script>'&";

/// A small report; with `hostile`, its texts try to inject markup.
inline report_document sample(bool with_hostile_texts = true) {
  const std::string hostile_text = with_hostile_texts ? hostile : "";
  report_document d;
  d.job_name = "nightly" + hostile_text;
  d.job_file = "jobs/" + hostile_text + ".yaml";
  d.job_sha256 = "ab12";
  d.endpoint = "example.communication.azure.com";
  d.api_version = "2023-10-01";
  d.started_at = "2026-11-25T11:58:14.0000000+00:00";
  d.finished_at = "2026-11-25T11:58:20.0000000+00:00";
  d.duration_s = 6;
  d.items.total = 10, d.items.succeeded = 8, d.items.failed = 2;
  auto& create = d.operations["create_user"];
  create.count = 10, create.ok = 10;
  auto& issue = d.operations[with_hostile_texts ? "issue_token\"><img src=x onerror=alert(1)>" : "issue_token"];
  issue.count = 10, issue.ok = 8, issue.failed = 2, issue.throttled = 1;
  for (int i = 1; i <= 10; ++i) {
    create.latency.record(std::chrono::milliseconds(i));
    issue.latency.record(std::chrono::milliseconds(10 * i));
    d.latencies.record("create_user", static_cast<std::uint64_t>(i % 6), 1000u * static_cast<std::uint64_t>(i));
  }
  d.errors.push_back({"ServiceUnavailable", 503, 2, "busy " + (with_hostile_texts ? "</td><script>steal()</script>" : std::string())});
  d.thresholds.push_back({"p99(create_user) < 300ms", 10.0, "ms", true});
  d.thresholds.push_back({"error_rate < 1%", 0.1, "ratio", false});
  d.thresholds.push_back({"rate > 900/s", std::nullopt, "/s", false});
  for (std::uint64_t t = 0; t < 6; ++t) d.timeline.push_back({4, 3, 1, t % 2});
  d.parameters = {{"concurrency", "4"}, {"steps", "create_user, issue_token [voip] " + hostile_text}};
  return d;
}

}  // namespace acsbatch::report::testing
