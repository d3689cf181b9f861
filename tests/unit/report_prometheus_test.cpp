// outputs.prometheus: the exposition text, the success timestamp carried over a failed run, and
// the file replaced atomically.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "acsbatch/report/prometheus_textfile.hpp"

namespace acsbatch::report {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using std::chrono::system_clock;

item_outcome item(std::uint64_t index, bool ok, unsigned throttled) {
  item_outcome out;
  out.index = index;
  step_outcome create;
  create.op = "create_user";
  create.ok = ok;
  create.throttled = throttled;
  out.steps.push_back(create);
  return out;
}

TEST(PrometheusTextfile, TextOfARun) {
  const auto dir = fs::temp_directory_path() / ("acsbatch-prom-" + std::to_string(std::random_device{}()));
  report_builder report({}, dir / "r.json", false);
  report.add(item(0, true, 2));
  report.add(item(1, false, 0));
  const prometheus_run run{"nightly\"x", system_clock::time_point{seconds{1000}}, system_clock::time_point{seconds{1012}}, 1};
  EXPECT_EQ(prometheus_text(report, run, 900.5),
            "# HELP acsbatch_last_run_timestamp_seconds When the last run finished (Unix time).\n"
            "# TYPE acsbatch_last_run_timestamp_seconds gauge\n"
            "acsbatch_last_run_timestamp_seconds{job=\"nightly\\\"x\"} 1012.000\n"
            "# HELP acsbatch_last_success_timestamp_seconds When the last run that succeeded (exit 0) finished (Unix time).\n"
            "# TYPE acsbatch_last_success_timestamp_seconds gauge\n"
            "acsbatch_last_success_timestamp_seconds{job=\"nightly\\\"x\"} 900.500\n"
            "# HELP acsbatch_run_duration_seconds How long the last run took.\n"
            "# TYPE acsbatch_run_duration_seconds gauge\n"
            "acsbatch_run_duration_seconds{job=\"nightly\\\"x\"} 12.000\n"
            "# HELP acsbatch_exit_code The last run's exit code (0 success, 1 items failed, 69 unavailable, …).\n"
            "# TYPE acsbatch_exit_code gauge\n"
            "acsbatch_exit_code{job=\"nightly\\\"x\"} 1\n"
            "# HELP acsbatch_items Items of the last run by outcome.\n"
            "# TYPE acsbatch_items gauge\n"
            "acsbatch_items{job=\"nightly\\\"x\",outcome=\"succeeded\"} 1\n"
            "acsbatch_items{job=\"nightly\\\"x\",outcome=\"failed\"} 1\n"
            "acsbatch_items{job=\"nightly\\\"x\",outcome=\"skipped\"} 0\n"
            "acsbatch_items{job=\"nightly\\\"x\",outcome=\"uncertain\"} 0\n"
            "# HELP acsbatch_ops_total Operations of the last run by outcome.\n"
            "# TYPE acsbatch_ops_total counter\n"
            "acsbatch_ops_total{job=\"nightly\\\"x\",op=\"create_user\",outcome=\"ok\"} 1\n"
            "acsbatch_ops_total{job=\"nightly\\\"x\",op=\"create_user\",outcome=\"failed\"} 1\n"
            "# HELP acsbatch_throttled_total Requests of the last run answered 429.\n"
            "# TYPE acsbatch_throttled_total counter\n"
            "acsbatch_throttled_total{job=\"nightly\\\"x\",op=\"create_user\"} 2\n");
  fs::remove_all(dir);
}

TEST(PrometheusTextfile, LastSuccessSurvivesAFailedRunAndTheFileIsReplacedWhole) {
  const auto dir = fs::temp_directory_path() / ("acsbatch-prom-" + std::to_string(std::random_device{}()));
  const auto file = (dir / "acsbatch_t.prom").string();
  report_builder report({}, dir / "r.json", false);
  report.add(item(0, true, 0));
  write_prometheus_textfile(file, report, {"t", system_clock::time_point{seconds{100}}, system_clock::time_point{seconds{110}}, 0});
  EXPECT_EQ(previous_last_success(file), 110.0);
  write_prometheus_textfile(file, report, {"t", system_clock::time_point{seconds{200}}, system_clock::time_point{seconds{230}}, 69});
  EXPECT_EQ(previous_last_success(file), 110.0);  // still the earlier success
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("acsbatch_last_run_timestamp_seconds{job=\"t\"} 230.000\n"), std::string::npos);
  EXPECT_NE(text.find("acsbatch_exit_code{job=\"t\"} 69\n"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_FALSE(fs::exists(file + ".tmp"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace acsbatch::report
