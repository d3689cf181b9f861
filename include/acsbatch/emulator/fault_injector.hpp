#pragma once
/// Decides, request by request, whether a fault strikes and whether the operation was carried
/// out first (sans-I/O: the server performs the decision). Seeded, so a run with the same
/// seed and the same request order injects the same faults. Safe to call from several threads
/// (decisions are then made in the order the calls take the lock).

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

#include "acsbatch/emulator/fault_spec.hpp"

namespace acsbatch::emulator {

struct fault_decision {
  fault_rule rule;
  /// Carry out the operation, then fail: only for kinds that may follow the operation.
  bool apply_first = false;
};

class fault_injector {
 public:
  /// `seed` seeds the engine as is; the server passes derive_seed(seed, random_stream::faults).
  fault_injector(fault_spec spec, std::uint64_t seed);

  /// One decision for one eligible request. With an empty spec, nullopt and no draw at all
  /// (so adding latency alone does not shift anything). Otherwise one draw chooses the kind
  /// (each kind owns a slice of [0,1) as wide as its probability), and a second draw, only for
  /// kinds that may follow the operation, decides apply_first.
  std::optional<fault_decision> decide();

  const fault_spec& spec() const { return spec_; }

 private:
  const fault_spec spec_;
  std::mutex mutex_;
  std::mt19937_64 random_;
};

}  // namespace acsbatch::emulator
