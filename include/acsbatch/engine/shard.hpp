#pragma once
/// Running one job as N shards (Kubernetes Indexed Jobs, Slurm arrays, GNU parallel): shard I of
/// N takes the items whose stable key falls to it — the index for `users.create`, the user id
/// for existing users — so a re-run of shard I redoes exactly its items, and the N shards
/// together do every item once.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "acsbatch/engine/item_stream.hpp"
#include "acsbatch/job/job.hpp"

namespace acsbatch::engine {

struct shard {
  std::uint32_t index = 0;  ///< 0 … count-1
  std::uint32_t count = 1;
  /// "I/N" (e.g. "2/4"); nullopt unless 0 ≤ I < N ≤ 10000.
  static std::optional<shard> parse(std::string_view text);
  std::string to_string() const { return std::to_string(index) + "/" + std::to_string(count); }
  /// Whether the item is this shard's.
  bool owns(const item_seed& seed) const;
};

/// The shard a run is, from `--shard I/N`, or from JOB_COMPLETION_INDEX (a Kubernetes Indexed
/// Job) with the count from `--shards N` or ACSBATCH_SHARDS; nullopt for the whole job. Throws
/// std::invalid_argument with the message for the user (exit 64) when they make no sense.
std::optional<shard> resolve_shard(const std::optional<std::string>& shard_flag,
                                   const std::optional<unsigned>& shards_flag, const job::env_lookup& env);

/// `reports/x.json` → `reports/x.shard-2.json`: each shard its own files.
std::string shard_path(const std::string& path, const shard& which);

/// Renames the job's report, journal, token and metrics files for the shard and gives it its
/// share of the rate limits (1/N, unless rate_limit.scope is shard).
void apply_shard(job::job& job, const shard& which);

/// The items of `source` that `which` owns, indexes unchanged.
class sharded_stream final : public item_stream {
 public:
  sharded_stream(std::unique_ptr<item_stream> source, shard which);

  std::optional<item_seed> next() override;
  std::optional<std::uint64_t> total() const override;
  bool numbers_new_users() const override { return source_->numbers_new_users(); }
  void skip_to(std::uint64_t index) override { source_->skip_to(index); }

 private:
  std::unique_ptr<item_stream> source_;
  shard shard_;
  std::mutex mutex_;
};

}  // namespace acsbatch::engine
