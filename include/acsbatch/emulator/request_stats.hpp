#pragma once
/// Per-operation counts for GET /emulator/stats: answered requests by HTTP status, injected
/// faults by kind, and operations carried out before a fault hid their answer.
/// Safe to use from several threads.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>

#include "acsbatch/emulator/fault_spec.hpp"
#include "acsbatch/emulator/routes.hpp"

namespace acsbatch::emulator {

class request_stats {
 public:
  /// status → count, per operation.
  using snapshot = std::array<std::map<unsigned, std::uint64_t>, operation_count>;
  /// [operation][fault_kind] → count.
  using fault_counts = std::array<std::array<std::uint64_t, fault_kind_count>, operation_count>;
  using operation_counts = std::array<std::uint64_t, operation_count>;

  /// A request answered with `status`, injected 429/5xx answers included (what the client saw).
  void record(operation op, unsigned status);
  /// A fault injected into a request of `op` (also counted by record() when it had a status).
  void record_fault(operation op, fault_kind kind);
  /// The operation succeeded before a fault replaced its answer: the client saw a failure, but
  /// the identity was created (deleted, …) all the same.
  void record_applied_before_fault(operation op);

  snapshot counts() const;
  /// How many requests of `op` were answered with `status` so far.
  std::uint64_t count(operation op, unsigned status) const;
  fault_counts faults() const;
  operation_counts applied_before_fault() const;

 private:
  mutable std::mutex mutex_;
  snapshot counts_;
  fault_counts faults_{};
  operation_counts applied_before_fault_{};
};

}  // namespace acsbatch::emulator
