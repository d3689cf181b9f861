#include <cstdlib>

#include "acsbatch/job/job.hpp"

namespace acsbatch::job {

env_lookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    // getenv needs a terminated string; the name is short.
    const std::string key(name);
    if (const char* value = std::getenv(key.c_str())) return std::string(value);
    return std::nullopt;
  };
}

}  // namespace acsbatch::job
