#include "acsbatch/engine/token_bucket.hpp"

#include <algorithm>
#include <stdexcept>

namespace acsbatch::engine {
namespace {

constexpr std::chrono::seconds cut_spacing{1};
constexpr double recovery_per_second = 0.05;  // of the configured rate

}  // namespace

token_bucket::token_bucket(settings s) : settings_(s), rate_(s.per_second) {
  if (!(s.per_second > 0)) throw std::invalid_argument("token_bucket: per_second must be > 0");
  if (!(s.burst >= 1)) throw std::invalid_argument("token_bucket: burst must be >= 1");
}

token_bucket::clock::duration token_bucket::interval() const {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / rate_));
}

token_bucket::clock::duration token_bucket::tolerance() const {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>((settings_.burst - 1.0) / rate_));
}

void token_bucket::recover(clock::time_point now) {
  if (!settings_.adaptive || rate_ >= settings_.per_second) {
    last_recovery_ = now;
    return;
  }
  const double seconds = std::chrono::duration<double>(now - last_recovery_).count();
  if (seconds <= 0) return;
  rate_ = std::min(settings_.per_second, rate_ + settings_.per_second * recovery_per_second * seconds);
  last_recovery_ = now;
}

token_bucket::clock::time_point token_bucket::reserve(clock::time_point now) {
  if (!started_) {
    started_ = true;
    next_ = now;
    last_recovery_ = now;
  }
  recover(now);
  const auto send_at = std::max(now, next_ - tolerance());
  next_ = std::max(next_, send_at) + interval();
  return send_at;
}

void token_bucket::on_throttled(clock::time_point now, clock::time_point not_before) {
  if (!started_) {
    started_ = true;
    next_ = now;
    last_recovery_ = now;
  }
  if (settings_.adaptive && now - last_cut_ >= cut_spacing) {
    rate_ = std::max(settings_.per_second * settings_.min_fraction, rate_ / 2);
    last_cut_ = now;
    last_recovery_ = now;
  }
  // No burst right after the pause: the first send may go at not_before, then the rate.
  next_ = std::max(next_, not_before + tolerance());
}

}  // namespace acsbatch::engine
