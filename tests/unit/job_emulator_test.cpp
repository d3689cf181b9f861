// connection.emulator: the embedded emulator's state file, limits, faults, latency and seed —
// read, resolved, refused with FILE:LINE:COL by the emulator's own checks, as the CLI registers them.


#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/spec_checks.hpp"
#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace acsbatch::job::testing;
using ::testing::HasSubstr;

/// The checks the CLI registers at start-up; every test of this file runs with them.
const bool checks_registered = [] {
  register_emulator_spec_checks({emulator::limits_spec_problem, emulator::faults_spec_problem,
                                 emulator::latency_spec_problem});
  return true;
}();

constexpr std::string_view resource = "endpoint=https://res.communication.azure.com/;accesskey=c2VjcmV0";

/// A job whose connection is `connection` (indented mapping lines, from line 4).
std::string with_connection(std::string_view connection) {
  return "version: 1\nname: t\nconnection:\n" + std::string(connection) + "users: {create: 1}\nsteps: [create_user]\n";
}

TEST(JobEmulator, ReadsEverySetting) {
  const job j = parse_job(with_connection("  emulator:\n"
                                          "    state: ../state/e.json\n"
                                          "    limits: real\n"
                                          "    faults: \"429@250ms:0.1, reset:0.01\"\n"
                                          "    latency: lognormal:median=20ms,p99=250ms\n"
                                          "    seed: 18446744073709551615\n"),
                          "jobs/job.yaml", env_of());
  EXPECT_TRUE(j.connection.embedded);
  const auto& e = j.connection.emulator;
  // Beside the job file, like users.from_file.
  EXPECT_EQ(e.state, "jobs/../state/e.json");
  EXPECT_EQ(e.limits, "real");
  EXPECT_EQ(e.faults, "429@250ms:0.1, reset:0.01");
  EXPECT_EQ(e.latency, "lognormal:median=20ms,p99=250ms");
  EXPECT_EQ(e.seed, 18446744073709551615u);
}

TEST(JobEmulator, DefaultsAreTheEmulatorsOwn) {
  const job j = parse(with_connection("  connection_string: embedded\n"));
  EXPECT_TRUE(j.connection.emulator.state.empty());
  EXPECT_EQ(j.connection.emulator.limits, "off");
  EXPECT_TRUE(j.connection.emulator.faults.empty());
  EXPECT_TRUE(j.connection.emulator.latency.empty());
  EXPECT_FALSE(j.connection.emulator.seed.has_value());
  // An empty mapping changes nothing.
  EXPECT_EQ(parse(with_connection("  emulator: {}\n")).connection.emulator.limits, "off");
}

TEST(JobEmulator, AbsoluteStateAndStateFromSetAreTakenAsWritten) {
  EXPECT_EQ(parse_job(with_connection("  emulator: {state: /var/lib/e.json}\n"), "jobs/job.yaml", env_of())
                .connection.emulator.state,
            "/var/lib/e.json");
  // --set is typed at the shell: relative to the working directory.
  const job j = parse_job(with_connection("  emulator: {state: a.json}\n"), "jobs/job.yaml", env_of(),
                          {parse_override("connection.emulator.state=here/e.json")});
  EXPECT_EQ(j.connection.emulator.state, "here/e.json");
  const job created = parse_job(with_connection("  api_version: \"2023-10-01\"\n"), "jobs/job.yaml", env_of(),
                                {parse_override("connection.emulator.seed=7")});
  EXPECT_EQ(created.connection.emulator.seed, 7u);
}

