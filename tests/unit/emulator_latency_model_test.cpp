// --latency parsing and the seeded sampler: shapes, bounds, and the lognormal's percentiles.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/latency_model.hpp"

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;

std::string latency_error(std::string_view spec) {
  try {
    parse_latency_spec(spec);
  } catch (const config_error& e) {
    return e.what();
  }
  return {};
}

TEST(LatencySpec, ParsesTheThreeShapes) {
  EXPECT_EQ(parse_latency_spec("fixed:20ms").fixed, 20ms);
  const auto uniform = parse_latency_spec("uniform:min=5ms,max=50ms");
  EXPECT_EQ(uniform.distribution, latency_spec::shape::uniform);
  EXPECT_EQ(uniform.min, 5ms);
  EXPECT_EQ(uniform.max, 50ms);
  const auto lognormal = parse_latency_spec("lognormal:p99=250ms,median=20ms");
  EXPECT_EQ(lognormal.median, 20ms);
  EXPECT_EQ(lognormal.p99, 250ms);
  EXPECT_EQ(to_string(lognormal), "lognormal:median=20ms,p99=250ms");
  EXPECT_EQ(to_string(parse_latency_spec("fixed:1.5s")), "fixed:1500ms");
  EXPECT_EQ(parse_latency_spec("none").distribution, latency_spec::shape::none);
  EXPECT_EQ(parse_latency_spec("").distribution, latency_spec::shape::none);
}

TEST(LatencySpec, BadSpecsNameTheBadPart) {
  EXPECT_EQ(latency_error("lognormal:median=20ms"), "--latency: 'lognormal:median=20ms' needs p99=DURATION");
  EXPECT_EQ(latency_error("fixed:20"),
            "--latency: 'fixed:20' has the delay '20', which is not a duration such as 20ms, 1.5s or 500us");
  EXPECT_EQ(latency_error("uniform:min=50ms,max=5ms"), "--latency: 'uniform:min=50ms,max=5ms' has min above max");
  EXPECT_EQ(latency_error("lognormal:median=20ms,p99=10ms"),
            "--latency: 'lognormal:median=20ms,p99=10ms' has p99 below the median");
  EXPECT_NE(latency_error("uniform:low=1ms,max=2ms").find("expected min=DURATION,max=DURATION"), std::string::npos);
  EXPECT_NE(latency_error("gaussian:20ms").find("is not none, fixed:DURATION"), std::string::npos);
  EXPECT_NE(latency_error("fixed:2m").find("exceeds the emulator's maximum of 60s"), std::string::npos);
}

std::vector<microseconds> samples(std::string_view spec, std::uint64_t seed, int n) {
  latency_sampler sampler{parse_latency_spec(spec), seed};
  std::vector<microseconds> out;
  for (int i = 0; i < n; ++i) out.push_back(sampler.sample());
  return out;
}

TEST(LatencySampler, FixedAndNoneAreExact) {
  for (const auto s : samples("fixed:20ms", 1, 10)) EXPECT_EQ(s, 20ms);
  for (const auto s : samples("none", 1, 10)) EXPECT_EQ(s, 0ms);
}

TEST(LatencySampler, UniformStaysWithinItsBoundsAndCoversThem) {
  const auto all = samples("uniform:min=5ms,max=50ms", 3, 10000);
  const auto [low, high] = std::minmax_element(all.begin(), all.end());
  EXPECT_GE(*low, 5ms);
  EXPECT_LE(*high, 50ms);
  EXPECT_LT(*low, 6ms);
  EXPECT_GT(*high, 49ms);
}

TEST(LatencySampler, LognormalHitsItsMedianAndP99) {
  latency_sampler sampler{parse_latency_spec("lognormal:median=20ms,p99=250ms"), 12345};
  EXPECT_NEAR(sampler.sigma(), std::log(12.5) / 2.326, 1e-12);
  EXPECT_NEAR(sampler.mu(), std::log(20000.0), 1e-12);
  auto all = samples("lognormal:median=20ms,p99=250ms", 12345, 10000);
  std::sort(all.begin(), all.end());
  const double median = static_cast<double>(all[5000].count());
  const double p99 = static_cast<double>(all[9900].count());
  EXPECT_NEAR(median, 20000.0, 20000.0 * 0.05);
  EXPECT_NEAR(p99, 250000.0, 250000.0 * 0.15);
  EXPECT_LE(all.back(), microseconds{max_latency});
}

TEST(LatencySampler, TheSameSeedReplaysTheSameDelays) {
  EXPECT_EQ(samples("lognormal:median=20ms,p99=250ms", 9, 500), samples("lognormal:median=20ms,p99=250ms", 9, 500));
  EXPECT_NE(samples("lognormal:median=20ms,p99=250ms", 9, 500), samples("lognormal:median=20ms,p99=250ms", 10, 500));
}

}  // namespace
}  // namespace acsbatch::emulator
