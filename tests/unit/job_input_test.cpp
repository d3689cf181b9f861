// Inputs that are not job files at all, ${VAR} interpolation, and the promise that a connection
// string never reaches a message.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace std::chrono_literals;
using namespace acsbatch::job::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

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

}  // namespace
}  // namespace acsbatch::job
