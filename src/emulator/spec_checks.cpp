#include "acsbatch/emulator/spec_checks.hpp"

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/fault_spec.hpp"
#include "acsbatch/emulator/latency_model.hpp"
#include "acsbatch/emulator/service_limits.hpp"

namespace acsbatch::emulator {
namespace {

template <class Parse>
std::optional<std::string> problem_of(Parse parse, std::string_view spec, std::string_view flag_prefix) {
  try {
    parse(spec);
    return std::nullopt;
  } catch (const config_error& e) {
    std::string_view message = e.what();
    if (message.starts_with(flag_prefix)) message.remove_prefix(flag_prefix.size());
    return std::string(message);
  }
}

}  // namespace

std::optional<std::string> limits_spec_problem(std::string_view spec) {
  return problem_of([](std::string_view s) { return parse_service_limits(s); }, spec, "--limits: ");
}

std::optional<std::string> faults_spec_problem(std::string_view spec) {
  return problem_of([](std::string_view s) { return parse_fault_spec(s); }, spec, "--faults: ");
}

std::optional<std::string> latency_spec_problem(std::string_view spec) {
  return problem_of([](std::string_view s) { return parse_latency_spec(s); }, spec, "--latency: ");
}

}  // namespace acsbatch::emulator
