// The README's catalogue of bad input, row by row: each kind of mistake a user can make (in the
// job file, the environment, the connection, the service's answers, the output paths) runs the
// binary and checks the exit code and the words of the message the user sees. Rows covered
// elsewhere name their test in the README (Cli.*, EmulatorTls.*, Engine.*).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "acsbatch/emulator/server.hpp"
#include "scripted_server.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string binary = ACSBATCH_BINARY;
const fs::path source_dir = ACSBATCH_SOURCE_DIR;
const std::string quickstart = (source_dir / "jobs" / "quickstart.yaml").string();
constexpr const char* connection_env = "COMMUNICATION_SERVICES_CONNECTION_STRING";
/// A key that must never appear in any output.
const std::string canary_key = "QkFELUlOUFVULUNBTkFSWS1LRVk=";

class BadInput : public ::testing::Test {
 protected:
  /// Writes `text` as `name` in the test's directory and returns its path.
  fs::path job_file(const std::string& name, const std::string& text) {
    const auto path = dir.path() / name;
    std::ofstream(path) << text;
    return path;
  }

  /// `acsbatch run JOB` in the test's directory with the connection string `connection` (unset
  /// when empty: the job's own default, the embedded emulator).
  process_result run(const std::vector<std::string>& args, const std::string& connection = {}) {
    std::vector<std::string> argv{binary, "run"};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::optional<std::string> env = connection.empty() ? std::nullopt : std::optional(connection);
    auto result = run_process(argv, dir.path(), {{connection_env, env}, {"ACSBATCH_TEST_UNSET", std::nullopt}});
    EXPECT_EQ(result.err.find(canary_key), std::string::npos) << "the key reached stderr";
    EXPECT_EQ(result.out.find(canary_key), std::string::npos) << "the key reached stdout";
    return result;
  }

  temp_dir dir;
};

TEST_F(BadInput, YamlSyntaxErrorExits65AtItsLine) {
  const auto job = job_file("job.yaml", "version: 1\nname: t\nusers: {create: 1}\nsteps: [create_user\n");
  const auto result = run({job.string()});
  EXPECT_EQ(result.exit_code, 65) << result.err;
  EXPECT_THAT(result.err, HasSubstr(job.string() + ":5:1: invalid YAML: end of sequence flow not found"));
}

TEST_F(BadInput, UnknownKeyExits65WithASuggestion) {
  const auto job = job_file("job.yaml", "version: 1\nname: t\nusers: {create: 1}\nsteps: [create_user]\n"
                                        "rate_limit: {per_secnd: 5}\n");
  const auto result = run({job.string()});
  EXPECT_EQ(result.exit_code, 65) << result.err;
  EXPECT_THAT(result.err,
              HasSubstr(job.string() + ":5:14: unknown key 'per_secnd' in rate_limit; did you mean 'per_second'?"));
}

TEST_F(BadInput, MissingRequiredKeyExits65WithAnExample) {
  const auto job = job_file("job.yaml", "version: 1\nname: t\nsteps: [create_user]\n");
  const auto result = run({job.string()});
  EXPECT_EQ(result.exit_code, 65) << result.err;
  EXPECT_THAT(result.err, HasSubstr(job.string() + ":1:1: missing users (e.g. users: {create: 1})"));
}

TEST_F(BadInput, ValueOutOfRangeExits65NamingTheRange) {
  const auto job = job_file("job.yaml", "version: 1\nname: t\nusers: {create: 1}\nsteps: [create_user]\n"
                                        "concurrency: 0\n");
  const auto result = run({job.string()});
  EXPECT_EQ(result.exit_code, 65) << result.err;
  EXPECT_THAT(result.err, HasSubstr(job.string() + ":5:14: concurrency must be from 1 to 100000, not '0'"));
}

