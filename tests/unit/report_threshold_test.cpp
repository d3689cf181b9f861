// Thresholds: every metric, unit and comparison read from text and back, each kind of mistake
// with the byte it points at, and evaluation on counters (a finished run or a live snapshot).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acsbatch/report/threshold.hpp"

namespace acsbatch::report {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr std::string_view ops[] = {"create_user", "issue_token", "delete_user"};

threshold parse(std::string_view text) { return parse_threshold(text, ops); }

/// The error's offset and message; fails the test when the text parses.
std::pair<std::size_t, std::string> error_of(std::string_view text) {
  try {
    (void)parse_threshold(text, ops, [](std::string_view word, std::span<const std::string_view>) {
      return word == "p98" ? std::string("; did you mean 'p99'?") : std::string();
    });
  } catch (const threshold_error& e) {
    return {e.offset(), e.what()};
  }
  ADD_FAILURE() << "parsed: " << text;
  return {};
}

TEST(ThresholdParse, ReadsTheIssueExamples) {
  const auto p99 = parse("p99(issue_token) < 300ms");
  EXPECT_EQ(p99.metric, threshold_metric::p99);
  EXPECT_EQ(p99.operation, "issue_token");
  EXPECT_EQ(p99.comparison, threshold_comparison::less);
  EXPECT_EQ(p99.limit, 300.0);
  EXPECT_EQ(to_string(p99), "p99(issue_token) < 300ms");

  const auto errors = parse("error_rate < 0.1%");
  EXPECT_EQ(errors.metric, threshold_metric::error_rate);
  EXPECT_EQ(errors.operation, "");
  EXPECT_DOUBLE_EQ(errors.limit, 0.001);
  EXPECT_EQ(to_string(errors), "error_rate < 0.1%");

  const auto rate = parse("rate(create_user) > 900/s");
  EXPECT_EQ(rate.metric, threshold_metric::rate);
  EXPECT_EQ(rate.comparison, threshold_comparison::greater);
  EXPECT_EQ(rate.limit, 900.0);
  EXPECT_EQ(to_string(rate), "rate(create_user) > 900/s");
}

TEST(ThresholdParse, EveryMetricAndComparison) {
  struct row {
    std::string_view text;
    threshold_metric metric;
    threshold_comparison comparison;
    double limit;
    std::string_view canonical;
  };
  const row rows[] = {
      {"p50(create_user) <= 5ms", threshold_metric::p50, threshold_comparison::less_equal, 5, "p50(create_user) <= 5ms"},
      {"p90 < 1s", threshold_metric::p90, threshold_comparison::less, 1000, "p90 < 1s"},
      {"p95(delete_user)>=250us", threshold_metric::p95, threshold_comparison::greater_equal, 0.25,
       "p95(delete_user) >= 250us"},
      {"p99 < 0.5s", threshold_metric::p99, threshold_comparison::less, 500, "p99 < 0.5s"},
      {"p999(issue_token) < 2s", threshold_metric::p999, threshold_comparison::less, 2000, "p999(issue_token) < 2s"},
      {"max(issue_token) < 10s", threshold_metric::max, threshold_comparison::less, 10000, "max(issue_token) < 10s"},
      {"mean(issue_token) < 20ms", threshold_metric::mean, threshold_comparison::less, 20, "mean(issue_token) < 20ms"},
      {"avg < 20ms", threshold_metric::mean, threshold_comparison::less, 20, "mean < 20ms"},
      {"error_rate(issue_token) == 0", threshold_metric::error_rate, threshold_comparison::equal, 0,
       "error_rate(issue_token) == 0"},
      {"error_rate <= 0.05", threshold_metric::error_rate, threshold_comparison::less_equal, 0.05, "error_rate <= 0.05"},
      {"rate > 50", threshold_metric::rate, threshold_comparison::greater, 50, "rate > 50"},
      {"count(create_user) == 10000", threshold_metric::count, threshold_comparison::equal, 10000,
       "count(create_user) == 10000"},
      {"failed == 0", threshold_metric::failed, threshold_comparison::equal, 0, "failed == 0"},
      {"throttled(issue_token) < 100", threshold_metric::throttled, threshold_comparison::less, 100,
       "throttled(issue_token) < 100"},
      {"  p99 ( issue_token )  <  300 ms  ", threshold_metric::p99, threshold_comparison::less, 300,
       "p99(issue_token) < 300ms"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto t = parse(r.text);
    EXPECT_EQ(t.metric, r.metric);
    EXPECT_EQ(t.comparison, r.comparison);
    EXPECT_DOUBLE_EQ(t.limit, r.limit);
    EXPECT_EQ(to_string(t), r.canonical);
    EXPECT_EQ(parse(to_string(t)), t);  // the canonical text reads back the same
  }
}

TEST(ThresholdParse, MistakesPointAtTheirByte) {
  struct row {
    std::string_view text;
    std::size_t offset;
    std::string message;
  };
  const row rows[] = {
      {"", 0, "a threshold must not be empty; e.g. p99(issue_token) < 300ms"},
      {"p98(issue_token) < 3ms", 0, "unknown metric 'p98'; did you mean 'p99'? (metrics: p50, p90, p95, p99, p999, "
                                    "max, mean, avg, error_rate, rate, count, failed, throttled)"},
      {"p99(issue_tokn) < 3ms", 4, "unknown operation 'issue_tokn' (operations: create_user, issue_token, delete_user)"},
      {"p99() < 3ms", 4, "expected an operation name after '(', e.g. p99(issue_token)"},
      {"p99(issue_token < 3ms", 16, "expected ')' after the operation 'issue_token'"},
      {"p99 3ms", 4, "expected a comparison (<, <=, >, >= or ==), not '3ms'"},
      {"p99 = 3ms", 4, "use == to compare for equality"},
      {"p99", 3, "expected a comparison (<, <=, >, >= or ==) and a value, e.g. p99(issue_token) < 300ms"},
      {"p99 <", 5, "expected a value after the comparison, e.g. 300ms"},
      {"p99 < -3ms", 6, "a threshold's value cannot be negative"},
      {"p99 < fast", 6, "expected a number such as 300 or 0.5, not 'fast'"},
      {"p99 < 300", 9, "a latency needs a unit: us, ms or s (e.g. 300ms)"},
      {"p99 < 300%", 9, "p99 takes a latency in us, ms or s, not '%'"},
      {"p99 < 3min", 7, "unknown unit 'min' (units: us, ms, s, %, /s)"},
      {"p99 < 3.ms", 6, "expected digits after the decimal point"},
      {"error_rate < 1ms", 14, "error_rate takes a fraction (0.001) or a percentage (0.1%), not 'ms'"},
      {"error_rate < 101%", 13, "error_rate cannot exceed 100%"},
      {"error_rate < 5", 13, "error_rate is a fraction from 0 to 1 or a percentage (0.1%), not '5'"},
      {"rate(create_user) > 900/m", 23, "unknown unit '/m' (units: us, ms, s, %, /s)"},
      {"rate > 9ms", 8, "rate takes operations per second (900/s or 900), not 'ms'"},
      {"count > 1.5", 8, "count is a whole number, not '1.5'"},
      {"failed > 1/s", 10, "failed takes a number of operations, not '/s'"},
      {"p99 < 3ms and more", 10, "unexpected 'and more' after the threshold"},
      {"p99 < 12345678901234ms", 6, "the number '12345678901234' has too many digits"},
      {"p99 < 1.0123456789ms", 6, "the number '1.0123456789' has too many digits"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto [offset, message] = error_of(r.text);
    EXPECT_EQ(message, r.message);
    EXPECT_EQ(offset, r.offset);
  }
}

TEST(ThresholdParse, AnUnknownOperationListsWhatTheJobHas) {
  constexpr std::string_view none[] = {"x"};
  try {
    (void)parse_threshold("p99(get_user) < 1ms", std::span<const std::string_view>(none, 0));
    FAIL();
  } catch (const threshold_error& e) {
    EXPECT_STREQ(e.what(), "unknown operation 'get_user': the job has no operations");
  }
}

/// Counters of a small run: create_user 100 ok at 1..100 ms; issue_token 98 ok + 2 failed at
/// 10 ms, 5 throttled attempts.
std::map<std::string, operation_totals> counters() {
  std::map<std::string, operation_totals> out;
  auto& create = out["create_user"];
  for (int i = 1; i <= 100; ++i) {
    ++create.count, ++create.ok;
    create.latency.record(std::chrono::milliseconds(i));
  }
  auto& issue = out["issue_token"];
  for (int i = 0; i < 100; ++i) {
    ++issue.count;
    if (i < 2) ++issue.failed;
    else ++issue.ok;
    issue.latency.record(10ms);
  }
  issue.throttled = 5;
  return out;
}

TEST(ThresholdEvaluate, EachMetricMeasuresWhatItSays) {
  const auto c = counters();
  const auto value = [&](std::string_view text) { return measure(parse(text), c, 10.0); };
  EXPECT_NEAR(*value("p50(create_user) < 1ms"), 50.0, 50.0 * 0.008);
  EXPECT_NEAR(*value("p90(create_user) < 1ms"), 90.0, 90.0 * 0.008);
  EXPECT_NEAR(*value("p95(create_user) < 1ms"), 95.0, 95.0 * 0.008);
  EXPECT_NEAR(*value("p99(create_user) < 1ms"), 99.0, 99.0 * 0.008);
  EXPECT_EQ(*value("p999(create_user) < 1ms"), 100.0);
  EXPECT_EQ(*value("max(create_user) < 1ms"), 100.0);
  EXPECT_DOUBLE_EQ(*value("mean(create_user) < 1ms"), 50.5);
  EXPECT_DOUBLE_EQ(*value("avg < 1ms"), (5050.0 + 1000.0) / 200.0);  // every operation
  EXPECT_EQ(*value("max < 1ms"), 100.0);
  EXPECT_DOUBLE_EQ(*value("error_rate < 1%"), 2.0 / 200.0);
  EXPECT_DOUBLE_EQ(*value("error_rate(issue_token) < 1%"), 0.02);
  EXPECT_DOUBLE_EQ(*value("error_rate(create_user) < 1%"), 0.0);
  EXPECT_DOUBLE_EQ(*value("rate(create_user) > 1/s"), 10.0);  // 100 ok in 10 s
  EXPECT_DOUBLE_EQ(*value("rate > 1/s"), 19.8);
  EXPECT_EQ(*value("count < 1"), 200.0);
  EXPECT_EQ(*value("count(issue_token) < 1"), 100.0);
  EXPECT_EQ(*value("failed < 1"), 2.0);
  EXPECT_EQ(*value("failed(create_user) < 1"), 0.0);
  EXPECT_EQ(*value("throttled < 1"), 5.0);
}

TEST(ThresholdEvaluate, ComparisonsAndUnits) {
  const auto c = counters();
  const auto ok = [&](std::string_view text) { return evaluate(parse(text), c, 10.0).ok; };
  EXPECT_TRUE(ok("max(create_user) <= 100ms"));
  EXPECT_FALSE(ok("max(create_user) < 100ms"));
  EXPECT_TRUE(ok("max(create_user) == 0.1s"));  // scaled from seconds: equal within rounding
  EXPECT_TRUE(ok("max(create_user) == 100000us"));
  EXPECT_TRUE(ok("max(create_user) >= 100ms"));
  EXPECT_FALSE(ok("max(create_user) > 100ms"));
  EXPECT_TRUE(ok("error_rate < 1.1%"));
  EXPECT_FALSE(ok("error_rate < 1%"));
  EXPECT_TRUE(ok("error_rate <= 0.01"));
  EXPECT_TRUE(ok("rate(create_user) >= 10/s"));
  EXPECT_FALSE(ok("rate(create_user) > 10/s"));
  EXPECT_TRUE(ok("failed(create_user) == 0"));
  EXPECT_FALSE(ok("failed == 0"));
}

TEST(ThresholdEvaluate, NothingMeasuredFails) {
  const auto c = counters();
  const auto result = evaluate(parse("p99(delete_user) < 1s"), c, 10.0);
  EXPECT_EQ(result.value, std::nullopt);
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(evaluate(parse("error_rate(delete_user) < 1%"), c, 10.0).ok);
  EXPECT_FALSE(evaluate(parse("rate > 1/s"), c, 0.0).ok);
  // Counts of an operation that never ran are a real zero.
  EXPECT_TRUE(evaluate(parse("count(delete_user) == 0"), c, 10.0).ok);
  EXPECT_EQ(evaluate(parse("p99 < 1s"), {}, 1.0).value, std::nullopt);
}

TEST(ThresholdEvaluate, WorksOnALiveSnapshotAsItGrows) {
  // abort_on_fail: the engine may evaluate the counters of a run still going.
  std::map<std::string, operation_totals> live;
  const auto t = parse("error_rate < 10%");
  EXPECT_FALSE(evaluate(t, live, 0.5).ok);  // nothing yet
  auto& create = live["create_user"];
  create.count = 10, create.ok = 10;
  EXPECT_TRUE(evaluate(t, live, 1.0).ok);
  create.count = 20, create.failed = 5;
  const auto later = evaluate(t, live, 2.0);
  EXPECT_FALSE(later.ok);
  EXPECT_DOUBLE_EQ(*later.value, 0.25);
  EXPECT_EQ(later.expr, "error_rate < 10%");
}

TEST(ThresholdFormat, ValuesInTheUnitTheyWereWrittenIn) {
  EXPECT_EQ(format_value(parse("p99 < 300ms"), 12.3456), "12.346ms");
  EXPECT_EQ(format_value(parse("p99 < 1s"), 1234.5), "1.2345s");
  EXPECT_EQ(format_value(parse("p99 < 900us"), 0.25), "250us");
  EXPECT_EQ(format_value(parse("error_rate < 0.1%"), 0.00025), "0.025%");
  EXPECT_EQ(format_value(parse("error_rate < 0.01"), 0.00025), "0.00025");
  EXPECT_EQ(format_value(parse("rate > 900/s"), 912.34), "912.3/s");
  EXPECT_EQ(format_value(parse("rate > 900"), 912.34), "912.3/s");
  EXPECT_EQ(format_value(parse("failed == 0"), 3.0), "3");
  EXPECT_EQ(format_value(parse("failed == 0"), std::nullopt), "no data");
  EXPECT_TRUE(judges_errors(threshold_metric::error_rate));
  EXPECT_TRUE(judges_errors(threshold_metric::failed));
  EXPECT_FALSE(judges_errors(threshold_metric::p99));
}

}  // namespace
}  // namespace acsbatch::report
