#include "job_loading.hpp"

#include <iostream>

#include "acsbatch/auth/crypto.hpp"

namespace acsbatch::cli {

std::optional<job::job> load_job_or_report(const std::string& file, const std::vector<std::string>& overrides) {
  try {
    std::vector<job::override_value> parsed;
    parsed.reserve(overrides.size());
    for (const auto& text : overrides) parsed.push_back(job::parse_override(text));
    auto loaded = job::load_job(file, job::process_environment(), parsed);
    loaded.effective_sha256 = loaded.sha256;
    if (!overrides.empty()) {
      std::string text = loaded.sha256;
      for (const auto& o : overrides) text += "\n--set " + o;
      loaded.effective_sha256 = auth::to_hex(auth::sha256(text));
    }
    for (const auto& warning : loaded.warnings) std::cerr << "warning: " << warning << '\n';
    return loaded;
  } catch (const job::job_error& e) {
    for (const auto& d : e.diagnostics()) std::cerr << d.to_string() << '\n';
    return std::nullopt;
  }
}

}  // namespace acsbatch::cli
