#include "acsbatch/engine/shard.hpp"

#include <charconv>
#include <filesystem>
#include <stdexcept>

namespace acsbatch::engine {
namespace {

constexpr std::uint32_t max_shards = 10'000;

/// FNV-1a, 64 bit: stable across runs, machines and builds (std::hash is none of these).
std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::optional<std::uint32_t> number(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<shard> shard::parse(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto index = number(text.substr(0, slash));
  const auto count = number(text.substr(slash + 1));
  if (!index || !count || *count == 0 || *count > max_shards || *index >= *count) return std::nullopt;
  return shard{*index, *count};
}

bool shard::owns(const item_seed& seed) const {
  if (count <= 1) return true;
  // New users have no id yet: their index is the key, dealt round-robin (even shares).
  const std::uint64_t key = seed.user_id.empty() ? seed.index : stable_hash(seed.user_id);
  return key % count == index;
}

sharded_stream::sharded_stream(std::unique_ptr<item_stream> source, shard which)
    : source_(std::move(source)), shard_(which) {}

std::optional<item_seed> sharded_stream::next() {
  std::lock_guard lock{mutex_};
  while (auto seed = source_->next())
    if (shard_.owns(*seed)) return seed;
  return std::nullopt;
}

std::optional<std::uint64_t> sharded_stream::total() const {
  const auto all = source_->total();
  if (!all || !source_->numbers_new_users()) return std::nullopt;
  // New users' keys are the indexes 0 … all-1, dealt round-robin.
  return *all / shard_.count + (shard_.index < *all % shard_.count ? 1 : 0);
}

std::optional<shard> resolve_shard(const std::optional<std::string>& shard_flag,
                                   const std::optional<unsigned>& shards_flag, const job::env_lookup& env) {
  if (shard_flag) {
    const auto parsed = shard::parse(*shard_flag);
    if (!parsed)
      throw std::invalid_argument("--shard must be I/N with 0 <= I < N <= 10000 (e.g. 2/4), not '" + *shard_flag +
                                  "'");
    if (shards_flag && *shards_flag != parsed->count)
      throw std::invalid_argument("--shards " + std::to_string(*shards_flag) + " contradicts --shard " +
                                  parsed->to_string());
    return parsed;
  }
  const auto index = env("JOB_COMPLETION_INDEX");
  if (!index) {
    if (shards_flag) throw std::invalid_argument("--shards needs --shard I/N or JOB_COMPLETION_INDEX");
    return std::nullopt;
  }
  std::optional<std::string> count;
  if (shards_flag) count = std::to_string(*shards_flag);
  else count = env("ACSBATCH_SHARDS");
  if (!count)
    throw std::invalid_argument("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but not the number of "
                                "shards: pass --shards N or set ACSBATCH_SHARDS (or --shard I/N)");
  const auto parsed = shard::parse(*index + "/" + *count);
  if (!parsed)
    throw std::invalid_argument("JOB_COMPLETION_INDEX=" + *index + " with " + *count +
                                " shard(s) is not a shard: the index must be 0 … N-1");
  return parsed;
}

std::string shard_path(const std::string& path, const shard& which) {
  if (path.empty()) return path;
  const std::filesystem::path p(path);
  const std::string suffix = ".shard-" + std::to_string(which.index);
  auto out = p.parent_path() / (p.stem().string() + suffix + p.extension().string());
  return out.string();
}

void apply_shard(job::job& job, const shard& which) {
  job.report.path = shard_path(job.report.path, which);
  job.state.path = shard_path(job.state.path, which);
  job.outputs.tokens = shard_path(job.outputs.tokens, which);
  job.outputs.prometheus = shard_path(job.outputs.prometheus, which);
  if (job.rate_limit.scope == job::rate_limit_spec::limit_scope::job) job.rate_limit.share = 1.0 / which.count;
}

}  // namespace acsbatch::engine
