#include "request_body.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>

#include "replies.hpp"

namespace acsbatch::emulator::request_body {
namespace {

constexpr std::int64_t min_minutes = 60;
constexpr std::int64_t max_minutes = 1440;

problem validation_error(std::string message, std::string_view target) {
  return {"ValidationError", std::move(message), std::string(target)};
}

std::string known_scope_list(std::span<const std::string_view> known) {
  std::string out;
  for (const auto scope : known) {
    if (!out.empty()) out += ", ";
    out += scope;
  }
  return out;
}

/// Absent and JSON null both mean "not given", as the service's model binding treats them.
const boost::json::value* field(const boost::json::object& body, std::string_view key) {
  const auto* value = body.if_contains(key);
  return value == nullptr || value->is_null() ? nullptr : value;
}

}  // namespace

http::response to_response(const problem& p) {
  return replies::error(400, p.code, p.message, p.target);
}

std::optional<problem> read_object(std::string_view body, boost::json::object& out) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    out = {};
    return std::nullopt;
  }
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec)
    return problem{"BadRequest", "The request body is not valid JSON: " + ec.message() + ".", {}};
  if (!value.is_object())
    return problem{"BadRequest", "The request body must be a JSON object.", {}};
  out = std::move(value.get_object());
  return std::nullopt;
}

std::optional<problem> read_scopes(const boost::json::object& body, std::string_view key,
                                   bool required, std::span<const std::string_view> known,
                                   std::optional<std::vector<std::string>>& out) {
  out.reset();
  const auto* value = field(body, key);
  if (value == nullptr) {
    if (!required) return std::nullopt;
    return validation_error("The " + std::string(key) + " field is required.", key);
  }
  const auto* array = value->if_array();
  if (array == nullptr)
    return validation_error("Invalid scopes: " + std::string(key) + " must be an array.", key);
  if (array->empty())
    return validation_error("Invalid scopes: at least one scope is required.", key);
  std::vector<std::string> scopes;
  for (const auto& element : *array) {
    const auto* text = element.if_string();
    if (text == nullptr)
      return validation_error("Invalid scopes: every scope must be a string.", key);
    const std::string_view scope{text->data(), text->size()};
    if (std::find(known.begin(), known.end(), scope) == known.end())
      return validation_error("Invalid scopes: '" + std::string(scope) +
                                  "' is not one of " + known_scope_list(known) + ".",
                              key);
    if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.emplace_back(scope);
  }
  out = std::move(scopes);
  return std::nullopt;
}

std::optional<problem> read_expires_in(const boost::json::object& body, std::chrono::minutes& out) {
  out = std::chrono::minutes{max_minutes};
  const auto* value = field(body, "expiresInMinutes");
  if (value == nullptr) return std::nullopt;
  // A double such as 60.0 is refused like the service's int32 model refuses it.
  std::optional<std::int64_t> minutes;
  if (value->is_int64()) minutes = value->get_int64();
  else if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(max_minutes))
    minutes = static_cast<std::int64_t>(value->get_uint64());
  if (!minutes || *minutes < min_minutes || *minutes > max_minutes)
    return validation_error(
        "Invalid expiresInMinutes: the token's validity period must be an integer within the "
        "[60,1440] minutes range.",
        "expiresInMinutes");
  out = std::chrono::minutes{*minutes};
  return std::nullopt;
}

std::optional<problem> read_custom_id(const boost::json::object& body,
                                      std::optional<std::string>& out) {
  out.reset();
  const auto* value = field(body, "customId");
  if (value == nullptr) return std::nullopt;
  const auto* text = value->if_string();
  if (text == nullptr || text->empty())
    return validation_error("Invalid customId: it must be a non-empty string.", "customId");
  out = std::string(text->data(), text->size());
  return std::nullopt;
}

}  // namespace acsbatch::emulator::request_body
