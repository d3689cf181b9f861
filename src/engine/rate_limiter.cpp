#include "acsbatch/engine/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace acsbatch::engine {
namespace {

std::size_t slot(job::operation op) { return static_cast<std::size_t>(op); }

/// Windows larger than this keep only the token bucket (memory is one timestamp per send).
constexpr double max_window_sends = 100'000;

/// The client aims this much below each per-operation (service) limit: the service counts arrivals, and
/// scheduling and network jitter between our send and its arrival (a new connection's
/// handshake, a descheduled thread) can move a few requests into the next window. The job's own
/// per_second is a pace the user chose, and is kept exactly.
constexpr double headroom = 0.98;

}  // namespace

rate_limiter::rate_limiter(const job::rate_limit_spec& spec, bool learn) {
  // A shard of a job-scoped limit paces itself at its share of every limit.
  const double share = spec.share > 0 && spec.share <= 1 ? spec.share : 1.0;
  if (spec.per_second)
    job_bucket_.emplace(token_bucket::settings{.per_second = *spec.per_second * share, .burst = spec.burst});
  using mode = job::rate_limit_spec::per_operation_mode;
  for (const auto op : job::all_operations) {
    auto& pace = operations_[slot(op)];
    std::optional<double> ceiling = job_bucket_ ? std::optional{job_bucket_->config().per_second} : std::nullopt;
    if (spec.per_operation != mode::none) {
      job::rate limit = job::service_default_limit(op);
      for (const auto& [overridden, value] : spec.per_operation_overrides)
        if (overridden == op) limit = value;
      limit.count *= share;
      // Evenly spaced (burst 1): "1000 per 30 s" then never exceeds 1000 in any 30 s window.
      pace.declared.emplace(token_bucket::settings{.per_second = limit.per_second() * headroom, .burst = 1});
      const double window_sends = std::floor(limit.count * headroom);
      if (window_sends >= 1 && window_sends <= max_window_sends)
        pace.window.emplace(static_cast<std::size_t>(window_sends), limit.window);
      ceiling = std::min(ceiling.value_or(pace.declared->config().per_second), pace.declared->config().per_second);
    }
    if (learn && spec.adaptive) pace.controller.emplace(throttle_controller::settings{.ceiling = ceiling});
  }
}

rate_limiter::clock::time_point rate_limiter::reserve(job::operation op, clock::time_point now) {
  std::lock_guard lock{mutex_};
  auto& pace = operations_[slot(op)];
  auto at = now;
  if (pace.controller) {
    at = std::max(at, pace.controller->paused_until());
    if (const auto learned = pace.controller->pace()) {
      if (!pace.learned || *learned != pace.learned_rate) {
        pace.learned.emplace(token_bucket::settings{.per_second = *learned, .burst = 1});
        pace.learned_rate = *learned;
      }
      at = std::max(at, pace.learned->reserve(at));
    } else {
      pace.learned.reset();
    }
  }
  if (pace.declared) at = std::max(at, pace.declared->reserve(now));
  if (job_bucket_) at = std::max(at, job_bucket_->reserve(now));
  return at;
}

std::optional<rate_limiter::clock::time_point> rate_limiter::admit(job::operation op, clock::time_point now) {
  std::lock_guard lock{mutex_};
  auto& pace = operations_[slot(op)];
  if (pace.window)
    if (auto retry_at = pace.window->admit(now)) return retry_at;
  if (pace.controller) pace.controller->on_sent(now);
  return std::nullopt;
}

void rate_limiter::on_answer(job::operation op, clock::time_point now, bool throttled, clock::duration retry_after) {
  std::lock_guard lock{mutex_};
  if (auto& controller = operations_[slot(op)].controller) controller->on_answer(now, throttled, retry_after);
}

std::optional<double> rate_limiter::limit_per_second(job::operation op) const {
  std::lock_guard lock{mutex_};
  std::optional<double> limit;
  if (const auto& bucket = operations_[slot(op)].declared) limit = bucket->config().per_second;
  if (job_bucket_) limit = std::min(limit.value_or(job_bucket_->config().per_second), job_bucket_->config().per_second);
  return limit;
}

std::optional<double> rate_limiter::job_limit_per_second() const {
  std::lock_guard lock{mutex_};
  if (job_bucket_) return job_bucket_->config().per_second;
  return std::nullopt;
}

operation_throttling rate_limiter::throttling(job::operation op) const {
  std::lock_guard lock{mutex_};
  const auto& controller = operations_[slot(op)].controller;
  if (!controller) return {};
  return {controller->state(), controller->pace(), controller->answers(), controller->throttled()};
}

}  // namespace acsbatch::engine
