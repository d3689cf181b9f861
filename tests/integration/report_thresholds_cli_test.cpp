// Thresholds end to end: a job's thresholds are checked by `validate` (exit 65 with
// FILE:LINE:COL), evaluated by `run` into the report, shown first in the summary, and decide
// the exit code (2 when one fails).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string binary = ACSBATCH_BINARY;
constexpr const char* connection_env = "COMMUNICATION_SERVICES_CONNECTION_STRING";

/// A small job against the embedded emulator; `thresholds` is the YAML list (line 9 onwards).
std::filesystem::path write_job(const std::filesystem::path& dir, const std::string& thresholds,
                                const std::string& name = "gate") {
  const auto path = dir / (name + ".yaml");
  std::ofstream(path) << "version: 1\nname: " << name
                      << "\nconnection: embedded\nconcurrency: 4\nusers: {create: 20}\nsteps:\n"
                         "  - create_user_and_token: {scopes: [voip]}\n  - delete_user\n"
                      << "thresholds:\n" << thresholds << "rate_limit: {per_operation: none}\n";
  return path;
}

TEST(ReportThresholdsCli, PassingThresholdsAreReportedAndExitZero) {
  temp_dir dir;
  const auto job = write_job(dir.path(), "  - p99(create_user_and_token) < 5s\n  - error_rate < 1%\n  - count == 40\n");
  const auto report_path = dir.path() / "r.json";
  const auto result =
      run_process({binary, "run", job.string(), "--report", report_path.string()}, dir.path(), {{connection_env, std::nullopt}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  // The thresholds come first in the summary, each with its measured value.
  EXPECT_THAT(result.out, HasSubstr("thresholds:\n  \u2713 p99(create_user_and_token) < 5s"));
  EXPECT_THAT(result.out, ::testing::ContainsRegex("\n  \u2713 count == 40 +40\n"));
  EXPECT_LT(result.out.find("thresholds:"), result.out.find("operation "));

  const auto report = json::parse(read_file(report_path)).as_object();
  const auto& thresholds = report.at("thresholds").as_array();
  ASSERT_EQ(thresholds.size(), 3u);
  EXPECT_EQ(thresholds[0].at("expr"), "p99(create_user_and_token) < 5s");
  EXPECT_EQ(thresholds[0].at("unit"), "ms");
  EXPECT_EQ(thresholds[0].at("ok"), true);
  EXPECT_GT(thresholds[0].at("value").as_double(), 0.0);
  EXPECT_EQ(thresholds[1].at("value").to_number<double>(), 0.0);
  EXPECT_EQ(thresholds[1].at("unit"), "ratio");
  EXPECT_EQ(thresholds[2], json::parse(R"({"expr":"count == 40","value":40,"unit":"count","ok":true})"));
  EXPECT_EQ(report.at("parameters").at("concurrency"), "4");
  EXPECT_EQ(report.at("parameters").at("users"), "create 20");
}

TEST(ReportThresholdsCli, AFailedThresholdExitsTwo) {
  temp_dir dir;
  const auto job = write_job(dir.path(), "  - error_rate < 1%\n  - max(delete_user) < 1us\n");
  const auto report_path = dir.path() / "r.json";
  const auto result = run_process({binary, "run", job.string(), "--report", report_path.string(), "--log-format", "json"},
                                  dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  const auto report = json::parse(read_file(report_path)).as_object();
  EXPECT_EQ(report.at("thresholds").at(0).at("ok"), true);
  EXPECT_EQ(report.at("thresholds").at(1).at("ok"), false);
  EXPECT_THAT(result.err, HasSubstr("\"thresholds\":[{\"expr\":\"error_rate < 1%\",\"value\":0.000,\"ok\":true},"
                                    "{\"expr\":\"max(delete_user) < 1us\""));
  EXPECT_THAT(result.err, HasSubstr("\"exit_code\":2"));
}

TEST(ReportThresholdsCli, AnErrorRateThresholdJudgesFailedItems) {
  temp_dir dir;
  // The emulator refuses every issue: all items fail, and the threshold tolerates it (or not).
  const auto write = [&](const std::string& limit) {
    const auto path = dir.path() / "faulty.yaml";
    std::ofstream(path) << "version: 1\nname: faulty\nconnection:\n  connection_string: embedded\n"
                           "  emulator: {faults: \"503:1\"}\nusers: {create: 3}\nsteps: [create_user]\n"
                           "retry: {on: []}\nrate_limit: {per_operation: none}\nthresholds: [\"error_rate <= "
                        << limit << "\"]\n";
    return path;
  };
  const auto tolerant = run_process({binary, "run", write("100%").string(), "--report", (dir.path() / "a.json").string()},
                                    dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(tolerant.exit_code, 0) << tolerant.out << tolerant.err;
  const auto strict = run_process({binary, "run", write("50%").string(), "--report", (dir.path() / "b.json").string()},
                                  dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(strict.exit_code, 2) << strict.out << strict.err;
  EXPECT_THAT(strict.out, HasSubstr("\u2717 error_rate <= 50%   100%  FAILED\n"));
}

TEST(ReportThresholdsCli, ThresholdsDoNotExcuseItemsATimeoutSkipped) {
  temp_dir dir;
  const auto path = dir.path() / "slow.yaml";
  std::ofstream(path) << "version: 1\nname: slow\nconnection:\n  connection_string: embedded\n"
                         "  emulator: {latency: \"fixed:20ms\"}\nconcurrency: 1\nusers: {create: 200}\n"
                         "steps: [create_user]\nrate_limit: {per_operation: none}\ntimeouts: {job: 100ms, grace: 1s}\n"
                         "thresholds: [\"error_rate <= 100%\"]\n";
  const auto result = run_process({binary, "run", path.string(), "--report", (dir.path() / "r.json").string(), "--quiet"},
                                  dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  const auto report = json::parse(read_file(dir.path() / "r.json")).as_object();
  EXPECT_GT(report.at("summary").at("items").at("skipped").to_number<int>(), 0);
  EXPECT_EQ(report.at("thresholds").at(0).at("ok"), true);
}

TEST(ReportThresholdsCli, AnAbortOnFailThresholdStopsTheRunAndResumeFinishesIt) {
  temp_dir dir;
  // Every other create fails (503, nothing retried: a 503 is otherwise retried for throttled_for): error_rate ≈ 50 % from the first second on. The
  // run stops after about a second instead of going through 2 000 users (~10 s at 20 ms each).
  const auto path = dir.path() / "gated.yaml";
  const auto write = [&](const std::string& faults) {
    std::ofstream(path) << "version: 1\nname: gated\nconnection:\n  connection_string: embedded\n"
                           "  emulator: {latency: \"fixed:20ms\", faults: \"" << faults << "\"}\n"
                           "concurrency: 4\nusers: {create: 2000}\nsteps: [create_user]\nretry: {on: []}\n"
                           "rate_limit: {per_operation: none}\nstate: {path: state/gated.db}\n"
                           "thresholds:\n  - {threshold: \"error_rate < 10%\", abort_on_fail: true}\n";
  };
  write("503:0.5");
  const auto report_path = dir.path() / "r.json";
  const auto stopped = run_process({binary, "run", path.string(), "--report", report_path.string(), "--progress=off"},
                                   dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(stopped.exit_code, 2) << stopped.out << stopped.err;
  EXPECT_THAT(stopped.err, HasSubstr("threshold error_rate < 10% failed during the run ("));
  EXPECT_THAT(stopped.err, HasSubstr("(abort_on_fail): in-flight items finished, the rest were not started"));
  const auto report = json::parse(read_file(report_path)).as_object();
  const auto& items = report.at("summary").at("items");
  const auto done = items.at("succeeded").to_number<int>() + items.at("failed").to_number<int>();
  EXPECT_GT(done, 0);
  EXPECT_LT(done, 1000) << "the run should have stopped early";
  EXPECT_EQ(done + items.at("skipped").to_number<int>(), 2000);
  EXPECT_EQ(report.at("thresholds").at(0).at("ok"), false);

  // The journal knows what was done: once the fault is gone (the job changed: --force), --resume
  // does the rest and the report covers both runs.
  write("503:0");
  const auto resumed = run_process({binary, "run", path.string(), "--resume", "--force", "--report",
                                    report_path.string(), "--quiet"},
                                   dir.path(), {{connection_env, std::nullopt}}, std::chrono::seconds{120});
  // The creates that failed are redone, and now succeed: the threshold holds.
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  const auto final_report = json::parse(read_file(report_path)).as_object();
  const auto& all = final_report.at("summary").at("items");
  EXPECT_EQ(all.at("total").to_number<int>(), 2000);
  EXPECT_EQ(all.at("succeeded").to_number<int>(), 2000);
  EXPECT_EQ(all.at("from_earlier_runs").to_number<int>(), items.at("succeeded").to_number<int>());
  EXPECT_EQ(final_report.at("thresholds").at(0).at("ok"), true);
}

TEST(ReportThresholdsCli, ABadThresholdIsAnInvalidJob) {
  temp_dir dir;
  const auto job = write_job(dir.path(), "  - p99(create_user_and_token) < 300\n  - p99(issue_token) < 1s\n");
  const auto result = run_process({binary, "validate", job.string()}, dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(result.exit_code, 65);
  EXPECT_EQ(result.err, job.string() + ":10:37: threshold: a latency needs a unit: us, ms or s (e.g. 300ms)\n" +
                            job.string() + ":11:9: threshold: issue_token is not a step of this job (steps: "
                                           "create_user_and_token, delete_user)\n");
  const auto run = run_process({binary, "run", job.string()}, dir.path(), {{connection_env, std::nullopt}});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "reports"));
}

}  // namespace
}  // namespace acsbatch::testing
