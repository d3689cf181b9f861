#include "acsbatch/engine/token_bucket.hpp"

#include <algorithm>
#include <stdexcept>

namespace acsbatch::engine {

token_bucket::token_bucket(settings s) : settings_(s), rate_(s.per_second) {
  if (!(s.per_second > 0)) throw std::invalid_argument("token_bucket: per_second must be > 0");
  if (!(s.burst >= 1)) throw std::invalid_argument("token_bucket: burst must be >= 1");
}

token_bucket::clock::duration token_bucket::interval() const {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / rate_));
}

token_bucket::clock::duration token_bucket::tolerance() const {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>((settings_.burst - 1.0) / rate_));
}

token_bucket::clock::time_point token_bucket::reserve(clock::time_point now) {
  if (!started_) {
    started_ = true;
    next_ = now;
  }
  const auto send_at = std::max(now, next_ - tolerance());
  next_ = std::max(next_, send_at) + interval();
  return send_at;
}

}  // namespace acsbatch::engine
