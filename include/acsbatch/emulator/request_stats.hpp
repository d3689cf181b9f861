#pragma once
/// Per-operation counts of answered requests by HTTP status, for GET /emulator/stats.
/// Safe to use from several threads.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>

#include "acsbatch/emulator/routes.hpp"

namespace acsbatch::emulator {

class request_stats {
 public:
  /// status → count, per operation.
  using snapshot = std::array<std::map<unsigned, std::uint64_t>, operation_count>;

  void record(operation op, unsigned status);
  snapshot counts() const;
  /// How many requests of `op` were answered with `status` so far.
  std::uint64_t count(operation op, unsigned status) const;

 private:
  mutable std::mutex mutex_;
  snapshot counts_;
};

}  // namespace acsbatch::emulator
