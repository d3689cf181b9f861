#include "acsbatch/emulator/request_stats.hpp"

namespace acsbatch::emulator {

void request_stats::record(operation op, unsigned status) {
  std::lock_guard lock(mutex_);
  ++counts_[static_cast<std::size_t>(op)][status];
}

void request_stats::record_fault(operation op, fault_kind kind) {
  std::lock_guard lock(mutex_);
  ++faults_[static_cast<std::size_t>(op)][static_cast<std::size_t>(kind)];
}

void request_stats::record_applied_before_fault(operation op) {
  std::lock_guard lock(mutex_);
  ++applied_before_fault_[static_cast<std::size_t>(op)];
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

request_stats::fault_counts request_stats::faults() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

request_stats::operation_counts request_stats::applied_before_fault() const {
  std::lock_guard lock(mutex_);
  return applied_before_fault_;
}

}  // namespace acsbatch::emulator
