#include "acsbatch/engine/retry_policy.hpp"

#include <algorithm>

#include "acsbatch/core/error.hpp"

namespace acsbatch::engine {
namespace {

bool is_code(const identity::error& e, errc code) { return e.code == make_error_code(code); }

bool is_connection_failure(const identity::error& e) {
  return is_code(e, errc::connection_failed) || is_code(e, errc::connection_closed) ||
         is_code(e, errc::protocol_error);
}

bool kind_enabled(const identity::error& e, const retry_on& on) {
  switch (e.http_status) {
    case 429: return on.throttled;
    case 500: case 502: case 503: case 504: return on.server_errors;
    case 0: break;
    default: return false;
  }
  if (is_code(e, errc::timeout)) return on.timeouts;
  if (is_connection_failure(e)) return on.connection;
  return false;
}

}  // namespace

bool retry_policy::may_have_reached_service(const identity::error& e) {
  if (e.http_status == 429 || e.http_status == 503) return false;  // rejected before acting
  if (e.http_status != 0) return true;
  // Nothing was sent when the connection could not be established.
  return !is_code(e, errc::connection_failed) && !is_code(e, errc::insecure_endpoint) &&
         !is_code(e, errc::tls_failed);
}

bool retry_policy::is_throttling(const identity::error& e) { return e.http_status == 429 || e.http_status == 503; }

retry_decision retry_policy::decide(const identity::error& failure, const attempt_history& history, bool idempotent,
                                    std::mt19937_64& random) const {
  if (!kind_enabled(failure, settings_.on)) return {retry_verdict::give_up_not_retryable, {}};
  if (!idempotent && may_have_reached_service(failure)) return {retry_verdict::give_up_unsafe, {}};
  // With a throttling budget, 429/503 spend time, not attempts; the other failures count alone.
  const bool budgeted = settings_.throttled_for.has_value();
  const bool throttling = budgeted && is_throttling(failure);
  const unsigned counted = budgeted ? history.attempts - std::min(history.throttled, history.attempts) : history.attempts;
  if (throttling) {
    if (history.throttled_time >= *settings_.throttled_for) return {retry_verdict::give_up_throttled, {}};
  } else if (counted >= settings_.max_attempts) {
    return {retry_verdict::give_up_attempts, {}};
  }
  if (failure.retry_after) return {retry_verdict::retry, std::max(*failure.retry_after, std::chrono::milliseconds{0})};
  // Full jitter: uniform in [0, min(cap, base·2^(n−1))], n the attempts of this kind so far.
  const unsigned attempt = std::max(1u, throttling ? history.throttled : counted);
  const auto exponent = std::min(attempt - 1, 30u);
  const auto ceiling = std::min<std::int64_t>(settings_.max_backoff.count(),
                                              settings_.initial_backoff.count() << exponent);
  std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(ceiling, 0));
  return {retry_verdict::retry, std::chrono::milliseconds{pick(random)}};
}

}  // namespace acsbatch::engine