TEST_F(BadInput, UnsetEnvironmentVariableExits65SayingHowToGiveADefault) {
  const auto job = job_file("job.yaml", "version: 1\nname: t\nconnection:\n  connection_string: ${ACSBATCH_TEST_UNSET}\n"
                                        "users: {create: 1}\nsteps: [create_user]\n");
  const auto result = run({job.string()});
  EXPECT_EQ(result.exit_code, 65) << result.err;
  EXPECT_THAT(result.err, HasSubstr(job.string() + ":4:22: connection.connection_string: ${ACSBATCH_TEST_UNSET} is "
                                                   "not set and has no default"));
}

TEST_F(BadInput, MissingJobFileExits65) {
  const auto result = run({"absent.yaml"});
  EXPECT_EQ(result.exit_code, 65) << result.err;
  EXPECT_THAT(result.err, HasSubstr("absent.yaml: cannot open the job file: No such file or directory"));
}

TEST_F(BadInput, MissingUsersFileExits65BeforeAnyRequest) {
  const auto job = job_file("job.yaml", "version: 1\nname: t\nusers: {from_file: absent.txt}\nsteps: [revoke_tokens]\n");
  const auto result = run({job.string()});
  EXPECT_EQ(result.exit_code, 65) << result.err;
  EXPECT_THAT(result.err, HasSubstr("users: cannot read the users file"));
  EXPECT_THAT(result.err, HasSubstr("absent.txt': No such file or directory")) << "and why (issue 20)";
}

TEST_F(BadInput, UnreachableEndpointExits69ConnectionRefused) {
  // A port that was just free: nothing listens there, so the connection is refused.
  std::uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    port = probe.local_endpoint().port();
  }
  const auto result = run({quickstart, "--report", "r.json"},
                          "endpoint=http://127.0.0.1:" + std::to_string(port) + "/;accesskey=" + canary_key);
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("127.0.0.1 rejected the request or could not be reached: could not connect: "
                                    "Connection refused"));
}

TEST_F(BadInput, UnresolvableHostExits69WithoutAskingAnyDnsServer) {
  // RFC 6761 §6.4: .invalid never resolves; the client answers that itself, so nothing leaves.
  const auto result = run({quickstart, "--report", "r.json"},
                          "endpoint=https://acsbatch-test.invalid/;accesskey=" + canary_key);
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("acsbatch-test.invalid rejected the request or could not be reached: could not "
                                    "connect: the host name does not resolve"));
}

TEST_F(BadInput, ForbiddenExits69AndStopsTheRun) {
  // A 403 means every later request would be refused too: the run stops instead of failing
  // every user the same way.
  boost::asio::io_context io;
  scripted_server server{io};
  server.then_reply(http_reply(403,
                               R"({"error":{"code":"Forbidden","message":"The resource's access key was rotated."}})",
                               "Content-Type: application/json\r\n"));
  auto guard = boost::asio::make_work_guard(io);
  std::thread serving([&] { io.run(); });
  const auto result = run({quickstart, "--report", "r.json", "--set", "users.create=5", "--set", "concurrency=1"},
                          "endpoint=http://127.0.0.1:" + std::to_string(server.port()) + "/;accesskey=" + canary_key);
  guard.reset();
  io.stop();
  serving.join();
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("HTTP 403 Forbidden: The resource's access key was rotated."));
  EXPECT_THAT(result.err, HasSubstr("check the connection string (endpoint and access key)"));
  EXPECT_EQ(server.requests().size(), 1u) << "the run must stop at the first 403";
}

TEST_F(BadInput, UnknownListedUserFailsItsItemExit1WithIdentityNotFound) {
  emulator::embedded_emulator server;
  std::ofstream(dir.path() / "ids.txt") << "8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000001\n";
  const auto job = job_file("job.yaml", "version: 1\nname: ghosts\nusers: {from_file: ids.txt}\nsteps: [revoke_tokens]\n");
  const auto result = run({job.string(), "--report", "r.json"}, server.connection_string());
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("items: 1 total, 0 succeeded, 1 failed"));
  const auto report = json::parse(read_file(dir.path() / "r.json"));
  const auto& step = report.at("items").at(0).at("steps").at(0);
  EXPECT_EQ(step.at("http_status").to_number<int>(), 404);
  EXPECT_EQ(step.at("error").at("code"), "IdentityNotFound");
  EXPECT_EQ(report.at("errors").at(0).at("code"), "IdentityNotFound");
}

