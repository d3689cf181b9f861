#include "acsbatch/report/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

namespace acsbatch::report {
namespace {

// Magnitude k holds [2^k, 2^(k+1)) in `sub_buckets` equal parts. 128 = 2^7 parts, so below 2^7 µs
// every whole microsecond has its own bucket and above it a bucket is 1/128 of its magnitude wide.
constexpr unsigned sub_bucket_bits = 7;
static_assert(latency_histogram::sub_buckets == (std::size_t{1} << sub_bucket_bits));

constexpr double us_per_ms = 1000.0;

}  // namespace

std::size_t latency_histogram::bucket_index(std::uint64_t value_us) {
  if (value_us == 0) return 0;
  const unsigned magnitude = static_cast<unsigned>(std::bit_width(value_us)) - 1;
  if (magnitude >= magnitudes) return bucket_count - 1;
  const std::uint64_t offset = value_us - (std::uint64_t{1} << magnitude);
  const std::uint64_t sub = magnitude >= sub_bucket_bits ? offset >> (magnitude - sub_bucket_bits)
                                                         : offset << (sub_bucket_bits - magnitude);
  return magnitude * sub_buckets + static_cast<std::size_t>(sub);
}

std::uint64_t latency_histogram::bucket_upper_bound_us(std::size_t index) {
  index = std::min(index, bucket_count - 1);
  const unsigned magnitude = static_cast<unsigned>(index / sub_buckets);
  const std::uint64_t sub = index % sub_buckets;
  const std::uint64_t base = std::uint64_t{1} << magnitude;
  // The largest whole microsecond that bucket_index maps here.
  if (magnitude >= sub_bucket_bits) return base + ((sub + 1) << (magnitude - sub_bucket_bits)) - 1;
  return base + (sub >> (sub_bucket_bits - magnitude));
}

void latency_histogram::record(std::chrono::microseconds value) {
  const std::uint64_t us = value.count() > 0 ? static_cast<std::uint64_t>(value.count()) : 0;
  ++counts_[bucket_index(us)];
  ++count_;
  sum_us_ += us;
  max_us_ = std::max(max_us_, us);
  min_us_ = std::min(min_us_, us);
}

void latency_histogram::merge(const latency_histogram& other) {
  for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_us_ += other.sum_us_;
  max_us_ = std::max(max_us_, other.max_us_);
  min_us_ = std::min(min_us_, other.min_us_);
}

double latency_histogram::mean_ms() const {
  if (count_ == 0) return 0.0;
  return static_cast<double>(sum_us_) / static_cast<double>(count_) / us_per_ms;
}

double latency_histogram::max_ms() const { return count_ == 0 ? 0.0 : static_cast<double>(max_us_) / us_per_ms; }

double latency_histogram::min_ms() const { return count_ == 0 ? 0.0 : static_cast<double>(min_us_) / us_per_ms; }

double latency_histogram::percentile_ms(double q) const {
  if (count_ == 0) return 0.0;
  if (!(q > 0.0)) q = 0.0;  // NaN too
  q = std::min(q, 1.0);
  // The rank of the q-th value (1-based), at least the first value.
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += counts_[i];
    if (seen < rank) continue;
    // The top bucket also holds everything beyond ~71 min: its only meaningful edge is the max.
    const std::uint64_t edge = i + 1 == bucket_count ? max_us_ : std::min(bucket_upper_bound_us(i), max_us_);
    return static_cast<double>(edge) / us_per_ms;
  }
  return max_ms();
}

std::vector<latency_histogram::bucket> latency_histogram::buckets() const {
  std::vector<bucket> out;
  for (std::size_t i = 0; i < bucket_count; ++i)
    if (counts_[i] != 0) out.emplace_back(bucket_upper_bound_us(i), counts_[i]);
  return out;
}

latency_histogram latency_histogram::from_buckets(std::span<const bucket> buckets, std::uint64_t sum_us,
                                                  std::uint64_t min_us, std::uint64_t max_us) {
  const auto invalid = [](const std::string& what) { return std::invalid_argument("histogram: " + what); };
  latency_histogram out;
  std::optional<std::size_t> previous, first, last;
  for (const auto& [upper_us, count] : buckets) {
    const std::size_t index = bucket_index(upper_us);
    if (bucket_upper_bound_us(index) != upper_us)
      throw invalid(std::to_string(upper_us) + " us is not a bucket's upper bound");
    if (previous && index <= *previous)
      throw invalid("bucket bounds do not ascend at " + std::to_string(upper_us) + " us");
    previous = index;
    if (count == 0) continue;
    if (out.count_ + count < out.count_) throw invalid("bucket counts overflow");
    out.counts_[index] = count;
    out.count_ += count;
    if (!first) first = index;
    last = index;
  }
  if (out.count_ == 0) return out;
  if (min_us > max_us || bucket_index(min_us) != *first || bucket_index(max_us) != *last)
    throw invalid("min " + std::to_string(min_us) + " us and max " + std::to_string(max_us) +
                  " us do not fall in the first and last non-empty buckets");
  // Every value lies in [min, max], so the sum does too, times the count.
  const bool sum_too_large = max_us != 0 && out.count_ <= UINT64_MAX / max_us && sum_us > max_us * out.count_;
  if (sum_us < max_us || sum_too_large) throw invalid("sum " + std::to_string(sum_us) + " us is impossible");
  out.sum_us_ = sum_us;
  out.min_us_ = min_us;
  out.max_us_ = max_us;
  return out;
}

}  // namespace acsbatch::report
