#include "acsbatch/engine/throttle_controller.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace acsbatch::engine {
namespace {

using seconds_d = std::chrono::duration<double>;

constexpr double suspect_share = 0.05;       // a window this throttled may be our fault
constexpr double above_background = 0.05;    // … when it is this far above the background
constexpr double independent_margin = 0.10;  // in rate_independent, the least excess suspected
constexpr double interleaved_successes = 0.5;
constexpr std::uint32_t min_answers = 4;
constexpr std::uint32_t min_answers_after_throttle = 8;
constexpr double clean_share = 0.01;
constexpr double max_probe_step = 0.25;
constexpr double recut_factor = 0.9;
constexpr auto cut_round = std::chrono::seconds{1};

double seconds(throttle_controller::clock::duration d) { return seconds_d(d).count(); }

}  // namespace

const char* to_string(throttle_controller::regime r) {
  switch (r) {
    case throttle_controller::regime::unthrottled: return "unthrottled";
    case throttle_controller::regime::verifying: return "verifying";
    case throttle_controller::regime::rate_limited: return "rate_limited";
    case throttle_controller::regime::rate_independent: return "rate_independent";
  }
  return "unknown";
}

throttle_controller::throttle_controller(settings s) : settings_(s) {
  if (settings_.ceiling && !(*settings_.ceiling > 0))
    throw std::invalid_argument("throttle_controller: ceiling must be > 0");
  if (settings_.window <= clock::duration::zero())
    throw std::invalid_argument("throttle_controller: window must be > 0");
}

double throttle_controller::capped(double rate) const {
  rate = std::max(rate, settings_.floor_per_second);
  if (settings_.ceiling) rate = std::min(rate, *settings_.ceiling);
  return rate;
}

std::optional<double> throttle_controller::pace() const { return pace_; }

double throttle_controller::throttled_share() const {
  return total_answers_ == 0 ? 0.0 : static_cast<double>(total_throttled_) / static_cast<double>(total_answers_);
}

void throttle_controller::on_sent(clock::time_point now) {
  if (!started_) {
    started_ = true;
    window_.start = now;
    phase_start_ = now;
  }
  if (regime_ == regime::verifying && now < verify_from_) return;
  ++window_.sent;
}

void throttle_controller::on_answer(clock::time_point now, bool throttled, clock::duration retry_after) {
  if (!started_) {
    started_ = true;
    window_.start = now;
    phase_start_ = now;
  }
  ++total_answers_;
  if (throttled) ++total_throttled_;
  // Answers to requests sent before a pause ended say nothing about the cut.
  if (regime_ == regime::verifying && now < verify_from_) return;

  ++window_.answers;
  if (throttled) {
    ++window_.throttled;
    const auto retry_at = now + std::max(retry_after, clock::duration::zero());
    window_.latest_retry_at = std::max(window_.latest_retry_at, retry_at);
    if (!phase_first_throttle_retry_at_) phase_first_throttle_retry_at_ = retry_at;
  } else {
    ++phase_admitted_;
    record_admitted(now);
    if (phase_first_throttle_retry_at_) ++window_successes_after_throttle_;
  }
  if (throttled || phase_first_throttle_retry_at_) ++window_answers_after_throttle_;

  const bool window_over = now - window_.start >= settings_.window;
  // A burst of throttling is acted on at once, not at the end of the window (but not in
  // rate_independent, where a small sample of a steady share would look like a burst).
  const bool burst = regime_ != regime::rate_independent && window_.answers >= settings_.quick_answers &&
                     window_.throttled * 4 >= window_.answers;
  if (window_over || burst) close_window(now);
}

