#pragma once
/// The most attempts of one operation sent in any one-second window, counted on the moments the
/// rate limiter let them go (the same clock readings its sliding window judged). This is what
/// the client controls: what the service counts adds the network and the scheduling of its own
/// threads, which no client can promise. The report carries it, so "per_second was never
/// exceeded" can be read from a run, and tests judge the limiter by it. Thread-safe; memory: the
/// sends of the last window.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>

namespace acsbatch::engine {

class send_rate_meter {
 public:
  using clock = std::chrono::steady_clock;

  explicit send_rate_meter(clock::duration window = std::chrono::seconds{1}) : window_(window) {}

  /// One attempt leaves at `sent` (non-decreasing).
  void record(clock::time_point sent);
  /// The most sends in any half-open window [t, t + window); 0 when none was sent.
  std::uint64_t peak() const;

 private:
  clock::duration window_;
  mutable std::mutex mutex_;
  std::deque<clock::time_point> recent_;
  std::uint64_t peak_ = 0;
};

}  // namespace acsbatch::engine
