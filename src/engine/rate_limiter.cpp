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

rate_limiter::rate_limiter(const job::rate_limit_spec& spec) {
  // A shard of a job-scoped limit paces itself at its share of every limit.
  const double share = spec.share > 0 && spec.share <= 1 ? spec.share : 1.0;
  if (spec.per_second)
    job_bucket_.emplace(token_bucket::settings{.per_second = *spec.per_second * share,
                                               .burst = spec.burst,
                                               .adaptive = spec.adaptive});
  using mode = job::rate_limit_spec::per_operation_mode;
  if (spec.per_operation == mode::none) return;
  for (auto op : {job::operation::create_user, job::operation::create_user_and_token, job::operation::issue_token,
                  job::operation::revoke_tokens, job::operation::delete_user, job::operation::get_user}) {
    job::rate limit = job::service_default_limit(op);
    for (const auto& [overridden, value] : spec.per_operation_overrides)
      if (overridden == op) limit = value;
    limit.count *= share;
    // Evenly spaced (burst 1): "1000 per 30 s" then never exceeds 1000 in any 30 s window.
    operation_buckets_[slot(op)].emplace(token_bucket::settings{.per_second = limit.per_second() * headroom,
                                                                .burst = 1,
                                                                .adaptive = spec.adaptive});
    const double window_sends = std::floor(limit.count * headroom);
    if (window_sends >= 1 && window_sends <= max_window_sends)
      operation_windows_[slot(op)].emplace(static_cast<std::size_t>(window_sends), limit.window);
  }
}

rate_limiter::clock::time_point rate_limiter::reserve(job::operation op, clock::time_point now) {
  std::lock_guard lock{mutex_};
  auto at = now;
  if (auto& bucket = operation_buckets_[slot(op)]) at = std::max(at, bucket->reserve(now));
  if (job_bucket_) at = std::max(at, job_bucket_->reserve(now));
  return at;
}

std::optional<rate_limiter::clock::time_point> rate_limiter::admit(job::operation op, clock::time_point now) {
  std::lock_guard lock{mutex_};
  if (auto& window = operation_windows_[slot(op)]) return window->admit(now);
  return std::nullopt;
}

void rate_limiter::on_throttled(job::operation op, clock::time_point now, clock::time_point not_before) {
  std::lock_guard lock{mutex_};
  // The service limits per operation: pause that operation. Without per-operation buckets
  // the job bucket is the only lever.
  if (auto& bucket = operation_buckets_[slot(op)]) bucket->on_throttled(now, not_before);
  else if (job_bucket_) job_bucket_->on_throttled(now, not_before);
}

std::optional<double> rate_limiter::limit_per_second(job::operation op) const {
  std::lock_guard lock{mutex_};
  std::optional<double> limit;
  if (const auto& bucket = operation_buckets_[slot(op)]) limit = bucket->config().per_second;
  if (job_bucket_) limit = std::min(limit.value_or(job_bucket_->config().per_second), job_bucket_->config().per_second);
  return limit;
}

std::optional<double> rate_limiter::job_limit_per_second() const {
  std::lock_guard lock{mutex_};
  if (job_bucket_) return job_bucket_->config().per_second;
  return std::nullopt;
}

}  // namespace acsbatch::engine
