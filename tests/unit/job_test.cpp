// The job loader on the sections it has always read: what a valid job turns into and the exact
// FILE:LINE:COL of every problem in version, name, connection, concurrency, steps and report.
// (rate_limit, retry, timeouts, users and --set have their own files.)

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace std::chrono_literals;
using namespace acsbatch::job::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(JobLoader, QuickstartIsReadCompletely) {
  const job j = parse(quickstart);
  EXPECT_EQ(j.version, 1);
  EXPECT_EQ(j.name, "quickstart");
  EXPECT_EQ(j.file, "job.yaml");
  EXPECT_TRUE(j.connection.embedded);
  EXPECT_EQ(j.connection.connection_string, "");
  EXPECT_EQ(j.connection.api_version, "2023-10-01");
  EXPECT_EQ(j.concurrency, 64u);
  EXPECT_EQ(j.request_timeout, 10s);
  EXPECT_EQ(j.users.create, 1u);
  ASSERT_EQ(j.steps.size(), 4u);
  EXPECT_EQ(j.steps[0].op, operation::create_user);
  EXPECT_EQ(j.steps[1].op, operation::issue_token);
  EXPECT_THAT(j.steps[1].scopes, ElementsAre("voip"));
  EXPECT_EQ(j.steps[1].expires_in, std::chrono::minutes{24 * 60});
  EXPECT_EQ(j.steps[2].op, operation::revoke_tokens);
  EXPECT_EQ(j.steps[3].op, operation::delete_user);
  EXPECT_FALSE(j.steps[3].expires_in);
  EXPECT_EQ(j.report.path, "reports/quickstart.json");
  EXPECT_TRUE(j.report.items);
  EXPECT_TRUE(j.warnings.empty());
  EXPECT_EQ(j.sha256.size(), 64u);
}

TEST(JobLoader, DefaultsApplyWhenSectionsAreOmitted) {
  const job j = parse(with_head("steps: [create_user]\n"));
  EXPECT_EQ(j.concurrency, 16u);
  EXPECT_EQ(j.request_timeout, 10s);
  EXPECT_EQ(j.connection.api_version, "2023-10-01");
  EXPECT_EQ(j.report.path, "reports/t.json");  // named after the job
  EXPECT_TRUE(j.report.items);
}

TEST(JobLoader, Sha256IsOfTheRawBytes) {
  // Computed with `sha256sum` over exactly these bytes.
  const job j = parse("version: 1\nname: t\nconnection: embedded\nusers: {create: 1}\nsteps: [create_user]\n");
  EXPECT_EQ(j.sha256, "822e0d5e696dc72ec8cfdc6806679e398b72b96e07eb3b96261d5b52146f57bd");
}

TEST(JobLoader, ConnectionStringIsKeptForTheEngine) {
  const std::string cs = "endpoint=https://res.communication.azure.com/;accesskey=c2VjcmV0";
  const job j = parse("version: 1\nname: t\nconnection:\n  connection_string: ${CS}\n  api_version: 2025-03-02-preview\n"
                      "users: {create: 2}\nsteps: [create_user, get_user]\n",
                      env_of({{"CS", cs}}));
  EXPECT_FALSE(j.connection.embedded);
  EXPECT_EQ(j.connection.connection_string, cs);
  EXPECT_EQ(j.connection.api_version, "2025-03-02-preview");
  EXPECT_EQ(j.steps[1].op, operation::get_user);
}

TEST(JobLoader, CreateUserAndTokenTakesScopes) {
  const job j = parse(with_head("steps:\n  - create_user_and_token: {scopes: [chat, voip.join], expires_in: 60m}\n"));
  ASSERT_EQ(j.steps.size(), 1u);
  EXPECT_EQ(j.steps[0].op, operation::create_user_and_token);
  EXPECT_THAT(j.steps[0].scopes, ElementsAre("chat", "voip.join"));
  EXPECT_EQ(j.steps[0].expires_in, std::chrono::minutes{60});
}

// --- Each problem, at its exact place. ---

TEST(JobLoader, VersionMustBeOne) {
  EXPECT_EQ(error_of("version: 2\nname: t\nconnection: embedded\nusers: {create: 1}\nsteps: [create_user]\n"),
            "job.yaml:1:10: version must be 1 (the job format this acsbatch reads), not '2'");
}

