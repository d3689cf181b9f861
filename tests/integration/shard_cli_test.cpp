// Four shards of one job run at the same time against one emulator; `acsbatch report merge`
// adds their reports into one that matches an unsharded run of the same job in totals, with
// every item done exactly once.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <boost/json.hpp>

#include "acsbatch/emulator/server.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

const std::string binary = ACSBATCH_BINARY;

std::uint64_t number(const json::value& v) { return v.to_number<std::uint64_t>(); }

constexpr std::uint64_t users = 2000;

std::string job_text(const std::string& name) {
  return "version: 1\nname: " + name + R"(
connection: { connection_string: "${CS}" }
concurrency: 32
users: { create: )" + std::to_string(users) + R"( }
steps:
  - create_user
  - issue_token: { scopes: [voip] }
  - delete_user
rate_limit: { per_operation: none }
state: { path: state/)" + name + R"(.db }
report: { path: reports/)" + name + ".json, items: true }\n";
}

TEST(Shards, FourConcurrentShardsMergeIntoTheSameTotalsAsOneRun) {
  emulator::embedded_emulator server;
  temp_dir dir;
  std::ofstream(dir.path() / "s.yaml") << job_text("s");
  const std::map<std::string, std::optional<std::string>> env{{"CS", server.connection_string()}};

  std::vector<std::unique_ptr<child_process>> shards;
  for (int i = 0; i < 4; ++i) {
    // Two ways to say which shard: the flag, and a Kubernetes Indexed Job's environment.
    if (i % 2 == 0)
      shards.push_back(std::make_unique<child_process>(
          std::vector<std::string>{binary, "run", "s.yaml", "--quiet", "--shard", std::to_string(i) + "/4"}, dir.path(),
          env));
    else {
      auto shard_env = env;
      shard_env["JOB_COMPLETION_INDEX"] = std::to_string(i);
      shard_env["ACSBATCH_SHARDS"] = "4";
      shards.push_back(std::make_unique<child_process>(std::vector<std::string>{binary, "run", "s.yaml", "--quiet"},
                                                       dir.path(), shard_env));
    }
  }
  for (auto& shard : shards) {
    const auto r = shard->wait(120s);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "state" / ("s.shard-" + std::to_string(i) + ".db")));
    const auto part = json::parse(read_file(dir.path() / "reports" / ("s.shard-" + std::to_string(i) + ".json")));
    EXPECT_EQ(number(part.at("summary").at("items").at("total")), users / 4);  // round-robin: even shares
  }
  const auto merged = run_process({binary, "report", "merge", "reports/s.shard-0.json", "reports/s.shard-1.json",
                                   "reports/s.shard-2.json", "reports/s.shard-3.json", "-o", "reports/merged.json"},
                                  dir.path());
  ASSERT_EQ(merged.exit_code, 0) << merged.err;

  // The same job, unsharded, for comparison.
  std::ofstream(dir.path() / "whole.yaml") << job_text("whole");
  const auto whole = run_process({binary, "run", "whole.yaml", "--quiet"}, dir.path(), env);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  const auto a = json::parse(read_file(dir.path() / "reports" / "merged.json"));
  const auto b = json::parse(read_file(dir.path() / "reports" / "whole.json"));
  EXPECT_EQ(a.at("summary").at("items").at("total"), b.at("summary").at("items").at("total"));
  EXPECT_EQ(a.at("summary").at("items").at("succeeded"), b.at("summary").at("items").at("succeeded"));
  for (const char* op : {"create_user", "issue_token", "delete_user"}) {
    EXPECT_EQ(a.at("summary").at("operations").at(op).at("count"), b.at("summary").at("operations").at(op).at("count"))
        << op;
    EXPECT_EQ(number(a.at("summary").at("operations").at(op).at("ok")), users) << op;
  }
  std::set<std::uint64_t> indexes;
  for (const auto& item : a.at("items").as_array()) EXPECT_TRUE(indexes.insert(number(item.at("index"))).second);
  EXPECT_EQ(indexes.size(), users);
  EXPECT_EQ(*indexes.rbegin(), users - 1);
  // The emulator saw each user once per shard run plus once for the whole run, no more.
  EXPECT_EQ(number(emulator_json(server.port(), "GET", "/emulator/stats").at("identities").at("created")), 2 * users);
}

TEST(Shards, AShardIndexWithoutACountIsAUsageError) {
  temp_dir dir;
  std::ofstream(dir.path() / "s.yaml") << "version: 1\nname: s\nusers: {create: 1}\nsteps: [create_user]\n";
  const auto r = run_process({binary, "run", "s.yaml"}, dir.path(), {{"JOB_COMPLETION_INDEX", "1"}});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_THAT(r.err, HasSubstr("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but not the number of shards"));
}

}  // namespace
}  // namespace acsbatch::testing
