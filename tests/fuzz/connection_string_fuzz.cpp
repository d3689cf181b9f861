// Bytes → auth::parse_connection_string. Properties: only config_error escapes; a parsed string
// has a host and a non-empty key; and a message never shows any part of an accesskey value.
// The last is checked by difference, so that a key which happens to read like the message's own
// words ("ccesskey") or like part of the endpoint is no false alarm: the text is parsed again
// with every letter and digit of each accesskey value rotated (a→b, Z→A, 9→0). That keeps the
// fields, their names, emptiness and the base64 alphabet, so two failures must say the same.

#include <optional>
#include <string>
#include <string_view>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/core/error.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace acsbatch;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool is_accesskey(std::string_view name) {
  constexpr std::string_view expected = "accesskey";
  if (name.size() != expected.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != expected[i]) return false;
  }
  return true;
}

char rotate(char c) {
  if (c >= 'a' && c <= 'z') return c == 'z' ? 'a' : static_cast<char>(c + 1);
  if (c >= 'A' && c <= 'Z') return c == 'Z' ? 'A' : static_cast<char>(c + 1);
  if (c >= '0' && c <= '9') return c == '9' ? '0' : static_cast<char>(c + 1);
  return c;
}

std::string rotated(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = rotate(c);
  return out;
}

/// `text` with every accesskey value rotated; split like the parser: fields at ';', name and
/// value at the first '='.
std::string with_keys_rotated(std::string_view text) {
  std::string out;
  bool first = true;
  for (const auto field : fuzz::split(text, ";")) {
    if (!first) out += ';';
    first = false;
    const auto equals = field.find('=');
    if (equals == std::string_view::npos || !is_accesskey(trim(field.substr(0, equals)))) {
      out += field;
      continue;
    }
    out += std::string(field.substr(0, equals + 1)) + rotated(field.substr(equals + 1));
  }
  return out;
}

/// The config_error's message, or nullopt when the text parses.
std::optional<std::string> message_of(std::string_view text) {
  try {
    const auto parsed = auth::parse_connection_string(text);
    fuzz::check(!parsed.access_key.empty(), "a connection string parsed to an empty key", text);
    fuzz::check(!parsed.endpoint.host.empty(), "a connection string parsed to an empty host", text);
    return std::nullopt;
  } catch (const config_error& e) {
    return std::string(e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  const auto message = message_of(text);
  if (!message) return 0;
  const auto other_text = with_keys_rotated(text);
  if (other_text == text) return 0;
  // One of the two may parse (a strict base64 decoder may mind the rotated padding bits).
  const auto other_message = message_of(other_text);
  if (other_message && *other_message != *message)
    fuzz::fail("the connection string's message depends on its accesskey",
               *message + "\n--- with the key rotated:\n" + *other_message);
  return 0;
}
