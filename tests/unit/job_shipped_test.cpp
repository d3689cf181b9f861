// The jobs in jobs/ are valid as shipped, with no warnings, and say what their comments promise.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace std::chrono_literals;
using namespace acsbatch::job::testing;
using ::testing::ElementsAre;

/// jobs/NAME loaded with no environment (so connection strings take their `embedded` default).
job shipped(std::string_view name) {
  const auto path = project_root() / "jobs" / name;
  if (!std::filesystem::exists(path)) ADD_FAILURE() << path << " not found";
  return load_job(path.string(), env_of());
}

TEST(JobShipped, Quickstart) {
  const job j = shipped("quickstart.yaml");
  EXPECT_EQ(j.name, "quickstart");
  EXPECT_TRUE(j.connection.embedded);
  EXPECT_TRUE(j.warnings.empty());
}

TEST(JobShipped, RevokeNightlyRotatesProvisionsJournalForCron) {
  const job j = shipped("revoke-nightly.yaml");
  EXPECT_EQ(j.name, "revoke-nightly");
  EXPECT_EQ(j.users.from_state, shipped("provision.yaml").state.path);
  EXPECT_EQ(j.state.path, "state/revoke-nightly.db");
  EXPECT_EQ(j.outputs.tokens, "out/revoke-nightly.tokens.jsonl");
  EXPECT_EQ(j.outputs.prometheus, "metrics/acsbatch_revoke-nightly.prom");
  ASSERT_EQ(j.steps.size(), 2u);
  EXPECT_EQ(j.steps[0].op, operation::revoke_tokens);
  EXPECT_EQ(j.steps[1].op, operation::issue_token);
  EXPECT_EQ(j.connection.emulator.state, shipped("provision.yaml").connection.emulator.state);
}

TEST(JobShipped, ProvisionCreatesTenThousandUsersWithTokens) {
  const job j = shipped("provision.yaml");
  EXPECT_EQ(j.name, "provision");
  EXPECT_TRUE(j.connection.embedded);
  EXPECT_EQ(j.users.create, 10'000u);
  EXPECT_EQ(j.concurrency, 64u);
  ASSERT_EQ(j.steps.size(), 1u);
  EXPECT_EQ(j.steps[0].op, operation::create_user_and_token);
  EXPECT_THAT(j.steps[0].scopes, ElementsAre("voip", "chat"));
  EXPECT_EQ(j.rate_limit.per_operation, rate_limit_spec::per_operation_mode::service_defaults);
  EXPECT_TRUE(j.rate_limit.adaptive);
  EXPECT_EQ(j.retry.max_attempts, 6u);
  EXPECT_TRUE(j.retry.on_429);
  EXPECT_EQ(j.report.path, "reports/provision.json");
  EXPECT_TRUE(j.report.items);  // rotate-tokens reads the ids from the items
  // The embedded emulator keeps the identities for rotate-tokens: <root>/jobs/../state/emulator.json.
  EXPECT_EQ(std::filesystem::weakly_canonical(j.connection.emulator.state),
            std::filesystem::weakly_canonical(project_root() / "state/emulator.json"));
  EXPECT_TRUE(j.warnings.empty());
}

TEST(JobShipped, RotateTokensReadsProvisionsReport) {
  const job j = shipped("rotate-tokens.yaml");
  EXPECT_EQ(j.name, "rotate-tokens");
  EXPECT_TRUE(j.connection.embedded);
  EXPECT_FALSE(j.users.creates_users());
  // Next to the job file, whatever the working directory: <root>/jobs/../reports/provision.json.
  EXPECT_EQ(std::filesystem::weakly_canonical(j.users.from_report),
            std::filesystem::weakly_canonical(project_root() / "reports/provision.json"));
  ASSERT_EQ(j.steps.size(), 2u);
  EXPECT_EQ(j.steps[0].op, operation::revoke_tokens);
  EXPECT_EQ(j.steps[1].op, operation::issue_token);
  EXPECT_THAT(j.steps[1].scopes, ElementsAre("voip", "chat"));
  EXPECT_EQ(j.job_timeout, 1h);
  // The same state file as provision's: its identities are there offline too.
  EXPECT_EQ(j.connection.emulator.state, shipped("provision.yaml").connection.emulator.state);
  EXPECT_TRUE(j.warnings.empty());
}

TEST(JobShipped, ARealConnectionStringIsTakenFromTheEnvironment) {
  const std::string cs = "endpoint=https://res.communication.azure.com/;accesskey=c2VjcmV0";
  for (const std::string_view name : {"quickstart.yaml", "provision.yaml", "rotate-tokens.yaml", "revoke-nightly.yaml"}) {
    const job j = load_job((project_root() / "jobs" / name).string(),
                           env_of({{"COMMUNICATION_SERVICES_CONNECTION_STRING", cs}}));
    EXPECT_FALSE(j.connection.embedded) << name;
    EXPECT_EQ(j.connection.connection_string, cs) << name;
    // emulator: applies to the embedded emulator only; against a resource it is set aside.
    EXPECT_TRUE(j.connection.emulator.state.empty()) << name;
  }
}

TEST(JobShipped, LoadtestRuns200PerSecondFor20SecondsAndCleansUp) {
  const job j = shipped("loadtest.yaml");
  EXPECT_TRUE(j.warnings.empty());
  ASSERT_TRUE(j.load);
  EXPECT_EQ(j.load->executor, load_spec::executor_kind::constant_arrival_rate);
  EXPECT_DOUBLE_EQ(j.load->rate, 200);
  EXPECT_EQ(j.load->duration, 20s);
  // Every iteration deletes the identity it created: the resource is left as it was found.
  ASSERT_FALSE(j.steps.empty());
  EXPECT_EQ(j.steps.front().op, operation::create_user);
  EXPECT_EQ(j.steps.back().op, operation::delete_user);
  EXPECT_EQ(j.thresholds.size(), 3u);
  // A failing resource stops the load early; the other two are judged at the end.
  ASSERT_EQ(j.threshold_aborts.size(), 1u);
  EXPECT_EQ(report::to_string(j.thresholds[j.threshold_aborts[0].threshold]), "error_rate < 10%");
  EXPECT_EQ(j.threshold_aborts[0].not_before, 5s);
  EXPECT_TRUE(j.connection.embedded);
}

}  // namespace
}  // namespace acsbatch::job
