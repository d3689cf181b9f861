#pragma once
/// The counters a run keeps per operation: what the report's summary and the thresholds are
/// computed from.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "acsbatch/report/latency_histogram.hpp"

namespace acsbatch::report {

struct operation_totals {
  std::uint64_t count = 0, ok = 0, failed = 0, retries = 0, throttled = 0;
  /// The most attempts sent in any one-second window, counted where the client let them go
  /// (engine::send_rate_meter); 0 when not measured (a report from before it was).
  std::uint64_t peak_sends_per_s = 0;
  /// Time its steps waited to retry after 429/503 (Retry-After, or the backoff without one).
  std::chrono::milliseconds throttle_wait{0};
  /// What the throttle controller concluded ("rate_limited", "rate_independent", "unthrottled");
  /// empty when it did not run (adaptive: false, a load test, an older report).
  std::string throttling;
  std::optional<double> learned_per_s;  ///< the pace that held, when rate_limited
  std::uint64_t already_gone = 0;  ///< of `ok`: deletes answered 404 (nothing was deleted)
  latency_histogram latency;  ///< load mode: from each iteration's intended start
  latency_histogram service_latency;  ///< load mode only: from the request's send (service time)
};

}  // namespace acsbatch::report
