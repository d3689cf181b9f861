// The JSON report: every field of schema acsbatch.report/v1 for a small run, the optional items,
// atomic writing without leftovers, I/O errors that name the path, and items that stream to disk
// instead of piling up in memory.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <malloc.h>
#include <unistd.h>

#include "acsbatch/core/http_date.hpp"
#include "acsbatch/report/histogram_json.hpp"
#include "acsbatch/report/report_builder.hpp"
#include "acsbatch/report/summary_text.hpp"

namespace acsbatch::report {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::chrono::system_clock::time_point start =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 11h + 58min + 14s;

class ReportBuilder : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("acsbatch_report_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static run_info info() {
    run_info i;
    i.job_name = "quickstart";
    i.job_file = "jobs/quickstart.yaml";
    i.job_sha256 = "822e0d5e";
    i.endpoint_host = "127.0.0.1";
    i.embedded = true;
    i.api_version = "2023-10-01";
    i.concurrency = 4;
    i.started_at = start;
    return i;
  }

  /// Every file under the test directory, relative to it.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_))
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir_).string());
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  static std::vector<std::string> keys(const json::object& o) {
    std::vector<std::string> out;
    for (const auto& kv : o) out.emplace_back(kv.key());
    return out;
  }

  fs::path dir_;
};

step_outcome ok_step(std::string op, unsigned status, std::chrono::microseconds latency,
                     std::chrono::microseconds started_at) {
  step_outcome s;
  s.op = std::move(op);
  s.ok = true;
  s.http_status = status;
  s.latency = latency;
  s.started_at = started_at;
  return s;
}

