// The shipped cron line and systemd units run as written: provision (journal), then the nightly
// rotation twice — the command line taken from scripts/systemd/…service and scripts/cron/…,
// with only the install paths mapped into a temporary directory.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <sys/stat.h>

#include <boost/json.hpp>

#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::testing::HasSubstr;

const std::string binary = ACSBATCH_BINARY;
const fs::path source_dir = ACSBATCH_SOURCE_DIR;

/// `key=value` of a systemd unit file's [section], first occurrence.
std::string unit_value(const fs::path& unit, const std::string& key) {
  std::ifstream in(unit);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
  ADD_FAILURE() << key << " not in " << unit;
  return {};
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

class Schedules : public ::testing::Test {
 protected:
  void SetUp() override {
    etc_ = dir_.path() / "etc" / "acsbatch";
    var_ = dir_.path() / "var" / "lib" / "acsbatch";
    fs::create_directories(etc_ / "jobs");
    fs::create_directories(var_);
    for (const char* name : {"provision.yaml", "revoke-nightly.yaml"})
      fs::copy_file(source_dir / "jobs" / name, etc_ / "jobs" / name);
    std::ofstream(etc_ / "connection.env") << "# offline: the jobs' embedded emulator\n";
    const auto provision = run_process({binary, "run", (etc_ / "jobs" / "provision.yaml").string(), "--quiet", "--set",
                                        "users.create=30", "--set", "rate_limit.per_operation=none"},
                                       var_, offline_);
    ASSERT_EQ(provision.exit_code, 0) << provision.err;
  }

  /// A command from the shipped files with its install paths mapped here.
  std::string mapped(std::string command) const {
    command = replace_all(command, "/usr/local/bin/acsbatch", binary);
    command = replace_all(command, "/etc/acsbatch", etc_.string());
    return replace_all(command, "/var/lib/acsbatch", var_.string());
  }

  void expect_a_night_of_rotation(const process_result& night) const {
    ASSERT_EQ(night.exit_code, 0) << night.out << night.err;
    const auto report = json::parse(read_file(var_ / "reports" / "revoke-nightly.json"));
    EXPECT_EQ(report.at("summary").at("operations").at("revoke_tokens").at("ok").to_number<int>(), 30);
    EXPECT_EQ(report.at("summary").at("operations").at("issue_token").at("ok").to_number<int>(), 30);
    const auto tokens = var_ / "out" / "revoke-nightly.tokens.jsonl";
    std::ifstream in(tokens);
    int lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    EXPECT_EQ(lines, 30);  // replaced whole each night, not appended to
    struct stat st {};
    ASSERT_EQ(::stat(tokens.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const auto prom = read_file(var_ / "metrics" / "acsbatch_revoke-nightly.prom");
    EXPECT_THAT(prom, HasSubstr("acsbatch_last_success_timestamp_seconds{job=\"revoke-nightly\"} "));
    EXPECT_THAT(prom, HasSubstr("acsbatch_ops_total{job=\"revoke-nightly\",op=\"issue_token\",outcome=\"ok\"} 30\n"));
  }

  temp_dir dir_;
  fs::path etc_, var_;
  const std::map<std::string, std::optional<std::string>> offline_{
      {"COMMUNICATION_SERVICES_CONNECTION_STRING", std::nullopt}};
};

TEST_F(Schedules, TheSystemdServiceRunsAsWrittenTwoNightsInARow) {
  const auto unit = source_dir / "scripts" / "systemd" / "acsbatch-revoke-nightly.service";
  EXPECT_EQ(unit_value(unit, "WorkingDirectory"), "/var/lib/acsbatch");
  EXPECT_EQ(unit_value(unit, "SuccessExitStatus"), "75");
  std::istringstream words(mapped(unit_value(unit, "ExecStart")));
  std::vector<std::string> command{std::istream_iterator<std::string>(words), {}};
  ASSERT_FALSE(command.empty());
  EXPECT_EQ(command[0], binary);
  for (int night = 0; night < 2; ++night) expect_a_night_of_rotation(run_process(command, var_, offline_));
  const auto timer = source_dir / "scripts" / "systemd" / "acsbatch-revoke-nightly.timer";
  EXPECT_EQ(unit_value(timer, "Persistent"), "true");
  EXPECT_EQ(unit_value(timer, "RandomizedDelaySec"), "15m");
  EXPECT_EQ(unit_value(timer, "OnCalendar"), "*-*-* 02:30:00");
}

TEST_F(Schedules, TheCrontabLineRunsAsWritten) {
  std::ifstream in(source_dir / "scripts" / "cron" / "acsbatch.crontab");
  std::string entry;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') entry = line;
  // Five time fields, then the command for /bin/sh.
  std::smatch fields;
  ASSERT_TRUE(std::regex_match(entry, fields, std::regex(R"((\S+\s+){5}(.*))")));
  const std::string command = mapped(fields[2].str());
  for (int night = 0; night < 2; ++night) expect_a_night_of_rotation(run_process({"/bin/sh", "-c", command}, dir_.path(), offline_));
}

}  // namespace
}  // namespace acsbatch::testing
