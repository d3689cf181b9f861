#include "acsbatch/emulator/request_stats.hpp"

namespace acsbatch::emulator {

void request_stats::record(operation op, unsigned status) {
  std::lock_guard lock(mutex_);
  ++counts_[static_cast<std::size_t>(op)][status];
}

request_stats::snapshot request_stats::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::uint64_t request_stats::count(operation op, unsigned status) const {
  std::lock_guard lock(mutex_);
  const auto& by_status = counts_[static_cast<std::size_t>(op)];
  const auto it = by_status.find(status);
  return it == by_status.end() ? 0 : it->second;
}

}  // namespace acsbatch::emulator
