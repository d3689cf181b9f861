#pragma once
/// The job's rate limits: an optional job-wide bucket plus one bucket per operation (the
/// service's published limits by default). Every attempt — retries included — takes its slot
/// from both before it is sent. Thread-safe.

#include <array>
#include <chrono>
#include <mutex>
#include <optional>

#include "acsbatch/engine/sliding_window.hpp"
#include "acsbatch/engine/token_bucket.hpp"
#include "acsbatch/job/job.hpp"

namespace acsbatch::engine {

class rate_limiter {
 public:
  using clock = token_bucket::clock;

  explicit rate_limiter(const job::rate_limit_spec& spec);

  /// When an attempt of `op` may be sent (≥ now); reserves its slot.
  clock::time_point reserve(job::operation op, clock::time_point now);

  /// Called when the attempt is about to leave, at its real send time: nullopt when the
  /// operation's "N per W" window has room (the send is recorded), else when to try again
  /// (reserve anew first).
  std::optional<clock::time_point> admit(job::operation op, clock::time_point now);

  /// A 429 for `op`: nothing of that operation before `not_before`; adaptive buckets slow down.
  void on_throttled(job::operation op, clock::time_point now, clock::time_point not_before);

  /// The operations per second `op` can reach at most (the tighter of its own and the job's
  /// limit); nullopt when unlimited. For --dry-run's estimate and the report's target rate.
  std::optional<double> limit_per_second(job::operation op) const;
  std::optional<double> job_limit_per_second() const;

 private:
  static constexpr std::size_t operation_count = 6;
  mutable std::mutex mutex_;
  std::optional<token_bucket> job_bucket_;
  std::array<std::optional<token_bucket>, operation_count> operation_buckets_;
  std::array<std::optional<sliding_window>, operation_count> operation_windows_;
};

}  // namespace acsbatch::engine
