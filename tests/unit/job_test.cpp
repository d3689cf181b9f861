// The job file loader: what a valid job turns into, the exact FILE:LINE:COL of every problem,
// ${VAR} interpolation, durations, and the promise that a connection string never reaches a
// message and that no input crashes the loader.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <unistd.h>

#include "acsbatch/identity/types.hpp"
#include "acsbatch/job/job.hpp"

namespace acsbatch::job {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

env_lookup env_of(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

job parse(std::string_view text, const env_lookup& env = env_of()) { return parse_job(text, "job.yaml", env); }

/// Every diagnostic, formatted; fails the test when the text parses.
std::vector<std::string> errors_of(std::string_view text, const env_lookup& env = env_of()) {
  try {
    (void)parse(text, env);
  } catch (const job_error& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.to_string());
    return out;
  }
  ADD_FAILURE() << "parsed without error:\n" << text;
  return {};
}

/// The one diagnostic a text produces.
std::string error_of(std::string_view text, const env_lookup& env = env_of()) {
  const auto errors = errors_of(text, env);
  EXPECT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  return errors.empty() ? std::string() : errors.front();
}

// Four valid lines; tests append from line 5.
constexpr std::string_view head = "version: 1\nname: t\nconnection: embedded\nusers: {create: 1}\n";
std::string with_head(std::string_view rest) { return std::string(head) + std::string(rest); }

constexpr std::string_view quickstart = R"(version: 1
name: quickstart
connection:
  connection_string: ${COMMUNICATION_SERVICES_CONNECTION_STRING:-embedded}
  api_version: "2023-10-01"
concurrency: 64
timeouts: { request: 10s }
users: { create: 1 }
steps:
  - create_user
  - issue_token: { scopes: [voip], expires_in: 24h }
  - revoke_tokens
  - delete_user
report: { path: reports/quickstart.json, items: true }
)";

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

TEST(JobLoader, TheShippedQuickstartJobIsValid) {
  // CMake compiles this file by its absolute path: tests/unit/job_test.cpp → the project root.
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "jobs/quickstart.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found";
  const job j = load_job(path.string(), env_of());
  EXPECT_EQ(j.name, "quickstart");
  EXPECT_TRUE(j.warnings.empty());
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
  const job j = parse("version: 1\nname: t\nconnection:\n  connection_string: ${CS}\n  api_version: 2025-06-30\n"
                      "users: {create: 2}\nsteps: [create_user, get_user]\n",
                      env_of({{"CS", cs}}));
  EXPECT_FALSE(j.connection.embedded);
  EXPECT_EQ(j.connection.connection_string, cs);
  EXPECT_EQ(j.connection.api_version, "2025-06-30");
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
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection:\n  connection_string: embedded\n  api_version: 2021-03-07\n"
                     "users: {create: 1}\nsteps: [create_user]\n"),
            "job.yaml:5:16: connection.api_version must be one of 2023-10-01, 2025-06-30, 2025-03-02-preview, "
            "not '2021-03-07'");
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

TEST(JobLoader, OtherUserSourcesAreNotSupportedYet) {
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: embedded\nusers:\n  from_state: run.db\nsteps: [revoke_tokens]\n"),
            "job.yaml:5:3: users.from_state is not supported yet");
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: embedded\nusers: {from_file: ids.txt}\nsteps: [revoke_tokens]\n"),
            "job.yaml:4:9: users.from_file is not supported yet");
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: embedded\nusers: {from_report: r.json}\nsteps: [revoke_tokens]\n"),
            "job.yaml:4:9: users.from_report is not supported yet");
}

TEST(JobLoader, ScopesAreChecked) {
  EXPECT_EQ(error_of(with_head("steps:\n  - create_user\n  - issue_token: {scopes: [voip, vop]}\n")),
            "job.yaml:7:34: unknown scope 'vop' in issue_token.scopes (valid scopes: chat, voip, chat.join, "
            "chat.join.limited, voip.join)");
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
            "job.yaml:5:22: get_user needs connection.api_version 2025-03-02-preview or 2025-06-30 (this job uses "
            "2023-10-01)");
}

