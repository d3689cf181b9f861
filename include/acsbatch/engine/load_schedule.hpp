#pragma once
/// Load mode's schedule, without I/O: when iteration k of an arrival-rate executor is due, and
/// the items (one per iteration, each a new user) the runner takes them from.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <memory>
#include <optional>
#include <vector>

#include "acsbatch/engine/item_stream.hpp"
#include "acsbatch/job/job.hpp"

namespace acsbatch::engine {

/// The open model's timetable: iteration k starts when the integral of the rate reaches k, so
/// a constant rate r starts iteration k at k/r and a ramp follows its stages linearly.
class arrival_schedule {
 public:
  explicit arrival_schedule(const job::load_spec& spec);
  /// Iterations the schedule starts in all (⌊∫rate⌋, e.g. 500/s for 4 s → 2000).
  std::uint64_t total() const { return total_; }
  /// Iteration k's intended start, from the schedule's start; nullopt for k ≥ total().
  std::optional<std::chrono::nanoseconds> offset_of(std::uint64_t k) const;

 private:
  struct segment {
    double start_rate, end_rate, seconds;
  };
  std::vector<segment> segments_;
  std::uint64_t total_ = 0;
};

/// One new-user item per iteration, numbered from 0; a known total for the open model (its
/// schedule's), none for constant-concurrency (as many as the loops start). Thread-safe.
class load_items final : public item_stream {
 public:
  explicit load_items(std::optional<std::uint64_t> total) : total_(total) {}
  std::optional<item_seed> next() override;
  std::optional<std::uint64_t> total() const override { return total_; }
  bool numbers_new_users() const override { return true; }
  void skip_to(std::uint64_t index) override;
  std::uint64_t count_remaining() override;

 private:
  std::optional<std::uint64_t> total_;
  std::uint64_t next_ = 0;
  std::mutex mutex_;
};

/// The items of a load job: load_items sized by its schedule (open model) or unbounded.
std::unique_ptr<item_stream> make_load_items(const job::load_spec& spec);

}  // namespace acsbatch::engine
