#pragma once
/// A rate limiter as a schedule (GCRA, the token bucket's exact dual): every caller reserves the
/// earliest moment it may send, so callers queue in order instead of polling, and the average
/// rate never exceeds `per_second`, with at most `burst` sends at once after an idle period.
/// Sans-I/O: the caller passes the time in and waits itself.
///
/// With `adaptive`, a 429 halves the rate in force (at most once per second of feedback, so one
/// burst of 429s counts once) and 429-free time restores it additively — 5 % of the configured
/// rate per second — never above the configured rate (AIMD).

#include <chrono>

namespace acsbatch::engine {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  struct settings {
    double per_second = 0;  ///< > 0
    double burst = 1;       ///< ≥ 1
    bool adaptive = false;
    double min_fraction = 0.05;  ///< adaptive floor, as a fraction of per_second
  };

  explicit token_bucket(settings s);

  /// Reserves one send and returns when it may happen (≥ now).
  clock::time_point reserve(clock::time_point now);

  /// A 429 (or a Retry-After) was seen at `now`: nothing is scheduled before `not_before`,
  /// and with `adaptive` the rate is cut.
  void on_throttled(clock::time_point now, clock::time_point not_before);

  double current_rate() const { return rate_; }
  const settings& config() const { return settings_; }

 private:
  void recover(clock::time_point now);
  clock::duration interval() const;
  clock::duration tolerance() const;

  settings settings_;
  double rate_;
  clock::time_point next_;  ///< theoretical arrival time of the next conforming send
  bool started_ = false;
  clock::time_point last_recovery_{};
  clock::time_point last_cut_{};
};

}  // namespace acsbatch::engine