TEST(JobLoader, Timeouts) {
  EXPECT_EQ(parse(with_head("steps: [create_user]\ntimeouts: {request: 250ms}\n")).request_timeout, 250ms);
  EXPECT_THAT(error_of(with_head("steps: [create_user]\ntimeouts: {request: 10 s}\n")),
              HasSubstr("job.yaml:6:21: timeouts.request must be a duration such as 250ms, 30s, 5m, 24h or 1d"));
  EXPECT_EQ(error_of(with_head("steps: [create_user]\ntimeouts: {request: 0s}\n")),
            "job.yaml:6:21: timeouts.request must be between 1ms and 1h");
  const job j = parse(with_head("steps: [create_user]\ntimeouts:\n  job: 1h\n"));
  EXPECT_THAT(j.warnings, ElementsAre("job.yaml:7:3: timeouts.job is not enforced by this version; ignored"));
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

TEST(JobLoader, LaterSectionsAreWarnedAboutAndIgnored) {
  const job j = parse(with_head("steps: [create_user]\n"
                                "rate_limit: { per_second: 200, burst: 20 }\n"
                                "retry: { max_attempts: 6 }\n"
                                "state: { path: state/t.db }\n"
                                "outputs: { tokens: null }\n"
                                "thresholds: [\"p99(issue_token) < 300ms\"]\n"
                                "load: { executor: constant-arrival-rate }\n"));
  EXPECT_THAT(j.warnings,
              ElementsAre("job.yaml:6:1: rate_limit is not enforced by this version; ignored",
                          "job.yaml:7:1: retry is not applied by this version; ignored",
                          "job.yaml:8:1: state is not written by this version; ignored (a killed run cannot be resumed)",
                          "job.yaml:10:1: thresholds are not evaluated by this version; ignored",
                          "job.yaml:11:1: load is not run by this version; ignored (users and steps are what runs)"));
}

TEST(JobLoader, TokenOutputIsRefusedRatherThanDropped) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\noutputs:\n  tokens: tokens.jsonl\n")),
            "job.yaml:7:3: outputs.tokens is not supported by this version: the tokens would be written nowhere; "
            "remove it or set it to null");
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

// --- Files that are not job files at all. ---

TEST(JobLoader, MalformedYamlIsOneDiagnosticAtYamlCppsPosition) {
  EXPECT_EQ(error_of("version: 1\nname: [t\n"), "job.yaml:3:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("version: 1\nname: \"\\q\"\n"), "job.yaml:2:10: invalid YAML: unknown escape character: q");
}

TEST(JobLoader, EmptyAndNonMappingFiles) {
  EXPECT_EQ(error_of(""), "job.yaml:1:1: the job file is empty (it needs version, name, connection, users and steps)");
  EXPECT_EQ(error_of("# nothing\n"),
            "job.yaml:1:1: the job file is empty (it needs version, name, connection, users and steps)");
  EXPECT_EQ(error_of("- create_user\n"), "job.yaml:1:1: the job file must be a mapping of keys, not a list");
  EXPECT_EQ(error_of("hello\n"), "job.yaml:1:1: the job file must be a mapping of keys, not a single value");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\n---\nname: u\n")),
            "job.yaml:6:1: a job file holds one YAML document; this is a second one");
}

TEST(JobLoader, StrayCommaDoesNotHangTheParser) {
  // yaml-cpp 0.7's LoadAll loops forever, allocating, on a document that starts with ','.
  EXPECT_EQ(error_of(","), "job.yaml:1:1: invalid YAML: unexpected ',' where a value should start");
  EXPECT_EQ(error_of(",version: 1\nname: t\n"), "job.yaml:1:1: invalid YAML: unexpected ',' where a value should start");
  EXPECT_THAT(errors_of(with_head("steps: [create_user]\n---\n,\n")),
              ElementsAre("job.yaml:6:1: a job file holds one YAML document; this is a second one"));
}

