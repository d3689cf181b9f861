// retry (attempts, backoff bounds, which failures are retried) and timeouts (request, job,
// grace): what they become and where each refusal points.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace std::chrono_literals;
using namespace acsbatch::job::testing;
using ::testing::ElementsAre;

/// The retry.on flags in the order of the job file's list of valid items.
std::vector<bool> conditions(const retry_spec& r) {
  return {r.on_429, r.on_500, r.on_502, r.on_503, r.on_504, r.on_timeout, r.on_connection};
}

TEST(JobRetry, DefaultsWhenOmitted) {
  const retry_spec r = parse(with_head("steps: [create_user]\n")).retry;
  EXPECT_EQ(r.max_attempts, 6u);
  EXPECT_EQ(r.initial_backoff, 200ms);
  EXPECT_EQ(r.max_backoff, 30s);
  EXPECT_THAT(conditions(r), ElementsAre(true, true, true, true, true, true, true));
}

TEST(JobRetry, TheDesignSketchIsReadCompletely) {
  const job j = parse(with_head("steps: [create_user]\n"
                                "retry: { max_attempts: 4, initial_backoff: 100ms, max_backoff: 2m,\n"
                                "         on: [429, 500, 502, 503, 504, timeout, connection] }\n"));
  EXPECT_EQ(j.retry.max_attempts, 4u);
  EXPECT_EQ(j.retry.initial_backoff, 100ms);
  EXPECT_EQ(j.retry.max_backoff, 2min);
  EXPECT_THAT(conditions(j.retry), ElementsAre(true, true, true, true, true, true, true));
  EXPECT_TRUE(j.warnings.empty());  // no longer "not applied; ignored"
}

TEST(JobRetry, ListingASubsetRetriesOnlyThat) {
  const retry_spec r = parse(with_head("steps: [create_user]\nretry: {on: [429, timeout]}\n")).retry;
  EXPECT_THAT(conditions(r), ElementsAre(true, false, false, false, false, true, false));
}

TEST(JobRetry, AnEmptyListRetriesNothing) {
  const retry_spec r = parse(with_head("steps: [create_user]\nretry: {on: []}\n")).retry;
  EXPECT_THAT(conditions(r), ElementsAre(false, false, false, false, false, false, false));
  EXPECT_EQ(r.max_attempts, 6u);
}

TEST(JobRetry, AttemptsFromOneToAHundred) {
  EXPECT_EQ(parse(with_head("steps: [create_user]\nretry: {max_attempts: 1}\n")).retry.max_attempts, 1u);
  EXPECT_EQ(parse(with_head("steps: [create_user]\nretry: {max_attempts: 100}\n")).retry.max_attempts, 100u);
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nretry: {max_attempts: 101}\n")),
            "job.yaml:6:23: retry.max_attempts must be from 1 to 100, not '101'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nretry: {max_attempts: two}\n")),
            "job.yaml:6:23: retry.max_attempts must be a whole number from 1 to 100, not 'two'");
}

TEST(JobRetry, BackoffsMayBeZeroButNotCrossed) {
  const retry_spec r = parse(with_head("steps: [create_user]\nretry: {initial_backoff: 0s, max_backoff: 0s}\n")).retry;
  EXPECT_EQ(r.initial_backoff, 0ms);
  EXPECT_EQ(r.max_backoff, 0ms);
  EXPECT_EQ(parse(with_head("steps: [create_user]\nretry: {initial_backoff: 1s, max_backoff: 1s}\n")).retry.max_backoff,
            1s);
  // Against a default, the message says it is one.
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nretry: {initial_backoff: 1m}\n")),
            "job.yaml:6:26: retry.initial_backoff (1m) must not be longer than retry.max_backoff (30s, the default)");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nretry: {max_backoff: 150ms}\n")),
            "job.yaml:6:22: retry.max_backoff (150ms) must not be shorter than retry.initial_backoff (200ms, the "
            "default)");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nretry: {max_backoff: 1500ms, initial_backoff: 90s}\n")),
            "job.yaml:6:47: retry.initial_backoff (90s) must not be longer than retry.max_backoff (1500ms)");
}

TEST(JobRetry, BackoffsAreDurations) {
  EXPECT_THAT(error_of(with_head("steps: [create_user]\nretry: {initial_backoff: 200}\n")),
              ::testing::HasSubstr("job.yaml:6:26: retry.initial_backoff must be a duration such as 250ms"));
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nretry: {initial_backoff: 61m}\n")),
            "job.yaml:6:26: retry.initial_backoff must be between 0s and 1h");
}

TEST(JobRetry, OnMustBeAListOfKnownItems) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nretry: {on: 429}\n")),
            "job.yaml:6:13: retry.on must be a list, not a single value");
  EXPECT_THAT(errors_of(with_head("steps: [create_user]\nretry:\n  on:\n    - 429\n    - 404\n    - Timeout\n")),
              ElementsAre("job.yaml:9:7: unknown condition '404' in retry.on (valid: 429, 500, 502, 503, 504, "
                          "timeout, connection)",
                          "job.yaml:10:7: unknown condition 'Timeout' in retry.on (valid: 429, 500, 502, 503, 504, "
                          "timeout, connection)"));
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nretry: {tries: 3}\n")),
            "job.yaml:6:9: unknown key 'tries' in retry (known keys: max_attempts, initial_backoff, max_backoff, throttled_for, on)");
}

TEST(JobTimeouts, RequestJobAndGrace) {
  const job j = parse(with_head("steps: [create_user]\ntimeouts: {request: 250ms, job: 1h, grace: 0s}\n"));
  EXPECT_EQ(j.request_timeout, 250ms);
  EXPECT_EQ(j.job_timeout, 1h);
  EXPECT_EQ(j.grace, 0ms);
  EXPECT_TRUE(j.warnings.empty());  // timeouts.job is enforced now
  const job defaults = parse(with_head("steps: [create_user]\n"));
  EXPECT_EQ(defaults.request_timeout, 10s);
  EXPECT_FALSE(defaults.job_timeout);
  EXPECT_EQ(defaults.grace, 30s);
  EXPECT_EQ(parse(with_head("steps: [create_user]\ntimeouts: {job: 30d, grace: 10m}\n")).job_timeout,
            std::chrono::hours{30 * 24});
}

TEST(JobTimeouts, OutOfRange) {
  EXPECT_THAT(error_of(with_head("steps: [create_user]\ntimeouts: {request: 10 s}\n")),
              ::testing::HasSubstr("job.yaml:6:21: timeouts.request must be a duration such as 250ms, 30s, 5m"));
  EXPECT_EQ(error_of(with_head("steps: [create_user]\ntimeouts: {request: 0s}\n")),
            "job.yaml:6:21: timeouts.request must be between 1ms and 1h");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\ntimeouts: {job: 31d}\n")),
            "job.yaml:6:17: timeouts.job must be between 1ms and 30d");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\ntimeouts:\n  graze: 5s\n")),
            "job.yaml:7:3: unknown key 'graze' in timeouts; did you mean 'grace'?");
}

}  // namespace
}  // namespace acsbatch::job
