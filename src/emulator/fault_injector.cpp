#include "acsbatch/emulator/fault_injector.hpp"

#include "acsbatch/emulator/seeded_random.hpp"

namespace acsbatch::emulator {

fault_injector::fault_injector(fault_spec spec, std::uint64_t seed) : spec_(std::move(spec)), random_(seed) {}

std::optional<fault_decision> fault_injector::decide() {
  if (spec_.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  const double draw = unit_interval(random_);
  double upper = 0;
  for (const auto& rule : spec_.rules) {
    upper += rule.probability;
    if (draw >= upper) continue;
    fault_decision decision{rule, false};
    if (fault_may_follow_the_operation(rule.kind))
      decision.apply_first = unit_interval(random_) < spec_.apply_probability;
    return decision;
  }
  return std::nullopt;
}

}  // namespace acsbatch::emulator
