// The acsbatch binary end to end: the shipped quickstart job against the embedded emulator and
// against an emulator the test starts (so that the server's own counts can be checked), a wrong
// key, and a broken job file — exit codes, report contents, and no secret in any output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/emulator/server.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string binary = ACSBATCH_BINARY;
const std::filesystem::path source_dir = ACSBATCH_SOURCE_DIR;
const std::string quickstart = (source_dir / "jobs" / "quickstart.yaml").string();
constexpr const char* connection_env = "COMMUNICATION_SERVICES_CONNECTION_STRING";

const std::regex acs_user_id{R"(8:acs:[0-9a-f-]{36}_[0-9a-f-]{36})"};

/// Checks the quickstart report: 4 operations ok, the user id's format, the token's expiry
/// within the requested 24 h window, and no token anywhere in the file.
void expect_quickstart_report(const std::string& text, std::chrono::system_clock::time_point before,
                              std::chrono::system_clock::time_point after) {
  const json::object report = json::parse(text).as_object();
  EXPECT_EQ(report.at("schema"), "acsbatch.report/v1");
  EXPECT_EQ(report.at("job").at("name"), "quickstart");
  const auto& summary = report.at("summary").as_object();
  EXPECT_EQ(summary.at("items").at("total").to_number<int>(), 1);
  EXPECT_EQ(summary.at("items").at("succeeded").to_number<int>(), 1);
  const auto& operations = summary.at("operations").as_object();
  for (const char* op : {"create_user", "issue_token", "revoke_tokens", "delete_user"}) {
    ASSERT_TRUE(operations.contains(op)) << op;
    EXPECT_EQ(operations.at(op).at("count").to_number<int>(), 1) << op;
    EXPECT_EQ(operations.at(op).at("ok").to_number<int>(), 1) << op;
    EXPECT_EQ(operations.at(op).at("failed").to_number<int>(), 0) << op;
  }
  const auto& item = report.at("items").as_array().at(0).as_object();
  const std::string user_id(item.at("user_id").as_string());
  EXPECT_TRUE(std::regex_match(user_id, acs_user_id)) << user_id;
  const auto& steps = item.at("steps").as_array();
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].at("http_status").to_number<int>(), 201);
  EXPECT_EQ(steps[1].at("op"), "issue_token");
  EXPECT_EQ(steps[1].at("http_status").to_number<int>(), 200);
  const auto expires = parse_rfc3339(std::string(steps[1].at("expires_on").as_string()));
  ASSERT_TRUE(expires);
  EXPECT_GE(*expires, before + 24h - 1s);
  EXPECT_LE(*expires, after + 24h + 1s);
  EXPECT_EQ(steps[2].at("http_status").to_number<int>(), 204);
  EXPECT_EQ(steps[3].at("http_status").to_number<int>(), 204);
  // Tokens are JWTs: base64url of '{"' starts every one of them.
  EXPECT_EQ(text.find("eyJ"), std::string::npos) << "a token reached the report";
}

TEST(Cli, QuickstartAgainstTheEmbeddedEmulator) {
  temp_dir dir;
  const auto report_path = dir.path() / "quickstart.json";
  const auto before = std::chrono::system_clock::now();
  const auto result = run_process({binary, "run", quickstart, "--report", report_path.string()}, dir.path(),
                                  {{connection_env, std::nullopt}});
  const auto after = std::chrono::system_clock::now();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  expect_quickstart_report(read_file(report_path), before, after);
  EXPECT_THAT(result.out, ::testing::HasSubstr("token expires "));
  EXPECT_THAT(result.out, ::testing::HasSubstr("report: " + report_path.string()));
  EXPECT_EQ(result.out.find("eyJ"), std::string::npos) << "a token reached stdout";
}

TEST(Cli, QuickstartAgainstAServerLeavesNoIdentityBehind) {
  emulator::embedded_emulator server;
  temp_dir dir;
  const auto before = std::chrono::system_clock::now();
  const auto result = run_process({binary, "run", quickstart}, dir.path(),
                                  {{connection_env, server.connection_string()}});
  const auto after = std::chrono::system_clock::now();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  // The job's own report path, relative to the working directory.
  expect_quickstart_report(read_file(dir.path() / "reports" / "quickstart.json"), before, after);

  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  EXPECT_EQ(stats.at("identities").at("created").to_number<int>(), 1);
  EXPECT_EQ(stats.at("identities").at("live").to_number<int>(), 0);
  EXPECT_EQ(stats.at("tokens").at("issued").to_number<int>(), 1);
  EXPECT_EQ(stats.at("requests").at("create_user").at("201").to_number<int>(), 1);
  EXPECT_EQ(stats.at("requests").at("delete_user").at("204").to_number<int>(), 1);
}

