// The progress meter, driven by hand with a made-up clock: recent rates, the ETA, the percent,
// and its two renderings (the terminal line and the members of a JSON `progress` record).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "acsbatch/report/progress.hpp"

namespace acsbatch::report {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using clock_type = progress_meter::clock;

const clock_type::time_point t0{std::chrono::hours{1000}};

progress_snapshot counts(std::uint64_t done, std::uint64_t requests, std::uint64_t failed = 0,
                         std::uint64_t throttled = 0, std::uint64_t retries = 0) {
  return {done, failed, requests, retries, throttled};
}

TEST(ProgressMeter, StartsAtZeroWithAnUnknownRate) {
  const progress_meter meter{100, t0};
  EXPECT_EQ(meter.ops_per_second(), 0.0);
  EXPECT_EQ(meter.percent(), 0u);
  EXPECT_EQ(meter.eta(), std::nullopt);  // nothing finished yet: no rate to go by
  EXPECT_EQ(meter.text(), "0/100 (0%) · 0.0 ops/s · errors 0 · throttled 0 · retries 0 · ETA --");
}

TEST(ProgressMeter, RatesAndEtaFromTheRecentWindow) {
  progress_meter meter{1000, t0, 10s};
  // 10 items and 40 requests a second for 20 s ...
  for (int s = 1; s <= 20; ++s) meter.update(counts(10u * s, 40u * s), t0 + std::chrono::seconds{s});
  EXPECT_DOUBLE_EQ(meter.items_per_second(), 10.0);
  EXPECT_DOUBLE_EQ(meter.ops_per_second(), 40.0);
  EXPECT_EQ(meter.percent(), 20u);
  EXPECT_EQ(meter.eta(), 80s);  // 800 left at 10/s
  // ... then 2 a second (a limiter backing off on 429s): after one window only the new rate counts.
  for (int s = 1; s <= 10; ++s) meter.update(counts(200 + 2u * s, 800 + 8u * s), t0 + 20s + std::chrono::seconds{s});
  EXPECT_DOUBLE_EQ(meter.items_per_second(), 2.0);
  EXPECT_DOUBLE_EQ(meter.ops_per_second(), 8.0);
  EXPECT_EQ(meter.eta(), 390s);  // 780 left at 2/s
}

TEST(ProgressMeter, RateSpansTheWindowAtAnyUpdateCadence) {
  progress_meter meter{std::nullopt, t0, 10s};
  // Every 250 ms for a minute at 100 requests/s.
  for (int tick = 1; tick <= 240; ++tick) {
    meter.update(counts(0, 25u * tick), t0 + tick * 250ms);
  }
  EXPECT_DOUBLE_EQ(meter.ops_per_second(), 100.0);
  // Every 5 s (the log cadence): still the same rate.
  progress_meter slow{std::nullopt, t0, 10s};
  for (int s = 5; s <= 60; s += 5) slow.update(counts(0, 100u * s), t0 + std::chrono::seconds{s});
  EXPECT_DOUBLE_EQ(slow.ops_per_second(), 100.0);
}

TEST(ProgressMeter, EtaRoundsUpAndIsZeroWhenDone) {
  progress_meter meter{10, t0};
  meter.update(counts(3, 3), t0 + 1s);  // 3/s, 7 left: 2.33 s → 3 s
  EXPECT_EQ(meter.eta(), 3s);
  meter.update(counts(10, 10), t0 + 2s);
  EXPECT_EQ(meter.eta(), 0s);
  EXPECT_EQ(meter.percent(), 100u);
}

TEST(ProgressMeter, PercentIsRoundedDownAndAnEmptyRunIsDone) {
  progress_meter meter{100'000, t0};
  meter.update(counts(99'999, 0), t0 + 1s);
  EXPECT_EQ(meter.percent(), 99u);  // never a rounded-up 100% before the end
  EXPECT_EQ(progress_meter(0, t0).percent(), 100u);
  EXPECT_EQ(progress_meter(0, t0).eta(), 0s);
}

TEST(ProgressMeter, IgnoresSamplesFromThePast) {
  progress_meter meter{100, t0};
  meter.update(counts(10, 10), t0 + 2s);
  meter.update(counts(99, 99), t0 + 1s);
  EXPECT_EQ(meter.last().items_done, 10u);
}

TEST(ProgressMeter, TextWithATotal) {
  progress_meter meter{500, t0, 10s};
  meter.update(counts(83, 170, 2, 5, 7), t0 + 5s);
  EXPECT_EQ(meter.text(), "83/500 (16%) · 34.0 ops/s · errors 2 · throttled 5 · retries 7 · ETA 26s");
  progress_meter long_run{100'000, t0, 10s};
  long_run.update(counts(1'200, 1'200), t0 + 10s);  // 120/s, 98 800 left: 823.3 s
  EXPECT_THAT(long_run.text(), ::testing::EndsWith("· ETA 13m44s"));
}

TEST(ProgressMeter, TextWithoutATotalHasNoPercentOrEta) {
  progress_meter meter{std::nullopt, t0};
  meter.update(counts(12, 30, 1), t0 + 2s);
  EXPECT_EQ(meter.percent(), std::nullopt);
  EXPECT_EQ(meter.eta(), std::nullopt);
  EXPECT_EQ(meter.text(), "12 done · 15.0 ops/s · errors 1 · throttled 0 · retries 0");
}

TEST(ProgressMeter, FieldsAreTheProgressRecordsMembers) {
  progress_meter meter{500, t0, 10s};
  meter.update(counts(83, 170, 2, 5, 7), t0 + 5s);
  const json::value fields = json::parse(meter.fields().object());  // valid JSON
  EXPECT_EQ(fields, json::parse(R"({"done":83,"total":500,"ops_per_s":34.0,"errors":2,"throttled":5,
                                    "retries":7,"eta_s":26})"));
  const json::value unknown = json::parse(progress_meter(std::nullopt, t0).fields().object());
  EXPECT_TRUE(unknown.at("total").is_null());
  EXPECT_TRUE(unknown.at("eta_s").is_null());
}

TEST(FormatEta, SecondsMinutesHours) {
  EXPECT_EQ(format_eta(0s), "0s");
  EXPECT_EQ(format_eta(45s), "45s");
  EXPECT_EQ(format_eta(83s), "1m23s");
  EXPECT_EQ(format_eta(3600s), "1h00m00s");
  EXPECT_EQ(format_eta(2h + 5min + 9s), "2h05m09s");
  EXPECT_EQ(format_eta(-5s), "0s");
}

}  // namespace
}  // namespace acsbatch::report