TEST(JobLoader, OddYamlDoesNotCrash) {
  // Self-referencing alias, complex key, deep nesting, tags, NUL and invalid UTF-8.
  for (const std::string& text :
       std::vector<std::string>{std::string("steps: &s [*s]\n"), std::string("? [a]\n: b\n"), std::string(50'000, '['),
        std::string(50'000, '{'), std::string("name: !!binary x\nversion: !foo 1\n"),
        std::string("name: a\0b\n", 10), std::string("name: \xff\xfe\n"), with_head("steps: [create_user, *x]\n"),
        with_head("steps:\n  - issue_token: &a {scopes: *a}\n")}) {
    try {
      (void)parse(text);
    } catch (const job_error& e) {
      EXPECT_FALSE(e.diagnostics().empty());
    }
  }
}

// --- ${VAR} interpolation. ---

TEST(JobInterpolation, VariablesDefaultsAndEscapes) {
  const auto env = env_of({{"NAME", "night-run"}, {"EMPTY", ""}, {"N", "8"}});
  const job j = parse("version: 1\nname: ${NAME}\nconnection: ${MISSING:-embedded}\nconcurrency: ${N}\n"
                      "users: {create: \"${EMPTY:-3}\"}\nsteps: [create_user]\nreport: {path: \"r$$1-${NAME}$x.json\"}\n",
                      env);
  EXPECT_EQ(j.name, "night-run");
  EXPECT_TRUE(j.connection.embedded);
  EXPECT_EQ(j.concurrency, 8u);  // converted after substitution
  EXPECT_EQ(j.users.create, 3u);  // set but empty takes the default, as in the shell
  EXPECT_EQ(j.report.path, "r$1-night-run$x.json");
}

TEST(JobInterpolation, UnsetVariableWithoutDefaultIsAnErrorAtItsScalar) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: ${WORKERS}\n")),
            "job.yaml:6:14: concurrency: ${WORKERS} is not set and has no default (write ${WORKERS:-default} to give one)");
}

TEST(JobInterpolation, MalformedReferencesAreErrors) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nreport: {path: \"${OUT\"}\n")),
            "job.yaml:6:16: report.path: unterminated '${' (write '$$' for a literal '$')");
  EXPECT_THAT(error_of(with_head("steps: [create_user]\nreport: {path: \"${1X}\"}\n")),
              HasSubstr("job.yaml:6:16: report.path: malformed '${...}'"));
  EXPECT_THAT(error_of(with_head("steps: [create_user]\nreport: {path: \"${X-y}\"}\n")),
              HasSubstr("job.yaml:6:16: report.path: malformed '${...}'"));
  EXPECT_THAT(error_of(with_head("steps: [create_user]\nreport: {path: \"${X:-${Y}}\"}\n")),
              HasSubstr("nesting is not supported"));
}

TEST(JobInterpolation, ValuesFromTheEnvironmentAreNeverEchoed) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nconcurrency: ${N}\n"), env_of({{"N", "lots-SECRETISH"}})),
            "job.yaml:6:14: concurrency must be a whole number from 1 to 100000, not (a value from the environment, "
            "not shown)");
}

TEST(JobInterpolation, ValueCannotInjectYamlStructure) {
  const job j = parse("version: 1\nname: t\nconnection: embedded\nusers: {create: 1}\nsteps: [create_user]\n"
                      "report: {path: \"${P}\"}\n",
                      env_of({{"P", "x.json\nconcurrency: 5"}}));
  EXPECT_EQ(j.report.path, "x.json\nconcurrency: 5");
  EXPECT_EQ(j.concurrency, 16u);
}

// --- A connection string never reaches a message. ---

constexpr std::string_view canary_key = "Q0FOQVJZLUtFWS1kby1ub3QtbGVhaw==";

void expect_no_canary(const std::vector<std::string>& errors) {
  EXPECT_FALSE(errors.empty());
  for (const auto& e : errors) {
    EXPECT_THAT(e, ::testing::Not(HasSubstr(canary_key))) << e;
    EXPECT_THAT(e, ::testing::Not(HasSubstr("Q0FOQVJZ"))) << e;
  }
}

