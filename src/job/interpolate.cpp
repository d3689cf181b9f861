#include "interpolate.hpp"

namespace acsbatch::job::detail {
namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

std::size_t name_length(std::string_view text) {
  if (text.empty() || !is_name_start(text.front())) return 0;
  std::size_t n = 1;
  while (n < text.size() && is_name_char(text[n])) ++n;
  return n;
}

}  // namespace

interpolation interpolate(std::string_view text, const env_lookup& env) {
  interpolation out;
  out.text.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 == text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      out.text += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out.text += '$';
      i += 2;
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      out.error = "unterminated '${' (write '$$' for a literal '$')";
      return out;
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    const std::size_t name_size = name_length(inner);
    const std::string_view rest = inner.substr(name_size);
    if (name_size == 0 || (!rest.empty() && rest.substr(0, 2) != ":-")) {
      out.error = "malformed '${...}': expected ${NAME} or ${NAME:-default}, NAME made of letters, "
                  "digits and '_' (write '$$' for a literal '$')";
      return out;
    }
    const std::string_view name = inner.substr(0, name_size);
    const bool has_default = !rest.empty();
    const std::string_view fallback = has_default ? rest.substr(2) : std::string_view{};
    if (fallback.find("${") != std::string_view::npos) {
      out.error = "the default of ${" + std::string(name) + ":-...} contains '${': nesting is not supported";
      return out;
    }
    const auto value = env ? env(name) : std::nullopt;
    if (value && (!value->empty() || !has_default)) {
      out.text += *value;
      out.from_environment = true;
    } else if (has_default) {
      out.text += fallback;
    } else {
      out.error = "${" + std::string(name) + "} is not set and has no default (write ${" +
                  std::string(name) + ":-default} to give one)";
      return out;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace acsbatch::job::detail
