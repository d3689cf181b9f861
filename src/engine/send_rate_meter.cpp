#include "acsbatch/engine/send_rate_meter.hpp"

#include <algorithm>

namespace acsbatch::engine {

void send_rate_meter::record(clock::time_point sent) {
  std::lock_guard lock{mutex_};
  // Sends a window or more before this one cannot share a window with it (the window is
  // half-open, as the limiter's).
  while (!recent_.empty() && sent - recent_.front() >= window_) recent_.pop_front();
  recent_.push_back(sent);
  peak_ = std::max<std::uint64_t>(peak_, recent_.size());
}

std::uint64_t send_rate_meter::peak() const {
  std::lock_guard lock{mutex_};
  return peak_;
}

}  // namespace acsbatch::engine