TEST(JobSecrets, CanaryConnectionStringNeverAppearsInDiagnostics) {
  const std::string key(canary_key);
  const std::vector<std::string> bad_values = {
      "endpoint=https://x.communication.azure.com/;accesskey=" + key + ";",
      "endpoint=ftp://x.communication.azure.com/;accesskey=" + key,
      "endpoint=https://x.communication.azure.com/path;accesskey=" + key,
      "endpoint=https://x.communication.azure.com:99999/;accesskey=" + key,
      "endpoint=https://x.communication.azure.com/?q=" + key + ";accesskey=" + key,
      "endpoint=https://x.communication.azure.com/;accesskey=" + key + "!!",
      "endpoint=https://x.communication.azure.com/;accesskey=" + key + ";extra=" + key,
      "endpoint=https://x.communication.azure.com/;" + key,
      "endpoint=https://x.communication.azure.com/;accesskey=" + key + ";accesskey=" + key,
      "endpoint=;accesskey=" + key,
      "accesskey=" + key,
  };
  // `concurrency: 0` makes every document fail, so a valid string's neighbourhood is checked too.
  for (const auto& value : bad_values) {
    SCOPED_TRACE(value);
    const std::string from_env = "version: 1\nname: t\nconnection:\n  connection_string: ${CS}\nusers: {create: 1}\n"
                                 "steps: [create_user]\nconcurrency: 0\n";
    const std::string literal = "version: 1\nname: t\nconnection:\n  connection_string: \"" + value +
                                "\"\nusers: {create: 1}\nsteps: [create_user]\nconcurrency: 0\n";
    expect_no_canary(errors_of(from_env, env_of({{"CS", value}})));
    expect_no_canary(errors_of(literal));
  }
  // Its error points at the value.
  const auto errors = errors_of("version: 1\nname: t\nconnection:\n  connection_string: ${CS}\nusers: {create: 1}\n"
                                "steps: [create_user]\n",
                                env_of({{"CS", bad_values[2]}}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("job.yaml:4:22: connection.connection_string: "));
}

TEST(JobSecrets, ConnectionStringInTheWrongPlaceIsNotEchoed) {
  const std::string cs = "endpoint=https://x.communication.azure.com/;accesskey=" + std::string(canary_key);
  expect_no_canary(errors_of("version: 1\nname: \"" + cs + "\"\nconnection:\n  connection_string: embedded\n"
                             "  api_version: \"" + cs + "\"\nusers: {create: 1}\nsteps: [\"" + cs + "\"]\n"));
  expect_no_canary(errors_of("version: 1\nname: ${CS}\nconnection: {connection_string: embedded, api_version: ${CS}}\n"
                             "users: {create: ${CS}}\nsteps: [\"${CS}\"]\ntimeouts: {request: ${CS}}\n",
                             env_of({{"CS", cs}})));
}

// --- Small pieces. ---

TEST(JobDuration, ParsesUnits) {
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("24h"), 24h);
  EXPECT_EQ(parse_duration("1d"), 24h);
  EXPECT_EQ(parse_duration("0s"), 0ms);
}