void throttle_controller::close_window(clock::time_point now) {
  const double elapsed = std::max(seconds(now - window_.start), 1e-3);
  std::uint32_t needed = min_answers;
  if (regime_ == regime::rate_independent) needed = 40;  // a steady share is judged on a sample
  // Too few answers to judge: the window grows (bounded, so a slow operation still decides).
  if (window_.answers < needed && now - window_.start < settings_.window * 16) return;
  const double share = window_.answers == 0 ? 0.0 : static_cast<double>(window_.throttled) / window_.answers;
  last_share_ = share;
  const double send_rate = window_.sent / elapsed;

  switch (regime_) {
    case regime::verifying:
      if (share < 0.5 * share_before_cut_) {
        regime_ = regime::rate_limited;  // the cut helped: our rate was the cause
        probe_step_ = 0.02;
        last_probe_ = now;
      } else if (regime_before_cut_ == regime::rate_limited) {
        // Known to be rate-limited: the limit fell, or the service's window still remembers our
        // excess. Keep the lower pace (the next window may cut again); never undo toward more.
        regime_ = regime::rate_limited;
      } else {
        // It did not help: undo the cut and live with that share as the background.
        regime_ = regime::rate_independent;
        pace_ = pace_before_cut_;
        learn_background(share, window_.answers, true);
      }
      break;
    case regime::unthrottled:
    case regime::rate_limited:
    case regime::rate_independent: {
      // The window's share against the background, allowing for the noise of both samples.
      const double b = background_;
      const double sd = background_answers_ > 0
                            ? std::sqrt(b * (1 - b) * (1.0 / window_.answers + 1.0 / background_answers_))
                            : 0.0;
      const double margin = std::max(b > 0 ? independent_margin : above_background, 3 * sd);
      if (share >= suspect_share && share >= b + margin) {
        // Successes interleaved with the 429s after the first one: the service did not run out
        // of room (a window or bucket admits nothing until it moves), it rejects at random.
        const bool interleaved = regime_ != regime::rate_limited &&
                                 window_answers_after_throttle_ >= min_answers_after_throttle &&
                                 window_successes_after_throttle_ >=
                                     interleaved_successes * window_answers_after_throttle_;
        // One cut per second at most once paced (the horizon the admitted rate is measured
        // over): the answers right after a cut still carry the excess sent before it.
        const bool cut_recently = cuts_ > 0 && now - last_cut_ < cut_round;
        if (!interleaved && !cut_recently) {
          suspect(now, share, send_rate);
          return;  // the verification window starts when the pause ends
        }
        if (interleaved) {
          if (regime_ == regime::unthrottled) regime_ = regime::rate_independent;
          learn_background(share, window_.answers, true);
        }
      } else if (b > 0) {
        learn_background(share, window_.answers, false);
      }
      if (regime_ == regime::rate_limited && pace_ && share >= std::max(clean_share, b + margin / 2)) {
        // A little throttling while paced: the last probe went past the limit (go back to the
        // pace before it), or the limit crept down (ease off by 2 %). No pause: each throttled
        // request waits its own Retry-After.
        if (pace_before_probe_ && now - last_probe_ <= 2 * probe_round()) pace_ = capped(*pace_before_probe_);
        else pace_ = capped(*pace_ * 0.98);
        pace_before_probe_.reset();
        probe_step_ = 0.02;
        last_probe_ = now;  // the next probe waits a round
      } else if (regime_ == regime::rate_limited && pace_ && share < std::max(clean_share, b + margin / 2)) {
        // Probe once a round, and only when the pace is what holds the operation back.
        if (send_rate >= 0.9 * *pace_ && now - last_probe_ >= probe_round()) {
          pace_before_probe_ = pace_;
          pace_ = capped(*pace_ * (1 + probe_step_));
          probe_step_ = std::min(probe_step_ * 2, max_probe_step);
          last_probe_ = now;
        }
      }
      break;
    }
  }
  window_ = window_counts{.start = now};
  window_answers_after_throttle_ = 0;
  window_successes_after_throttle_ = 0;
}

void throttle_controller::record_admitted(clock::time_point now) {
  const auto slot = (now - clock::time_point{}) / admitted_slot;
  auto& bucket = admitted_slots_[static_cast<std::size_t>(slot % admitted_slots_.size())];
  if (bucket.slot != slot) bucket = {slot, 0};
  ++bucket.count;
}

double throttle_controller::admitted_rate(clock::time_point now) const {
  const auto slot = (now - clock::time_point{}) / admitted_slot;
  const auto span = std::clamp<long long>(service_window_ / admitted_slot, 1, admitted_slots_.size());
  std::uint64_t count = 0;
  for (const auto& bucket : admitted_slots_)
    if (bucket.slot <= slot && slot - bucket.slot < span) count += bucket.count;
  return static_cast<double>(count) / seconds(span * admitted_slot);
}

throttle_controller::clock::duration throttle_controller::probe_round() const {
  // A probe shows its effect once the service's window has moved past it.
  return std::max<clock::duration>(std::chrono::seconds{1}, service_window_);
}

void throttle_controller::learn_background(double share, std::uint32_t answers, bool reset_if_empty) {
  if (background_answers_ == 0 && !reset_if_empty) return;
  // Exponential forgetting over roughly the last ten windows, weighted by their answers.
  background_answers_ = background_answers_ * 0.9 + answers;
  background_throttled_ = background_throttled_ * 0.9 + share * answers;
  background_ = background_throttled_ / background_answers_;
}

void throttle_controller::suspect(clock::time_point now, double share, double send_rate) {
  // "N per W" as the service counts it: admitted since the phase began, over the time from then
  // until the service said room comes back (the first throttled answer's Retry-After).
  // That holds only for the first event of a run, which met the service's window empty; later the
  // window holds older admissions too, and the admitted rate of the last second is the limit.
  std::optional<double> estimate;
  if (cuts_ == 0 && phase_first_throttle_retry_at_ && *phase_first_throttle_retry_at_ > phase_start_) {
    // … and tells the window's length: the service counts "N per W" with this W.
    service_window_ = std::clamp<clock::duration>(*phase_first_throttle_retry_at_ - phase_start_,
                                                  admitted_slot, admitted_slot * admitted_slots_.size());
    estimate = phase_admitted_ / seconds(*phase_first_throttle_retry_at_ - phase_start_);
  } else if (const double admitted = admitted_rate(now); admitted > 0) {
    estimate = admitted;
  }
  const double current = pace_.value_or(send_rate);
  double next = estimate.value_or(current / 2);
  if (regime_ == regime::rate_limited) next = std::clamp(std::min(next, current * recut_factor), current / 2, current);
  pace_before_cut_ = pace_;
  regime_before_cut_ = regime_;
  pace_ = capped(next);
  share_before_cut_ = share;
  paused_until_ = std::max({paused_until_, window_.latest_retry_at, now});
  verify_from_ = paused_until_;
  regime_ = regime::verifying;
  ++cuts_;
  last_cut_ = now;
  phase_start_ = paused_until_;
  phase_admitted_ = 0;
  phase_first_throttle_retry_at_.reset();
  window_ = window_counts{.start = verify_from_};
  window_answers_after_throttle_ = 0;
  window_successes_after_throttle_ = 0;
}

}  // namespace acsbatch::engine
