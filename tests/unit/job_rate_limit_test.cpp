// rate_limit: the job-wide token bucket (per_second, burst, adaptive) and the per-operation
// limits (service-defaults, none, or a map of N/W rates), with every refusal at its place.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace std::chrono_literals;
using namespace acsbatch::job::testing;
using ::testing::ElementsAre;
using mode = rate_limit_spec::per_operation_mode;

TEST(JobRateLimit, DefaultsWhenOmitted) {
  const job j = parse(with_head("steps: [create_user]\n"));
  EXPECT_FALSE(j.rate_limit.per_second);
  EXPECT_EQ(j.rate_limit.burst, 1);
  EXPECT_FALSE(j.rate_limit.adaptive);
  EXPECT_EQ(j.rate_limit.per_operation, mode::service_defaults);
  EXPECT_TRUE(j.rate_limit.per_operation_overrides.empty());
  EXPECT_TRUE(j.warnings.empty());
}

TEST(JobRateLimit, TheDesignSketchIsReadCompletely) {
  const job j = parse(with_head("steps: [create_user]\n"
                                "rate_limit: { per_second: 200, burst: 20, adaptive: true,\n"
                                "              per_operation: service-defaults }\n"));
  EXPECT_EQ(j.rate_limit.per_second, 200.0);
  EXPECT_EQ(j.rate_limit.burst, 20);
  EXPECT_TRUE(j.rate_limit.adaptive);
  EXPECT_EQ(j.rate_limit.per_operation, mode::service_defaults);
  EXPECT_TRUE(j.warnings.empty());  // no longer "not enforced; ignored"
}

TEST(JobRateLimit, DecimalRatesAndBursts) {
  const job j = parse(with_head("steps: [create_user]\nrate_limit: {per_second: 0.5, burst: 1.5}\n"));
  EXPECT_EQ(j.rate_limit.per_second, 0.5);
  EXPECT_EQ(j.rate_limit.burst, 1.5);
  EXPECT_EQ(parse(with_head("steps: [create_user]\nrate_limit: {per_second: 1000000}\n")).rate_limit.per_second,
            1'000'000.0);
}

TEST(JobRateLimit, PerOperationNoneTurnsTheServiceLimitsOff) {
  EXPECT_EQ(parse(with_head("steps: [create_user]\nrate_limit: {per_operation: none}\n")).rate_limit.per_operation,
            mode::none);
}

TEST(JobRateLimit, PerOperationMapKeepsFileOrderAndWindows) {
  const job j = parse(with_head("steps: [create_user]\n"
                                "rate_limit:\n"
                                "  per_operation:\n"
                                "    create_user: 33/s\n"
                                "    issue_token: 1000/30s\n"
                                "    delete_user: 50/1m\n"
                                "    get_user: 0.5/s\n"));
  EXPECT_EQ(j.rate_limit.per_operation, mode::custom);
  const auto& limits = j.rate_limit.per_operation_overrides;
  ASSERT_EQ(limits.size(), 4u);
  EXPECT_EQ(limits[0].first, operation::create_user);
  EXPECT_EQ(limits[0].second.count, 33);
  EXPECT_EQ(limits[0].second.window, 1s);
  EXPECT_EQ(limits[1].first, operation::issue_token);
  EXPECT_EQ(limits[1].second.count, 1000);
  EXPECT_EQ(limits[1].second.window, 30s);
  EXPECT_EQ(limits[2].first, operation::delete_user);
  EXPECT_EQ(limits[2].second.window, 1min);
  EXPECT_EQ(limits[3].first, operation::get_user);
  EXPECT_DOUBLE_EQ(limits[3].second.per_second(), 0.5);
}

TEST(JobRateLimit, AnEmptyPerOperationMapMeansTheDefaults) {
  const job j = parse(with_head("steps: [create_user]\nrate_limit: {per_operation: {}}\n"));
  EXPECT_EQ(j.rate_limit.per_operation, mode::custom);
  EXPECT_TRUE(j.rate_limit.per_operation_overrides.empty());
}

