#pragma once
/// Pieces of error messages built from what a user wrote: shared by the job loader and the
/// threshold parser, so that both quote and list the same way.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace acsbatch {

/// 'text', at most `limit` characters of it (then "..."), anything but printable ASCII as '?'.
std::string quote_excerpt(std::string_view text, std::size_t limit);

/// "a, b, c"
std::string join_words(std::span<const std::string_view> words);

}  // namespace acsbatch
