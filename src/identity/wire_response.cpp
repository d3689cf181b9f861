/// The reading half of identity/wire.hpp: service responses → values or identity::error.

#include <charconv>
#include <cmath>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/identity/detail/service_text.hpp"
#include "acsbatch/identity/wire.hpp"

#include "json_arena.hpp"

namespace acsbatch::identity {
namespace {

namespace json = boost::json;

/// Larger Retry-After values (over 30 years) are treated as garbage, not as a wait.
constexpr double max_retry_after_ms = 1e12;

bool is_success(unsigned status) { return status >= 200 && status < 300; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// A non-negative decimal number (`2`, `0.5`); nullopt for anything else.
std::optional<double> parse_non_negative(std::string_view text) {
  text = trim(text);
  if (text.empty() || !((text.front() >= '0' && text.front() <= '9') || text.front() == '.'))
    return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value,
                                   std::chars_format::fixed);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::chrono::milliseconds> to_ms(double ms) {
  if (ms < 0 || ms > max_retry_after_ms) return std::nullopt;
  return std::chrono::milliseconds{std::llround(ms)};
}

std::optional<std::string> get_string(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

using body_arena = detail::json_arena<4096>;  ///< a response body's DOM: see json_arena.hpp

std::optional<json::object> parse_object(std::string_view body, json::storage_ptr storage) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec, std::move(storage));
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

error base_error(const http::response& res, std::string_view client_request_id) {
  error e;
  e.http_status = res.status;
  e.client_request_id = client_request_id;
  if (auto id = res.headers.get("x-ms-request-id"))
    e.service_request_id = detail::sanitize_service_text(*id, 100);
  else if (auto cv = res.headers.get("MS-CV"))
    e.service_request_id = detail::sanitize_service_text(*cv, 100);
  return e;
}

/// A non-success status, with whatever the CommunicationErrorResponse says.
error status_error(const http::response& res, std::string_view client_request_id) {
  error e = base_error(res, client_request_id);
  e.code = make_error_code(errc::http_status);
  e.retry_after = read_retry_after(res.headers, std::chrono::system_clock::now());
  body_arena arena;
  const auto body = parse_object(res.body, arena.storage());
  const auto* inner = body ? body->if_contains("error") : nullptr;
  if (inner && inner->is_object()) {
    const auto& object = inner->get_object();
    e.service_code = detail::sanitize_service_text(get_string(object, "code").value_or(""), 100);
    e.message = detail::sanitize_service_text(get_string(object, "message").value_or(""));
    e.target = detail::sanitize_service_text(get_string(object, "target").value_or(""), 100);
  } else {
    // A proxy or gateway page, or nothing: a short excerpt is all that is worth keeping.
    e.message = detail::sanitize_service_text(res.body);
  }
  if (e.message.empty()) e.message = detail::sanitize_service_text(res.reason, 100);
  return e;
}

/// A success status whose body breaks the contract. `what` is ours and names no secret.
error contract_error(const http::response& res, std::string_view client_request_id, std::string what) {
  error e = base_error(res, client_request_id);
  e.code = make_error_code(errc::invalid_response);
  e.message = std::move(what);
  return e;
}

/// `{"id", "customId"?, "lastTokenIssuedAt"?}`; one preview revision spelled customId externalId.
std::optional<user> parse_user(const json::object& object) {
  auto id = get_string(object, "id");
  if (!id || id->empty()) return std::nullopt;
  user out;
  out.id = std::move(*id);
  out.custom_id = get_string(object, "customId");
  if (!out.custom_id) out.custom_id = get_string(object, "externalId");
  out.last_token_issued_at = get_string(object, "lastTokenIssuedAt");
  return out;
}

/// `{"token", "expiresOn"}`; the messages never quote the token.
result<access_token> parse_token(const json::value* value, const http::response& res,
                                 std::string_view client_request_id) {
  if (!value || !value->is_object())
    return contract_error(res, client_request_id, "response has no access token object");
  const auto& object = value->get_object();
  auto token = get_string(object, "token");
  if (!token || token->empty())
    return contract_error(res, client_request_id, "access token has no token string");
  const auto expires_text = get_string(object, "expiresOn");
  if (!expires_text) return contract_error(res, client_request_id, "access token has no expiresOn");
  const auto expires_on = parse_rfc3339(*expires_text);
  if (!expires_on)
    return contract_error(res, client_request_id,
                          "expiresOn '" + detail::sanitize_service_text(*expires_text, 40) +
                              "' is not an RFC 3339 date-time");
  return access_token{std::move(*token), *expires_on};
}

/// Status check + JSON object, the first step of every reader with a body.
result<json::object> success_object(const http::response& res, std::string_view client_request_id,
                                    body_arena& arena) {
  if (!is_success(res.status)) return status_error(res, client_request_id);
  auto object = parse_object(res.body, arena.storage());
  if (!object) return contract_error(res, client_request_id, "response body is not a JSON object");
  return std::move(*object);
}

/// CommunicationIdentityAccessTokenResult's `identity`.
result<user> created_user(const json::object& body, const http::response& res,
                          std::string_view client_request_id) {
  const auto* identity = body.if_contains("identity");
  auto parsed = identity && identity->is_object() ? parse_user(identity->get_object()) : std::nullopt;
  if (!parsed) return contract_error(res, client_request_id, "response has no identity.id");
  if (const auto result = res.headers.get("Repeatability-Result"))
    parsed->repeatability_accepted = http::iequals(*result, "accepted");  // ASCII: no locale per call
  return std::move(*parsed);
}

}  // namespace

result<user> read_create_user(const http::response& res, std::string_view client_request_id) {
  body_arena arena;
  auto body = success_object(res, client_request_id, arena);
  if (!body) return body.error();
  return created_user(*body, res, client_request_id);
}

result<user_and_token> read_create_user_and_token(const http::response& res,
                                                  std::string_view client_request_id) {
  body_arena arena;
  auto body = success_object(res, client_request_id, arena);
  if (!body) return body.error();
  auto created = created_user(*body, res, client_request_id);
  if (!created) return created.error();
  auto token = parse_token(body->if_contains("accessToken"), res, client_request_id);
  if (!token) return token.error();
  return user_and_token{std::move(*created), std::move(*token)};
}

result<access_token> read_issue_token(const http::response& res, std::string_view client_request_id) {
  body_arena arena;
  auto body = success_object(res, client_request_id, arena);
  if (!body) return body.error();
  const json::value value(std::move(*body));
  return parse_token(&value, res, client_request_id);
}

result<void> read_no_content(const http::response& res, std::string_view client_request_id) {
  if (!is_success(res.status)) return status_error(res, client_request_id);
  return {};
}

result<user> read_get_user(const http::response& res, std::string_view client_request_id) {
  body_arena arena;
  auto body = success_object(res, client_request_id, arena);
  if (!body) return body.error();
  auto parsed = parse_user(*body);
  if (!parsed) return contract_error(res, client_request_id, "response has no id");
  return std::move(*parsed);
}

std::optional<std::chrono::milliseconds> read_retry_after(const http::header_list& headers,
                                                          std::chrono::system_clock::time_point now) {
  // The SDK's order: the first header that holds a number wins; garbage falls through.
  for (const char* name : {"retry-after-ms", "x-ms-retry-after-ms"}) {
    if (auto value = headers.get(name))
      if (auto ms = parse_non_negative(*value))
        if (auto out = to_ms(*ms)) return out;
  }
  const auto retry_after = headers.get("Retry-After");
  if (!retry_after) return std::nullopt;
  if (auto seconds = parse_non_negative(*retry_after)) return to_ms(*seconds * 1000.0);
  if (auto date = parse_http_date(trim(*retry_after))) {
    // A date in the past means "now"; subtracting first could overflow the nanosecond
    // duration for a date centuries back (found by response_reader_fuzz).
    if (*date <= now) return std::chrono::milliseconds{0};
    return std::chrono::duration_cast<std::chrono::milliseconds>(*date - now);
  }
  return std::nullopt;
}

}  // namespace acsbatch::identity
