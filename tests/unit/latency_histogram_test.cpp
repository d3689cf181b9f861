// The log-linear latency histogram: bucket geometry, percentiles within 1% of the exact ones on
// known distributions, merges that equal recording everything in one histogram, and histograms
// rebuilt from a report's buckets that merge just as exactly.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "acsbatch/report/latency_histogram.hpp"

namespace acsbatch::report {
namespace {

using std::chrono::microseconds;

/// The exact q-quantile (nearest rank) of sorted values, in ms.
double exact_percentile_ms(const std::vector<std::uint64_t>& sorted, double q) {
  const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))));
  return static_cast<double>(sorted[rank - 1]) / 1000.0;
}

void expect_percentiles_within_one_percent(const std::vector<std::uint64_t>& values) {
  latency_histogram h;
  for (const auto v : values) h.record(microseconds{static_cast<std::int64_t>(v)});
  auto sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (const double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double exact = exact_percentile_ms(sorted, q);
    const double got = h.percentile_ms(q);
    SCOPED_TRACE(q);
    EXPECT_GE(got, exact);  // the upper edge never under-reports
    EXPECT_LE(got, exact * 1.01);
  }
  EXPECT_DOUBLE_EQ(h.max_ms(), static_cast<double>(sorted.back()) / 1000.0);
  EXPECT_DOUBLE_EQ(h.min_ms(), static_cast<double>(sorted.front()) / 1000.0);
}

TEST(LatencyHistogram, EveryValueFitsItsBucketWithinOnePercent) {
  std::size_t previous = 0;
  for (std::uint64_t v = 1; v < (std::uint64_t{1} << 32); v = v + 1 + v / 97) {
    const std::size_t index = latency_histogram::bucket_index(v);
    ASSERT_GE(index, previous) << v;  // monotonic
    previous = index;
    const std::uint64_t upper = latency_histogram::bucket_upper_bound_us(index);
    ASSERT_GE(upper, v);
    ASSERT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 128.0) << v;
    ASSERT_EQ(latency_histogram::bucket_index(upper), index) << v;       // the edge is inside
    if (index + 1 < latency_histogram::bucket_count) {  // the top bucket also takes everything above it
      ASSERT_NE(latency_histogram::bucket_index(upper + 1), index) << v;  // the edge is the last value inside
    }
  }
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  latency_histogram h;
  for (int v = 1; v <= 100; ++v) h.record(microseconds{v});
  EXPECT_EQ(h.count(), 100u);
  EXPECT_DOUBLE_EQ(h.percentile_ms(0.5), 0.050);
  EXPECT_DOUBLE_EQ(h.percentile_ms(0.99), 0.099);
  EXPECT_DOUBLE_EQ(h.percentile_ms(1.0), 0.100);
  EXPECT_DOUBLE_EQ(h.mean_ms(), 0.0505);
}

TEST(LatencyHistogram, UniformDistribution) {
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 1; v <= 200'000; ++v) values.push_back(v * 5);  // 5 µs .. 1 s
  expect_percentiles_within_one_percent(values);
}

