#pragma once
// What the fuzz targets share: the input as text, and a failure that libFuzzer reports as a
// crash (with the input saved as the reproducer).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace acsbatch::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A broken property: says which and shows the offending text, then aborts (libFuzzer's crash).
[[noreturn]] inline void fail(std::string_view property, std::string_view detail) {
  std::fprintf(stderr, "\n*** fuzz property broken: %.*s\n--- detail:\n%.*s\n---\n",
               static_cast<int>(property.size()), property.data(), static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

inline void check(bool ok, std::string_view property, std::string_view detail) {
  if (!ok) fail(property, detail);
}

/// The pieces of `text` between `separator`s (the whole text when there is none).
inline std::vector<std::string_view> split(std::string_view text, std::string_view separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + separator.size());
  }
}

/// The first line (without '\n') and the rest after it.
inline std::pair<std::string_view, std::string_view> first_line(std::string_view text) {
  const auto end = text.find('\n');
  if (end == std::string_view::npos) return {text, {}};
  return {text.substr(0, end), text.substr(end + 1)};
}

}  // namespace acsbatch::fuzz
