// --set KEY.PATH=VALUE: parsing the argument, replacing or creating values before the job is
// checked, and diagnostics that name the override instead of a file position.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace std::chrono_literals;
using namespace acsbatch::job::testing;
using ::testing::ElementsAre;

/// The message parse_override throws for `text`; fails the test when it accepts it.
std::string override_error(std::string_view text) {
  try {
    (void)parse_override(text);
  } catch (const job_error& e) {
    EXPECT_EQ(e.diagnostics().size(), 1u);
    return e.what();
  }
  ADD_FAILURE() << "accepted " << text;
  return {};
}

TEST(JobOverrideArgument, SplitsAtTheFirstEquals) {
  const auto o = parse_override("rate_limit.per_second=50");
  EXPECT_EQ(o.path, "rate_limit.per_second");
  EXPECT_EQ(o.value, "50");
  const auto cs = parse_override("connection.connection_string=endpoint=https://x/;accesskey=a2V5==");
  EXPECT_EQ(cs.path, "connection.connection_string");
  EXPECT_EQ(cs.value, "endpoint=https://x/;accesskey=a2V5==");
  EXPECT_EQ(parse_override("report.path=").value, "");
  EXPECT_EQ(parse_override("rate_limit.per_operation.create_user=10/s").path, "rate_limit.per_operation.create_user");
}

TEST(JobOverrideArgument, MalformedOnesSayWhatIsExpected) {
  EXPECT_EQ(override_error("concurrency"),
            "--set: expected KEY=VALUE with KEY a dotted path (e.g. --set rate_limit.per_second=50), not "
            "'concurrency'");
  EXPECT_EQ(override_error("=8"), "--set: the key before '=' is empty (e.g. --set rate_limit.per_second=50)");
  const std::string bad_path = "' is not a key path: it must be names of A-Z a-z 0-9 _ - (64 at most) separated by "
                               "single dots (e.g. --set rate_limit.per_second=50)";
  for (const std::string_view path : {"rate_limit..per_second", ".concurrency", "concurrency.", "rate limit",
                                      "steps[0]", "a/b"})
    EXPECT_EQ(override_error(std::string(path) + "=1"), "--set: '" + std::string(path) + bad_path);
  EXPECT_EQ(override_error(std::string(300, 'a') + "=1"), "--set: the key before '=' is longer than 256 characters");
}

TEST(JobOverrideArgument, APastedKeyIsNotEchoed) {
  EXPECT_EQ(override_error("AccessKey:c2VjcmV0"),
            "--set: expected KEY=VALUE with KEY a dotted path (e.g. --set rate_limit.per_second=50), not this (not "
            "shown)");
  EXPECT_THAT(override_error(std::string(80, 'Q')), ::testing::HasSubstr("not this (not shown)"));
}

TEST(JobOverride, ReplacesValuesTheFileHas) {
  const job j = parse(quickstart, env_of(),
                      {{"concurrency", "8"}, {"users.create", "10"}, {"connection.api_version", "2025-06-30"},
                       {"timeouts.request", "2s"}, {"report.items", "false"}});
  EXPECT_EQ(j.concurrency, 8u);
  EXPECT_EQ(j.users.create, 10u);
  EXPECT_EQ(j.connection.api_version, "2025-06-30");
  EXPECT_EQ(j.request_timeout, 2s);
  EXPECT_FALSE(j.report.items);
  EXPECT_EQ(j.sha256, parse(quickstart).sha256);  // the hash is of the file
}

TEST(JobOverride, CreatesKeysAndTheMappingsOnTheirWay) {
  const job j = parse(quickstart, env_of(),
                      {{"rate_limit.per_second", "50"}, {"rate_limit.per_operation.create_user", "10/s"},
                       {"retry.max_attempts", "2"}, {"timeouts.job", "5m"}});
  EXPECT_EQ(j.rate_limit.per_second, 50.0);
  EXPECT_EQ(j.rate_limit.per_operation, rate_limit_spec::per_operation_mode::custom);
  ASSERT_EQ(j.rate_limit.per_operation_overrides.size(), 1u);
  EXPECT_EQ(j.rate_limit.per_operation_overrides[0].first, operation::create_user);
  EXPECT_EQ(j.retry.max_attempts, 2u);
  EXPECT_EQ(j.job_timeout, 5min);
}

TEST(JobOverride, FillsAnEmptySection) {
  const job j = parse(with_head("steps: [create_user]\nrate_limit:\n"), env_of(), {{"rate_limit.burst", "5"}});
  EXPECT_EQ(j.rate_limit.burst, 5);
}

TEST(JobOverride, ReplacesAMappingWithASingleValue) {
  const job j = parse(with_head("steps: [create_user]\nrate_limit: {per_operation: {create_user: 1/s}}\n"), env_of(),
                      {{"rate_limit.per_operation", "none"}});
  EXPECT_EQ(j.rate_limit.per_operation, rate_limit_spec::per_operation_mode::none);
  EXPECT_TRUE(j.rate_limit.per_operation_overrides.empty());
}

TEST(JobOverride, TheLastOneWins) {
  EXPECT_EQ(parse(quickstart, env_of(), {{"concurrency", "8"}, {"concurrency", "9"}}).concurrency, 9u);
}

