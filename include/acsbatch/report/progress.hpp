#pragma once
/// The progress of a running job as numbers and display lines, sans I/O: the caller feeds
/// snapshots of the run's counters with the time they were taken, and prints what comes out
/// (report/console.hpp does, on a timer). Tests drive it with a made-up clock.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "acsbatch/report/log_line.hpp"

namespace acsbatch::report {

/// The run's counters at one moment (the engine's run_progress, copied, so that the report
/// layer does not depend on the engine).
struct progress_snapshot {
  std::uint64_t items_done = 0;
  std::uint64_t items_failed = 0;
  std::uint64_t requests = 0;  ///< attempts sent, retries included
  std::uint64_t retries = 0;
  std::uint64_t throttled = 0;
};

/// Rates over the last `window` (the recent rate, not the average since the start, so the ETA
/// follows a limiter that slowed down on 429s), the ETA, and the display lines.
class progress_meter {
 public:
  using clock = std::chrono::steady_clock;

  /// `total` is the number of items, when known (not for users read from a file).
  progress_meter(std::optional<std::uint64_t> total, clock::time_point started,
                 clock::duration window = std::chrono::seconds{10});

  /// Records the counters as they were at `now`. Times should not go backwards; a sample older
  /// than the last one is ignored.
  void update(const progress_snapshot& snapshot, clock::time_point now);

  const progress_snapshot& last() const { return samples_.back().counts; }
  std::optional<std::uint64_t> total() const { return total_; }

  /// Requests (attempts, retries included) per second over the recent window: "ops/s".
  double ops_per_second() const;
  /// Items finished per second over the recent window: what the ETA is based on.
  double items_per_second() const;
  /// Whole percent done, rounded down (100 only when every item is done); nullopt without a
  /// total. An empty run is 100% done.
  std::optional<unsigned> percent() const;
  /// Time left at the recent item rate, rounded up to a second; 0 when done; nullopt without a
  /// total or before any item finished in the window.
  std::optional<std::chrono::seconds> eta() const;

  /// `12/100 (12%) · 35.2 ops/s · errors 0 · throttled 3 · retries 3 · ETA 1m23s`;
  /// without a total: `12 done · 35.2 ops/s · errors 0 · throttled 3 · retries 3`.
  /// "ETA --" while the rate is unknown. No newline.
  std::string text() const;
  /// done, total (null when unknown), ops_per_s, errors, throttled, retries, eta_s (null when
  /// unknown): the members of a `progress` log record.
  log_fields fields() const;

 private:
  struct sample {
    clock::time_point at;
    progress_snapshot counts;
  };
  /// Rate of one counter between the oldest and the newest sample.
  double rate(std::uint64_t progress_snapshot::*counter) const;

  std::optional<std::uint64_t> total_;
  clock::duration window_;
  /// The oldest sample is the newest one at least `window_` old (or the start), so the rate spans
  /// the whole window; a few dozen samples at most at 4 updates a second.
  std::deque<sample> samples_;
};

/// A duration for people: `45s`, `1m23s`, `2h05m09s`.
std::string format_eta(std::chrono::seconds duration);

}  // namespace acsbatch::report
