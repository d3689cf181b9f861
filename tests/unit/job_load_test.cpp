// `load:` in a job file: the three executors, their exactly-one rules, the scenario read as the
// steps of a job that creates its users.

#include "job_test_support.hpp"

namespace acsbatch::job::testing {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

/// Three valid lines; the load section starts on line 4.
constexpr std::string_view load_head = "version: 1\nname: t\nconnection: embedded\n";
std::string with_load(std::string_view rest) { return std::string(load_head) + std::string(rest); }

TEST(JobLoad, ConstantArrivalRateTakesRateDurationAndScenario) {
  const job j = parse(with_load("load:\n"
                                "  executor: constant-arrival-rate\n"
                                "  rate: 200/s\n"
                                "  duration: 20s\n"
                                "  max_in_flight: 50\n"
                                "  scenario: [create_user, {issue_token: {scopes: [voip]}}, delete_user]\n"
                                "thresholds: [\"p99(issue_token) < 300ms\"]\n"));
  ASSERT_TRUE(j.load);
  EXPECT_EQ(j.load->executor, load_spec::executor_kind::constant_arrival_rate);
  EXPECT_DOUBLE_EQ(j.load->rate, 200);
  EXPECT_EQ(j.load->duration, 20s);
  EXPECT_EQ(j.load->max_in_flight, 50u);
  EXPECT_TRUE(j.load->open_model());
  // The scenario is what runs: the job's steps, as thresholds and the engine see them.
  ASSERT_EQ(j.steps.size(), 3u);
  EXPECT_EQ(j.steps[1].op, operation::issue_token);
  EXPECT_EQ(j.thresholds.size(), 1u);
}

TEST(JobLoad, RatesMayBeBareNumbersOrOtherWindows) {
  const job j = parse(with_load("load: {executor: constant-arrival-rate, rate: 600/1m, duration: 1s, "
                                "scenario: [create_user]}\n"));
  EXPECT_DOUBLE_EQ(j.load->rate, 10);
  const job k = parse(with_load("load: {executor: constant-arrival-rate, rate: 0.5, duration: 1s, "
                                "scenario: [create_user]}\n"));
  EXPECT_DOUBLE_EQ(k.load->rate, 0.5);
}

TEST(JobLoad, RampingArrivalRateTakesStartRateAndStages) {
  const job j = parse(with_load("load:\n"
                                "  executor: ramping-arrival-rate\n"
                                "  start_rate: 10/s\n"
                                "  stages: [{target: 100/s, duration: 10s}, {target: 0, duration: 5s}]\n"
                                "  scenario: [create_user, delete_user]\n"));
  ASSERT_EQ(j.load->stages.size(), 2u);
  EXPECT_DOUBLE_EQ(j.load->start_rate, 10);
  EXPECT_DOUBLE_EQ(j.load->stages[0].target, 100);
  EXPECT_EQ(j.load->total_duration(), 15s);
}

TEST(JobLoad, ConstantConcurrencyIsTheClosedModel) {
  const job j = parse(with_load("load: {executor: constant-concurrency, concurrency: 8, duration: 5s, "
                                "scenario: [create_user]}\n"));
  EXPECT_EQ(j.load->concurrency, 8u);
  EXPECT_FALSE(j.load->open_model());
}

TEST(JobLoad, UsersAndStepsCannotBeUsedWithLoadButAJournalCan) {
  EXPECT_THAT(errors_of(with_load("users: {create: 1}\nsteps: [create_user]\n"
                                  "load: {executor: constant-concurrency, concurrency: 1, duration: 1s, "
                                  "scenario: [create_user]}\n")),
              ElementsAre(::testing::StartsWith("job.yaml:4:1: users cannot be used with load"),
                          ::testing::StartsWith("job.yaml:5:1: steps cannot be used with load")));
  // Journalled, a killed load's identities are known to `acsbatch cleanup --state`.
  const job j = parse(with_load("state: {path: state/soak.db}\n"
                                "load: {executor: constant-concurrency, concurrency: 1, duration: 1s, "
                                "scenario: [create_user]}\n"));
  EXPECT_EQ(j.state.path, "state/soak.db");
}

TEST(JobLoad, EachExecutorNamesWhatItNeedsAndRefusesWhatItWouldIgnore) {
  EXPECT_EQ(error_of(with_load("load: {executor: constant-arrival-rate, duration: 1s, scenario: [create_user]}\n")),
            "job.yaml:4:1: load with executor constant-arrival-rate needs rate");
  EXPECT_EQ(error_of(with_load("load: {executor: constant-concurrency, concurrency: 2, duration: 1s, "
                               "max_in_flight: 5, scenario: [create_user]}\n")),
            "job.yaml:4:70: load.max_in_flight is not used by executor constant-concurrency (it takes "
            "concurrency, duration, scenario)");
  EXPECT_EQ(error_of(with_load("load: {executor: constant-arrival-rat, rate: 1, duration: 1s, "
                               "scenario: [create_user]}\n")),
            "job.yaml:4:18: unknown executor 'constant-arrival-rat'; did you mean 'constant-arrival-rate'?");
  EXPECT_EQ(error_of(with_load("load: {rate: 1}\n")),
            "job.yaml:4:1: load needs an executor: constant-arrival-rate, ramping-arrival-rate, constant-concurrency");
}

TEST(JobLoad, MaxStartDelayBoundsHowLongAnIterationWaitsForASlot) {
  const job defaults = parse(with_load("load: {executor: constant-arrival-rate, rate: 1, duration: 1s, "
                                       "scenario: [create_user]}\n"));
  EXPECT_EQ(defaults.load->max_start_delay, 1s);
  const job j = parse(with_load("load: {executor: ramping-arrival-rate, start_rate: 1, stages: [{target: 5, "
                                "duration: 1s}], max_start_delay: 250ms, scenario: [create_user]}\n"));
  EXPECT_EQ(j.load->max_start_delay, 250ms);
  const job at_once = parse(with_load("load: {executor: constant-arrival-rate, rate: 1, duration: 1s, "
                                      "max_start_delay: 0s, scenario: [create_user]}\n"));
  EXPECT_EQ(at_once.load->max_start_delay, 0s);
  EXPECT_EQ(error_of(with_load("load: {executor: constant-arrival-rate, rate: 1, duration: 1s, "
                               "max_start_delay: 11m, scenario: [create_user]}\n")),
            "job.yaml:4:81: load.max_start_delay must be at most 10m (0s drops an iteration that cannot start on "
            "time), not '11m'");
  // The closed model has no schedule to fall behind.
  EXPECT_EQ(error_of(with_load("load: {executor: constant-concurrency, concurrency: 2, duration: 1s, "
                               "max_start_delay: 1s, scenario: [create_user]}\n")),
            "job.yaml:4:70: load.max_start_delay is not used by executor constant-concurrency (it takes "
            "concurrency, duration, scenario)");
}

TEST(JobLoad, BadValuesPointAtThemselves) {
  EXPECT_EQ(error_of(with_load("load: {executor: constant-arrival-rate, rate: fast, duration: 1s, "
                               "scenario: [create_user]}\n")),
            "job.yaml:4:47: load.rate must be iterations per second such as 200/s, 1000/30s or 200, not 'fast'");
  EXPECT_EQ(error_of(with_load("load: {executor: constant-arrival-rate, rate: 0/s, duration: 1s, "
                               "scenario: [create_user]}\n")),
            "job.yaml:4:47: load.rate must be more than 0 iterations per second, not '0/s'");
  EXPECT_EQ(error_of(with_load("load: {executor: ramping-arrival-rate, start_rate: 1, stages: [{target: 5}], "
                               "scenario: [create_user]}\n")),
            "job.yaml:4:64: each stage needs duration (e.g. {target: 200/s, duration: 30s})");
}

TEST(JobLoad, TheScenarioMustCreateItsUser) {
  EXPECT_EQ(error_of(with_load("load: {executor: constant-concurrency, concurrency: 1, duration: 1s, "
                               "scenario: [issue_token: {scopes: [voip]}]}\n")),
            "job.yaml:4:81: the first step must create the user (create_user or create_user_and_token) because "
            "users.create makes new users");
}

}  // namespace
}  // namespace acsbatch::job::testing
