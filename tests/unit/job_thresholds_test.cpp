// The `thresholds:` section of a job file: read into report::threshold values, each mistake
// reported at its FILE:LINE:COL (inside the quoted or plain text), and only the job's own
// operations accepted.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace acsbatch::job::testing;
using ::testing::ElementsAre;

constexpr std::string_view steps = "steps:\n  - create_user\n  - issue_token: {scopes: [voip]}\n";  // lines 5-7

TEST(JobThresholds, AreReadInOrder) {
  const job j = parse(with_head(std::string(steps) +
                                "thresholds: [\"p99(issue_token) < 300ms\", \"error_rate < 0.1%\", "
                                "\"rate(create_user) > 900/s\"]\n"));
  ASSERT_EQ(j.thresholds.size(), 3u);
  EXPECT_EQ(report::to_string(j.thresholds[0]), "p99(issue_token) < 300ms");
  EXPECT_EQ(report::to_string(j.thresholds[1]), "error_rate < 0.1%");
  EXPECT_EQ(report::to_string(j.thresholds[2]), "rate(create_user) > 900/s");
  EXPECT_TRUE(j.warnings.empty());
}

TEST(JobThresholds, BlockListsAndPlainScalars) {
  const job j = parse(with_head(std::string(steps) + "thresholds:\n  - p99(issue_token) < 300ms\n  - failed == 0\n"));
  ASSERT_EQ(j.thresholds.size(), 2u);
  EXPECT_EQ(j.thresholds[1].metric, report::threshold_metric::failed);
  EXPECT_TRUE(parse(with_head(std::string(steps) + "thresholds: []\n")).thresholds.empty());
  EXPECT_TRUE(parse(with_head(std::string(steps) + "thresholds:\n")).thresholds.empty());
}

TEST(JobThresholds, MistakesPointAtTheColumnInsideTheText) {
  // Plain scalar at column 5 of line 9: the metric is at 5, the unit at 5 + 9.
  EXPECT_EQ(error_of(with_head(std::string(steps) + "thresholds:\n  - P99(issue_token) < 3ms\n")),
            "job.yaml:9:5: threshold: unknown metric 'P99'; did you mean 'p99'? (metrics: p50, p90, p95, p99, p999, "
            "max, mean, avg, error_rate, rate, count, failed, throttled)");
  EXPECT_EQ(error_of(with_head(std::string(steps) + "thresholds:\n  - p99 < 300\n")),
            "job.yaml:9:14: threshold: a latency needs a unit: us, ms or s (e.g. 300ms)");
  // Double-quoted at column 14: the text starts one column later.
  EXPECT_EQ(error_of(with_head(std::string(steps) + "thresholds: [\"p99(issue_tokn) < 3ms\"]\n")),
            "job.yaml:8:19: threshold: unknown operation 'issue_tokn'; did you mean 'issue_token'? (operations: "
            "create_user, create_user_and_token, issue_token, revoke_tokens, delete_user, get_user)");
  EXPECT_EQ(error_of(with_head(std::string(steps) + "thresholds: ['error_rate < 5%%']\n")),
            "job.yaml:8:30: threshold: unexpected '%' after the threshold");
}

TEST(JobThresholds, OnlyTheJobsOwnOperations) {
  EXPECT_EQ(error_of(with_head(std::string(steps) + "thresholds: [\"p99(delete_user) < 1s\"]\n")),
            "job.yaml:8:19: threshold: delete_user is not a step of this job (steps: create_user, issue_token)");
}

TEST(JobThresholds, EveryBadThresholdIsReported) {
  const auto errors = errors_of(with_head(std::string(steps) + "thresholds:\n  - p99 < 3\n  - rate > 1ms\n  - [x]\n"));
  EXPECT_THAT(errors, ElementsAre("job.yaml:9:12: threshold: a latency needs a unit: us, ms or s (e.g. 300ms)",
                                  "job.yaml:10:13: threshold: rate takes operations per second (900/s or 900), not 'ms'",
                                  "job.yaml:11:5: thresholds[2] must be a single value, not a list"));
}

TEST(JobThresholds, AMappingEntryMayAbortTheRunOnFailure) {
  const job j = parse(with_head(std::string(steps) +
                                "thresholds:\n"
                                "  - p99(issue_token) < 300ms\n"
                                "  - {threshold: \"error_rate < 1%\", abort_on_fail: true, delay_abort_eval: 10s}\n"
                                "  - {threshold: \"failed <= 5\", abort_on_fail: true}\n"
                                "  - {threshold: \"count > 2\", abort_on_fail: false}\n"));
  ASSERT_EQ(j.thresholds.size(), 4u);
  EXPECT_EQ(report::to_string(j.thresholds[1]), "error_rate < 1%");
  EXPECT_EQ(report::to_string(j.thresholds[3]), "count > 2");
  EXPECT_THAT(j.threshold_aborts, ElementsAre(job::threshold_abort{1, std::chrono::seconds{10}},
                                              job::threshold_abort{2, std::chrono::milliseconds{0}}));
}

TEST(JobThresholds, AbortRulesThatCannotHoldAreRefused) {
  const std::string head = with_head(std::string(steps) + "thresholds:\n");
  // A count only grows: `count > 1000` failing early says nothing about the end.
  EXPECT_EQ(error_of(head + "  - {threshold: \"count > 1000\", abort_on_fail: true}\n"),
            "job.yaml:9:17: threshold: count > 1000: count only grows during a run: abort_on_fail can judge it "
            "with < or <= only");
  EXPECT_EQ(error_of(head + "  - {threshold: \"failed == 0\", delay_abort_eval: 5s}\n"),
            "job.yaml:9:32: thresholds[0].delay_abort_eval is used only with abort_on_fail: true");
  EXPECT_EQ(error_of(head + "  - {abort_on_fail: true}\n"),
            "job.yaml:9:5: a threshold written as a mapping needs threshold: (e.g. {threshold: \"p99(issue_token) < "
            "300ms\", abort_on_fail: true})");
  EXPECT_EQ(error_of(head + "  - {threshold: \"failed == 0\", abort_on_fial: true}\n"),
            "job.yaml:9:32: unknown key 'abort_on_fial' in thresholds[0]; did you mean 'abort_on_fail'?");
  EXPECT_EQ(error_of(head + "  - {threshold: \"p99 < 3s\", abort_on_fail: true, delay_abort_eval: 2d}\n"),
            "job.yaml:9:68: thresholds[0].delay_abort_eval must be at most 24h, not '2d'");
}

TEST(JobThresholds, NotAList) {
  EXPECT_EQ(error_of(with_head(std::string(steps) + "thresholds: {p99: 1s}\n")),
            "job.yaml:8:13: thresholds must be a list, not a mapping");
}

TEST(JobThresholds, AValueFromTheEnvironmentIsNeverEchoed) {
  const auto error = error_of(with_head(std::string(steps) + "thresholds: [\"${T}\"]\n"), env_of({{"T", "secret < 3"}}));
  EXPECT_EQ(error, "job.yaml:8:14: the threshold from the environment is not valid (at character 1)");
  const job j = parse(with_head(std::string(steps) + "thresholds: [\"${T}\"]\n"), env_of({{"T", "failed == 0"}}));
  ASSERT_EQ(j.thresholds.size(), 1u);
}

}  // namespace
}  // namespace acsbatch::job
