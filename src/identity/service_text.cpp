#include "acsbatch/identity/detail/service_text.hpp"

#include <algorithm>

namespace acsbatch::identity::detail {
namespace {

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

/// Length of a JWT-shaped run (three base64url segments, the first starting with `eyJ`, the
/// base64 of `{"`) at the start of `text`, or 0.
std::size_t jwt_length(std::string_view text) {
  if (!text.starts_with("eyJ")) return 0;
  std::size_t pos = 0;
  int dots = 0;
  while (pos < text.size() && (is_base64url(text[pos]) || (text[pos] == '.' && dots < 2))) {
    if (text[pos] == '.') ++dots;
    ++pos;
  }
  return dots == 2 ? pos : 0;
}

}  // namespace

std::string sanitize_service_text(std::string_view text, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars));
  for (std::size_t i = 0; i < text.size();) {
    if (const auto jwt = jwt_length(text.substr(i)); jwt > 0) {
      out += "<redacted>";
      i += jwt;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i++]);
    const bool printable = c >= 0x20 && c < 0x7f;
    if (printable && c != ' ') {
      out += static_cast<char>(c);
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
    if (out.size() > max_chars) break;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > max_chars) {
    out.resize(max_chars >= 3 ? max_chars - 3 : 0);
    out += "...";
  }
  return out;
}

}  // namespace acsbatch::identity::detail
