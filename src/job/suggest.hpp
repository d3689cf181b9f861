#pragma once
/// "did you mean …?" for misspelt keys and operation names.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace acsbatch::job::detail {

/// Levenshtein distance, case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidate within edit distance 2 (the first on ties); nullopt when none is close.
std::optional<std::string_view> closest(std::string_view word, std::span<const std::string_view> candidates);

/// "; did you mean 'x'?" or "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace acsbatch::job::detail
