#pragma once
/// Learns one operation's pace from the service's 429/503 answers, and tells throttling that our
/// rate causes from throttling that would come at any rate. Sans-I/O: the caller passes the time
/// of every send and answer and asks for the pace; a fake clock drives it in tests.
///
/// Each request that is throttled always waits its own Retry-After (the engine does that). The
/// controller adds what the SDKs lack, per operation only:
/// - Suspect: a window (250 ms, or 16 answers) in which the throttled share is ≥ 5 % and 5 points
///   above the background share. The operation pauses until the latest Retry-After of that
///   window and its pace is cut, at most once per window, to the limit the answers imply: the
///   requests admitted since the last pause (or the start) over the time from then to the first
///   throttled answer's Retry-After — "N per W", as the service counts — never below half the
///   pace in force (multiplicative decrease).
/// - Verify: the first window after the pause. If the throttled share fell to less than half,
///   the throttling was ours: the pace stays (rate_limited). If it did not, the throttling is not
///   about our rate (a shared backend, a storm): the cut is undone, that share becomes the
///   background, and only a share clearly above it is suspected again (rate_independent).
/// - Probe: in rate_limited, every clean window in which the operation used its pace raises it,
///   by 2 %, then 4 %, 8 %… (reset by a cut), so a limit that was raised is found in seconds.
/// The pace never exceeds `ceiling` (a limit the job declared, or none).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace acsbatch::engine {

class throttle_controller {
 public:
  using clock = std::chrono::steady_clock;

  enum class regime {
    unthrottled,       ///< no throttling seen (or none above the background)
    verifying,         ///< cut and paused; the next window says whether the cut helped
    rate_limited,      ///< our rate causes the 429s: paced at the learned limit
    rate_independent,  ///< the 429s come whatever our rate: not paced, each request waits
  };

  struct settings {
    std::optional<double> ceiling;  ///< ops/s never exceeded (declared limit); none: unbounded
    clock::duration window = std::chrono::milliseconds{250};
    std::uint32_t quick_answers = 16;  ///< a window closes early after this many answers
    double floor_per_second = 0.5;     ///< the pace is never cut below this
  };

  explicit throttle_controller(settings s);

  void on_sent(clock::time_point now);
  /// An answer; `throttled` for 429/503; `retry_after` as the service said (zero: none).
  void on_answer(clock::time_point now, bool throttled, clock::duration retry_after);

  /// The learned pace in ops/s, or nullopt when the operation is not paced by the controller.
  std::optional<double> pace() const;
  /// Nothing new of this operation before this (a suspected rate limit's Retry-After).
  clock::time_point paused_until() const { return paused_until_; }
  regime state() const { return regime_; }
  /// The throttled share of every answer so far, and of the last closed window.
  double throttled_share() const;
  double background_share() const { return background_; }
  std::uint64_t answers() const { return total_answers_; }
  std::uint64_t throttled() const { return total_throttled_; }
  std::uint32_t cuts() const { return cuts_; }

 private:
  struct window_counts {
    clock::time_point start{};
    std::uint32_t sent = 0;
    std::uint32_t answers = 0;
    std::uint32_t throttled = 0;
    clock::time_point latest_retry_at{};
  };
  void close_window(clock::time_point now);
  void suspect(clock::time_point now, double share, double send_rate);
  double capped(double rate) const;
  void learn_background(double share, std::uint32_t answers, bool reset_if_empty);
  void record_admitted(clock::time_point now);
  /// Successful answers per second over the last service window (as learned; 1 s before).
  double admitted_rate(clock::time_point now) const;
  clock::duration probe_round() const;

  settings settings_;
  regime regime_ = regime::unthrottled;
  bool started_ = false;
  window_counts window_;
  std::uint32_t window_answers_after_throttle_ = 0;    ///< in this window, from the phase's first 429
  std::uint32_t window_successes_after_throttle_ = 0;
  double background_ = 0;
  double background_answers_ = 0;
  double background_throttled_ = 0;
  regime regime_before_cut_ = regime::unthrottled;
  clock::time_point last_probe_{};
  clock::time_point last_cut_{};
  double last_share_ = 0;
  std::optional<double> pace_;
  std::optional<double> pace_before_cut_;
  std::optional<double> pace_before_probe_;
  static constexpr clock::duration admitted_slot = std::chrono::milliseconds{250};
  struct admitted_bucket {
    long long slot = -1;
    std::uint64_t count = 0;
  };
  std::array<admitted_bucket, 128> admitted_slots_{};  // 32 s
  clock::duration service_window_ = std::chrono::seconds{1};
  double share_before_cut_ = 0;
  clock::time_point paused_until_{};
  clock::time_point verify_from_{};
  double probe_step_ = 0.02;
  std::uint32_t cuts_ = 0;
  // The current phase (since the start or the last pause ended): for the "N per W" estimate.
  clock::time_point phase_start_{};
  std::uint64_t phase_admitted_ = 0;
  std::optional<clock::time_point> phase_first_throttle_retry_at_;
  std::uint64_t total_answers_ = 0;
  std::uint64_t total_throttled_ = 0;
};

const char* to_string(throttle_controller::regime r);

}  // namespace acsbatch::engine
