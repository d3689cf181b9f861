#pragma once
/// When to try a failed request again and how long to wait first. Pure: the caller passes the
/// failure and a random source; the engine does the waiting.
///
/// Backoff is exponential with full jitter (uniform in [0, min(max_backoff, initial·2^(n−1))]);
/// a Retry-After hint from the service replaces it. A request that may have reached the service
/// and changed something (a create without an idempotency key that timed out, lost its
/// connection mid-exchange, or got a 5xx other than 503) is not repeated blindly: repeating it
/// could create a second identity. A 429 or 503 means the service did not act, and a connection
/// that was never established sent nothing, so both are always safe to repeat.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "acsbatch/identity/types.hpp"

namespace acsbatch::engine {

/// What kinds of failure the policy retries (the job's `retry.on` list).
struct retry_on {
  bool throttled = true;        ///< 429
  bool server_errors = true;    ///< 500, 502, 503, 504
  bool timeouts = true;         ///< no response within the request timeout
  bool connection = true;       ///< refused, reset, closed mid-response
};

struct retry_settings {
  unsigned max_attempts = 6;  ///< including the first; 1 disables retries (but see throttled_for)
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30'000};
  retry_on on;
  /// 429 and 503 are retried while the step has been throttled for less than this, and do not
  /// count against max_attempts; nullopt: they are attempts like any other (load tests).
  std::optional<std::chrono::milliseconds> throttled_for = std::chrono::minutes{15};
};

/// How one step's attempts went so far.
struct attempt_history {
  unsigned attempts = 1;   ///< 1-based: the attempt that just failed
  unsigned throttled = 0;  ///< of them answered 429 or 503, this one included
  /// From the step's first 429/503 answer until now.
  std::chrono::milliseconds throttled_time{0};
};

enum class retry_verdict {
  retry,
  give_up_not_retryable,  ///< e.g. 400, 401, 404: repeating cannot help
  give_up_attempts,       ///< max_attempts reached
  give_up_unsafe,         ///< may have reached the service and the request is not idempotent
  give_up_throttled,      ///< throttled for throttled_for
};

struct retry_decision {
  retry_verdict verdict = retry_verdict::give_up_not_retryable;
  std::chrono::milliseconds delay{0};
};

class retry_policy {
 public:
  explicit retry_policy(retry_settings settings) : settings_(settings) {}

  /// `attempt` is the 1-based attempt that just failed; `idempotent` says whether repeating the
  /// request cannot duplicate its effect (everything but create without customId).
  retry_decision decide(const identity::error& failure, const attempt_history& history, bool idempotent,
                        std::mt19937_64& random) const;
  retry_decision decide(const identity::error& failure, unsigned attempt, bool idempotent,
                        std::mt19937_64& random) const {
    return decide(failure, attempt_history{.attempts = attempt}, idempotent, random);
  }
  /// 429 or 503: the service did not act and asks us to come back.
  static bool is_throttling(const identity::error& failure);

  /// Could the failed request have been processed by the service?
  static bool may_have_reached_service(const identity::error& failure);

  const retry_settings& settings() const { return settings_; }

 private:
  retry_settings settings_;
};

}  // namespace acsbatch::engine
