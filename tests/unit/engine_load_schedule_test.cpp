// The open model's timetable, without clocks: how many iterations a schedule starts and when.

#include <gtest/gtest.h>

#include "acsbatch/engine/load_schedule.hpp"

namespace acsbatch::engine {
namespace {

using namespace std::chrono_literals;

job::load_spec constant(double rate, std::chrono::milliseconds duration) {
  job::load_spec spec;
  spec.executor = job::load_spec::executor_kind::constant_arrival_rate;
  spec.rate = rate;
  spec.duration = duration;
  return spec;
}

double seconds_of(std::optional<std::chrono::nanoseconds> offset) {
  return offset ? static_cast<double>(offset->count()) / 1e9 : -1;
}

TEST(EngineLoadSchedule, AConstantRateStartsIterationKAtKOverTheRate) {
  const arrival_schedule schedule{constant(500, 4s)};
  EXPECT_EQ(schedule.total(), 2000u);
  EXPECT_DOUBLE_EQ(seconds_of(schedule.offset_of(0)), 0);
  EXPECT_NEAR(seconds_of(schedule.offset_of(1)), 0.002, 1e-9);
  EXPECT_NEAR(seconds_of(schedule.offset_of(1999)), 3.998, 1e-9);
  EXPECT_FALSE(schedule.offset_of(2000));
}

TEST(EngineLoadSchedule, SlowRatesCountWholeIterations) {
  EXPECT_EQ(arrival_schedule(constant(0.1, 10s)).total(), 1u);
  EXPECT_EQ(arrival_schedule(constant(3, 1500ms)).total(), 4u);
}

TEST(EngineLoadSchedule, ARampFollowsItsStagesLinearly) {
  job::load_spec spec;
  spec.executor = job::load_spec::executor_kind::ramping_arrival_rate;
  spec.start_rate = 0;
  spec.stages = {{100, 2s}, {100, 1s}, {0, 2s}};
  const arrival_schedule schedule{spec};
  // 0→100/s over 2 s is 100 iterations, then 100, then 100 more while it falls to 0.
  EXPECT_EQ(schedule.total(), 300u);
  // On the ramp up N(t) = 25·t², so iteration 25 is due at 1 s and iteration 100 at 2 s.
  EXPECT_NEAR(seconds_of(schedule.offset_of(25)), 1.0, 1e-6);
  EXPECT_NEAR(seconds_of(schedule.offset_of(100)), 2.0, 1e-6);
  EXPECT_NEAR(seconds_of(schedule.offset_of(150)), 2.5, 1e-6);
  // Falling: N(t) = 100·t − 25·t² after 3 s; iteration 275 is due at 4 s.
  EXPECT_NEAR(seconds_of(schedule.offset_of(275)), 4.0, 1e-6);
  // Offsets only grow.
  for (std::uint64_t k = 1; k < schedule.total(); ++k) ASSERT_GE(*schedule.offset_of(k), *schedule.offset_of(k - 1));
}

TEST(EngineLoadSchedule, LoadItemsAreNewUsersNumberedFromZero) {
  load_items items{3};
  EXPECT_EQ(items.next()->index, 0u);
  EXPECT_EQ(items.count_remaining(), 2u);
  EXPECT_EQ(items.next()->index, 1u);
  EXPECT_EQ(items.next()->index, 2u);
  EXPECT_FALSE(items.next());
  load_items unbounded{std::nullopt};
  EXPECT_FALSE(unbounded.total());
  EXPECT_TRUE(unbounded.next()->user_id.empty());
}

}  // namespace
}  // namespace acsbatch::engine
