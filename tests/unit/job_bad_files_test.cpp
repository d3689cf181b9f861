// A catalogue of broken job files, one row per kind of mistake: each must produce exactly one
// diagnostic, with this exact text and place (FILE:LINE:COL, or the --set that caused it).

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace acsbatch::job::testing;

struct bad_file {
  std::string name;  ///< test name
  std::string text;
  std::vector<override_value> overrides;
  std::string expected;
};

void PrintTo(const bad_file& row, std::ostream* out) { *out << row.name; }

std::vector<bad_file> catalogue() {
  return {
      {"UnknownKeySuggests", with_head("steps: [create_user]\nrate_limit: {per_secnd: 5}\n"), {},
       "job.yaml:6:14: unknown key 'per_secnd' in rate_limit; did you mean 'per_second'?"},
      {"KeyOneLevelTooHigh", with_head("steps: [create_user]\nburst: 20\n"), {},
       "job.yaml:6:1: unknown key 'burst'; it belongs under 'rate_limit'"},
      {"WrongType", with_head("steps: [create_user]\nretry: {max_attempts: [3]}\n"), {},
       "job.yaml:6:23: retry.max_attempts must be a single value, not a list"},
      {"NotABoolean", with_head("steps: [create_user]\nrate_limit: {adaptive: maybe}\n"), {},
       "job.yaml:6:24: rate_limit.adaptive must be true or false, not 'maybe'"},
      {"ScopeNotInTheList", with_head("steps:\n  - create_user\n  - issue_token: {scopes: [vop]}\n"), {},
       "job.yaml:7:28: unknown scope 'vop' in issue_token.scopes (valid scopes in api-version 2023-10-01: chat, "
       "voip, chat.join, chat.join.limited, voip.join)"},
      {"ExpiresInOutsideAnHourToADay",
       with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip], expires_in: 25h}\n"), {},
       "job.yaml:7:47: issue_token.expires_in must be between 60m and 24h"},
      {"RateZero", with_head("steps: [create_user]\nrate_limit: {per_second: 0}\n"), {},
       "job.yaml:6:26: rate_limit.per_second must be greater than 0, not '0'"},
      {"RateNegative", with_head("steps: [create_user]\nrate_limit: {per_second: -5}\n"), {},
       "job.yaml:6:26: rate_limit.per_second must be greater than 0, not '-5'"},
      {"RateNotANumber", with_head("steps: [create_user]\nrate_limit: {per_second: 1e3}\n"), {},
       "job.yaml:6:26: rate_limit.per_second must be a number of requests per second such as 200 or 0.5, not '1e3'"},
      {"RateTooHigh", with_head("steps: [create_user]\nrate_limit: {per_second: 1000001}\n"), {},
       "job.yaml:6:26: rate_limit.per_second must be at most 1000000, not '1000001'"},
      {"BurstBelowOne", with_head("steps: [create_user]\nrate_limit: {burst: 0.5}\n"), {},
       "job.yaml:6:21: rate_limit.burst must be at least 1, not '0.5'"},
      {"RateWithoutWindow", with_head("steps: [create_user]\nrate_limit:\n  per_operation:\n    create_user: 33\n"), {},
       "job.yaml:8:18: rate_limit.per_operation.create_user must be a rate such as 33/s, 1000/30s or 50/1m "
       "(requests per time window), not '33'"},
      {"RateWithBadWindow", with_head("steps: [create_user]\nrate_limit: {per_operation: {issue_token: 10/sec}}\n"),
       {},
       "job.yaml:6:43: rate_limit.per_operation.issue_token must be a rate such as 33/s, 1000/30s or 50/1m "
       "(requests per time window), not '10/sec'"},
      {"PerOperationRateZero", with_head("steps: [create_user]\nrate_limit: {per_operation: {create_user: 0/s}}\n"),
       {}, "job.yaml:6:43: rate_limit.per_operation.create_user must allow more than 0 requests, not '0/s'"},
      {"PerOperationUnknownOperation",
       with_head("steps: [create_user]\nrate_limit: {per_operation: {create_usr: 10/s}}\n"), {},
       "job.yaml:6:30: unknown operation 'create_usr' in rate_limit.per_operation; did you mean 'create_user'? "
       "(operations: create_user, create_user_and_token, issue_token, revoke_tokens, delete_user, get_user)"},
      {"PerOperationUnknownMode", with_head("steps: [create_user]\nrate_limit: {per_operation: service_defaults}\n"),
       {},
       "job.yaml:6:29: rate_limit.per_operation must be service-defaults, none or a mapping of operation: rate "
       "(e.g. {create_user: 33/s}), not 'service_defaults'; did you mean 'service-defaults'?"},
      {"RetryOnUnknownItem", with_head("steps: [create_user]\nretry: {on: [429, 501]}\n"), {},
       "job.yaml:6:19: unknown condition '501' in retry.on (valid: 429, 500, 502, 503, 504, timeout, connection)"},
      {"RetryOnRepeated", with_head("steps: [create_user]\nretry: {on: [timeout, timeout]}\n"), {},
       "job.yaml:6:23: 'timeout' is listed twice in retry.on"},
      {"MaxAttemptsZero", with_head("steps: [create_user]\nretry: {max_attempts: 0}\n"), {},
       "job.yaml:6:23: retry.max_attempts must be from 1 to 100, not '0'"},
      {"InitialBackoffAboveMax", with_head("steps: [create_user]\nretry: {initial_backoff: 5s, max_backoff: 1s}\n"),
       {}, "job.yaml:6:26: retry.initial_backoff (5s) must not be longer than retry.max_backoff (1s)"},
      {"BackoffAboveAnHour", with_head("steps: [create_user]\nretry: {max_backoff: 2h}\n"), {},
       "job.yaml:6:22: retry.max_backoff must be between 0s and 1h"},
      {"JobTimeoutZero", with_head("steps: [create_user]\ntimeouts: {job: 0s}\n"), {},
       "job.yaml:6:17: timeouts.job must be between 1ms and 30d"},
      {"GraceAboveTenMinutes", with_head("steps: [create_user]\ntimeouts: {grace: 11m}\n"), {},
       "job.yaml:6:19: timeouts.grace must be between 0s and 10m"},
      {"TwoUserSources", "version: 1\nname: t\nusers: {create: 5, from_file: ids.txt}\nsteps: [create_user]\n", {},
       "job.yaml:3:20: users has both create and from_file: give exactly one of create, from_file, from_state, from_report"},
      {"NoUserSource", "version: 1\nname: t\nusers: {}\nsteps: [create_user]\n", {},
       "job.yaml:3:1: users needs a source of users: create: N (new users), from_file: PATH, from_state: JOURNAL or "
       "from_report: PATH (existing ones)"},
      {"EmptyUsersFile", "version: 1\nname: t\nusers: {from_file: \"\"}\nsteps: [revoke_tokens]\n", {},
       "job.yaml:3:20: users.from_file must name a file, not ''"},
      {"FromFileWithACreateStep", with_file_head("steps: [create_user, revoke_tokens]\n"), {},
       "job.yaml:5:9: create_user makes new users, but users.from_file lists existing ones: remove the step, or "
       "use users.create instead"},
      {"FromStateWithACreateStep", "version: 1\nname: t\nusers:\n  from_state: run.db\nsteps: [create_user]\n", {},
       "job.yaml:5:9: create_user makes new users, but users.from_state lists existing ones: remove the step, or use "
       "users.create instead"},
      {"PrometheusFileNotProm", "version: 1\nname: t\nusers: {create: 1}\nsteps: [create_user]\n"
       "outputs: {prometheus: metrics.txt}\n", {},
       "job.yaml:5:23: outputs.prometheus must end in .prom (the textfile collector reads only those files)"},
      {"StateWithUnknownKey", "version: 1\nname: t\nusers: {create: 1}\nsteps: [create_user]\nstate: {pth: a.db}\n", {},
       "job.yaml:5:9: unknown key 'pth' in state; did you mean 'path'?"},
      {"OverriddenValueOutOfRange", with_head("steps: [create_user]\n"), {{"rate_limit.per_second", "0"}},
       "--set rate_limit.per_second: rate_limit.per_second must be greater than 0, not '0'"},
      {"OverrideIntoAList", with_head("steps: [create_user]\n"), {{"steps.0", "delete_user"}},
       "--set steps.0: steps is a list in the job file: --set cannot change what is inside a list (edit the file)"},
      {"OverrideThroughASingleValue", with_head("steps: [create_user]\n"), {{"connection.api_version", "2025-06-30"}},
       "--set connection.api_version: connection is a single value in the job file, so it has no key 'api_version' "
       "for --set to replace"},
      {"OverrideOfAMisspeltKey", with_head("steps: [create_user]\n"), {{"ratelimit.per_second", "5"}},
       "--set ratelimit.per_second: unknown key 'ratelimit'; did you mean 'rate_limit'?"},
  };
}

class JobBadFile : public ::testing::TestWithParam<bad_file> {};

TEST_P(JobBadFile, HasExactlyThisDiagnostic) {
  const bad_file& row = GetParam();
  EXPECT_EQ(error_of(row.text, env_of(), row.overrides), row.expected) << row.text;
}

INSTANTIATE_TEST_SUITE_P(JobCatalogue, JobBadFile, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<bad_file>& info) { return info.param.name; });

}  // namespace
}  // namespace acsbatch::job
