// A report's `histogram` object: its exact text, a round trip through Boost.JSON that merges like
// the originals, and clear errors for objects that are not one.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <random>

#include "acsbatch/report/histogram_json.hpp"

namespace acsbatch::report {
namespace {

namespace json = boost::json;
using std::chrono::microseconds;
using ::testing::HasSubstr;

latency_histogram read_back(const latency_histogram& h) { return histogram_from_json(json::parse(histogram_json(h))); }

std::string error_of(std::string_view text) {
  try {
    histogram_from_json(json::parse(text));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(HistogramJson, WritesUnitSubBucketsExactStatisticsAndNonEmptyBucketsAscending) {
  latency_histogram h;
  for (const int us : {7, 7, 1001, 3}) h.record(microseconds{us});
  const std::uint64_t edge_1001 = latency_histogram::bucket_upper_bound_us(latency_histogram::bucket_index(1001));
  EXPECT_EQ(histogram_json(h), R"({"unit":"us","sub_buckets":128,"sum":1018,"min":3,"max":1001,"buckets":[[3,1],[7,2],[)" +
                                   std::to_string(edge_1001) + ",1]]}");
  EXPECT_EQ(histogram_json(latency_histogram{}), R"({"unit":"us","sub_buckets":128,"sum":0,"min":0,"max":0,"buckets":[]})");
}

TEST(HistogramJson, ReadBackMergesLikeTheOriginals) {
  std::mt19937_64 random(13);
  std::exponential_distribution<double> exponential(1.0 / 30'000.0);
  latency_histogram a, b, both;
  for (int i = 0; i < 20'000; ++i) {
    const microseconds x{static_cast<std::int64_t>(exponential(random))};
    (i % 3 == 0 ? a : b).record(x);
    both.record(x);
  }
  latency_histogram merged = read_back(a);
  merged.merge(read_back(b));
  EXPECT_EQ(merged.count(), both.count());
  EXPECT_EQ(merged.buckets(), both.buckets());
  EXPECT_DOUBLE_EQ(merged.mean_ms(), both.mean_ms());
  EXPECT_DOUBLE_EQ(merged.min_ms(), both.min_ms());
  EXPECT_DOUBLE_EQ(merged.max_ms(), both.max_ms());
  for (const double q : {0.5, 0.9, 0.99, 0.999}) EXPECT_DOUBLE_EQ(merged.percentile_ms(q), both.percentile_ms(q));
  EXPECT_EQ(histogram_json(merged), histogram_json(both));
}

TEST(HistogramJson, RejectsWhatIsNotAHistogram) {
  EXPECT_THAT(error_of("[]"), HasSubstr("not an object"));
  EXPECT_THAT(error_of(R"({"unit":"ms","sub_buckets":128,"sum":0,"min":0,"max":0,"buckets":[]})"), HasSubstr("\"unit\""));
  EXPECT_THAT(error_of(R"({"unit":"us","sub_buckets":64,"sum":0,"min":0,"max":0,"buckets":[]})"),
              HasSubstr("\"sub_buckets\" must be 128"));
  EXPECT_THAT(error_of(R"({"unit":"us","sub_buckets":128,"min":0,"max":0,"buckets":[]})"), HasSubstr("missing \"sum\""));
  EXPECT_THAT(error_of(R"({"unit":"us","sub_buckets":128,"sum":-1,"min":0,"max":0,"buckets":[]})"),
              HasSubstr("\"sum\" is not a non-negative integer"));
  EXPECT_THAT(error_of(R"({"unit":"us","sub_buckets":128,"sum":0,"min":0,"max":0,"buckets":{}})"),
              HasSubstr("\"buckets\" must be an array"));
  EXPECT_THAT(error_of(R"({"unit":"us","sub_buckets":128,"sum":5,"min":5,"max":5,"buckets":[[5]]})"),
              HasSubstr("pair"));
  EXPECT_THAT(error_of(R"({"unit":"us","sub_buckets":128,"sum":5,"min":5,"max":5,"buckets":[[5,1.5]]})"),
              HasSubstr("count"));
  EXPECT_THAT(error_of(R"({"unit":"us","sub_buckets":128,"sum":1001,"min":1001,"max":1001,"buckets":[[1001,1]]})"),
              HasSubstr("not a bucket's upper bound"));
  EXPECT_EQ(error_of(R"({"unit":"us","sub_buckets":128,"sum":10,"min":5,"max":5,"buckets":[[5,2]]})"), "(no error)");
}

}  // namespace
}  // namespace acsbatch::report