TEST(JobOverride, ValuesAreTakenAsWritten) {
  // The shell has expanded variables already; ${...} reaches the job literally.
  const job j = parse(quickstart, env_of({{"X", "y"}}), {{"report.path", "out/${X}.json"}});
  EXPECT_EQ(j.report.path, "out/${X}.json");
}

TEST(JobOverride, AUsersPathIsRelativeToTheWorkingDirectory) {
  const job j = parse_job("version: 1\nname: t\nusers: {from_file: ids.txt}\nsteps: [revoke_tokens]\n",
                          "jobs/rotate.yaml", env_of(), {{"users.from_file", "lists/today.txt"}});
  EXPECT_EQ(j.users.from_file, "lists/today.txt");
}

TEST(JobOverride, ProblemsNameTheOverride) {
  EXPECT_EQ(error_of(quickstart, env_of(), {{"concurrency", "0"}}),
            "--set concurrency: concurrency must be from 1 to 100000, not '0'");
  EXPECT_EQ(error_of(quickstart, env_of(), {{"rate_limit.per_secnd", "5"}}),
            "--set rate_limit.per_secnd: unknown key 'per_secnd' in rate_limit; did you mean 'per_second'?");
  EXPECT_EQ(error_of(quickstart, env_of(), {{"users.from_file", "ids.txt"}}),
            "--set users.from_file: users has both create and from_file: give exactly one of create, from_file, "
            "from_state, from_report");
  EXPECT_EQ(error_of(quickstart, env_of(), {{"retry.on", "429"}}),
            "--set retry.on: retry.on must be a list, not a single value");
  EXPECT_EQ(error_of(quickstart, env_of(), {{"outputs.prometheus", "m.txt"}}),
            "--set outputs.prometheus: outputs.prometheus must end in .prom (the textfile collector reads only those "
            "files)");
}

TEST(JobOverride, ListsCannotBeReplacedOrEntered) {
  EXPECT_EQ(error_of(quickstart, env_of(), {{"steps", "create_user"}}),
            "--set steps: steps is a list in the job file: --set replaces single values, not lists (edit the file)");
  EXPECT_EQ(error_of(quickstart, env_of(), {{"steps.issue_token.scopes", "chat"}}),
            "--set steps.issue_token.scopes: steps is a list in the job file: --set cannot change what is inside a "
            "list (edit the file)");
  EXPECT_EQ(error_of(quickstart, env_of(), {{"name.x", "1"}}),
            "--set name.x: name is a single value in the job file, so it has no key 'x' for --set to replace");
}

TEST(JobOverride, AConnectionStringGivenWithSetIsNeverEchoed) {
  const std::string key = "Q0FOQVJZLUtFWS1kby1ub3QtbGVhaw==";
  for (const std::string& value : {"endpoint=ftp://x.communication.azure.com/;accesskey=" + key,
                                   "endpoint=https://x.communication.azure.com/;" + key, key}) {
    for (const auto& path : {"connection.connection_string", "name", "rate_limit.per_second"}) {
      const auto errors = errors_of(quickstart, env_of(), {{path, value}});
      ASSERT_EQ(errors.size(), 1u) << path;
      EXPECT_THAT(errors[0], ::testing::StartsWith("--set " + std::string(path) + ": "));
      EXPECT_THAT(errors[0], ::testing::Not(::testing::HasSubstr("Q0FOQVJZ"))) << errors[0];
    }
  }
}

TEST(JobOverride, OverrideProblemsComeFirstThenTheFilesInOrder) {
  EXPECT_THAT(errors_of(with_head("steps: [create_user]\nconcurrency: 0\n"), env_of(), {{"retry.max_attempts", "0"}}),
              ElementsAre("--set retry.max_attempts: retry.max_attempts must be from 1 to 100, not '0'",
                          "job.yaml:6:14: concurrency must be from 1 to 100000, not '0'"));
}

TEST(JobOverride, PathsBuiltByHandAreCheckedToo) {
  EXPECT_EQ(error_of(quickstart, env_of(), {{"a..b", "1"}}),
            "--set a..b: 'a..b' is not a key path: it must be names of A-Z a-z 0-9 _ - (64 at most) separated by "
            "single dots (e.g. --set rate_limit.per_second=50)");
}

TEST(JobOverride, ADocumentThatIsNotAMappingGetsOnlyItsOwnError) {
  EXPECT_EQ(error_of("- create_user\n", env_of(), {{"concurrency", "2"}}),
            "job.yaml:1:1: the job file must be a mapping of keys, not a list");
}

TEST(JobOverride, AnAliasedValueIsReplacedOnlyWhereTheOverrideSays) {
  const std::string text = "version: 1\nname: t\nusers: {create: &n 4}\nconcurrency: *n\nsteps: [create_user]\n";
  const job j = parse(text, env_of(), {{"concurrency", "2"}});
  EXPECT_EQ(j.concurrency, 2u);
  EXPECT_EQ(j.users.create, 4u);
  const job k = parse(text, env_of(), {{"users.create", "3"}});
  EXPECT_EQ(k.concurrency, 4u);
  EXPECT_EQ(k.users.create, 3u);
}

TEST(JobOverride, LoadJobAppliesThem) {
  const auto path = project_root() / "jobs/quickstart.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found";
  EXPECT_EQ(load_job(path.string(), env_of(), {{"concurrency", "3"}}).concurrency, 3u);
}

}  // namespace
}  // namespace acsbatch::job
