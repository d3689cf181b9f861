#pragma once
/// Text that came from the service (or from whatever answered instead of it) before it may be
/// shown to a human or written to a report: one line, printable ASCII, bounded, no token.

#include <cstddef>
#include <string>
#include <string_view>

namespace acsbatch::identity::detail {

/// Control and non-ASCII bytes become spaces, runs of spaces collapse, anything shaped like a
/// JWT (`eyJ….….…`) becomes `<redacted>`, and the result is cut to `max_chars` (ending in "...").
std::string sanitize_service_text(std::string_view text, std::size_t max_chars = 200);

}  // namespace acsbatch::identity::detail
