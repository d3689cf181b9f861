#pragma once
/// How fast requests arrived, per operation, for GET /emulator/stats: counts per one-second
/// bucket since the emulator started (the latest hour of them), and the most requests seen in
/// any sliding one-second window — what a test asserts when it checks that a client never
/// sent more than R requests per second. Sans-I/O (times are passed in); thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "acsbatch/emulator/routes.hpp"

namespace acsbatch::emulator {

class arrival_rates {
 public:
  using clock = std::chrono::steady_clock;
  /// Buckets kept: an emulator that runs for days still answers /emulator/stats in a few kB.
  static constexpr std::size_t kept_seconds = 3600;

  /// Bucket 0 starts at `origin`; nullopt: at the first recorded arrival.
  explicit arrival_rates(std::optional<clock::time_point> origin = std::nullopt);

  /// One arrival of `op` at `at`. Arrivals before the origin count in bucket 0.
  void record(operation op, clock::time_point at);

  struct snapshot {
    /// Seconds from the origin to the start of per_second[0].
    std::uint64_t window_start_s = 0;
    /// per_second[i][op]: arrivals in [window_start_s + i, window_start_s + i + 1).
    std::vector<std::array<std::uint32_t, operation_count>> per_second;
    /// The most arrivals within any (t − 1 s, t], per operation, over the whole run.
    std::array<std::uint64_t, operation_count> max_per_second{};
  };
  /// The buckets, with empty ones appended up to the second that holds `now` (when given and
  /// later than the last arrival), still at most kept_seconds of them.
  snapshot read(std::optional<clock::time_point> now = std::nullopt) const;

 private:
  std::uint64_t second_of(clock::time_point at) const;
  /// Makes `second` the last bucket, dropping buckets older than kept_seconds.
  void extend_to(std::uint64_t second);

  mutable std::mutex mutex_;
  std::optional<clock::time_point> origin_;
  std::uint64_t first_second_ = 0;  ///< the second of buckets_.front()
  std::deque<std::array<std::uint32_t, operation_count>> buckets_;
  /// Per operation, the arrivals of the last second: the sliding window behind max_per_second.
  std::array<std::deque<clock::time_point>, operation_count> last_second_;
  std::array<std::uint64_t, operation_count> max_per_second_{};
};

}  // namespace acsbatch::emulator