TEST(JobLoader, MissingRequiredKeysAreReportedAtTheTop) {
  EXPECT_THAT(errors_of("name: t\n"),
              ElementsAre("job.yaml:1:1: missing version (e.g. version: 1)",
                          "job.yaml:1:1: missing users (e.g. users: {create: 1})",
                          "job.yaml:1:1: missing steps (e.g. steps: [create_user])"));
}

TEST(JobLoader, NameMustBeUsableInFileNames) {
  for (const std::string& bad :
       std::vector<std::string>{"\"my job\"", "a/b", "..", ".hidden", std::string(65, 'x'), "\"\""}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(error_of("version: 1\nname: " + bad + "\nconnection: embedded\nusers: {create: 1}\nsteps: [create_user]\n"),
                HasSubstr("job.yaml:2:7: name must be 1 to 64 of A-Z a-z 0-9 . _ -"));
  }
  EXPECT_EQ(parse("version: 1\nname: " + std::string(64, 'x') + "\nconnection: embedded\nusers: {create: 1}\n"
                  "steps: [create_user]\n").name.size(), 64u);
}

TEST(JobLoader, UnknownKeySuggestsTheClosestKnownOne) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurency: 4\n")),
            "job.yaml:6:1: unknown key 'concurency'; did you mean 'concurrency'?");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nreport: {pth: x.json}\n")),
            "job.yaml:6:10: unknown key 'pth' in report; did you mean 'path'?");
}

TEST(JobLoader, UnknownKeyFarFromAnyListsTheKnownOnes) {
  EXPECT_THAT(error_of(with_head("steps: [create_user]\nbananas: 1\n")),
              HasSubstr("job.yaml:6:1: unknown key 'bananas' (known keys: version, name, connection,"));
}

TEST(JobLoader, KeyAtTheWrongLevelSaysWhereItBelongs) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\napi_version: 2025-06-30\n")),
            "job.yaml:6:1: unknown key 'api_version'; it belongs under 'connection'");
}

TEST(JobLoader, RepeatedKeyIsAnError) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: 2\nconcurrency: 3\n")),
            "job.yaml:7:1: key 'concurrency' is repeated (first at line 6)");
}

TEST(JobLoader, ApiVersionMustBeSupported) {
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection:\n  connection_string: embedded\n  api_version: 2024-01-01\n"
                     "users: {create: 1}\nsteps: [create_user]\n"),
            "job.yaml:5:16: connection.api_version must be one of 2021-03-07, 2022-06-01, 2022-09-01, 2022-10-01, "
            "2023-08-01, 2023-10-01, 2025-06-30, 2026-07-22, 2026-09-23, 2025-03-02-preview, 2025-04-01-preview, "
            "not '2024-01-01'");
  // The stable versions of the spec are all accepted, the newest (2026-07-22, TypeSpec) too.
  for (const char* version : {"2021-03-07", "2026-07-22", "2026-09-23"})
    EXPECT_EQ(parse(std::string("version: 1\nname: t\nconnection:\n  api_version: \"") + version +
                    "\"\nusers: {create: 1}\nsteps: [create_user]\n")
                  .connection.api_version,
              version);
}

TEST(JobLoader, ConnectionDefaultsToTheEmbeddedEmulator) {
  const job without_section = parse("version: 1\nname: t\nusers: {create: 1}\nsteps: [create_user]\n");
  EXPECT_TRUE(without_section.connection.embedded);
  EXPECT_EQ(without_section.connection.api_version, "2023-10-01");
  const job without_string =
      parse("version: 1\nname: t\nconnection:\n  api_version: 2025-06-30\nusers: {create: 1}\nsteps: [create_user]\n");
  EXPECT_TRUE(without_string.connection.embedded);
  EXPECT_EQ(without_string.connection.api_version, "2025-06-30");
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: {connection_string: \"\"}\nusers: {create: 1}\n"
                     "steps: [create_user]\n"),
            "job.yaml:3:33: connection.connection_string is empty: write 'embedded' for the built-in emulator or "
            "'endpoint=https://<resource>.communication.azure.com/;accesskey=<key>'");
}