TEST(JobEmulator, BadSpecsNameTheKeyAndThePlace) {
  EXPECT_EQ(error_of(with_connection("  emulator:\n    faults: \"429:1.5\"\n")),
            "job.yaml:5:13: connection.emulator.faults: '429:1.5' probability must be in [0,1]");
  EXPECT_EQ(error_of(with_connection("  emulator:\n    limits: create_user=100\n")),
            "job.yaml:5:13: connection.emulator.limits: 'create_user=100' must be OP=N/WINDOW (e.g. "
            "create_user=100/1s)");
  EXPECT_EQ(error_of(with_connection("  emulator: {latency: \"lognormal:median=20ms\"}\n")),
            "job.yaml:4:23: connection.emulator.latency: 'lognormal:median=20ms' needs p99=DURATION");
  EXPECT_EQ(error_of(with_connection("  emulator:\n    seed: -1\n")),
            "job.yaml:5:11: connection.emulator.seed must be a whole number from 0 to 18446744073709551615, "
            "not '-1'");
  EXPECT_EQ(error_of(with_connection("  emulator:\n    stat: e.json\n")),
            "job.yaml:5:5: unknown key 'stat' in connection.emulator; did you mean 'state'?");
  EXPECT_EQ(error_of(with_connection("  emulator:\n    state: dir/\n")),
            "job.yaml:5:12: connection.emulator.state must name a file, not 'dir/'");
  EXPECT_EQ(error_of(with_connection("  emulator: real\n")),
            "job.yaml:4:13: connection.emulator must be a mapping of keys, not a single value");
  EXPECT_EQ(error_of(with_connection("  emulator: {limits: real, faults: \"429:0.5\"}\n"), env_of(),
                     {parse_override("connection.emulator.faults=429:2")}),
            "--set connection.emulator.faults: connection.emulator.faults: '429:2' probability must be in [0,1]");
  // Every problem is reported, in file order.
  EXPECT_EQ(errors_of(with_connection("  emulator:\n    limits: fast\n    faults: boom:1\n")).size(), 2u);
}

TEST(JobEmulator, IsRefusedBesideAResourceWrittenInTheFile) {
  EXPECT_EQ(error_of(with_connection("  connection_string: \"" + std::string(resource) +
                                     "\"\n  emulator: {state: e.json}\n")),
            "job.yaml:5:3: connection.emulator applies only to connection_string: embedded, and this job names a "
            "resource; remove one of them");
  // Whichever comes first.
  EXPECT_THAT(error_of(with_connection("  emulator: {seed: 1}\n  connection_string: \"" + std::string(resource) +
                                       "\"\n")),
              HasSubstr("job.yaml:4:3: connection.emulator applies only"));
}

TEST(JobEmulator, IsSetAsideWhenTheEnvironmentChoosesAResource) {
  const std::string text = with_connection("  connection_string: ${CS:-embedded}\n  emulator: {state: e.json}\n");
  const job offline = parse(text);
  EXPECT_TRUE(offline.connection.embedded);
  EXPECT_EQ(offline.connection.emulator.state, "e.json");

  const job online = parse(text, env_of({{"CS", std::string(resource)}}));
  EXPECT_FALSE(online.connection.embedded);
  EXPECT_TRUE(online.connection.emulator.state.empty());
  EXPECT_TRUE(online.warnings.empty());

  // Still checked, so a broken setting shows on every machine.
  EXPECT_EQ(error_of(with_connection("  connection_string: ${CS:-embedded}\n  emulator: {faults: \"429\"}\n"),
                     env_of({{"CS", std::string(resource)}})),
            "job.yaml:5:22: connection.emulator.faults: '429' must be KIND:PROBABILITY (e.g. 429:0.3, reset:0.01)");
  // A resource chosen with --set is set aside the same way.
  const job set = parse(text, env_of(), {parse_override("connection.connection_string=" + std::string(resource))});
  EXPECT_FALSE(set.connection.embedded);
  EXPECT_TRUE(set.connection.emulator.state.empty());
}

TEST(JobEmulator, ASpecFromTheEnvironmentIsNotEchoed) {
  const auto message = error_of(with_connection("  emulator: {faults: \"${FAULTS}\"}\n"),
                                env_of({{"FAULTS", "secret-ish:2"}}));
  EXPECT_THAT(message, HasSubstr("connection.emulator.faults: not valid (the value came from the environment"));
  EXPECT_EQ(message.find("secret-ish"), std::string::npos);
}

}  // namespace
}  // namespace acsbatch::job
