// The engine through the binary, against an emulator the test owns: graceful stop on SIGTERM,
// --dry-run, users from a file, several threads. Loopback only, bounded in time.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <thread>

#include <boost/json.hpp>

#include "acsbatch/emulator/server.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string binary = ACSBATCH_BINARY;
constexpr const char* connection_env = "COMMUNICATION_SERVICES_CONNECTION_STRING";

std::uint64_t number(const json::value& v) { return v.to_number<std::uint64_t>(); }

/// A job against ${COMMUNICATION_SERVICES_CONNECTION_STRING} (the test's emulator).
std::filesystem::path write_job(const temp_dir& dir, const std::string& name, const std::string& body) {
  const auto path = dir.path() / (name + ".yaml");
  std::ofstream(path) << "version: 1\nname: " << name << "\n"
                      << "connection: { connection_string: \"${COMMUNICATION_SERVICES_CONNECTION_STRING}\" }\n"
                      << "report: { path: " << (dir.path() / (name + ".json")).string() << " }\n"
                      << body;
  return path;
}

json::object read_report(const temp_dir& dir, const std::string& name) {
  return json::parse(read_file(dir.path() / (name + ".json"))).as_object();
}

std::uint64_t requests_with_status(const json::value& stats, const char* op, const char* status) {
  const auto& requests = stats.at("requests").as_object();
  if (!requests.contains(op) || !requests.at(op).as_object().contains(status)) return 0;
  return number(requests.at(op).at(status));
}

TEST(Engine, SigtermDrainsInFlightItemsWritesTheReportAndExits130) {
  emulator::embedded_emulator server;
  temp_dir dir;
  // 100 users/s: 3 000 users would take 30 s; the test stops it after one second.
  const auto job = write_job(dir, "drain", R"(
concurrency: 16
users: { create: 3000 }
rate_limit: { per_second: 100, burst: 1, per_operation: none }
steps: [create_user, delete_user]
)");
  child_process run({binary, "run", job.string()}, dir.path(), {{connection_env, server.connection_string()}});
  std::this_thread::sleep_for(1500ms);
  run.signal(SIGTERM);
  const auto result = run.wait(30s);
  ASSERT_EQ(result.exit_code, 130) << result.out << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr("stopping"));

  const auto report = read_report(dir, "drain");
  const auto& items = report.at("summary").at("items");
  EXPECT_EQ(number(items.at("total")), 3000u);
  EXPECT_GT(number(items.at("skipped")), 2000u);
  EXPECT_EQ(number(items.at("succeeded")) + number(items.at("failed")) + number(items.at("skipped")), 3000u);
  EXPECT_EQ(number(items.at("failed")), 0u) << "in-flight items must finish, not be cut";

  // Every identity that was created was also deleted: the drain left no orphan behind.
  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  EXPECT_EQ(number(stats.at("identities").at("live")), 0u);
  EXPECT_EQ(number(stats.at("identities").at("created")), number(items.at("succeeded")));
}

TEST(Engine, DryRunPrintsThePlanAndSendsNothing) {
  emulator::embedded_emulator server;
  temp_dir dir;
  const auto job = write_job(dir, "plan", R"(
concurrency: 64
users: { create: 10000 }
steps:
  - create_user_and_token: { scopes: [voip, chat] }
  - delete_user
)");
  const auto result = run_process({binary, "run", job.string(), "--dry-run"}, dir.path(),
                                  {{connection_env, server.connection_string()}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, ::testing::HasSubstr("10000 new user(s)"));
  EXPECT_THAT(result.out, ::testing::HasSubstr("create_user_and_token: 10000 request(s)"));
  // 10 000 creates at the service's 1000 per 30 s (less the limiter's 2 % headroom) take just
  // over 5 minutes, but 10 000 deletes at its 500 per 30 s take twice as long: deletes bound the run.
  EXPECT_THAT(result.out, ::testing::HasSubstr("create_user_and_token: 10000 request(s) at ≤ 32.67/s → 5m07s"));
  EXPECT_THAT(result.out, ::testing::HasSubstr("expected duration at the limits: 10m13s (bound by delete_user"));
  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  EXPECT_EQ(number(stats.at("identities").at("created")), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "plan.json"));
}