TEST(JobLoader, ConcurrencyRange) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: 0\n")),
            "job.yaml:6:14: concurrency must be from 1 to 100000, not '0'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: 100001\n")),
            "job.yaml:6:14: concurrency must be from 1 to 100000, not '100001'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: 99999999999999999999999999\n")),
            "job.yaml:6:14: concurrency must be from 1 to 100000, not '99999999999999999999999999'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: -1\n")),
            "job.yaml:6:14: concurrency must be a whole number from 1 to 100000, not '-1'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: 1.5\n")),
            "job.yaml:6:14: concurrency must be a whole number from 1 to 100000, not '1.5'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: [1]\n")),
            "job.yaml:6:14: concurrency must be a single value, not a list");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency:\n")),
            "job.yaml:6:1: concurrency needs a value");
}

TEST(JobLoader, UsersCreateRange) {
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: embedded\nusers: {create: 100000001}\nsteps: [create_user]\n"),
            "job.yaml:4:17: users.create must be from 1 to 100000000, not '100000001'");
}

TEST(JobLoader, ScopesAreChecked) {
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip, vop]}\n")),
            "job.yaml:7:34: unknown scope 'vop' in issue_token.scopes (valid scopes in api-version 2023-10-01: "
            "chat, voip, chat.join, chat.join.limited, voip.join)");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: []}\n")),
            "job.yaml:7:27: issue_token.scopes must list at least one of chat, voip, chat.join, chat.join.limited, "
            "voip.join");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [chat, chat]}\n")),
            "job.yaml:7:34: scope 'chat' is listed twice in issue_token.scopes");
}

TEST(JobLoader, TokenStepsNeedScopes) {
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token\n")),
            "job.yaml:7:5: issue_token needs scopes, e.g. issue_token: {scopes: [voip]} (valid scopes: chat, voip, "
            "chat.join, chat.join.limited, voip.join)");
  EXPECT_THAT(error_of(with_head("steps:\n  - create_user_and_token: {expires_in: 1h}\n")),
              HasSubstr("job.yaml:6:5: create_user_and_token needs scopes"));
}

TEST(JobLoader, TokenLifetimeIsWholeMinutesFromAnHourToADay) {
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip], expires_in: 90s}\n")),
            "job.yaml:7:47: issue_token.expires_in must be whole minutes (e.g. 90m, 24h): the service counts token "
            "lifetimes in minutes");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip], expires_in: 59m}\n")),
            "job.yaml:7:47: issue_token.expires_in must be between 60m and 24h");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip], expires_in: 25h}\n")),
            "job.yaml:7:47: issue_token.expires_in must be between 60m and 24h");
  EXPECT_THAT(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip], expires_in: soon}\n")),
              HasSubstr("job.yaml:7:47: issue_token.expires_in must be a duration such as 250ms"));
  EXPECT_EQ(parse(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip], expires_in: 3600s}\n"))
                .steps[1].expires_in,
            std::chrono::minutes{60});
  EXPECT_EQ(parse(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip], expires_in: 1d}\n"))
                .steps[1].expires_in,
            std::chrono::minutes{1440});
}

TEST(JobLoader, FirstStepMustCreateTheUser) {
  EXPECT_EQ(error_of(with_head("steps:\n  - revoke_tokens\n  - delete_user\n")),
            "job.yaml:6:5: the first step must create the user (create_user or create_user_and_token) because "
            "users.create makes new users");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - create_user\n")),
            "job.yaml:7:5: create_user can only be the first step");
}

TEST(JobLoader, UnknownOperationSuggests) {
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - isue_token: {scopes: [voip]}\n")),
            "job.yaml:7:5: unknown operation 'isue_token'; did you mean 'issue_token'?");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - dance\n")),
            "job.yaml:7:5: unknown operation 'dance' (operations: create_user, create_user_and_token, issue_token, "
            "revoke_tokens, delete_user, get_user)");
}

TEST(JobLoader, StepArgumentsAreChecked) {
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip], expire_in: 1h}\n")),
            "job.yaml:7:35: unknown key 'expire_in' in issue_token; did you mean 'expires_in'?");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - revoke_tokens: {scopes: [voip]}\n")),
            "job.yaml:7:21: revoke_tokens takes no arguments ('scopes' is not one)");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - {issue_token: {scopes: [voip]}, revoke_tokens: }\n")),
            "job.yaml:7:5: each step must be an operation name (e.g. create_user) or one 'operation: {arguments}' "
            "pair (e.g. issue_token: {scopes: [voip]})");
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - [revoke_tokens]\n")),
            "job.yaml:7:5: each step must be an operation name (e.g. create_user) or one 'operation: {arguments}' "
            "pair (e.g. issue_token: {scopes: [voip]})");
  EXPECT_EQ(error_of(with_head("steps: []\n")), "job.yaml:5:8: steps must list at least one step (e.g. - create_user)");
  EXPECT_EQ(error_of(with_head("steps: create_user\n")), "job.yaml:5:8: steps must be a list, not a single value");
}

