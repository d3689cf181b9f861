#pragma once
/// The pace of every attempt, per operation: the job's `per_second` (a ceiling the user chose,
/// never exceeded, never lowered by throttling), the operation's declared limit ("N per W", from
/// `per_operation` or the service's published limits) and, with `adaptive`, the limit a
/// throttle_controller learns from the service's 429/503 answers. Every attempt — retries
/// included — takes its slot from all of them before it is sent. A 429 or 503 changes only its
/// own operation's pace, and only on evidence that our rate causes it. Thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "acsbatch/engine/sliding_window.hpp"
#include "acsbatch/engine/throttle_controller.hpp"
#include "acsbatch/engine/token_bucket.hpp"
#include "acsbatch/job/job.hpp"

namespace acsbatch::engine {

/// What the controller concluded about one operation, for the report and the progress line.
struct operation_throttling {
  throttle_controller::regime regime = throttle_controller::regime::unthrottled;
  std::optional<double> learned_per_second;  ///< the pace that held, when the controller paces
  std::uint64_t answers = 0, throttled = 0;  ///< answers seen, of them 429/503
};

class rate_limiter {
 public:
  using clock = token_bucket::clock;

  /// `learn`: run the controller (a batch with `adaptive`); a load test keeps its arrival rate.
  explicit rate_limiter(const job::rate_limit_spec& spec, bool learn = true);

  /// When an attempt of `op` may be sent (≥ now); reserves its slot.
  clock::time_point reserve(job::operation op, clock::time_point now);

  /// Called when the attempt is about to leave, at its real send time: nullopt when the
  /// operation's "N per W" window has room (the send is recorded), else when to try again
  /// (reserve anew first).
  std::optional<clock::time_point> admit(job::operation op, clock::time_point now);

  /// The service answered an attempt of `op` (`throttled`: 429 or 503, with its Retry-After,
  /// zero when none). Transport failures are not answers and are not passed.
  void on_answer(job::operation op, clock::time_point now, bool throttled, clock::duration retry_after);

  /// The operations per second `op` can reach at most (the tighter of its own and the job's
  /// limit); nullopt when unlimited. For --dry-run's estimate and the report's target rate.
  std::optional<double> limit_per_second(job::operation op) const;
  std::optional<double> job_limit_per_second() const;
  operation_throttling throttling(job::operation op) const;

 private:
  static constexpr std::size_t operation_count = job::all_operations.size();
  struct operation_pace {
    std::optional<token_bucket> declared;
    std::optional<sliding_window> window;
    std::optional<throttle_controller> controller;
    std::optional<token_bucket> learned;  ///< at controller->pace(), rebuilt when it changes
    double learned_rate = 0;
  };

  mutable std::mutex mutex_;
  std::optional<token_bucket> job_bucket_;
  std::array<operation_pace, operation_count> operations_;
};

}  // namespace acsbatch::engine
