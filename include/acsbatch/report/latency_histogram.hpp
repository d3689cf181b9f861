#pragma once
/// Log-linear latency histogram (HDR-style): fixed memory, ≤1% relative error, exact merge.

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

namespace acsbatch::report {

class latency_histogram {
 public:
  /// Values are recorded in microseconds, from 1 µs to ~1 h; larger values land in the top bucket.
  /// Negative values (clock skew) count as 0.
  void record(std::chrono::microseconds value);
  /// Adds `other`'s counts: exactly as if every value had been recorded here.
  void merge(const latency_histogram& other);

  std::uint64_t count() const { return count_; }
  /// Exact mean, min and max of the recorded values (0 when empty).
  double mean_ms() const;
  double max_ms() const;
  double min_ms() const;
  /// q in [0, 1] (clamped); the upper edge of the bucket holding rank ceil(q·count), clamped to
  /// the recorded maximum, so it never under-reports and over-reports by < 0.8% (0 when empty).
  /// 0 µs shares the 1 µs bucket.
  double percentile_ms(double q) const;

  /// Non-empty buckets as (bucket upper bound in µs, count), for reports and merges.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> buckets() const;
  /// The largest whole microsecond that falls in bucket `index`.
  static std::uint64_t bucket_upper_bound_us(std::size_t index);
  /// Magnitude k = floor(log2 v) holds [2^k, 2^(k+1)) in `sub_buckets` equal parts.
  static std::size_t bucket_index(std::uint64_t value_us);

  static constexpr std::size_t sub_buckets = 128;  ///< per power of two: <0.8% error
  static constexpr std::size_t magnitudes = 32;    ///< 2^32 µs ≈ 71 min
  static constexpr std::size_t bucket_count = sub_buckets * magnitudes;

 private:
  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(bucket_count, 0);
  std::uint64_t count_ = 0;
  std::uint64_t sum_us_ = 0;
  std::uint64_t max_us_ = 0;
  std::uint64_t min_us_ = UINT64_MAX;
};

}  // namespace acsbatch::report
