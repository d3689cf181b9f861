#pragma once
/// Log-linear latency histogram (HDR-style): fixed memory, ≤1% relative error, exact merge.
///
/// Error bound: each power of two [2^k, 2^(k+1)) µs is cut into 128 equal buckets, so a bucket
/// is at most 1/128 of its lower edge wide. A value v lands in a bucket whose upper edge u has
/// v ≤ u ≤ v·(1 + 1/128); percentiles report that edge, so they never under-report and
/// over-report by less than 0.8% (≤1% relative error), whatever the distribution, up to
/// ~71 min (the top bucket holds everything longer; its percentiles are the recorded max).
///
/// Reports keep the buckets plus the exact sum, min and max (see histogram_json.hpp), so
/// histograms rebuilt from reports with from_buckets() merge exactly.

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <utility>
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

  /// Exact sum, min and max of the recorded values in µs (0 when empty), kept beside the buckets.
  std::uint64_t sum_us() const { return sum_us_; }
  std::uint64_t min_us() const { return count_ == 0 ? 0 : min_us_; }
  std::uint64_t max_us() const { return max_us_; }

  /// A (bucket upper bound in µs, count) pair.
  using bucket = std::pair<std::uint64_t, std::uint64_t>;
  /// Non-empty buckets as (bucket upper bound in µs, count), ascending, for reports and merges.
  std::vector<bucket> buckets() const;
  /// Rebuilds a histogram from buckets() and the exact sum, min and max of its values: the
  /// result has the original's counts and statistics, so merging rebuilt histograms equals
  /// recording every value in one. Pairs with a zero count are ignored. Throws
  /// std::invalid_argument when a bound is not a bucket's upper bound, the bounds do not
  /// ascend, the counts overflow, or min/max do not fall in the first/last non-empty bucket.
  static latency_histogram from_buckets(std::span<const bucket> buckets, std::uint64_t sum_us,
                                        std::uint64_t min_us, std::uint64_t max_us);
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
