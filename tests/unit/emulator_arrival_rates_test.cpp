// arrival_rates: one-second buckets since the origin and the sliding one-second maximum.

#include <gtest/gtest.h>

#include "acsbatch/emulator/arrival_rates.hpp"

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;
using clock = arrival_rates::clock;

TEST(ArrivalRates, CountsPerSecondBucketSinceTheOrigin) {
  const clock::time_point t0{};
  arrival_rates rates{t0};
  rates.record(operation::create_user, t0 + 100ms);
  rates.record(operation::create_user, t0 + 900ms);
  rates.record(operation::issue_token, t0 + 1500ms);
  rates.record(operation::create_user, t0 + 3200ms);
  const auto snap = rates.read(t0 + 5s);
  EXPECT_EQ(snap.window_start_s, 0u);
  ASSERT_EQ(snap.per_second.size(), 6u);  // seconds 0..5, padded up to `now`
  const auto create = static_cast<std::size_t>(operation::create_user);
  const auto issue = static_cast<std::size_t>(operation::issue_token);
  EXPECT_EQ(snap.per_second[0][create], 2u);
  EXPECT_EQ(snap.per_second[1][issue], 1u);
  EXPECT_EQ(snap.per_second[2][create], 0u);
  EXPECT_EQ(snap.per_second[3][create], 1u);
  EXPECT_EQ(snap.per_second[5][create], 0u);
}

TEST(ArrivalRates, TheSlidingMaximumSeesBurstsThatStraddleBucketEdges) {
  const clock::time_point t0{};
  arrival_rates rates{t0};
  // 5 at the end of second 0 and 5 at the start of second 1: each bucket says 5, any window
  // (t − 1s, t] around the edge holds all 10.
  for (int i = 0; i < 5; ++i) rates.record(operation::delete_user, t0 + 900ms + i * 10ms);
  for (int i = 0; i < 5; ++i) rates.record(operation::delete_user, t0 + 1s + i * 10ms);
  // Exactly 1 s after the first one, it no longer counts.
  rates.record(operation::delete_user, t0 + 1900ms);
  const auto snap = rates.read();
  const auto op = static_cast<std::size_t>(operation::delete_user);
  EXPECT_EQ(snap.per_second[0][op], 5u);
  EXPECT_EQ(snap.per_second[1][op], 6u);
  EXPECT_EQ(snap.max_per_second[op], 10u);
  EXPECT_EQ(snap.max_per_second[static_cast<std::size_t>(operation::create_user)], 0u);
}

TEST(ArrivalRates, KeepsOnlyTheLatestHourAndSurvivesLongSilences) {
  const clock::time_point t0{};
  arrival_rates rates{t0};
  rates.record(operation::create_user, t0);
  rates.record(operation::create_user, t0 + 5000s);
  auto snap = rates.read();
  EXPECT_EQ(snap.window_start_s, 5000u);
  EXPECT_EQ(snap.per_second.size(), 1u);
  // A reader far in the future gets the latest hour of (empty) seconds, not days of them.
  snap = rates.read(t0 + 1'000'000s);
  EXPECT_EQ(snap.per_second.size(), arrival_rates::kept_seconds);
  EXPECT_EQ(snap.window_start_s + snap.per_second.size(), 1'000'001u);
  rates.record(operation::create_user, t0 + 5000s + 3599s);
  snap = rates.read();
  EXPECT_EQ(snap.window_start_s, 5000u);
  EXPECT_EQ(snap.per_second.size(), 3600u);
  rates.record(operation::create_user, t0 + 5000s + 3600s);
  snap = rates.read();
  EXPECT_EQ(snap.window_start_s, 5001u);
  EXPECT_EQ(snap.per_second.size(), 3600u);
}

TEST(ArrivalRates, WithAnOriginAndNoArrivalsTheSecondsSoFarAreEmpty) {
  const clock::time_point t0{};
  arrival_rates rates{t0};
  const auto snap = rates.read(t0 + 2500ms);
  EXPECT_EQ(snap.window_start_s, 0u);
  EXPECT_EQ(snap.per_second.size(), 3u);
  EXPECT_TRUE(arrival_rates{}.read(t0 + 2500ms).per_second.empty());
}

TEST(ArrivalRates, WithoutAnOriginTheFirstArrivalIsSecondZero) {
  arrival_rates rates;
  const clock::time_point t{1234s};
  rates.record(operation::get_user, t);
  rates.record(operation::get_user, t + 2500ms);
  const auto snap = rates.read();
  EXPECT_EQ(snap.window_start_s, 0u);
  EXPECT_EQ(snap.per_second.size(), 3u);
}

}  // namespace
}  // namespace acsbatch::emulator
