#include "acsbatch/engine/sliding_window.hpp"

namespace acsbatch::engine {

std::optional<sliding_window::clock::time_point> sliding_window::admit(clock::time_point now) {
  while (!sends_.empty() && now - sends_.front() >= window_) sends_.pop_front();
  if (sends_.size() >= limit_) return sends_.front() + window_;
  sends_.push_back(now);
  return std::nullopt;
}

}  // namespace acsbatch::engine
