// Reports read back and merged: the head without parsing the items, items copied verbatim, and a
// merge that equals one run over both sets of samples (percentiles included), timelines aligned
// on absolute time, and reports of different jobs refused unless forced.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "acsbatch/report/report_builder.hpp"
#include "acsbatch/report/report_document.hpp"
#include "acsbatch/report/report_merge.hpp"

namespace acsbatch::report {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::chrono::system_clock::time_point start =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 11h + 58min + 14s;

class ReportMerge : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() / ("acsbatch_merge_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static run_info info(std::chrono::system_clock::time_point started, std::string sha = "aa11") {
    run_info i;
    i.job_name = "shard";
    i.job_file = "jobs/shard.yaml";
    i.job_sha256 = std::move(sha);
    i.endpoint_host = "127.0.0.1";
    i.embedded = true;
    i.api_version = "2023-10-01";
    i.started_at = started;
    i.thresholds = {parse_threshold("p99(issue_token) < 50ms", std::vector<std::string_view>{"issue_token"}),
                    parse_threshold("count == 300", std::vector<std::string_view>{})};
    i.parameters = {{"concurrency", "4"}};
    return i;
  }

  /// A report of `latencies_ms.size()` items (create_user, then issue_token at that latency),
  /// one item per 100 ms of the run; items at a multiple of 7 fail their issue.
  fs::path write(const std::string& name, std::chrono::system_clock::time_point started,
                 const std::vector<int>& latencies_us, bool items = true, std::string sha = "aa11") {
    const fs::path path = dir_ / name;
    report_builder builder(info(started, std::move(sha)), path, items);
    for (std::size_t i = 0; i < latencies_us.size(); ++i) {
      item_outcome item;
      item.index = i;
      item.user_id = "8:acs:" + name + "_" + std::to_string(i);
      step_outcome create;
      create.op = "create_user", create.ok = true, create.http_status = 201;
      create.latency = std::chrono::microseconds(latencies_us[i] / 2 + 1);
      create.started_at = std::chrono::milliseconds(100 * i);
      step_outcome issue = create;
      issue.op = "issue_token", issue.http_status = 200;
      issue.latency = std::chrono::microseconds(latencies_us[i]);
      if (i % 7 == 0) {
        issue.ok = false, issue.http_status = 503, issue.error_code = "ServiceUnavailable";
        issue.error_message = "busy " + name;
      }
      item.steps = {create, issue};
      builder.add(item);
    }
    builder.write(started + std::chrono::milliseconds(100 * latencies_us.size()));
    return path;
  }

  fs::path dir_;
};

std::vector<int> samples(unsigned seed, std::size_t n) {
  std::mt19937 random(seed);
  std::lognormal_distribution<double> latency(std::log(8000.0), 0.8);
  std::vector<int> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<int>(latency(random)));
  return out;
}

TEST_F(ReportMerge, ReadsBackWhatTheBuilderWrote) {
  const auto path = write("a.json", start, samples(1, 40));
  const auto read = read_report(path);
  EXPECT_TRUE(read.has_items);
  const auto& d = read.document;
  EXPECT_EQ(d.job_name, "shard");
  EXPECT_EQ(d.job_sha256, "aa11");
  EXPECT_EQ(d.started_at, "2026-11-25T11:58:14.0000000+00:00");
  EXPECT_DOUBLE_EQ(d.duration_s, 4.0);
  EXPECT_EQ(d.items.total, 40u);
  EXPECT_EQ(d.items.failed, 6u);  // 0, 7, 14, 21, 28, 35
  ASSERT_EQ(d.operations.size(), 2u);
  EXPECT_EQ(d.operations.at("issue_token").failed, 6u);
  EXPECT_EQ(d.operations.at("issue_token").latency.count(), 40u);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code, "ServiceUnavailable");
  EXPECT_EQ(d.errors[0].count, 6u);
  ASSERT_EQ(d.thresholds.size(), 2u);
  EXPECT_EQ(d.thresholds[1].expr, "count == 300");
  EXPECT_EQ(d.thresholds[1].unit, "count");
  EXPECT_FALSE(d.thresholds[1].ok);
  EXPECT_EQ(d.timeline.size(), 4u);
  EXPECT_EQ(d.timeline[0].started, 20u);
  EXPECT_EQ(d.parameters, (std::vector<std::pair<std::string, std::string>>{{"concurrency", "4"}}));
  EXPECT_EQ(d.latencies.operations().at("issue_token").size(), 4u);

  std::vector<std::string> items;
  copy_report_items(path, [&](std::string_view line) { items.emplace_back(line); });
  ASSERT_EQ(items.size(), 40u);
  EXPECT_EQ(json::parse(items[3]).at("user_id"), "8:acs:a.json_3");
}

