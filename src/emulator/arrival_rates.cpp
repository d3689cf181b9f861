#include "acsbatch/emulator/arrival_rates.hpp"

#include <algorithm>

namespace acsbatch::emulator {

arrival_rates::arrival_rates(std::optional<clock::time_point> origin) : origin_(origin) {}

std::uint64_t arrival_rates::second_of(clock::time_point at) const {
  if (!origin_ || at <= *origin_) return 0;
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(at - *origin_).count());
}

void arrival_rates::extend_to(std::uint64_t second) {
  if (buckets_.empty() || second >= first_second_ + buckets_.size() + kept_seconds) {
    // First arrival, or silent for longer than we keep: start afresh at `second`.
    buckets_.assign(1, {});
    first_second_ = second;
    return;
  }
  while (first_second_ + buckets_.size() <= second) buckets_.push_back({});
  while (buckets_.size() > kept_seconds) {
    buckets_.pop_front();
    ++first_second_;
  }
}

void arrival_rates::record(operation op, clock::time_point at) {
  const auto index = static_cast<std::size_t>(op);
  std::lock_guard lock(mutex_);
  if (!origin_) origin_ = at;
  const auto second = second_of(at);
  extend_to(second);
  // Threads may deliver arrivals slightly out of order; one older than the kept hour is
  // simply not bucketed.
  if (second >= first_second_) ++buckets_[second - first_second_][index];

  auto& window = last_second_[index];
  while (!window.empty() && window.front() + std::chrono::seconds{1} <= at) window.pop_front();
  window.push_back(at);
  max_per_second_[index] = std::max<std::uint64_t>(max_per_second_[index], window.size());
}

arrival_rates::snapshot arrival_rates::read(std::optional<clock::time_point> now) const {
  std::lock_guard lock(mutex_);
  snapshot out;
  out.max_per_second = max_per_second_;
  if (!buckets_.empty()) {
    out.window_start_s = first_second_;
    out.per_second.assign(buckets_.begin(), buckets_.end());
  } else if (!origin_) {
    return out;  // no second 0 yet
  }
  if (now) {
    // Pad with empty seconds up to `now` without ever building more than kept_seconds.
    const auto end = second_of(*now) + 1;
    if (end > out.window_start_s + out.per_second.size()) {
      const auto start = std::max(out.window_start_s, end > kept_seconds ? end - kept_seconds : 0);
      const auto drop = std::min<std::uint64_t>(out.per_second.size(), start - out.window_start_s);
      out.per_second.erase(out.per_second.begin(), out.per_second.begin() + static_cast<std::ptrdiff_t>(drop));
      out.window_start_s = start;
      out.per_second.resize(static_cast<std::size_t>(end - start));
    }
  }
  return out;
}

}  // namespace acsbatch::emulator
