#include "acsbatch/engine/send_rate_meter.hpp"

#include <algorithm>

namespace acsbatch::engine {

void send_rate_meter::record(job::operation op, clock::time_point sent) {
  std::lock_guard lock{mutex_};
  auto& sends = operations_[static_cast<std::size_t>(op)];
  // Sends a window or more before this one cannot share a window with it (the window is
  // half-open, as the limiter's).
  while (!sends.recent.empty() && sent - sends.recent.front() >= window_) sends.recent.pop_front();
  sends.recent.push_back(sent);
  sends.peak = std::max<std::uint64_t>(sends.peak, sends.recent.size());
}

std::uint64_t send_rate_meter::peak(job::operation op) const {
  std::lock_guard lock{mutex_};
  return operations_[static_cast<std::size_t>(op)].peak;
}

}  // namespace acsbatch::engine
