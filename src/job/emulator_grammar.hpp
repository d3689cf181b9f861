#pragma once
/// The grammars of the emulator's --limits, --faults and --latency, for checking
/// `connection.emulator` at load time. The job layer does not link the emulator: these mirror
/// emulator::parse_service_limits, parse_fault_spec and parse_latency_spec rule for rule, and
/// tests/unit/job_emulator_test.cpp holds them to the same verdicts on a corpus and random specs.

#include <optional>
#include <string>
#include <string_view>

namespace acsbatch::job::detail {

/// nullopt when the emulator accepts `spec`; otherwise what is wrong, naming the bad item
/// (e.g. "'create_user=100' must be OP=N/WINDOW (e.g. create_user=100/1s)").
std::optional<std::string> limits_spec_problem(std::string_view spec);
std::optional<std::string> faults_spec_problem(std::string_view spec);
std::optional<std::string> latency_spec_problem(std::string_view spec);

}  // namespace acsbatch::job::detail
