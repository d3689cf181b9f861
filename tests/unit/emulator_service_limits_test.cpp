// service_limits parsing and the sliding-window limiter, driven with a fake steady clock.

#include <gtest/gtest.h>

#include <algorithm>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/service_limits.hpp"
#include "acsbatch/emulator/sliding_window_limiter.hpp"

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;
using clock = sliding_window_limiter::clock;

/// The message of the config_error `spec` raises ("" when it parses).
std::string limits_error(std::string_view spec) {
  try {
    parse_service_limits(spec);
  } catch (const config_error& e) {
    return e.what();
  }
  return {};
}

TEST(ServiceLimits, RealLimitsAreThePublishedOnesWithSeparateCreateCounters) {
  const auto real = parse_service_limits("real");
  EXPECT_EQ(real, real_service_limits());
  EXPECT_EQ(real.of(operation::create_user), (operation_limit{1000, 30s}));
  EXPECT_EQ(real.of(operation::create_user_and_token), (operation_limit{1000, 30s}));
  EXPECT_EQ(real.of(operation::issue_token), (operation_limit{1000, 30s}));
  EXPECT_EQ(real.of(operation::delete_user), (operation_limit{500, 30s}));
  EXPECT_EQ(real.of(operation::revoke_tokens), (operation_limit{500, 30s}));
  EXPECT_EQ(real.of(operation::exchange_teams_token), (operation_limit{500, 30s}));
  EXPECT_TRUE(real.of(operation::get_user).has_value());  // assumed, not published
  EXPECT_FALSE(real.of(operation::emulator_stats).has_value());
}

TEST(ServiceLimits, OffAndEmptyMeanNoLimits) {
  EXPECT_TRUE(parse_service_limits("off").empty());
  EXPECT_TRUE(parse_service_limits("none").empty());
  EXPECT_TRUE(parse_service_limits("").empty());
  EXPECT_EQ(to_string(service_limits{}), "off");
}

TEST(ServiceLimits, CustomSpecSetsOnlyTheNamedOperations) {
  const auto limits = parse_service_limits("create_user=100/1s, issue_token=50/500ms,delete_user=7/s");
  EXPECT_EQ(limits.of(operation::create_user), (operation_limit{100, 1s}));
  EXPECT_EQ(limits.of(operation::issue_token), (operation_limit{50, 500ms}));
  EXPECT_EQ(limits.of(operation::delete_user), (operation_limit{7, 1s}));
  EXPECT_FALSE(limits.of(operation::create_user_and_token).has_value());
  EXPECT_EQ(to_string(limits), "create_user=100/1s,issue_token=50/500ms,delete_user=7/1s");
}

// Found by tests/fuzz/spec_parsers_fuzz: a window below a microsecond was written "1ns",
// which the parser does not read.
TEST(ServiceLimits, CanonicalTextOfASubMicrosecondWindowReadsBack) {
  for (const std::string_view spec : {"create_user=1/0.001us", "issue_token=3/1.5us", "get_user=2/86399999999.999us"}) {
    const auto limits = parse_service_limits(spec);
    EXPECT_EQ(to_string(limits), spec);
    EXPECT_EQ(parse_service_limits(to_string(limits)), limits) << spec;
  }
}

TEST(ServiceLimits, RealCanBeOverriddenItemByItem) {
  const auto limits = parse_service_limits("real,create_user=20/1s,get_user=off");
  EXPECT_EQ(limits.of(operation::create_user), (operation_limit{20, 1s}));
  EXPECT_EQ(limits.of(operation::delete_user), (operation_limit{500, 30s}));
  EXPECT_FALSE(limits.of(operation::get_user).has_value());
}