TEST(Engine, RotatesTokensForUsersListedInAFile) {
  emulator::embedded_emulator server;
  temp_dir dir;
  // First provision 20 users, then read their ids back from the report.
  const auto provision = write_job(dir, "provision", R"(
concurrency: 8
users: { create: 20 }
rate_limit: { per_operation: none }
steps: [create_user]
)");
  const auto first = run_process({binary, "run", provision.string()}, dir.path(), {{connection_env, server.connection_string()}});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::ofstream ids(dir.path() / "ids.txt");
  ids << "# users to rotate\n\n";
  const auto provisioned = read_report(dir, "provision");
  for (const auto& item : provisioned.at("items").as_array())
    ids << item.at("user_id").as_string().c_str() << "\n";
  ids.close();

  const auto rotate = write_job(dir, "rotate", "concurrency: 4\nusers: { from_file: " + (dir.path() / "ids.txt").string() +
                                                   " }\nrate_limit: { per_operation: none }\n"
                                                   "steps:\n  - revoke_tokens\n  - issue_token: { scopes: [chat] }\n");
  const auto second = run_process({binary, "run", rotate.string()}, dir.path(), {{connection_env, server.connection_string()}});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  const auto report = read_report(dir, "rotate");
  EXPECT_EQ(number(report.at("summary").at("items").at("succeeded")), 20u);
  EXPECT_EQ(number(report.at("summary").at("operations").at("revoke_tokens").at("ok")), 20u);
  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  EXPECT_EQ(requests_with_status(stats, "revoke_tokens", "204"), 20u);
  EXPECT_EQ(number(stats.at("tokens").at("issued")), 20u);

  // The same rotation straight from the provisioning report.
  const auto from_report = write_job(dir, "rotate2", "users: { from_report: " + (dir.path() / "provision.json").string() +
                                                        " }\nrate_limit: { per_operation: none }\nsteps: [revoke_tokens]\n");
  const auto third = run_process({binary, "run", from_report.string()}, dir.path(), {{connection_env, server.connection_string()}});
  ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
  EXPECT_EQ(number(read_report(dir, "rotate2").at("summary").at("items").at("succeeded")), 20u);
}

TEST(Engine, MalformedIdFileStopsWithItsLine) {
  emulator::embedded_emulator server;
  temp_dir dir;
  std::ofstream(dir.path() / "ids.txt") << "8:acs:aaaa_bbbb\nnot-an-id\n";
  const auto job = write_job(dir, "bad_ids", "users: { from_file: " + (dir.path() / "ids.txt").string() +
                                                 " }\nrate_limit: { per_operation: none }\nsteps: [revoke_tokens]\n");
  const auto result = run_process({binary, "run", job.string()}, dir.path(), {{connection_env, server.connection_string()}});
  EXPECT_EQ(result.exit_code, 65) << result.out << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr("ids.txt:2: not an ACS user id"));
}

TEST(Engine, SeveralThreadsGiveTheSameResult) {
  emulator::embedded_emulator server;
  temp_dir dir;
  const auto job = write_job(dir, "threads", R"(
concurrency: 32
users: { create: 400 }
rate_limit: { per_operation: none }
steps:
  - create_user
  - issue_token: { scopes: [voip] }
  - delete_user
)");
  const auto result = run_process({binary, "run", job.string(), "--threads", "2", "--quiet"}, dir.path(),
                                  {{connection_env, server.connection_string()}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.out.empty()) << "--quiet prints nothing on success: " << result.out;
  const auto report = read_report(dir, "threads");
  EXPECT_EQ(number(report.at("summary").at("items").at("succeeded")), 400u);
  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  EXPECT_EQ(number(stats.at("identities").at("created")), 400u);
  EXPECT_EQ(number(stats.at("identities").at("live")), 0u);
  EXPECT_EQ(number(stats.at("tokens").at("issued")), 400u);
}

TEST(Engine, ALoadOnSeveralThreadsWaitsForSlotsDropsStopsAndCleansUp) {
  // The open model's scheduler, its slot timer woken from other strands, the abort check and
  // the after-load cleanup, all on two threads (TSan runs this one).
  emulator::server_options options;
  options.latency = emulator::parse_latency_spec("fixed:300ms");
  emulator::embedded_emulator server{options};
  temp_dir dir;
  const auto job = write_job(dir, "load", R"(
rate_limit: { per_operation: none }
load:
  executor: constant-arrival-rate
  rate: 200/s
  duration: 3s
  max_in_flight: 20
  max_start_delay: 200ms
  scenario: [create_user]
thresholds:
  - { threshold: "failed < 1", abort_on_fail: true }
)");
  const auto result = run_process({binary, "run", job.string(), "--threads", "2", "--quiet"}, dir.path(),
                                  {{connection_env, server.connection_string()}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto report = read_report(dir, "load");
  const auto& items = report.at("summary").at("items");
  // 20 slots of 300 ms carry ~67/s of the 200/s: about a third start, some after a wait.
  EXPECT_EQ(number(items.at("total")) + number(items.at("dropped")), 600u);
  EXPECT_GT(number(items.at("delayed")), 0u);
  EXPECT_GT(number(items.at("dropped")), 0u);
  EXPECT_EQ(number(emulator_json(server.port(), "GET", "/emulator/stats").at("identities").at("live")), 0u);
}

}  // namespace
}  // namespace acsbatch::testing
