// The throttle controller against simulated services on a fake clock: a client that wants to send
// `demand` ops/s, paced by the controller and held by its pauses, each answer after a fixed
// latency; the service throttles by a sliding-window limit ("N per W", counting admitted
// requests, Retry-After = until the oldest leaves the window), at random, or both.

#include "acsbatch/engine/throttle_controller.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <random>

namespace acsbatch::engine {
namespace {

using namespace std::chrono_literals;
using clock = throttle_controller::clock;
using regime = throttle_controller::regime;

struct service {
  std::function<double(double)> limit_at = [](double) { return 0.0; };  ///< per second at time t; 0: none
  clock::duration window = 1s;
  double random_share = 0;  ///< throttled at random, whatever the rate
  clock::duration random_retry_after = 1s;
  std::deque<clock::time_point> admitted;
  std::mt19937_64 random{7};

  /// nullopt: admitted; else the Retry-After.
  std::optional<clock::duration> answer(clock::time_point now, double t) {
    if (random_share > 0 && std::uniform_real_distribution<double>(0, 1)(random) < random_share)
      return random_retry_after;
    const double limit = limit_at(t);
    if (limit <= 0) return std::nullopt;
    while (!admitted.empty() && admitted.front() <= now - window) admitted.pop_front();
    const auto n = static_cast<std::size_t>(limit * std::chrono::duration<double>(window).count());
    if (admitted.size() >= n) return admitted.front() + window - now;
    admitted.push_back(now);
    return std::nullopt;
  }
};

struct tally {
  std::uint64_t sent = 0, ok = 0, throttled = 0;
};

/// Runs `seconds` of simulated time in 1 ms steps; `per_second` callback sees each second's tally.
tally simulate(throttle_controller& controller, service& svc, double demand, double seconds,
               const std::function<void(int, const tally&)>& each_second = {}) {
  const auto t0 = clock::time_point{} + 1h;
  constexpr auto latency = 20ms;
  struct pending {
    clock::time_point at;
    bool throttled;
    clock::duration retry_after;
  };
  std::deque<pending> in_flight;
  tally total, second;
  double credit = 0;
  const auto steps = static_cast<int>(seconds * 1000);
  for (int ms = 0; ms < steps; ++ms) {
    const auto now = t0 + std::chrono::milliseconds{ms};
    const double t = ms / 1000.0;
    while (!in_flight.empty() && in_flight.front().at <= now) {
      const auto p = in_flight.front();
      in_flight.pop_front();
      controller.on_answer(now, p.throttled, p.retry_after);
      (p.throttled ? total.throttled : total.ok)++;
      (p.throttled ? second.throttled : second.ok)++;
    }
    if (now >= controller.paused_until()) {
      const double rate = std::min(demand, controller.pace().value_or(demand));
      credit = std::min(credit + rate / 1000.0, 1.0 + rate / 1000.0);  // no banking during pauses
      while (credit >= 1) {
        credit -= 1;
        controller.on_sent(now);
        const auto verdict = svc.answer(now + latency / 2, t);
        in_flight.push_back({now + latency, verdict.has_value(), verdict.value_or(0ms)});
        ++total.sent;
        ++second.sent;
      }
    }
    if ((ms + 1) % 1000 == 0) {
      if (std::getenv("THROTTLE_TRACE"))
        std::printf("t=%2d sent=%5lu ok=%5lu thr=%5lu pace=%8.1f state=%s bg=%.2f cuts=%u\n", (ms + 1) / 1000,
                    (unsigned long)second.sent, (unsigned long)second.ok, (unsigned long)second.throttled,
                    controller.pace().value_or(-1), to_string(controller.state()), controller.background_share(),
                    controller.cuts());
      if (each_second) each_second((ms + 1) / 1000, second);
      second = {};
    }
  }
  return total;
}

TEST(ThrottleController, LearnsAnUndeclaredLimitAndKeepsThrottlingUnderFivePercent) {
  throttle_controller controller{{}};
  service svc;
  svc.limit_at = [](double) { return 200.0; };
  std::uint64_t ok_after_warmup = 0;
  const auto total = simulate(controller, svc, 2000, 30, [&](int s, const tally& t) {
    if (s > 5) ok_after_warmup += t.ok;
  });
  EXPECT_EQ(controller.state(), regime::rate_limited);
  ASSERT_TRUE(controller.pace());
  EXPECT_GT(*controller.pace(), 160);
  EXPECT_LT(*controller.pace(), 240);
  // 25 s at the limit: at least 90 % of what the limit allows.
  EXPECT_GE(ok_after_warmup, 0.9 * 200 * 25);
  EXPECT_LE(static_cast<double>(total.throttled) / total.sent, 0.05) << total.throttled << " of " << total.sent;
}

TEST(ThrottleController, LearnsAThirtySecondWindowAsTheServicePublishesIt) {
  // ACS counts "1 000 per 30 s": a client that sends fast is told after 1 000 to wait ~29 s.
  throttle_controller controller{{}};
  service svc;
  svc.window = 30s;
  svc.limit_at = [](double) { return 1000.0 / 30; };
  std::uint64_t ok_late = 0;
  const auto total = simulate(controller, svc, 500, 150, [&](int s, const tally& t) {
    if (s > 60) ok_late += t.ok;
  });
  ASSERT_TRUE(controller.pace());
  EXPECT_GT(*controller.pace(), 0.8 * 1000 / 30);
  EXPECT_LT(*controller.pace(), 1.2 * 1000 / 30);
  EXPECT_GE(ok_late, 0.85 * 1000 / 30 * 90);
  EXPECT_LE(static_cast<double>(total.throttled) / total.sent, 0.05) << total.throttled << " of " << total.sent;
}

TEST(ThrottleController, RandomThrottlingDoesNotSlowTheOperation) {
  throttle_controller controller{{}};
  service svc;
  svc.random_share = 0.3;
  const auto total = simulate(controller, svc, 500, 30);
  EXPECT_EQ(controller.state(), regime::rate_independent);
  EXPECT_FALSE(controller.pace());
  EXPECT_LE(controller.cuts(), 1u);
  // The demand was met: 500/s for 30 s, less at most one pause and its verification (~2 s).
  EXPECT_GE(total.sent, 500 * 28);
  EXPECT_NEAR(controller.background_share(), 0.3, 0.08);
}

TEST(ThrottleController, FollowsALimitThatHalvesAndRecovers) {
  throttle_controller controller{{}};
  service svc;
  svc.limit_at = [](double t) { return t >= 10 && t < 20 ? 100.0 : 200.0; };
  std::uint64_t ok_halved = 0, sent_halved = 0, throttled_halved = 0, ok_recovered = 0;
  simulate(controller, svc, 2000, 35, [&](int s, const tally& t) {
    if (s > 12 && s <= 20) {
      ok_halved += t.ok;
      sent_halved += t.sent;
      throttled_halved += t.throttled;
    }
    if (s > 28) ok_recovered += t.ok;
  });
  EXPECT_GE(ok_halved, 0.85 * 100 * 8);
  EXPECT_LE(static_cast<double>(throttled_halved) / sent_halved, 0.10);
  // Back at the old limit within 8 s of its return (probing doubles its step while clean).
  EXPECT_GE(ok_recovered, 0.85 * 200 * 7);
}

TEST(ThrottleController, ALimitBeneathTenPercentRandomFailuresIsStillLearned) {
  throttle_controller controller{{}};
  service svc;
  svc.limit_at = [](double) { return 200.0; };
  svc.random_share = 0.10;
  std::uint64_t ok_after_warmup = 0;
  const auto total = simulate(controller, svc, 2000, 30, [&](int s, const tally& t) {
    if (s > 5) ok_after_warmup += t.ok;
  });
  ASSERT_TRUE(controller.pace());
  EXPECT_LT(*controller.pace(), 300);  // paced near the limit, not at the 2000/s demand
  EXPECT_GE(ok_after_warmup, 0.8 * 200 * 25);
  EXPECT_LE(static_cast<double>(total.throttled) / total.sent, 0.20);
}

TEST(ThrottleController, NeverPacesAboveTheCeiling) {
  throttle_controller controller{{.ceiling = 150.0}};
  service svc;
  svc.limit_at = [](double t) { return t < 3 ? 100.0 : 1000.0; };  // the limit then rises far above
  simulate(controller, svc, 2000, 20);
  ASSERT_TRUE(controller.pace());
  EXPECT_LE(*controller.pace(), 150.0);
  EXPECT_GT(*controller.pace(), 140.0);  // and probing found its way up to it
}

TEST(ThrottleController, NoThrottlingMeansNoPace) {
  throttle_controller controller{{}};
  service svc;
  const auto total = simulate(controller, svc, 1000, 5);
  EXPECT_EQ(controller.state(), regime::unthrottled);
  EXPECT_FALSE(controller.pace());
  EXPECT_EQ(total.throttled, 0u);
  EXPECT_GE(total.sent, 4990u);
}

}  // namespace
}  // namespace acsbatch::engine