TEST(ServiceLimits, BadSpecsNameTheBadItem) {
  EXPECT_EQ(limits_error("create_user=100"),
            "--limits: 'create_user=100' must be OP=N/WINDOW (e.g. create_user=100/1s)");
  EXPECT_EQ(limits_error("create_usr=1/1s"),
            "--limits: 'create_usr=1/1s' names no operation (operations: create_user, "
            "create_user_and_token, issue_token, revoke_tokens, delete_user, get_user, "
            "exchange_teams_token)");
  EXPECT_NE(limits_error("create_user=0/1s").find("'create_user=0/1s' needs a request count"), std::string::npos);
  EXPECT_NE(limits_error("create_user=10/0s").find("needs a window"), std::string::npos);
  EXPECT_NE(limits_error("create_user=10/1y").find("needs a window"), std::string::npos);
  EXPECT_NE(limits_error("emulator_stats=1/1s").find("names no operation"), std::string::npos);
  EXPECT_NE(limits_error("fast").find("'fast' must be real, off, or OP=N/WINDOW"), std::string::npos);
  EXPECT_NE(limits_error("create_user=2000000/1s").find("between 1 and 1000000"), std::string::npos);
}

TEST(SlidingWindowLimiter, AdmitsNPerWindowThenAnswersWithTheOldestExpiry) {
  sliding_window_limiter limiter{parse_service_limits("create_user=3/1s")};
  const clock::time_point t0{};
  // Three within the window pass...
  EXPECT_FALSE(limiter.admit(operation::create_user, t0));
  EXPECT_FALSE(limiter.admit(operation::create_user, t0 + 100ms));
  EXPECT_FALSE(limiter.admit(operation::create_user, t0 + 200ms));
  // ...the fourth waits until the first (t0) leaves the window at t0 + 1s.
  EXPECT_EQ(limiter.admit(operation::create_user, t0 + 300ms), std::optional{std::chrono::nanoseconds{700ms}});
  EXPECT_EQ(limiter.admit(operation::create_user, t0 + 999ms), std::optional{std::chrono::nanoseconds{1ms}});
  // At exactly t0 + 1s the oldest has left: one more passes, and the next waits for t0 + 100ms's expiry.
  EXPECT_FALSE(limiter.admit(operation::create_user, t0 + 1s));
  EXPECT_EQ(limiter.admit(operation::create_user, t0 + 1s), std::optional{std::chrono::nanoseconds{100ms}});
}

TEST(SlidingWindowLimiter, RejectedRequestsDoNotExtendTheThrottling) {
  sliding_window_limiter limiter{parse_service_limits("issue_token=1/1s")};
  const clock::time_point t0{};
  EXPECT_FALSE(limiter.admit(operation::issue_token, t0));
  for (int i = 1; i < 10; ++i) EXPECT_TRUE(limiter.admit(operation::issue_token, t0 + i * 50ms));
  EXPECT_FALSE(limiter.admit(operation::issue_token, t0 + 1s));
}

TEST(SlidingWindowLimiter, OperationsHaveSeparateCountersAndUnlimitedOnesAlwaysPass) {
  sliding_window_limiter limiter{parse_service_limits("create_user=1/30s,create_user_and_token=1/30s")};
  const clock::time_point t0{};
  EXPECT_FALSE(limiter.admit(operation::create_user, t0));
  EXPECT_FALSE(limiter.admit(operation::create_user_and_token, t0));
  EXPECT_TRUE(limiter.admit(operation::create_user, t0));
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.admit(operation::delete_user, t0));
}

TEST(SlidingWindowLimiter, NeverAdmitsMoreThanNInAnyWindow) {
  sliding_window_limiter limiter{parse_service_limits("create_user=20/1s")};
  std::vector<clock::time_point> admitted;
  clock::time_point now{};
  for (int i = 0; i < 5000; ++i) {
    if (!limiter.admit(operation::create_user, now)) admitted.push_back(now);
    now += std::chrono::microseconds{(i * 7919) % 3000};  // irregular arrivals, ~1.5 ms apart
  }
  for (std::size_t i = 0; i < admitted.size(); ++i) {
    const auto end = std::lower_bound(admitted.begin(), admitted.end(), admitted[i] + 1s);
    EXPECT_LE(end - (admitted.begin() + static_cast<std::ptrdiff_t>(i)), 20) << "window from admission " << i;
  }
  // ~7.5 s of arrivals at 20 per second, with the window always full.
  EXPECT_GE(admitted.size(), 140u);
}

}  // namespace
}  // namespace acsbatch::emulator