TEST(JobDuration, RefusesEverythingElse) {
  for (const std::string_view bad : {"", "s", "10", "-5s", "+5s", "1.5s", "5 s", " 5s", "5S", "5sec", "5us", "1h30m",
                                     "0x10s", "99999999999999999999999d", "106751991167301d", "9223372036854775808ms"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
  EXPECT_EQ(parse_duration("9223372036854775807ms"), std::chrono::milliseconds::max());
  EXPECT_EQ(parse_duration("106751991167d"), std::chrono::hours{106751991167LL * 24});
}

TEST(JobOperation, RoundTripsThroughItsName) {
  for (const auto op : {operation::create_user, operation::create_user_and_token, operation::issue_token,
                        operation::revoke_tokens, operation::delete_user, operation::get_user})
    EXPECT_EQ(operation_from_string(to_string(op)), op);
  EXPECT_EQ(to_string(operation::create_user_and_token), "create_user_and_token");
  EXPECT_FALSE(operation_from_string("Create_User"));
  EXPECT_FALSE(operation_from_string(""));
}

TEST(JobConstants, MirrorTheIdentityLayer) {
  ASSERT_EQ(std::size(supported_api_versions), std::size(identity::supported_api_versions));
  for (std::size_t i = 0; i < std::size(supported_api_versions); ++i)
    EXPECT_EQ(supported_api_versions[i], identity::supported_api_versions[i]);
  ASSERT_EQ(std::size(known_scopes), std::size(identity::known_scopes));
  for (std::size_t i = 0; i < std::size(known_scopes); ++i) EXPECT_EQ(known_scopes[i], identity::known_scopes[i]);
}

TEST(JobDiagnostic, FormatsWithAndWithoutPosition) {
  EXPECT_EQ((diagnostic{"f.yaml", 3, 7, "bad"}).to_string(), "f.yaml:3:7: bad");
  EXPECT_EQ((diagnostic{"f.yaml", 3, 0, "bad"}).to_string(), "f.yaml:3: bad");
  EXPECT_EQ((diagnostic{"f.yaml", 0, 0, "bad"}).to_string(), "f.yaml: bad");
}

// --- Files on disk. ---

TEST(JobLoadFile, ReadsAFile) {
  const auto path = std::filesystem::temp_directory_path() / ("acsbatch_job_test_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path, std::ios::binary);
    out << quickstart;
  }
  const job j = load_job(path.string(), env_of());
  EXPECT_EQ(j.name, "quickstart");
  EXPECT_EQ(j.file, path.string());
  EXPECT_EQ(j.sha256, parse(quickstart).sha256);
  std::filesystem::remove(path);
}

TEST(JobLoadFile, UnreadableFileNamesThePathAndTheReason) {
  try {
    (void)load_job("/nonexistent/dir/job.yaml", env_of());
    FAIL() << "no error";
  } catch (const job_error& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/dir/job.yaml: cannot open the job file: No such file or directory");
  }
  try {
    (void)load_job(std::filesystem::temp_directory_path().string(), env_of());
    FAIL() << "no error";
  } catch (const job_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot read the job file: Is a directory"));
  }
}

// --- Random damage to a valid file never crashes the loader. ---

TEST(JobFuzz, MutationsOfAValidFileNeverCrash) {
  const std::string base = std::string(quickstart) +
                           "rate_limit: { per_second: 200 }\noutputs: { tokens: null }\nstate: { path: s.db }\n";
  constexpr std::string_view alphabet = ":-[]{}\"'$#\n &*!|>%@`,?\\~01aZ_.";
  std::mt19937 random(20261125);
  const auto env = env_of({{"COMMUNICATION_SERVICES_CONNECTION_STRING", "embedded"}});
  int parsed = 0, rejected = 0;
  for (int round = 0; round < 600; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int k = 0; k < edits && !text.empty(); ++k) {
      const std::size_t at = random() % text.size();
      switch (random() % 5) {
        case 0: text.erase(at, 1 + random() % 8); break;
        case 1: text.insert(at, 1, alphabet[random() % alphabet.size()]); break;
        case 2: text[at] = alphabet[random() % alphabet.size()]; break;
        case 3: text.insert(at, text.substr(random() % text.size(), 1 + random() % 40)); break;
        case 4: text.resize(at); break;
      }
    }
    try {
      (void)parse(text, env);
      ++parsed;
    } catch (const job_error& e) {
      ++rejected;
      ASSERT_FALSE(e.diagnostics().empty()) << text;
      for (const auto& d : e.diagnostics()) ASSERT_FALSE(d.message.empty()) << text;
    } catch (const std::exception& e) {
      FAIL() << "unexpected exception " << e.what() << " for:\n" << text;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace acsbatch::job