TEST_F(BadInput, ServerErrorStormFailsEachItemAfterItsRetriesExit1) {
  const auto job = job_file("job.yaml", "version: 1\nname: storm\nconnection:\n  connection_string: embedded\n"
                                        "  api_version: 2025-03-02-preview\n"
                                        "  emulator: {faults: \"502:1\", seed: 7}\nusers: {create: 2, custom_id: \"s-{index}\"}\n"
                                        "steps: [create_user]\nretry: {max_attempts: 3, initial_backoff: 1ms}\n"
                                        "rate_limit: {per_operation: none}\n");
  const auto result = run({job.string(), "--report", "r.json"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("create_user: FAILED (HTTP 502), "));
  EXPECT_THAT(result.out, HasSubstr("3 attempts — HTTP 502"));
  EXPECT_THAT(result.out, HasSubstr("items: 2 total, 0 succeeded, 2 failed"));
}

TEST_F(BadInput, AThrottlingStormFailsAnItemOnlyWhenItsThrottledForBudgetIsSpentExit1) {
  // 429 and 503 do not spend max_attempts (1 here): each step retries them, after their
  // Retry-After, for retry.throttled_for, then fails saying so.
  const auto job = job_file("job.yaml", "version: 1\nname: storm\nconnection:\n  connection_string: embedded\n"
                                        "  emulator: {faults: \"503@50ms:1\", seed: 7}\nusers: {create: 2}\n"
                                        "steps: [create_user]\nretry: {max_attempts: 1, throttled_for: 400ms}\n"
                                        "rate_limit: {per_operation: none}\n");
  const auto result = run({job.string(), "--report", "r.json"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("create_user: FAILED (HTTP 503), "));
  EXPECT_THAT(result.out, HasSubstr("the retry.throttled_for budget (0.4 s)"));
  const auto report = json::parse(read_file(dir.path() / "r.json"));
  const auto& step = report.at("items").at(0).at("steps").at(0);
  // 50 ms apart for 400 ms: about nine attempts (at least five on a busy machine), not one.
  EXPECT_GE(step.at("attempts").to_number<int>(), 5);
  EXPECT_LE(step.at("attempts").to_number<int>(), 10);
}

TEST_F(BadInput, FullDiskForTheReportExits73NoSpaceLeft) {
  // First through a link of our own, so that a writer that replaced its target instead of
  // writing through it would replace the link, never /dev/full itself.
  fs::create_symlink("/dev/full", dir.path() / "full.json");
  const auto linked = run({quickstart, "--report", "full.json", "--quiet"});
  ASSERT_EQ(linked.exit_code, 73) << linked.out << linked.err;
  EXPECT_THAT(linked.err, HasSubstr("cannot write the report full.json: No space left on device"));
  ASSERT_TRUE(fs::is_symlink(dir.path() / "full.json"));

  const auto direct = run({quickstart, "--report", "/dev/full", "--quiet"});
  EXPECT_EQ(direct.exit_code, 73) << direct.out << direct.err;
  EXPECT_THAT(direct.err, HasSubstr("cannot write the report /dev/full: No space left on device"));
  struct stat status {};
  ASSERT_EQ(::lstat("/dev/full", &status), 0);
  EXPECT_TRUE(S_ISCHR(status.st_mode)) << "/dev/full was replaced";
  // No side file was left in /dev (or anywhere near the report).
  EXPECT_FALSE(fs::exists("/dev/full.items.jsonl.tmp"));
  EXPECT_FALSE(fs::exists("/dev/full.tmp"));
}

TEST_F(BadInput, ReportPathThroughAFileExits73) {
  std::ofstream(dir.path() / "plain") << "x";
  const auto result = run({quickstart, "--report", "plain/r.json", "--quiet"});
  EXPECT_EQ(result.exit_code, 73) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("cannot write the report"));
  EXPECT_THAT(result.err, HasSubstr("plain"));
}

}  // namespace
}  // namespace acsbatch::testing
