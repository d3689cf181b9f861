// The run's console end to end: --log-format json (one JSON record per stderr line, a summary
// record, nothing on stdout), --progress off a terminal, progress records on a longer run, the
// report's histograms, and bad flag values.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

const std::string binary = ACSBATCH_BINARY;
const std::filesystem::path source_dir = ACSBATCH_SOURCE_DIR;
const std::string quickstart = (source_dir / "jobs" / "quickstart.yaml").string();
constexpr const char* connection_env = "COMMUNICATION_SERVICES_CONNECTION_STRING";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// Every line of `err` as a JSON object with ts, level and event; a failure names the line.
std::vector<json::object> json_records(const std::string& err) {
  std::vector<json::object> out;
  for (const auto& line : lines_of(err)) {
    json::value record;
    try {
      record = json::parse(line);
    } catch (const std::exception&) {
      ADD_FAILURE() << "not JSON: " << line;
      continue;
    }
    if (!record.is_object() || !record.as_object().contains("ts") || !record.as_object().contains("level") ||
        !record.as_object().contains("event")) {
      ADD_FAILURE() << "not a log record: " << line;
      continue;
    }
    out.push_back(record.as_object());
  }
  return out;
}

std::vector<json::object> events_named(const std::vector<json::object>& records, std::string_view event) {
  std::vector<json::object> out;
  for (const auto& r : records)
    if (r.at("event").is_string() && r.at("event").get_string() == event) out.push_back(r);
  return out;
}

TEST(ReportCli, JsonLogFormatWritesOnlyJsonRecordsAndASummary) {
  temp_dir dir;
  const auto report_path = dir.path() / "quickstart.json";
  const auto result = run_process({binary, "run", quickstart, "--log-format", "json", "--report", report_path.string()},
                                  dir.path(), {{connection_env, std::nullopt}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, "");  // the human table and item lines are for text format only

  const auto records = json_records(result.err);
  ASSERT_EQ(events_named(records, "start").size(), 1u) << result.err;
  EXPECT_EQ(events_named(records, "start")[0].at("job"), "quickstart");
  const auto summaries = events_named(records, "summary");
  ASSERT_EQ(summaries.size(), 1u) << result.err;
  const auto& summary = summaries[0];
  EXPECT_EQ(records.back().at("event"), "summary");  // the last record
  EXPECT_EQ(summary.at("level"), "info");
  EXPECT_EQ(summary.at("items"), json::parse(R"({"total":1,"succeeded":1,"failed":0,"skipped":0})"));
  EXPECT_EQ(summary.at("report"), json::value(report_path.string()));
  EXPECT_EQ(summary.at("exit_code"), 0);
  EXPECT_EQ(summary.at("operations").at("issue_token").at("count"), 1);
  EXPECT_EQ(result.err.find("eyJ"), std::string::npos) << "a token reached the log";

  // The report carries each operation's histogram; its counts add up to the operation's count.
  const json::value report = json::parse(read_file(report_path));
  for (const auto& [op, totals] : report.at("summary").at("operations").as_object()) {
    const auto& histogram = totals.at("histogram");
    EXPECT_EQ(histogram.at("unit"), "us") << op;
    EXPECT_EQ(histogram.at("sub_buckets"), 128) << op;
    std::int64_t counted = 0;
    for (const auto& bucket : histogram.at("buckets").as_array()) counted += bucket.at(1).as_int64();
    EXPECT_EQ(counted, totals.at("count").as_int64()) << op;
  }
}

TEST(ReportCli, ForcedProgressOffATerminalRedrawsAndEndsWithANewline) {
  temp_dir dir;
  const auto result = run_process({binary, "run", quickstart, "--progress", "--report", (dir.path() / "q.json").string()},
                                  dir.path(), {{connection_env, std::nullopt}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  // The final redraw: carriage return, the numbers, erase to the end of the line, a newline.
  EXPECT_THAT(result.err, HasSubstr("\r1/1 (100%) · "));
  EXPECT_THAT(result.err, HasSubstr("retries 0 · ETA 0s\x1b[K\n"));
  EXPECT_THAT(result.out, HasSubstr("items: 1 total, 1 succeeded, 0 failed, 0 skipped"));

  // Without --progress, off a terminal, a run this short prints no progress at all.
  const auto plain = run_process({binary, "run", quickstart, "--report", (dir.path() / "q2.json").string()}, dir.path(),
                                 {{connection_env, std::nullopt}});
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_EQ(plain.err.find('\r'), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find("progress"), std::string::npos) << plain.err;
}

TEST(ReportCli, ALongerRunLogsProgressRecordsEveryFiveSeconds) {
  temp_dir dir;
  const auto job = dir.path() / "slow.yaml";
  // 130 creates at 20/s: about 6.5 s, so at least one progress record (every 5 s).
  std::ofstream(job) << "version: 1\nname: slow\nconnection: { connection_string: embedded }\nconcurrency: 4\n"
                        "rate_limit: { per_second: 20, burst: 1, per_operation: none }\n"
                        "users: { create: 130 }\nsteps:\n  - create_user\n"
                        "report: { path: slow.json, items: false }\n";
  const auto result = run_process({binary, "run", job.string(), "--log-format", "json"}, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto records = json_records(result.err);
  const auto progress = events_named(records, "progress");
  ASSERT_GE(progress.size(), 1u) << result.err;
  const auto& first = progress.front();
  EXPECT_EQ(first.at("level"), "info");
  EXPECT_EQ(first.at("total"), 130);
  EXPECT_GT(first.at("done").as_int64(), 0);
  EXPECT_LT(first.at("done").as_int64(), 130);
  EXPECT_NEAR(first.at("ops_per_s").to_number<double>(), 20.0, 5.0);
  EXPECT_EQ(first.at("errors"), 0);
  EXPECT_TRUE(first.at("eta_s").is_int64());
  for (const char* key : {"throttled", "retries"}) EXPECT_TRUE(first.contains(key)) << key;
  EXPECT_EQ(records.back().at("event"), "summary");
  EXPECT_EQ(records.back().at("items").at("succeeded"), 130);
}

TEST(ReportCli, BadLogFormatOrProgressWithQuietExit64) {
  temp_dir dir;
  const auto bad_format = run_process({binary, "run", quickstart, "--log-format", "xml"}, dir.path());
  EXPECT_EQ(bad_format.exit_code, 64) << bad_format.err;
  EXPECT_THAT(bad_format.err, HasSubstr("--log-format"));
  EXPECT_EQ(run_process({binary, "run", quickstart, "--progress", "--quiet"}, dir.path()).exit_code, 64);
}

TEST(ReportCli, QuietJsonPrintsNothingOnASuccessfulRun) {
  temp_dir dir;
  const auto result = run_process({binary, "run", quickstart, "--quiet", "--log-format", "json", "--report",
                                   (dir.path() / "q.json").string()},
                                  dir.path(), {{connection_env, std::nullopt}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "");
}

}  // namespace
}  // namespace acsbatch::testing
