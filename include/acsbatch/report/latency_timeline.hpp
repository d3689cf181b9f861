#pragma once
/// Latency over time, per operation: one small histogram per operation and time slot, so the
/// HTML report can plot p50/p90/p99 second by second and `report merge` can add runs exactly.
///
/// Memory is bounded whatever the run's length: slots start one second wide and, when a run
/// passes max_slots of them, pairs of slots merge and the width doubles (so a day-long run keeps
/// 3 600 slots of 32 s). Each slot holds only its non-empty buckets of a coarse log-linear grid
/// (16 buckets per power of two: percentiles over-report by less than 6.25 %, never under), a
/// few hundred bytes for a busy second.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/fwd.hpp>

namespace acsbatch::report {

class latency_timeline {
 public:
  static constexpr std::size_t max_slots = 3600;
  static constexpr unsigned sub_bucket_bits = 4;
  static constexpr std::size_t sub_buckets = std::size_t{1} << sub_bucket_bits;  ///< per power of two
  static constexpr std::size_t magnitudes = 32;  ///< up to 2^32 µs (~71 min), like latency_histogram
  static constexpr std::size_t bucket_count = sub_buckets * magnitudes;
  /// Seconds beyond this (a week) are clamped into the last slot, as the report's timeline does.
  static constexpr std::uint64_t max_second = 7 * 24 * 3600;

  struct slot {
    std::uint64_t count = 0;
    std::uint64_t max_us = 0;
    /// (bucket index, count), ascending by index; counts saturate at 2^32 - 1.
    std::vector<std::pair<std::uint16_t, std::uint32_t>> buckets;
    /// The upper edge (µs) of the bucket holding rank ceil(q·count), clamped to max_us; 0 when empty.
    std::uint64_t percentile_us(double q) const;
    void add(std::uint16_t index, std::uint64_t count);
  };

  /// Records one latency of `op` at `second` (from the run's start).
  void record(const std::string& op, std::uint64_t second, std::uint64_t latency_us);
  /// Adds `other`'s slots shifted by `offset_s` seconds (≥ 0): bucket counts add exactly; the
  /// wider of the two slot widths is kept.
  void merge(const latency_timeline& other, std::uint64_t offset_s);

  /// Seconds per slot: 1, 2, 4, …
  std::uint64_t resolution_s() const { return resolution_s_; }
  /// Slot i of an operation covers [i·resolution_s, (i+1)·resolution_s) seconds of the run.
  const std::map<std::string, std::vector<slot>>& operations() const { return operations_; }
  bool empty() const { return operations_.empty(); }

  /// The bucket a latency falls in, and the largest whole microsecond in a bucket.
  static std::uint16_t bucket_index(std::uint64_t value_us);
  static std::uint64_t bucket_upper_bound_us(std::size_t index);

  /// {"resolution_s":R,"sub_buckets":16,"operations":{"op":[{"t":S,"count":N,"p50":ms,"p90":ms,
  /// "p99":ms,"max":ms,"buckets":[[upper_us,count],…]},…]}} — non-empty slots only, `t` the
  /// slot's first second; percentiles and max in ms with three decimals.
  std::string to_json() const;
  /// Reads to_json()'s object back. Throws std::invalid_argument naming the problem.
  static latency_timeline from_json(const boost::json::value& value);

 private:
  /// Widens the slots until `second` has one.
  void make_room(std::uint64_t second);
  slot& slot_at(const std::string& op, std::uint64_t second);

  std::uint64_t resolution_s_ = 1;
  std::map<std::string, std::vector<slot>> operations_;
};

}  // namespace acsbatch::report
