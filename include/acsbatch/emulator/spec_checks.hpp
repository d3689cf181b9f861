#pragma once
/// The emulator's spec parsers as yes/no checks, for layers that check a spec without needing
/// its value (the job loader, registered through job::register_emulator_spec_checks).

#include <optional>
#include <string>
#include <string_view>

namespace acsbatch::emulator {

/// nullopt when parse_service_limits accepts `spec`; else its message without the `--limits: `
/// flag prefix (e.g. "'create_user=100' must be OP=N/WINDOW (e.g. create_user=100/1s)").
std::optional<std::string> limits_spec_problem(std::string_view spec);
/// The same for parse_fault_spec.
std::optional<std::string> faults_spec_problem(std::string_view spec);
/// The same for parse_latency_spec.
std::optional<std::string> latency_spec_problem(std::string_view spec);

}  // namespace acsbatch::emulator
