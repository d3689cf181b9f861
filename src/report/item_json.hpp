#pragma once
/// One item of the report as a single JSON line (the `items` array's element).

#include <string>

#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::report::detail {

/// Token-issuing operations report `expires_on` (null when no token arrived).
bool issues_token(std::string_view op);

/// A failed step's error code, "unknown" when the engine gave none.
std::string_view error_code_of(const step_outcome& step);

/// `{"index":…,"user_id":…,"status":…,"steps":[…]}` without a newline. A step's `error` is
/// omitted when it succeeded.
std::string item_json(const item_outcome& item);

}  // namespace acsbatch::report::detail
