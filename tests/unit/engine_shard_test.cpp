// Sharding: which items a shard owns (every item exactly once across the shards, the same on
// every run), the shard from flags or a Kubernetes Indexed Job's environment, and the job's
// files and limits adjusted for it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "acsbatch/engine/item_source.hpp"
#include "acsbatch/engine/rate_limiter.hpp"
#include "acsbatch/engine/shard.hpp"

namespace acsbatch::engine {
namespace {

using ::testing::HasSubstr;

job::env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

item_seed seed_of(std::uint64_t index, std::string user_id) {
  item_seed seed;
  seed.index = index;
  seed.user_id = std::move(user_id);
  return seed;
}

std::string error_of(std::optional<std::string> flag, std::optional<unsigned> count,
                     std::map<std::string, std::string> vars = {}) {
  try {
    (void)resolve_shard(flag, count, env_of(std::move(vars)));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(Shard, ParseAcceptsOnlyIndexBelowCount) {
  EXPECT_EQ(shard::parse("2/4")->index, 2u);
  EXPECT_EQ(shard::parse("2/4")->count, 4u);
  EXPECT_EQ(shard::parse("0/1")->count, 1u);
  for (const char* bad : {"4/4", "1/0", "-1/4", "1", "1/", "/4", "a/b", "1/4x", " 1/4", "0/10001"})
    EXPECT_FALSE(shard::parse(bad)) << bad;
}

TEST(Shard, EveryItemBelongsToExactlyOneShardAndAlwaysTheSame) {
  std::map<std::string, int> owners;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    item_seed by_index = seed_of(i, "");
    item_seed by_id = seed_of(i, "8:acs:r_" + std::to_string(i * 7919));
    int index_owners = 0;
    for (std::uint32_t s = 0; s < 4; ++s) {
      index_owners += shard{s, 4}.owns(by_index);
      if (shard{s, 4}.owns(by_id)) owners[by_id.user_id] += 1;
    }
    EXPECT_EQ(index_owners, 1);
  }
  for (const auto& [id, count] : owners) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(owners.size(), 2000u);
  // FNV-1a of the id, not std::hash: a fixed answer on every machine and build (FNV-1a-64 of
  // "8:acs:r_0" is 0xbb821f331ddd5fc3, which is 3 mod 4 — computed independently in Python).
  EXPECT_TRUE(shard({3, 4}).owns(seed_of(0, "8:acs:r_0")));
}

TEST(Shard, NewUsersAreDealtRoundRobinAndCounted) {
  job::users_spec users;
  users.create = 10;
  for (std::uint32_t s = 0; s < 4; ++s) {
    sharded_stream stream(std::make_unique<item_source>(users), shard{s, 4});
    std::vector<std::uint64_t> got;
    while (auto seed = stream.next()) got.push_back(seed->index);
    EXPECT_EQ(stream.total(), got.size()) << s;
    for (auto index : got) EXPECT_EQ(index % 4, s);
  }
}

TEST(Shard, FromTheFlagOrFromAnIndexedJob) {
  EXPECT_EQ(resolve_shard(std::string("1/3"), std::nullopt, env_of({}))->to_string(), "1/3");
  EXPECT_EQ(resolve_shard(std::nullopt, 4u, env_of({{"JOB_COMPLETION_INDEX", "3"}}))->to_string(), "3/4");
  EXPECT_EQ(resolve_shard(std::nullopt, std::nullopt, env_of({{"JOB_COMPLETION_INDEX", "0"}, {"ACSBATCH_SHARDS", "2"}}))
                ->to_string(),
            "0/2");
  EXPECT_FALSE(resolve_shard(std::nullopt, std::nullopt, env_of({})));
  EXPECT_EQ(error_of(std::string("4/4"), std::nullopt),
            "--shard must be I/N with 0 <= I < N <= 10000 (e.g. 2/4), not '4/4'");
  EXPECT_EQ(error_of(std::string("1/4"), 3u), "--shards 3 contradicts --shard 1/4");
  EXPECT_EQ(error_of(std::nullopt, 4u), "--shards needs --shard I/N or JOB_COMPLETION_INDEX");
  EXPECT_THAT(error_of(std::nullopt, std::nullopt, {{"JOB_COMPLETION_INDEX", "1"}}),
              HasSubstr("pass --shards N or set ACSBATCH_SHARDS"));
  EXPECT_EQ(error_of(std::nullopt, 2u, {{"JOB_COMPLETION_INDEX", "2"}}),
            "JOB_COMPLETION_INDEX=2 with 2 shard(s) is not a shard: the index must be 0 … N-1");
}

TEST(Shard, EachShardHasItsOwnFilesAndItsShareOfTheLimits) {
  job::job j;
  j.report.path = "reports/p.json";
  j.state.path = "state/p.db";
  j.outputs.tokens = "out/tokens.jsonl";
  j.outputs.prometheus = "/var/lib/node/acsbatch_p.prom";
  j.rate_limit.per_second = 200;
  apply_shard(j, shard{2, 4});
  EXPECT_EQ(j.report.path, "reports/p.shard-2.json");
  EXPECT_EQ(j.state.path, "state/p.shard-2.db");
  EXPECT_EQ(j.outputs.tokens, "out/tokens.shard-2.jsonl");
  EXPECT_EQ(j.outputs.prometheus, "/var/lib/node/acsbatch_p.shard-2.prom");
  EXPECT_EQ(shard_path("", shard{2, 4}), "");
  const rate_limiter shared(j.rate_limit);
  EXPECT_DOUBLE_EQ(*shared.job_limit_per_second(), 50.0);
  // The service's per-operation limits are the resource's: each shard paces at a quarter.
  EXPECT_NEAR(*shared.limit_per_second(job::operation::create_user), 1000.0 / 30 * 0.98 / 4, 1e-9);

  job::job own;
  own.rate_limit.per_second = 200;
  own.rate_limit.scope = job::rate_limit_spec::limit_scope::shard;
  apply_shard(own, shard{0, 4});
  EXPECT_DOUBLE_EQ(*rate_limiter(own.rate_limit).job_limit_per_second(), 200.0);
}

}  // namespace
}  // namespace acsbatch::engine