TEST(Cli, WrongKeyExitsUnavailableWithoutShowingTheKey) {
  emulator::embedded_emulator server;
  const std::string canary_plain = "CANARY-KEY-0123456789-do-not-leak";
  const std::string canary = auth::base64_encode(canary_plain);
  const std::string connection = "endpoint=http://127.0.0.1:" + std::to_string(server.port()) + "/;accesskey=" + canary;
  temp_dir dir;
  const auto result = run_process({binary, "run", quickstart}, dir.path(), {{connection_env, connection}});
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr("401"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("Denied"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("check the connection string"));
  const std::string report = read_file(dir.path() / "reports" / "quickstart.json");
  for (const std::string* text : {&result.out, &result.err, &report}) {
    EXPECT_EQ(text->find(canary), std::string::npos) << *text;
    EXPECT_EQ(text->find(canary_plain), std::string::npos) << *text;
    EXPECT_EQ(text->find(canary.substr(0, 12)), std::string::npos) << *text;
  }
  // The run stopped at the first rejection instead of retrying the whole job.
  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  EXPECT_EQ(stats.at("requests").at("create_user").at("401").to_number<int>(), 1);
  EXPECT_EQ(stats.at("identities").at("created").to_number<int>(), 0);
}

TEST(Cli, MalformedConnectionStringIsAnInvalidJobAndNotEchoed) {
  temp_dir dir;
  const std::string canary = auth::base64_encode("CANARY-KEY-malformed");
  const auto result = run_process({binary, "run", quickstart}, dir.path(),
                                  {{connection_env, "endpoint=ftp://nowhere/;accesskey=" + canary}});
  EXPECT_EQ(result.exit_code, 65) << result.out << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr("http or https"));
  EXPECT_EQ(result.err.find(canary), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find(canary), std::string::npos) << result.out;
}

TEST(Cli, BrokenJobFileExits65WithPosition) {
  temp_dir dir;
  const auto job = dir.path() / "broken.yaml";
  std::ofstream(job) << "version: 1\nname: broken\nsteps:\n  - create_user\n  - issue_token: { scopes: [vioce] }\n";
  const auto result = run_process({binary, "run", job.string()}, dir.path());
  EXPECT_EQ(result.exit_code, 65) << result.out << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr(job.string() + ":5:"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("vioce"));

  const auto validate = run_process({binary, "validate", job.string()}, dir.path());
  EXPECT_EQ(validate.exit_code, 65);
  EXPECT_EQ(validate.err, result.err);
}

TEST(Cli, ValidateAcceptsTheShippedQuickstart) {
  temp_dir dir;
  const auto result = run_process({binary, "validate", quickstart}, dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, ::testing::HasSubstr("ok"));
}

TEST(Cli, BadFlagsExit64) {
  temp_dir dir;
  EXPECT_EQ(run_process({binary, "run"}, dir.path()).exit_code, 64);
  EXPECT_EQ(run_process({binary, "frobnicate"}, dir.path()).exit_code, 64);
  EXPECT_EQ(run_process({binary, "emulator", "--listen", "nope"}, dir.path()).exit_code, 64);
  EXPECT_EQ(run_process({binary, "--version"}, dir.path()).exit_code, 0);
}

TEST(Cli, UnwritableReportExits73) {
  temp_dir dir;
  const auto blocker = dir.path() / "file";
  std::ofstream(blocker) << "x";
  const auto result = run_process({binary, "run", quickstart, "--report", (blocker / "r.json").string()},
                                  dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(result.exit_code, 73) << result.out << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr("cannot write the report"));
}

TEST(Cli, EmulatorCommandPrintsItsConnectionStringFirst) {
  // Started through a shell so the test can stop it: the first line must parse and point at
  // loopback; SIGTERM ends it with exit 0.
  temp_dir dir;
  const auto script = "'" + binary + "' emulator --listen 127.0.0.1:0 & pid=$!; sleep 1; kill -TERM $pid; wait $pid";
  const auto result = run_process({"/bin/sh", "-c", script}, dir.path(), {}, 30s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto first_line = result.out.substr(0, result.out.find('\n'));
  const auto cs = auth::parse_connection_string(first_line);
  EXPECT_TRUE(cs.endpoint.is_loopback());
  EXPECT_EQ(cs.endpoint.scheme, "http");
  EXPECT_NE(cs.endpoint.port, 0);
}

}  // namespace
}  // namespace acsbatch::testing
