#pragma once
/// The failed steps of a run that share an error code: the report's `errors` entries.

#include <cstdint>
#include <string>

namespace acsbatch::report {

struct error_group {
  std::string code;  ///< service code (IdentityNotFound) or transport code (timeout)
  unsigned http_status = 0;
  std::uint64_t count = 0;
  std::string example;  ///< one message, never a key or a token
};

}  // namespace acsbatch::report
