#pragma once
/// Enforces service_limits exactly, with the clock passed in (sans-I/O): per limited
/// operation, the admission times of the requests admitted in the last window. A request is
/// admitted when fewer than N requests were admitted in (now − W, now].
///
/// Only admitted requests are remembered: a request answered 429 does not extend the
/// throttling. The service's own accounting is not documented; counting what it accepted is
/// what a sliding log does and what keeps "N per W" an exact statement about served requests.
/// Safe to call from several threads.

#include <array>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>

#include "acsbatch/emulator/service_limits.hpp"

namespace acsbatch::emulator {

class sliding_window_limiter {
 public:
  using clock = std::chrono::steady_clock;

  explicit sliding_window_limiter(service_limits limits);

  /// Admits (and remembers) a request of `op` arriving at `now`: nullopt. Over the limit: how
  /// long until the oldest request in the window leaves it — the earliest moment a retry can
  /// be admitted — and nothing is remembered. Unlimited operations are always admitted.
  std::optional<std::chrono::nanoseconds> admit(operation op, clock::time_point now);

  const service_limits& limits() const { return limits_; }

 private:
  const service_limits limits_;
  std::mutex mutex_;
  /// Admission times, oldest first; never longer than the operation's N (memory N per op).
  std::array<std::deque<clock::time_point>, operation_count> admitted_;
};

}  // namespace acsbatch::emulator