/// Three items: one ok (with a token), one failed after throttling, one skipped.
std::vector<item_outcome> three_items() {
  item_outcome ok{0, "8:acs:r_1", false, {}};
  ok.steps.push_back(ok_step("create_user", 201, 12'345us, 100ms));
  ok.steps.push_back(ok_step("issue_token", 200, 2'000us, 200ms));
  ok.steps.back().token_expires_on = start + 24h;

  item_outcome failed{1, "8:acs:r_2", false, {}};
  failed.steps.push_back(ok_step("create_user", 201, 10'000us, 1'500ms));
  step_outcome throttled = ok_step("issue_token", 429, 30'000us, 1'600ms);
  throttled.ok = false;
  throttled.attempts = 3;
  throttled.throttled = 1;
  throttled.throttle_wait = 1'250ms;
  throttled.error_code = "TooManyRequests";
  throttled.error_message = "Rate limit \"exceeded\"\n";
  failed.steps.push_back(throttled);

  item_outcome skipped{2, "", true, {}};
  return {ok, failed, skipped};
}

TEST_F(ReportBuilder, WritesEveryFieldOfTheSchema) {
  const fs::path path = dir_ / "out" / "sub" / "r.json";  // parents do not exist yet
  {
    report_builder builder(info(), path, true);
    for (const auto& item : three_items()) builder.add(item);
    builder.sent_at_most("create_user", 7);
    builder.throttling_of("issue_token", "rate_limited", 98.5);
    builder.write(start + 2'500ms);
  }
  const std::string text = read(path);
  const json::object report = json::parse(text).as_object();

  EXPECT_THAT(keys(report), ElementsAre("schema", "job", "endpoint", "embedded", "api_version", "started_at",
                                        "finished_at", "duration_s", "parameters", "summary", "errors", "thresholds",
                                        "timeline", "latency_timeline", "items"));
  EXPECT_EQ(report.at("schema"), "acsbatch.report/v1");
  EXPECT_EQ(report.at("job"), json::parse(R"({"name":"quickstart","file":"jobs/quickstart.yaml","sha256":"822e0d5e",)"
                                             R"("effective_sha256":"822e0d5e","runs":[]})"));  // no --set: the file's
  EXPECT_EQ(report.at("endpoint"), "127.0.0.1");
  EXPECT_EQ(report.at("embedded"), true);
  EXPECT_EQ(report.at("api_version"), "2023-10-01");
  EXPECT_EQ(report.at("started_at"), "2026-11-25T11:58:14.0000000+00:00");
  EXPECT_EQ(report.at("finished_at"), "2026-11-25T11:58:16.5000000+00:00");
  EXPECT_EQ(report.at("duration_s").as_double(), 2.5);
  EXPECT_THAT(text, HasSubstr("\"duration_s\":2.500"));  // three decimals, never 2.5E0
  EXPECT_EQ(text.find("E0"), std::string::npos);

  const auto& summary = report.at("summary").as_object();
  EXPECT_THAT(keys(summary), ElementsAre("items", "operations", "rate"));
  EXPECT_EQ(summary.at("items"),
            json::parse(R"({"total":3,"succeeded":1,"failed":1,"skipped":1,"uncertain":0,"from_earlier_runs":0})"));
  const auto& operations = summary.at("operations").as_object();
  EXPECT_THAT(keys(operations), ElementsAre("create_user", "issue_token"));
  const auto& create = operations.at("create_user").as_object();
  EXPECT_THAT(keys(create), ElementsAre("count", "ok", "failed", "retries", "throttled", "peak_sends_per_s",
                                        "throttle_wait_s", "latency_ms", "histogram"));
  EXPECT_EQ(create.at("throttle_wait_s").as_double(), 0.0);
  EXPECT_EQ(create.at("count"), 2);
  EXPECT_EQ(create.at("peak_sends_per_s"), 7);
  EXPECT_EQ(create.at("ok"), 2);
  EXPECT_EQ(create.at("failed"), 0);
  EXPECT_EQ(create.at("retries"), 0);
  EXPECT_EQ(create.at("throttled"), 0);
  const auto& latency = create.at("latency_ms").as_object();
  EXPECT_THAT(keys(latency), ElementsAre("mean", "p50", "p90", "p99", "p999", "max"));
  EXPECT_NEAR(latency.at("mean").as_double(), 11.1725, 0.001);
  EXPECT_NEAR(latency.at("p50").as_double(), 10.0, 0.1);  // within a bucket (<1%)
  EXPECT_EQ(latency.at("p90").as_double(), 12.345);       // the upper edge, clamped to the max
  EXPECT_EQ(latency.at("p99").as_double(), 12.345);
  EXPECT_EQ(latency.at("p999").as_double(), 12.345);
  EXPECT_EQ(latency.at("max").as_double(), 12.345);
  EXPECT_THAT(text, HasSubstr("\"max\":12.345}"));
  EXPECT_TRUE(latency.at("p50").is_double());
  const auto& issue = operations.at("issue_token").as_object();
  EXPECT_EQ(issue.at("count"), 2);
  EXPECT_EQ(issue.at("ok"), 1);
  EXPECT_EQ(issue.at("failed"), 1);
  EXPECT_EQ(issue.at("retries"), 2);  // attempts - 1
  EXPECT_EQ(issue.at("throttled"), 1);
  EXPECT_EQ(issue.at("peak_sends_per_s"), 0);  // not measured
  EXPECT_EQ(issue.at("throttle_wait_s").as_double(), 1.25);
  EXPECT_EQ(issue.at("throttling"), json::parse(R"({"verdict":"rate_limited","learned_per_s":98.5})"));
  EXPECT_EQ(issue.at("latency_ms").at("max").as_double(), 30.0);
  // The histogram: exact sum/min/max in µs and its non-empty buckets, ascending.
  const auto& histogram = create.at("histogram").as_object();
  EXPECT_THAT(keys(histogram), ElementsAre("unit", "sub_buckets", "sum", "min", "max", "buckets"));
  EXPECT_EQ(histogram.at("unit"), "us");
  EXPECT_EQ(histogram.at("sub_buckets"), 128);
  EXPECT_EQ(histogram.at("sum"), 22'345);
  EXPECT_EQ(histogram.at("min"), 10'000);
  EXPECT_EQ(histogram.at("max"), 12'345);
  const auto& buckets = histogram.at("buckets").as_array();
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_GE(buckets[0].at(0).as_int64(), 10'000);
  EXPECT_GE(buckets[1].at(0).as_int64(), 12'345);
  EXPECT_TRUE(summary.at("rate").at("target").is_null());
  EXPECT_EQ(summary.at("rate").at("achieved").as_double(), 1.6);  // 4 operations in 2.5 s

  EXPECT_EQ(report.at("errors"),
            json::parse(R"([{"code":"TooManyRequests","http_status":429,"count":1,"example":"Rate limit \"exceeded\"\n"}])"));
  EXPECT_EQ(report.at("thresholds"), json::array());
  EXPECT_EQ(report.at("timeline"), json::parse(R"([{"t":0,"started":2,"ok":2,"failed":0,"throttled":0},
                                                    {"t":1,"started":2,"ok":1,"failed":1,"throttled":1}])"));

  const auto& items = report.at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], json::parse(R"({"index":0,"user_id":"8:acs:r_1","status":"ok","steps":[
      {"op":"create_user","status":"ok","http_status":201,"attempts":1,"latency_ms":12.345},
      {"op":"issue_token","status":"ok","http_status":200,"attempts":1,"latency_ms":2.0,
       "expires_on":"2026-11-26T11:58:14.0000000+00:00"}]})"));
  EXPECT_EQ(items[1], json::parse(R"({"index":1,"user_id":"8:acs:r_2","status":"failed","steps":[
      {"op":"create_user","status":"ok","http_status":201,"attempts":1,"latency_ms":10.0},
      {"op":"issue_token","status":"failed","http_status":429,"attempts":3,"latency_ms":30.0,
       "error":{"code":"TooManyRequests","message":"Rate limit \"exceeded\"\n"},"expires_on":null}]})"));
  EXPECT_EQ(items[2], json::parse(R"({"index":2,"user_id":"","status":"skipped","steps":[]})"));
  EXPECT_THAT(keys(items[1].at("steps").at(1).as_object()),
              ElementsAre("op", "status", "http_status", "attempts", "latency_ms", "error", "expires_on"));

  EXPECT_THAT(files(), ElementsAre("out/sub/r.json"));  // no side file, no temporary
}

TEST_F(ReportBuilder, ItemsAreOmittedWhenDisabled) {
  const fs::path path = dir_ / "r.json";
  run_info i = info();
  i.embedded = false;
  i.target_rate = 200.0;
  report_builder builder(i, path, false);
  for (const auto& item : three_items()) builder.add(item);
  EXPECT_TRUE(files().empty());  // nothing streams to disk without items
  builder.write(start + 2'500ms);
  const json::object report = json::parse(read(path)).as_object();
  EXPECT_FALSE(report.contains("items"));
  EXPECT_EQ(report.at("embedded"), false);
  EXPECT_EQ(report.at("summary").at("rate").at("target").as_double(), 200.0);
  EXPECT_EQ(report.at("summary").at("items").at("total"), 3);
  EXPECT_THAT(files(), ElementsAre("r.json"));
}

TEST_F(ReportBuilder, SideFileLivesOnlyUntilWriteOrDestruction) {
  const fs::path path = dir_ / "r.json";
  {
    report_builder builder(info(), path, true);
    builder.add(three_items()[0]);
    EXPECT_THAT(files(), ElementsAre("r.json.items.jsonl.tmp"));
  }
  EXPECT_TRUE(files().empty());  // abandoned without write(): nothing left behind
}

TEST_F(ReportBuilder, StringsAreEscapedAndAlwaysValidUtf8) {
  const fs::path path = dir_ / "r.json";
  report_builder builder(info(), path, true);
  item_outcome item{7, "quote\" backslash\\ newline\n ctrl\x01 bad\xff ok\xc3\xa9", false, {}};
  step_outcome s = ok_step("get_user", 404, 1'000us, 0us);
  s.ok = false;
  s.error_code = "IdentityNotFound";
  s.error_message = "tab\there \xe2\x82";  // truncated UTF-8 sequence
  item.steps.push_back(s);
  builder.add(item);
  builder.write(start + 1s);
  const json::value report = json::parse(read(path));
  EXPECT_EQ(report.at("items").at(0).at("user_id"), "quote\" backslash\\ newline\n ctrl\x01 bad\xef\xbf\xbd ok\xc3\xa9");
  EXPECT_EQ(report.at("items").at(0).at("steps").at(0).at("error").at("message"), "tab\there \xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(report.at("errors").at(0).at("code"), "IdentityNotFound");
  EXPECT_EQ(report.at("errors").at(0).at("http_status"), 404);
}

TEST_F(ReportBuilder, ErrorsAreGroupedByCodeMostFrequentFirst) {
  const fs::path path = dir_ / "r.json";
  report_builder builder(info(), path, false);
  const auto failing = [](std::uint64_t index, std::string code, unsigned status, std::string message) {
    item_outcome item{index, "u", false, {}};
    step_outcome s = ok_step("delete_user", status, 1'000us, 0us);
    s.ok = false;
    s.error_code = std::move(code);
    s.error_message = std::move(message);
    item.steps.push_back(s);
    return item;
  };
  builder.add(failing(0, "timeout", 0, "request timed out"));
  builder.add(failing(1, "IdentityNotFound", 404, "first"));
  builder.add(failing(2, "IdentityNotFound", 404, "second"));
  builder.add(failing(3, "", 500, "no code"));
  builder.write(start + 1s);
  EXPECT_EQ(json::parse(read(path)).at("errors"), json::parse(R"([
      {"code":"IdentityNotFound","http_status":404,"count":2,"example":"first"},
      {"code":"timeout","http_status":0,"count":1,"example":"request timed out"},
      {"code":"unknown","http_status":500,"count":1,"example":"no code"}])"));
}

TEST_F(ReportBuilder, IoFailuresNameThePath) {
  const fs::path blocker = dir_ / "not-a-directory";
  std::ofstream(blocker) << "x";
  const fs::path path = blocker / "r.json";
  try {
    report_builder builder(info(), path, true);
    FAIL() << "constructed";
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(blocker.string()));
  }
  report_builder builder(info(), path, false);
  builder.add(three_items()[0]);
  try {
    builder.write(start + 1s);
    FAIL() << "written";
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(blocker.string()));
  }
  EXPECT_THAT(files(), ElementsAre("not-a-directory"));
}

TEST_F(ReportBuilder, IsWrittenOnce) {
  report_builder builder(info(), dir_ / "r.json", true);
  builder.write(start);
  EXPECT_THROW(builder.write(start), std::logic_error);
  EXPECT_THROW(builder.add(three_items()[0]), std::logic_error);
  // An empty run is still a complete report.
  const json::value report = json::parse(read(dir_ / "r.json"));
  EXPECT_EQ(report.at("items"), json::array());
  EXPECT_EQ(report.at("timeline"), json::array());
  EXPECT_EQ(report.at("summary").at("operations"), json::object());
  EXPECT_EQ(report.at("summary").at("rate").at("achieved").as_double(), 0.0);
}

TEST_F(ReportBuilder, HundredThousandItemsStreamToDiskNotMemory) {
  constexpr std::uint64_t count = 100'000;
  const fs::path path = dir_ / "big.json";
  report_builder builder(info(), path, true);
  const auto item_at = [](std::uint64_t i) {
    item_outcome item{i, "8:acs:00000000-0000-0000-0000-" + std::to_string(100'000'000'000 + i), false, {}};
    const auto at = std::chrono::microseconds{static_cast<std::int64_t>(i * 1'000)};  // 1000 items/s
    item.steps.push_back(ok_step("create_user", 201, std::chrono::microseconds{1'000 + i % 5'000}, at));
    item.steps.push_back(ok_step("issue_token", 200, std::chrono::microseconds{2'000 + i % 7'000}, at));
    item.steps.back().token_expires_on = start + 24h;
    return item;
  };
  builder.add(item_at(0));  // aggregates (histograms, map nodes) are allocated by the first item
  const std::size_t heap_before = mallinfo2().uordblks;
  for (std::uint64_t i = 1; i < count; ++i) builder.add(item_at(i));
  const std::size_t heap_after = mallinfo2().uordblks;
  const auto side_file = fs::path(path) += ".items.jsonl.tmp";
  // The items (over 300 bytes each) went to the side file as they came ...
  EXPECT_GT(fs::file_size(side_file), (count - 1'000) * 300);
  // ... and the builder kept only aggregates: far less than the items' size (30 MB).
  EXPECT_LT(heap_after - std::min(heap_after, heap_before), std::size_t{1} << 20);
  builder.write(start + 100s);

  std::ifstream in(path);
  std::string line;
  std::uint64_t item_lines = 0;
  while (std::getline(in, line)) item_lines += line.starts_with("{\"index\":") ? 1 : 0;
  EXPECT_EQ(item_lines, count);
  const json::value report = json::parse(read(path));
  EXPECT_EQ(report.at("items").as_array().size(), count);
  EXPECT_EQ(report.at("items").as_array().back().at("index"), count - 1);
  EXPECT_EQ(report.at("summary").at("operations").at("issue_token").at("count"), count);
  EXPECT_EQ(report.at("timeline").as_array().size(), 100u);
  EXPECT_THAT(files(), ElementsAre("big.json"));
}

TEST_F(ReportBuilder, HistogramCountsSumToTheOperationCountAndReadBack) {
  const fs::path path = dir_ / "r.json";
  report_builder builder(info(), path, false);
  for (std::uint64_t i = 0; i < 500; ++i) {
    item_outcome item{i, "u", false, {}};
    item.steps.push_back(ok_step("create_user", 201, std::chrono::microseconds{1 + (i * i * 37) % 90'000}, 0us));
    item.steps.push_back(ok_step("issue_token", 200, std::chrono::microseconds{100 + i * 13}, 0us));
    builder.add(item);
  }
  builder.write(start + 1s);
  const json::value report = json::parse(read(path));
  for (const auto& [name, totals] : builder.operations()) {
    SCOPED_TRACE(name);
    const auto& op = report.at("summary").at("operations").at(name);
    std::uint64_t counted = 0;
    std::int64_t previous = -1;
    for (const auto& bucket : op.at("histogram").at("buckets").as_array()) {
      EXPECT_GT(bucket.at(1).as_int64(), 0);               // non-empty only
      EXPECT_GT(bucket.at(0).as_int64(), previous);        // ascending
      previous = bucket.at(0).as_int64();
      counted += static_cast<std::uint64_t>(bucket.at(1).as_int64());
    }
    EXPECT_EQ(counted, op.at("count").to_number<std::uint64_t>());
    // Read back, it has the builder's percentiles exactly.
    const latency_histogram back = histogram_from_json(op.at("histogram"));
    EXPECT_EQ(back.buckets(), totals.latency.buckets());
    for (const double q : {0.5, 0.99}) EXPECT_DOUBLE_EQ(back.percentile_ms(q), totals.latency.percentile_ms(q));
  }
}

TEST_F(ReportBuilder, SummaryTextTable) {
  report_builder builder(info(), dir_ / "r.json", false);
  for (const auto& item : three_items()) builder.add(item);
  builder.throttling_of("issue_token", "rate_limited", 98.5);
  builder.write(start + 2s);  // two operations of each kind in 2 s: 1.0/s
  const std::string text = format_summary(builder);
  EXPECT_EQ(text,
            "operation       count        ok    failed    rate/s    p50 ms    p90 ms    p99 ms  p99.9 ms    max ms\n"
            "create_user         2         2         0       1.0    10.047    12.345    12.345    12.345    12.345\n"
            "issue_token         2         1         1       1.0     2.007    30.000    30.000    30.000    30.000\n"
            "throttling: 1.2 s waited on 429/503 (summed over steps); issue_token: limited by its rate, held 98.5/s\n"
            "items: 3 total, 1 succeeded, 1 failed, 1 skipped\n"
            "errors: TooManyRequests (HTTP 429) x1 (one example message each in the report's \"errors\")\n");
}

TEST_F(ReportBuilder, SummaryRowsFollowTheStepsThenTheRestByName) {
  auto ordered = info();
  ordered.operation_order = {"issue_token", "create_user"};
  report_builder builder(ordered, dir_ / "r.json", false);
  item_outcome item{0, "8:acs:r_1", false, {}};
  for (const char* op : {"create_user", "issue_token", "delete_user"}) item.steps.push_back(ok_step(op, 200, 1'000us, 0ms));
  builder.add(item);
  const auto text = format_summary(builder);
  const auto issue = text.find("\nissue_token"), create = text.find("\ncreate_user"), remove = text.find("\ndelete_user");
  ASSERT_NE(issue, std::string::npos);
  EXPECT_LT(issue, create);
  EXPECT_LT(create, remove) << "not among the steps (a load test's cleanup): after them";
}

TEST_F(ReportBuilder, SummaryTheRateIsZeroUntilTheRunHasALength) {
  report_builder builder(info(), dir_ / "r.json", false);
  for (const auto& item : three_items()) builder.add(item);
  EXPECT_THAT(format_summary(builder), testing::HasSubstr("create_user         2         2         0       0.0"));
}

TEST_F(ReportBuilder, SummaryFieldsForTheJsonLog) {
  report_builder builder(info(), dir_ / "r.json", false);
  for (const auto& item : three_items()) builder.add(item);
  builder.write(start + 2s);
  EXPECT_EQ(json::parse(summary_fields(builder).object()), json::parse(R"({
      "items":{"total":3,"succeeded":1,"failed":1,"skipped":1},
      "operations":{"create_user":{"count":2,"ok":2,"failed":0,"rate_per_s":1.0,"p50_ms":10.047,"p90_ms":12.345,
                                   "p99_ms":12.345,"p999_ms":12.345,"max_ms":12.345},
                    "issue_token":{"count":2,"ok":1,"failed":1,"rate_per_s":1.0,"p50_ms":2.007,"p90_ms":30.0,
                                   "p99_ms":30.0,"p999_ms":30.0,"max_ms":30.0}},
      "report":")" + (dir_ / "r.json").string() + R"("})"));
}

TEST(ItemOutcome, OkMeansNotSkippedAndEveryStepOk) {
  item_outcome item;
  EXPECT_TRUE(item.ok());
  item.steps.push_back(step_outcome{});
  EXPECT_FALSE(item.ok());
  item.steps.back().ok = true;
  EXPECT_TRUE(item.ok());
  item.skipped = true;
  EXPECT_FALSE(item.ok());
}

}  // namespace
}  // namespace acsbatch::report
