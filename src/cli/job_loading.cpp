#include "job_loading.hpp"

#include <iostream>

namespace acsbatch::cli {

std::optional<job::job> load_job_or_report(const std::string& file, const std::vector<std::string>& overrides) {
  try {
    std::vector<job::override_value> parsed;
    parsed.reserve(overrides.size());
    for (const auto& text : overrides) parsed.push_back(job::parse_override(text));
    auto loaded = job::load_job(file, job::process_environment(), parsed);
    for (const auto& warning : loaded.warnings) std::cerr << "warning: " << warning << '\n';
    return loaded;
  } catch (const job::job_error& e) {
    for (const auto& d : e.diagnostics()) std::cerr << d.to_string() << '\n';
    return std::nullopt;
  }
}

}  // namespace acsbatch::cli