TEST(JobLoader, GetUserNeedsANewerApiVersion) {
  EXPECT_EQ(error_of(with_head("steps: [create_user, get_user]\n")),
            "job.yaml:5:22: get_user needs a connection.api_version whose spec has GET /identities/{id}: "
            "2025-03-02-preview (this job uses 2023-10-01)");
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: {api_version: \"2025-06-30\"}\nusers: {create: 1}\n"
                     "steps: [create_user, get_user]\n"),
            "job.yaml:5:22: get_user needs a connection.api_version whose spec has GET /identities/{id}: "
            "2025-03-02-preview (this job uses 2025-06-30)");
}

TEST(JobLoader, ReportSection) {
  const job j = parse(with_head("steps: [create_user]\nreport: {path: out/r.json, items: no}\n"));
  EXPECT_EQ(j.report.path, "out/r.json");
  EXPECT_FALSE(j.report.items);
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nreport: {items: maybe}\n")),
            "job.yaml:6:17: report.items must be true or false, not 'maybe'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nreport: {path: out/}\n")),
            "job.yaml:6:16: report.path must name a file, not 'out/'");
}

TEST(JobLoader, EverySectionIsActedOnSoNoneIsWarnedAbout) {
  const job j = parse(with_head("steps: [create_user]\n"
                                "rate_limit: { per_second: 200, burst: 20 }\n"
                                "retry: { max_attempts: 6 }\n"
                                "state: { path: state/t.db }\n"
                                "outputs: { tokens: null }\n"
                                "thresholds: [\"p99(create_user) < 300ms\"]\n"));
  EXPECT_THAT(j.warnings, ::testing::IsEmpty());
}

TEST(JobLoader, StateAndOutputsAreRead) {
  const job j = parse(with_head("steps: [create_user]\nstate: { path: state/t.db }\n"
                                "outputs: { tokens: out/tokens.jsonl, prometheus: /var/lib/node/acsbatch_t.prom }\n"));
  EXPECT_EQ(j.state.path, "state/t.db");
  EXPECT_EQ(j.outputs.tokens, "out/tokens.jsonl");
  EXPECT_EQ(j.outputs.prometheus, "/var/lib/node/acsbatch_t.prom");
  EXPECT_TRUE(j.warnings.empty());
  const job none = parse(with_head("steps: [create_user]\nstate:\noutputs: { tokens: null }\n"));
  EXPECT_EQ(none.state.path, "");
  EXPECT_EQ(none.outputs.tokens, "");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\noutputs:\n  tokens: tokens/\n")),
            "job.yaml:7:11: outputs.tokens must name a file, not 'tokens/'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\noutputs:\n  token: t.jsonl\n")),
            "job.yaml:7:3: unknown key 'token' in outputs; did you mean 'tokens'?");
}

TEST(JobLoader, AllProblemsAreReportedTogetherInFileOrder) {
  try {
    (void)parse("version: 3\nname: \"a b\"\nconnection: embedded\nconcurrency: 0\nusers: {create: 1}\n"
                "steps: [revoke_tokens]\n");
    FAIL() << "no error";
  } catch (const job_error& e) {
    ASSERT_EQ(e.diagnostics().size(), 4u);
    EXPECT_EQ(e.diagnostics()[0].line, 1);
    EXPECT_EQ(e.diagnostics()[1].line, 2);
    EXPECT_EQ(e.diagnostics()[2].line, 4);
    EXPECT_EQ(e.diagnostics()[3].line, 6);
    EXPECT_EQ(e.diagnostics()[3].column, 9);
    std::string joined;
    for (const auto& d : e.diagnostics()) joined += (joined.empty() ? "" : "\n") + d.to_string();
    EXPECT_EQ(e.what(), joined);
  }
}

}  // namespace
}  // namespace acsbatch::job
