// The token bucket, the sliding window, the send-rate meter and the retry policy, driven with a fake clock and a seeded random source.

#include <gtest/gtest.h>

#include <algorithm>

#include "acsbatch/core/error.hpp"
#include "acsbatch/engine/retry_policy.hpp"
#include "acsbatch/engine/send_rate_meter.hpp"
#include "acsbatch/engine/sliding_window.hpp"
#include "acsbatch/engine/token_bucket.hpp"

namespace acsbatch::engine {
namespace {

using namespace std::chrono_literals;
using clock = token_bucket::clock;

TEST(TokenBucket, BurstThenSteadyRate) {
  token_bucket bucket{{.per_second = 10, .burst = 3}};
  const clock::time_point t0{};
  // Three at once, then one every 100 ms.
  EXPECT_EQ(bucket.reserve(t0), t0);
  EXPECT_EQ(bucket.reserve(t0), t0);
  EXPECT_EQ(bucket.reserve(t0), t0);
  EXPECT_EQ(bucket.reserve(t0), t0 + 100ms);
  EXPECT_EQ(bucket.reserve(t0), t0 + 200ms);
}

TEST(TokenBucket, NeverExceedsTheRateInAnyWindow) {
  token_bucket bucket{{.per_second = 200, .burst = 1}};
  std::vector<clock::time_point> sends;
  clock::time_point now{};
  for (int i = 0; i < 2000; ++i) {
    sends.push_back(bucket.reserve(now));
    now += 1ms * (i % 3);  // callers arrive faster than the rate
  }
  // Sliding 1-second windows: at most 200 (+1 for the window's closed end).
  for (std::size_t i = 0; i < sends.size(); ++i) {
    const auto end = std::upper_bound(sends.begin(), sends.end(), sends[i] + 1s - 1ns);
    EXPECT_LE(end - (sends.begin() + i), 200) << "window starting at send " << i;
  }
}

TEST(TokenBucket, IdleTimeRefillsOnlyUpToTheBurst) {
  token_bucket bucket{{.per_second = 10, .burst = 2}};
  const clock::time_point t0{};
  bucket.reserve(t0);
  const auto later = t0 + 10s;
  EXPECT_EQ(bucket.reserve(later), later);
  EXPECT_EQ(bucket.reserve(later), later);
  EXPECT_EQ(bucket.reserve(later), later + 100ms);
}

TEST(TokenBucket, RejectsNonsense) {
  EXPECT_THROW(token_bucket({.per_second = 0}), std::invalid_argument);
  EXPECT_THROW(token_bucket({.per_second = 1, .burst = 0.5}), std::invalid_argument);
}

identity::error http_error(unsigned status, std::optional<std::chrono::milliseconds> retry_after = {}) {
  identity::error e;
  e.code = make_error_code(errc::http_status);
  e.http_status = status;
  e.retry_after = retry_after;
  return e;
}

identity::error transport_error(errc code) {
  identity::error e;
  e.code = make_error_code(code);
  return e;
}

TEST(RetryPolicy, FullJitterStaysUnderTheExponentialCeiling) {
  retry_policy policy{{.max_attempts = 10, .initial_backoff = 100ms, .max_backoff = 1s, .on = {}}};
  std::mt19937_64 random{42};
  for (unsigned attempt = 1; attempt < 10; ++attempt) {
    std::chrono::milliseconds largest{0};
    for (int i = 0; i < 500; ++i) {
      const auto d = policy.decide(http_error(500), attempt, true, random);
      ASSERT_EQ(d.verdict, retry_verdict::retry);
      largest = std::max(largest, d.delay);
    }
    const auto ceiling = std::min<std::chrono::milliseconds>(1s, 100ms * (1 << (attempt - 1)));
    EXPECT_LE(largest, ceiling) << attempt;
    EXPECT_GE(largest, ceiling * 8 / 10) << "jitter should cover the range, attempt " << attempt;
  }
}

TEST(RetryPolicy, RetryAfterReplacesTheBackoff) {
  retry_policy policy{{}};
  std::mt19937_64 random{1};
  const auto d = policy.decide(http_error(429, 2500ms), 1, false, random);
  EXPECT_EQ(d.verdict, retry_verdict::retry);
  EXPECT_EQ(d.delay, 2500ms);
}

TEST(RetryPolicy, StopsAtMaxAttempts) {
  retry_policy policy{retry_settings{.max_attempts = 3, .initial_backoff = 200ms, .max_backoff = 30s, .on = {}}};
  std::mt19937_64 random{1};
  EXPECT_EQ(policy.decide(http_error(502), 2, true, random).verdict, retry_verdict::retry);
  EXPECT_EQ(policy.decide(http_error(502), 3, true, random).verdict, retry_verdict::give_up_attempts);
}

TEST(RetryPolicy, ThrottlingSpendsTheTimeBudgetNotAttempts) {
  retry_policy policy{retry_settings{.max_attempts = 3, .on = {}, .throttled_for = 10s}};
  std::mt19937_64 random{1};
  // The 40th attempt, 39 of them 429 or 503: still retried while under 10 s, after Retry-After.
  auto d = policy.decide(http_error(429, 1s), {.attempts = 40, .throttled = 39, .throttled_time = 9'999ms}, true, random);
  EXPECT_EQ(d.verdict, retry_verdict::retry);
  EXPECT_EQ(d.delay, 1s);
  EXPECT_EQ(policy.decide(http_error(503), {.attempts = 40, .throttled = 40, .throttled_time = 9s}, true, random).verdict,
            retry_verdict::retry);
  // The budget spent: the item fails, however few attempts it made.
  EXPECT_EQ(policy.decide(http_error(429), {.attempts = 2, .throttled = 2, .throttled_time = 10s}, true, random).verdict,
            retry_verdict::give_up_throttled);
  // Other failures count only the attempts that were not throttled: 38 throttled + 2 others.
  EXPECT_EQ(policy.decide(http_error(502), {.attempts = 40, .throttled = 38, .throttled_time = 1s}, true, random).verdict,
            retry_verdict::retry);
  EXPECT_EQ(policy.decide(http_error(502), {.attempts = 41, .throttled = 38, .throttled_time = 1s}, true, random).verdict,
            retry_verdict::give_up_attempts);
  // Without a budget (a load test) 429 and 503 are attempts like the rest.
  retry_policy load{retry_settings{.max_attempts = 3, .on = {}, .throttled_for = std::nullopt}};
  EXPECT_EQ(load.decide(http_error(429), {.attempts = 3, .throttled = 3, .throttled_time = 1s}, true, random).verdict,
            retry_verdict::give_up_attempts);
}

TEST(RetryPolicy, ClientErrorsAreNotRetried) {
  retry_policy policy{{}};
  std::mt19937_64 random{1};
  for (unsigned status : {400u, 401u, 403u, 404u, 409u, 501u})
    EXPECT_EQ(policy.decide(http_error(status), 1, true, random).verdict, retry_verdict::give_up_not_retryable)
        << status;
}

TEST(RetryPolicy, NonIdempotentCreateIsRetriedOnlyWhenTheServiceDidNotAct) {
  retry_policy policy{{}};
  std::mt19937_64 random{1};
  // Rejected before acting, or never sent: safe.
  EXPECT_EQ(policy.decide(http_error(429), 1, false, random).verdict, retry_verdict::retry);
  EXPECT_EQ(policy.decide(http_error(503), 1, false, random).verdict, retry_verdict::retry);
  EXPECT_EQ(policy.decide(transport_error(errc::connection_failed), 1, false, random).verdict, retry_verdict::retry);
  // May have created an identity: not repeated blindly.
  EXPECT_EQ(policy.decide(http_error(500), 1, false, random).verdict, retry_verdict::give_up_unsafe);
  EXPECT_EQ(policy.decide(transport_error(errc::timeout), 1, false, random).verdict, retry_verdict::give_up_unsafe);
  EXPECT_EQ(policy.decide(transport_error(errc::connection_closed), 1, false, random).verdict,
            retry_verdict::give_up_unsafe);
  // The same failures are fine to repeat for idempotent requests.
  EXPECT_EQ(policy.decide(transport_error(errc::timeout), 1, true, random).verdict, retry_verdict::retry);
}

TEST(RetryPolicy, RespectsTheOnList) {
  retry_policy policy{{.on = {.throttled = true, .server_errors = false, .timeouts = false, .connection = false}}};
  std::mt19937_64 random{1};
  EXPECT_EQ(policy.decide(http_error(429), 1, true, random).verdict, retry_verdict::retry);
  EXPECT_EQ(policy.decide(http_error(502), 1, true, random).verdict, retry_verdict::give_up_not_retryable);
  EXPECT_EQ(policy.decide(transport_error(errc::timeout), 1, true, random).verdict,
            retry_verdict::give_up_not_retryable);
}

}  // namespace
}  // namespace acsbatch::engine

namespace acsbatch::engine {
namespace {

TEST(SlidingWindow, AdmitsNPerWindowOnActualTimes) {
  using namespace std::chrono_literals;
  sliding_window window{3, 1s};
  const sliding_window::clock::time_point t0{};
  EXPECT_FALSE(window.admit(t0));
  EXPECT_FALSE(window.admit(t0 + 10ms));
  EXPECT_FALSE(window.admit(t0 + 20ms));
  // Full: the fourth must wait until the first leaves the window; nothing is recorded.
  EXPECT_EQ(window.admit(t0 + 30ms), t0 + 1s);
  EXPECT_EQ(window.admit(t0 + 999ms), t0 + 1s);
  EXPECT_FALSE(window.admit(t0 + 1s));
  EXPECT_EQ(window.admit(t0 + 1s), t0 + 1s + 10ms);
}

TEST(SendRateMeter, CountsTheBusiestHalfOpenWindow) {
  send_rate_meter meter{1s};
  const clock::time_point t0{};
  EXPECT_EQ(meter.peak(), 0u);
  // Three sends inside [0, 1 s), then one exactly 1 s after the first: the first has left the
  // window (half-open, as the limiter counts), so the peak stays 3 …
  meter.record(t0);
  meter.record(t0 + 400ms);
  meter.record(t0 + 999ms);
  meter.record(t0 + 1s);
  EXPECT_EQ(meter.peak(), 3u);
  // … until a send lands inside the window of 400 ms … 1 400 ms: four.
  meter.record(t0 + 1'399ms);
  EXPECT_EQ(meter.peak(), 4u);
  // A quiet spell does not lower the peak.
  meter.record(t0 + 60s);
  EXPECT_EQ(meter.peak(), 4u);
}

}  // namespace
}  // namespace acsbatch::engine
