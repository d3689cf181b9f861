#pragma once
/// A rate limiter as a schedule (GCRA, the token bucket's exact dual): every caller reserves the
/// earliest moment it may send, so callers queue in order instead of polling, and the average
/// rate never exceeds `per_second`, with at most `burst` sends at once after an idle period.
/// Sans-I/O: the caller passes the time in and waits itself.
/// The rate is fixed: what the service's answers teach is throttle_controller's business.

#include <chrono>

namespace acsbatch::engine {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  struct settings {
    double per_second = 0;  ///< > 0
    double burst = 1;       ///< ≥ 1
  };

  explicit token_bucket(settings s);

  /// Reserves one send and returns when it may happen (≥ now).
  clock::time_point reserve(clock::time_point now);

  const settings& config() const { return settings_; }

 private:
  clock::duration interval() const;
  clock::duration tolerance() const;

  settings settings_;
  double rate_;
  clock::time_point next_;  ///< theoretical arrival time of the next conforming send
  bool started_ = false;
};

}  // namespace acsbatch::engine
