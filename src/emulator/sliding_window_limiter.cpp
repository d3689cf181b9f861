#include "acsbatch/emulator/sliding_window_limiter.hpp"

namespace acsbatch::emulator {

sliding_window_limiter::sliding_window_limiter(service_limits limits) : limits_(std::move(limits)) {}

std::optional<std::chrono::nanoseconds> sliding_window_limiter::admit(operation op, clock::time_point now) {
  const auto& limit = limits_.of(op);
  if (!limit) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto& times = admitted_[static_cast<std::size_t>(op)];
  // A request admitted at t counts while t > now − W; at exactly t + W it has left.
  while (!times.empty() && times.front() + limit->window <= now) times.pop_front();
  if (times.size() >= limit->requests) return times.front() + limit->window - now;
  times.push_back(now);
  return std::nullopt;
}

}  // namespace acsbatch::emulator