TEST(LatencyHistogram, ExponentialDistribution) {
  std::mt19937_64 random(7);
  std::exponential_distribution<double> exponential(1.0 / 20'000.0);  // mean 20 ms
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 100'000; ++i) values.push_back(1 + static_cast<std::uint64_t>(exponential(random)));
  expect_percentiles_within_one_percent(values);
}

TEST(LatencyHistogram, LogNormalDistributionWithALongTail) {
  std::mt19937_64 random(11);
  std::lognormal_distribution<double> lognormal(9.0, 1.5);  // median ~8 ms, tail into seconds
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 100'000; ++i)
    values.push_back(std::min<std::uint64_t>(1 + static_cast<std::uint64_t>(lognormal(random)), 3'000'000'000));
  expect_percentiles_within_one_percent(values);
}

TEST(LatencyHistogram, PercentileIsClampedToTheMaximum) {
  latency_histogram h;
  h.record(microseconds{1001});  // its bucket's upper edge is above 1001 µs
  EXPECT_GT(latency_histogram::bucket_upper_bound_us(latency_histogram::bucket_index(1001)), 1001u);
  EXPECT_DOUBLE_EQ(h.percentile_ms(0.99), 1.001);
  EXPECT_DOUBLE_EQ(h.percentile_ms(0.5), 1.001);
}

TEST(LatencyHistogram, EmptyIsAllZero) {
  const latency_histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.mean_ms(), 0.0);
  EXPECT_EQ(h.max_ms(), 0.0);
  EXPECT_EQ(h.min_ms(), 0.0);
  EXPECT_EQ(h.percentile_ms(0.5), 0.0);
  EXPECT_TRUE(h.buckets().empty());
}

TEST(LatencyHistogram, HugeZeroAndNegativeValues) {
  latency_histogram h;
  h.record(microseconds{0});
  h.record(microseconds{-5});                         // clock skew: counted as 0
  h.record(std::chrono::hours{5});                    // beyond ~71 min: top bucket
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(latency_histogram::bucket_index(std::uint64_t{1} << 40), latency_histogram::bucket_count - 1);
  EXPECT_DOUBLE_EQ(h.max_ms(), 5.0 * 3600 * 1000);
  EXPECT_DOUBLE_EQ(h.percentile_ms(1.0), 5.0 * 3600 * 1000);  // clamped to the true max
  EXPECT_DOUBLE_EQ(h.percentile_ms(0.5), 0.001);               // 0 µs shares the 1 µs bucket
  EXPECT_DOUBLE_EQ(h.percentile_ms(-1.0), 0.001);              // q is clamped to [0, 1]
  EXPECT_DOUBLE_EQ(h.percentile_ms(2.0), 5.0 * 3600 * 1000);
  EXPECT_DOUBLE_EQ(h.percentile_ms(std::nan("")), 0.001);
  EXPECT_DOUBLE_EQ(h.min_ms(), 0.0);
}

TEST(LatencyHistogram, MergeEqualsRecordingBoth) {
  std::mt19937_64 random(3);
  std::uniform_int_distribution<std::int64_t> fast(100, 5'000), slow(50'000, 2'000'000);
  latency_histogram a, b, both;
  for (int i = 0; i < 20'000; ++i) {
    const microseconds x{fast(random)}, y{slow(random)};
    a.record(x);
    b.record(y);
    both.record(x);
    both.record(y);
  }
  latency_histogram merged = a;
  merged.merge(b);
  EXPECT_EQ(merged.count(), both.count());
  EXPECT_EQ(merged.buckets(), both.buckets());
  EXPECT_DOUBLE_EQ(merged.mean_ms(), both.mean_ms());
  EXPECT_DOUBLE_EQ(merged.min_ms(), both.min_ms());
  EXPECT_DOUBLE_EQ(merged.max_ms(), both.max_ms());
  for (const double q : {0.5, 0.9, 0.99, 0.999}) EXPECT_DOUBLE_EQ(merged.percentile_ms(q), both.percentile_ms(q));

  latency_histogram empty;
  empty.merge(a);  // merging into an empty histogram keeps min and max right
  EXPECT_DOUBLE_EQ(empty.min_ms(), a.min_ms());
  EXPECT_DOUBLE_EQ(empty.max_ms(), a.max_ms());
}

/// A histogram rebuilt from what a report keeps: its buckets and the exact sum, min and max.
latency_histogram rebuilt(const latency_histogram& h) {
  const auto buckets = h.buckets();
  return latency_histogram::from_buckets(buckets, h.sum_us(), h.min_us(), h.max_us());
}

void expect_same(const latency_histogram& a, const latency_histogram& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.buckets(), b.buckets());
  EXPECT_EQ(a.sum_us(), b.sum_us());
  EXPECT_EQ(a.min_us(), b.min_us());
  EXPECT_EQ(a.max_us(), b.max_us());
  EXPECT_DOUBLE_EQ(a.mean_ms(), b.mean_ms());
  for (const double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) EXPECT_DOUBLE_EQ(a.percentile_ms(q), b.percentile_ms(q)) << q;
}

TEST(LatencyHistogram, RebuiltFromBucketsEqualsTheOriginal) {
  std::mt19937_64 random(5);
  std::lognormal_distribution<double> lognormal(9.0, 1.5);
  latency_histogram h;
  h.record(microseconds{0});
  h.record(std::chrono::hours{2});  // the top bucket round-trips too
  for (int i = 0; i < 50'000; ++i) h.record(microseconds{static_cast<std::int64_t>(lognormal(random))});
  expect_same(rebuilt(h), h);
  expect_same(rebuilt(latency_histogram{}), latency_histogram{});
}

TEST(LatencyHistogram, MergeOfRebuiltHistogramsEqualsRecordingBoth) {
  std::mt19937_64 random(9);
  std::uniform_int_distribution<std::int64_t> fast(1, 3'000), slow(40'000, 9'000'000);
  latency_histogram a, b, both;
  for (int i = 0; i < 30'000; ++i) {
    const microseconds x{fast(random)}, y{slow(random)};
    a.record(x);
    b.record(y);
    both.record(x);
    both.record(y);
  }
  latency_histogram merged = rebuilt(a);
  merged.merge(rebuilt(b));
  expect_same(merged, both);
  // Merging into a rebuilt empty histogram keeps min and max right.
  latency_histogram empty_first = rebuilt(latency_histogram{});
  empty_first.merge(rebuilt(both));
  expect_same(empty_first, both);
}

TEST(LatencyHistogram, FromBucketsRejectsInconsistentInput) {
  using bucket = latency_histogram::bucket;
  const auto build = [](std::vector<bucket> buckets, std::uint64_t sum, std::uint64_t min, std::uint64_t max) {
    return latency_histogram::from_buckets(buckets, sum, min, max);
  };
  const std::uint64_t edge_1001 = latency_histogram::bucket_upper_bound_us(latency_histogram::bucket_index(1001));
  EXPECT_NO_THROW(build({{5, 1}, {edge_1001, 1}}, 1006, 5, 1001));
  EXPECT_THROW(build({{1001, 1}}, 1001, 1001, 1001), std::invalid_argument);               // not an edge
  EXPECT_THROW(build({{edge_1001, 1}, {5, 1}}, 1006, 5, 1001), std::invalid_argument);     // descending
  EXPECT_THROW(build({{5, 1}, {5, 1}}, 10, 5, 5), std::invalid_argument);                  // repeated
  EXPECT_THROW(build({{5, 1}, {edge_1001, 1}}, 1006, 4, 1001), std::invalid_argument);     // min elsewhere
  EXPECT_THROW(build({{5, 1}, {edge_1001, 1}}, 1006, 5, 2000), std::invalid_argument);     // max elsewhere
  EXPECT_THROW(build({{5, 1}, {edge_1001, 1}}, 1000, 5, 1001), std::invalid_argument);     // sum < max
  EXPECT_THROW(build({{5, 1}, {edge_1001, 1}}, 5000, 5, 1001), std::invalid_argument);     // sum > count·max
  EXPECT_THROW(build({{5, UINT64_MAX}, {edge_1001, 1}}, 1006, 5, 1001), std::invalid_argument);  // overflow
  // Zero counts are ignored, but must still ascend.
  const auto h = build({{3, 0}, {5, 2}, {7, 0}}, 10, 5, 5);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_DOUBLE_EQ(h.percentile_ms(1.0), 0.005);
}

}  // namespace
}  // namespace acsbatch::report
