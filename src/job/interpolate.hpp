#pragma once
/// `${VAR}` / `${VAR:-default}` substitution in one scalar of a job file.

#include <string>
#include <string_view>

#include "acsbatch/job/job.hpp"

namespace acsbatch::job::detail {

struct interpolation {
  std::string text;
  /// A variable's value was substituted: `text` may hold a secret and is never echoed.
  bool from_environment = false;
  /// Empty on success. Names variables, never their values.
  std::string error;
};

/// `$$` is a literal `$`; a `$` not followed by `{` or `$` is kept as is. `${VAR:-default}` uses
/// the default when VAR is unset or empty (shell semantics); `${VAR}` unset is an error.
/// Substituted values are not scanned again.
interpolation interpolate(std::string_view text, const env_lookup& env);

}  // namespace acsbatch::job::detail