TEST_F(ReportMerge, ItemsAreSkippedNotParsed) {
  // An items array that is not even valid JSON inside: the head still reads.
  const fs::path path = dir_ / "odd.json";
  const auto good = write("g.json", start, samples(2, 3), false);
  std::string text;
  {
    std::ifstream in(good);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.insert(text.rfind('}'), ",\n\"items\":[{\"a\":\"]}\\\"[\"},\n[1,[2]],\n{\"x\":{}}]");
  std::ofstream(path) << text;
  const auto read = read_report(path);
  EXPECT_TRUE(read.has_items);
  EXPECT_EQ(read.document.items.total, 3u);
  std::vector<std::string> items;
  copy_report_items(path, [&](std::string_view line) { items.emplace_back(line); });
  EXPECT_THAT(items, ElementsAre("{\"a\":\"]}\\\"[\"}", "[1,[2]]", "{\"x\":{}}"));
  EXPECT_FALSE(read_report(good).has_items);
}

TEST_F(ReportMerge, UnreadableAndInvalidReportsAreTold) {
  try {
    (void)read_report(dir_ / "missing.json");
    FAIL();
  } catch (const report_read_error& e) {
    EXPECT_TRUE(e.unreadable());
    EXPECT_THAT(e.what(), HasSubstr("missing.json"));
  }
  for (const std::string text : {"", "{", "[]", "{\"schema\":\"other\"}", "{\"schema\":\"acsbatch.report/v1\"}"}) {
    std::ofstream(dir_ / "bad.json") << text;
    try {
      (void)read_report(dir_ / "bad.json");
      ADD_FAILURE() << text;
    } catch (const report_read_error& e) {
      EXPECT_FALSE(e.unreadable());
      EXPECT_THAT(e.what(), HasSubstr("bad.json: not an acsbatch report"));
    }
  }
}

TEST_F(ReportMerge, MergingEqualsOneRunOverBothSampleSets) {
  const auto a_samples = samples(3, 150), b_samples = samples(4, 150);
  const auto a = write("a.json", start, a_samples);
  const auto b = write("b.json", start + 3s + 400ms, b_samples);  // a second shard, started later
  std::vector<merge_input> inputs;
  for (const auto& path : {a, b}) {
    auto read = read_report(path);
    inputs.push_back({path, std::move(read.document), read.has_items});
  }
  const auto merged = merge_reports(inputs, false);

  // One histogram over every sample: the merged percentiles must be exactly its percentiles.
  latency_histogram all;
  for (const auto& s : {a_samples, b_samples})
    for (const int us : s) all.record(std::chrono::microseconds(us));
  const auto& issue = merged.operations.at("issue_token");
  EXPECT_EQ(issue.count, 300u);
  EXPECT_EQ(issue.failed, 2u * 22u);
  for (const double q : {0.5, 0.9, 0.99, 0.999, 1.0})
    EXPECT_EQ(issue.latency.percentile_ms(q), all.percentile_ms(q)) << q;
  EXPECT_EQ(issue.latency.mean_ms(), all.mean_ms());
  EXPECT_EQ(issue.latency.buckets(), all.buckets());

  EXPECT_EQ(merged.items.total, 300u);
  EXPECT_EQ(merged.started_at, "2026-11-25T11:58:14.0000000+00:00");
  EXPECT_EQ(merged.finished_at, "2026-11-25T11:58:32.4000000+00:00");  // b: 3.4 s + 15 s
  EXPECT_DOUBLE_EQ(merged.duration_s, 18.4);
  ASSERT_EQ(merged.errors.size(), 1u);
  EXPECT_EQ(merged.errors[0].count, 44u);
  EXPECT_EQ(merged.errors[0].example, "busy a.json");
  // b's second 0 is 3 s (whole seconds) after a's start.
  ASSERT_EQ(merged.timeline.size(), 18u);
  EXPECT_EQ(merged.timeline[2].started, 20u);        // a only
  EXPECT_EQ(merged.timeline[3].started, 20u + 20u);  // a's 4th second and b's first
  EXPECT_EQ(merged.timeline[17].started, 20u);       // b's last second
  std::uint64_t slots = 0;
  for (const auto& slot : merged.latencies.operations().at("issue_token")) slots += slot.count;
  EXPECT_EQ(slots, 300u);
  // Thresholds are judged again on the sums.
  ASSERT_EQ(merged.thresholds.size(), 2u);
  EXPECT_EQ(merged.thresholds[1].expr, "count == 300");
  EXPECT_FALSE(merged.thresholds[1].ok);  // each shard had its 300 steps; together they have 600
  EXPECT_EQ(*merged.thresholds[1].value, 600.0);
  EXPECT_TRUE(inputs[0].document.thresholds[1].ok);
  EXPECT_THAT(merged.merged_from, ElementsAre(a.string(), b.string()));

  // Written and read back, the merged report is the same.
  const auto out = dir_ / "merged.json";
  write_report(out, merged, [&](const std::function<void(std::string_view)>& line) {
    for (const auto& input : inputs) copy_report_items(input.path, line);
  });
  const auto again = read_report(out);
  EXPECT_TRUE(again.has_items);
  EXPECT_EQ(again.document.operations.at("issue_token").latency.percentile_ms(0.99), all.percentile_ms(0.99));
  EXPECT_EQ(again.document.timeline.size(), 18u);
  std::size_t items = 0;
  copy_report_items(out, [&](std::string_view) { ++items; });
  EXPECT_EQ(items, 300u);
}

/// A load shard: `service_us[i]` of service time, started `late_us[i]` after its intended start;
/// the load ended after 2 s and the run (deleting leftovers) after 3 s.
fs::path write_load_shard(const fs::path& path, std::chrono::system_clock::time_point started,
                          const std::vector<int>& service_us, std::uint64_t dropped, std::uint64_t delayed) {
  run_info i;
  i.job_name = "load", i.job_file = "jobs/load.yaml", i.job_sha256 = "bb22", i.endpoint_host = "127.0.0.1";
  i.api_version = "2023-10-01", i.started_at = started;
  i.thresholds = {parse_threshold("rate(create_user) > 10/s", std::vector<std::string_view>{"create_user"})};
  report_builder builder(i, path, false);
  for (std::size_t n = 0; n < service_us.size(); ++n) {
    item_outcome item;
    item.index = n;
    step_outcome create;
    create.op = "create_user", create.ok = true, create.http_status = 201;
    create.latency = std::chrono::microseconds(service_us[n]);
    create.corrected_latency = create.latency + std::chrono::microseconds(service_us[n] * (n % 3));
    item.steps = {create};
    builder.add(item);
  }
  builder.add_dropped(dropped, delayed);
  builder.load_ended(started + 2s);
  builder.write(started + 3s);
  return path;
}

TEST_F(ReportMerge, LoadShardsMergeDroppedDelayedServiceTimeAndTheLoadWindow) {
  const auto a_samples = samples(5, 30), b_samples = samples(6, 30);
  const auto a = write_load_shard(dir_ / "a.json", start, a_samples, 7, 3);
  const auto b = write_load_shard(dir_ / "b.json", start + 500ms, b_samples, 5, 1);
  std::vector<merge_input> inputs;
  for (const auto& path : {a, b}) {
    auto read = read_report(path);
    inputs.push_back({path, std::move(read.document), read.has_items});
  }
  // Each shard: 30 creates over its 2 s load (15/s), not over its 3 s run (10/s).
  ASSERT_TRUE(inputs[0].document.load_duration_s);
  EXPECT_DOUBLE_EQ(*inputs[0].document.load_duration_s, 2.0);
  EXPECT_DOUBLE_EQ(inputs[0].document.achieved_rate, 15.0);
  EXPECT_TRUE(inputs[0].document.thresholds[0].ok);
  EXPECT_EQ(inputs[0].document.items.dropped, 7u);
  EXPECT_EQ(inputs[0].document.items.delayed, 3u);

  const auto merged = merge_reports(inputs, false);
  EXPECT_EQ(merged.items.dropped, 12u);
  EXPECT_EQ(merged.items.delayed, 4u);
  EXPECT_DOUBLE_EQ(merged.duration_s, 3.5);
  ASSERT_TRUE(merged.load_duration_s);
  EXPECT_DOUBLE_EQ(*merged.load_duration_s, 2.5);  // b's load ended 2.5 s after a started
  EXPECT_DOUBLE_EQ(merged.achieved_rate, 60 / 2.5);
  // Service time merges exactly like the corrected latency: one histogram over both shards.
  latency_histogram service;
  for (const auto& s : {a_samples, b_samples})
    for (const int us : s) service.record(std::chrono::microseconds(us));
  const auto& create = merged.operations.at("create_user");
  EXPECT_EQ(create.service_latency.buckets(), service.buckets());
  for (const double q : {0.5, 0.99, 1.0}) EXPECT_EQ(create.service_latency.percentile_ms(q), service.percentile_ms(q));
  EXPECT_GE(create.latency.percentile_ms(0.99), create.service_latency.percentile_ms(0.99));

  // A run report has no load window; merged with a load shard, neither has one.
  std::vector<merge_input> mixed{inputs[0]};
  auto run = read_report(write("run.json", start, samples(7, 5), false, "bb22"));
  mixed.push_back({dir_ / "run.json", std::move(run.document), false});
  EXPECT_FALSE(merge_reports(mixed, true).load_duration_s);
}

TEST_F(ReportMerge, ReportsOfDifferentJobsNeedForce) {
  const auto a = write("a.json", start, samples(5, 5));
  const auto b = write("b.json", start, samples(6, 5), true, "bb22");
  std::vector<merge_input> inputs;
  for (const auto& path : {a, b}) inputs.push_back({path, read_report(path).document, true});
  try {
    (void)merge_reports(inputs, false);
    FAIL();
  } catch (const merge_refused& e) {
    EXPECT_THAT(e.what(), HasSubstr("b.json is a report of another job than"));
    EXPECT_THAT(e.what(), HasSubstr("--force"));
  }
  EXPECT_EQ(merge_reports(inputs, true).items.total, 10u);
}

TEST(LatencyTimeline, SlotsWidenInsteadOfGrowing) {
  latency_timeline t;
  for (std::uint64_t s = 0; s < 3 * latency_timeline::max_slots; ++s) t.record("op", s, 1000 + s);
  EXPECT_EQ(t.resolution_s(), 4u);
  const auto& slots = t.operations().at("op");
  EXPECT_LE(slots.size(), latency_timeline::max_slots);
  std::uint64_t total = 0;
  for (const auto& slot : slots) total += slot.count;
  EXPECT_EQ(total, 3 * latency_timeline::max_slots);
  EXPECT_EQ(slots[0].count, 4u);
  EXPECT_EQ(slots[0].max_us, 1003u);
}

TEST(LatencyTimeline, PercentilesNeverUnderReportAndStayWithinABucket) {
  latency_timeline t;
  for (std::uint64_t us = 1; us <= 100'000; us += 7) t.record("op", 0, us);
  const auto& slot = t.operations().at("op")[0];
  const double exact_p50 = 50'000, exact_p99 = 99'000;
  EXPECT_GE(static_cast<double>(slot.percentile_us(0.5)), exact_p50 * 0.999);
  EXPECT_LE(static_cast<double>(slot.percentile_us(0.5)), exact_p50 * 1.0625);
  EXPECT_GE(static_cast<double>(slot.percentile_us(0.99)), exact_p99 * 0.999);
  EXPECT_LE(static_cast<double>(slot.percentile_us(0.99)), exact_p99 * 1.0625);
  EXPECT_EQ(slot.percentile_us(1.0), slot.max_us);
}

TEST(LatencyTimeline, JsonRoundTripAndMergeWithOffset) {
  latency_timeline a, b;
  a.record("x", 0, 10), a.record("x", 1, 2000), a.record("y", 5, 70'000'000'000);  // beyond 71 min
  b.record("x", 0, 30);
  const auto back = latency_timeline::from_json(json::parse(a.to_json()));
  EXPECT_EQ(back.to_json(), a.to_json());
  a.merge(b, 1);
  EXPECT_EQ(a.operations().at("x")[1].count, 2u);
  EXPECT_EQ(a.operations().at("x")[1].max_us, 2000u);
  EXPECT_THROW(latency_timeline::from_json(json::parse(R"({"resolution_s":3,"sub_buckets":16,"operations":{}})")),
               std::invalid_argument);
  EXPECT_THROW(latency_timeline::from_json(json::parse(
                   R"({"resolution_s":1,"sub_buckets":16,"operations":{"x":[{"t":0,"count":2,"max":0.01,"buckets":[[10,1]]}]}})")),
               std::invalid_argument);
}

}  // namespace
}  // namespace acsbatch::report