TEST(JobRateLimit, RatesThatAreRefused) {
  const auto message_for = [](std::string_view value) {
    return error_of(with_head("steps: [create_user]\nrate_limit:\n  per_operation:\n    create_user: " +
                              std::string(value) + "\n"));
  };
  const std::string syntax = "job.yaml:8:18: rate_limit.per_operation.create_user must be a rate such as 33/s, "
                             "1000/30s or 50/1m (requests per time window), not ";
  for (const std::string_view bad : {"33", "/s", "x/s", "33/", "33/0s", "33/-1s", "33/ s", "1e3/s", "33/s/s", "33/y"})
    EXPECT_EQ(message_for(bad), syntax + "'" + std::string(bad) + "'");
  EXPECT_EQ(message_for("-3/s"),
            "job.yaml:8:18: rate_limit.per_operation.create_user must allow more than 0 requests, not '-3/s'");
  EXPECT_EQ(message_for("5/2d"),
            "job.yaml:8:18: rate_limit.per_operation.create_user must have a window of at most 1d, not '5/2d'");
  EXPECT_EQ(message_for("2000000/s"), "job.yaml:8:18: rate_limit.per_operation.create_user must be at most 1000000 "
                                      "requests per second, not '2000000/s'");
  EXPECT_EQ(message_for("[1/s]"),
            "job.yaml:8:18: rate_limit.per_operation.create_user must be a single value, not a list");
}

TEST(JobRateLimit, UnknownOperationFarFromAnyStillListsThem) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nrate_limit: {per_operation: {dance: 1/s}}\n")),
            "job.yaml:6:30: unknown operation 'dance' in rate_limit.per_operation (operations: create_user, "
            "create_user_and_token, issue_token, revoke_tokens, delete_user, get_user)");
}

TEST(JobRateLimit, ShapesThatAreRefused) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nrate_limit: 200\n")),
            "job.yaml:6:13: rate_limit must be a mapping of keys, not a single value");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nrate_limit: {per_operation: [create_user]}\n")),
            "job.yaml:6:29: rate_limit.per_operation must be a mapping of keys, not a list");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nrate_limit:\n  per_operation:\n")),
            "job.yaml:7:3: rate_limit.per_operation needs a value");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nrate_limit: {burst: 2000000}\n")),
            "job.yaml:6:21: rate_limit.burst must be at most 1000000, not '2000000'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nrate_limit: {burst: many}\n")),
            "job.yaml:6:21: rate_limit.burst must be a number of requests such as 20, not 'many'");
}

TEST(JobRateLimit, RepeatedOperationIsAnError) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nrate_limit:\n  per_operation:\n    create_user: 1/s\n"
                               "    create_user: 2/s\n")),
            "job.yaml:9:5: key 'create_user' is repeated (first at line 8)");
}

TEST(JobRateLimit, EveryProblemInTheSectionIsReported) {
  EXPECT_THAT(errors_of(with_head("steps: [create_user]\nrate_limit: {per_second: 0, burst: 0, adaptive: 2,\n"
                                  "             per_operation: {get_user: 1}}\n")),
              ElementsAre("job.yaml:6:26: rate_limit.per_second must be greater than 0, not '0'",
                          "job.yaml:6:36: rate_limit.burst must be at least 1, not '0'",
                          "job.yaml:6:49: rate_limit.adaptive must be true or false, not '2'",
                          "job.yaml:7:40: rate_limit.per_operation.get_user must be a rate such as 33/s, 1000/30s "
                          "or 50/1m (requests per time window), not '1'"));
}

TEST(JobRateLimit, ValuesFromTheEnvironmentAreConvertedAfterSubstitution) {
  const job j = parse(with_head("steps: [create_user]\nrate_limit: {per_second: \"${RPS:-25}\"}\n"));
  EXPECT_EQ(j.rate_limit.per_second, 25.0);
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nrate_limit: {per_operation: {create_user: \"${R}\"}}\n"),
                     env_of({{"R", "lots"}})),
            "job.yaml:6:43: rate_limit.per_operation.create_user must be a rate such as 33/s, 1000/30s or 50/1m "
            "(requests per time window), not (a value from the environment, not shown)");
}

}  // namespace
}  // namespace acsbatch::job
