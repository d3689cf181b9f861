#pragma once
/// Percent-decoding of URL path segments and query components, shared by the client (reading
/// back what it encoded) and the emulator (reading what clients send).

#include <optional>
#include <string>
#include <string_view>

namespace acsbatch {

/// `%XX` → the byte; with `plus_is_space` (form-encoded query components) `+` → space.
/// nullopt for a truncated or non-hex escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

}  // namespace acsbatch
