#pragma once
/// "At most N sends in any window W", checked on the moments requests really leave. The token
/// bucket schedules sends evenly, but a worker wakes a little late now and then; a late send
/// next to an on-time one can put N+1 into some window. The service counts what arrives, so
/// the last check happens here, on actual send times. Sans-I/O; memory N timestamps.

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

namespace acsbatch::engine {

class sliding_window {
 public:
  using clock = std::chrono::steady_clock;

  sliding_window(std::size_t limit, clock::duration window) : limit_(limit), window_(window) {}

  /// Records a send at `now` and returns nullopt when the window has room; otherwise records
  /// nothing and returns the moment the oldest send leaves the window.
  std::optional<clock::time_point> admit(clock::time_point now);

  std::size_t limit() const { return limit_; }

 private:
  std::size_t limit_;
  clock::duration window_;
  std::deque<clock::time_point> sends_;
};

}  // namespace acsbatch::engine
