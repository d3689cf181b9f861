#include "acsbatch/auth/connection_string.hpp"

#include <algorithm>
#include <optional>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/error.hpp"

namespace acsbatch::auth {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

connection_string parse_connection_string(std::string_view text) {
  constexpr std::string_view expected =
      " (expected 'endpoint=https://<resource>.communication.azure.com/;accesskey=<key>')";
  std::optional<std::string_view> endpoint_text;
  std::optional<std::string_view> key_text;
  std::size_t field_number = 0;
  while (!text.empty()) {
    const auto end = text.find(';');
    const std::string_view field = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++field_number;
    if (field.empty()) continue;
    const auto equals = field.find('=');
    if (equals == std::string_view::npos)
      throw config_error("connection string field " + std::to_string(field_number) +
                         " has no '='" + std::string(expected));
    const std::string_view name = trim(field.substr(0, equals));
    const std::string_view value = trim(field.substr(equals + 1));
    std::optional<std::string_view>* slot = nullptr;
    if (iequals(name, "endpoint")) slot = &endpoint_text;
    else if (iequals(name, "accesskey")) slot = &key_text;
    else
      // The name is not echoed: in a mangled string (a lost ';' or '=') it may be the key.
      throw config_error("connection string field " + std::to_string(field_number) +
                         " is neither 'endpoint' nor 'accesskey'" + std::string(expected));
    if (*slot) throw config_error("connection string repeats the field '" + std::string(name) + "'");
    *slot = value;
  }
  if (!endpoint_text || endpoint_text->empty())
    throw config_error("connection string has no endpoint" + std::string(expected));
  if (!key_text || key_text->empty())
    throw config_error("connection string has no accesskey" + std::string(expected));

  connection_string out;
  try {
    out.endpoint = acsbatch::endpoint::parse(*endpoint_text);
  } catch (const config_error& e) {
    throw config_error(std::string("connection string: ") + e.what());
  }
  auto key = base64_decode(*key_text);
  if (!key || key->empty())
    throw config_error("connection string: accesskey is not valid base64 (the key is not shown)");
  out.access_key = std::move(*key);
  return out;
}

}  // namespace acsbatch::auth
