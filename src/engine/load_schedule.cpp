#include "acsbatch/engine/load_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace acsbatch::engine {

arrival_schedule::arrival_schedule(const job::load_spec& spec) {
  const auto seconds = [](std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; };
  if (spec.executor == job::load_spec::executor_kind::ramping_arrival_rate) {
    double rate = spec.start_rate;
    for (const auto& stage : spec.stages) {
      segments_.push_back({rate, stage.target, seconds(stage.duration)});
      rate = stage.target;
    }
  } else if (spec.executor == job::load_spec::executor_kind::constant_arrival_rate) {
    segments_.push_back({spec.rate, spec.rate, seconds(spec.duration)});
  }
  double iterations = 0;
  for (const auto& s : segments_) iterations += (s.start_rate + s.end_rate) / 2 * s.seconds;
  // A hair of tolerance so that 0.1/s × 10 s is 1 iteration, not 0.999….
  total_ = static_cast<std::uint64_t>(std::floor(iterations + 1e-9));
}

std::optional<std::chrono::nanoseconds> arrival_schedule::offset_of(std::uint64_t k) const {
  if (k >= total_) return std::nullopt;
  double remaining = static_cast<double>(k);
  double elapsed = 0;
  for (const auto& s : segments_) {
    const double in_segment = (s.start_rate + s.end_rate) / 2 * s.seconds;
    if (remaining >= in_segment && &s != &segments_.back()) {
      remaining -= in_segment;
      elapsed += s.seconds;
      continue;
    }
    // Solve r0·t + (r1 − r0)/(2D)·t² = remaining for t in [0, D].
    const double slope = (s.end_rate - s.start_rate) / s.seconds;
    double t;
    if (std::abs(slope) < 1e-12) {
      t = s.start_rate > 0 ? remaining / s.start_rate : 0;
    } else {
      const double discriminant = s.start_rate * s.start_rate + 2 * slope * remaining;
      t = (-s.start_rate + std::sqrt(std::max(0.0, discriminant))) / slope;
    }
    elapsed += std::clamp(t, 0.0, s.seconds);
    break;
  }
  return std::chrono::nanoseconds{static_cast<std::int64_t>(std::llround(elapsed * 1e9))};
}

std::optional<item_seed> load_items::next() {
  std::lock_guard lock{mutex_};
  if (total_ && next_ >= *total_) return std::nullopt;
  item_seed seed;
  seed.index = next_++;
  return seed;
}

void load_items::skip_to(std::uint64_t index) {
  std::lock_guard lock{mutex_};
  next_ = std::max(next_, index);
}

std::uint64_t load_items::count_remaining() {
  std::lock_guard lock{mutex_};
  return total_ && *total_ > next_ ? *total_ - next_ : 0;
}

std::unique_ptr<item_stream> make_load_items(const job::load_spec& spec) {
  if (!spec.open_model()) return std::make_unique<load_items>(std::nullopt);
  return std::make_unique<load_items>(arrival_schedule(spec).total());
}

}  // namespace acsbatch::engine
