#include "acsbatch/emulator/request_handler.hpp"

#include <boost/json/serialize.hpp>
#include <exception>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/emulator/request_auth.hpp"
#include "acsbatch/emulator/routes.hpp"
#include "replies.hpp"
#include "request_body.hpp"

namespace acsbatch::emulator {
namespace {

/// MS-CV as the service sends it: 16 random bytes in base64 without padding, then ".0".
std::string new_correlation_vector() {
  std::string cv = auth::base64_encode(auth::random_bytes(16));
  while (!cv.empty() && cv.back() == '=') cv.pop_back();
  return cv + ".0";
}

http::response identity_not_found(std::string_view id) {
  return replies::error(404, "IdentityNotFound", "Identity '" + std::string(id) + "' was not found.");
}

boost::json::object token_json(const issued_token& token) {
  boost::json::object out;
  out["token"] = token.token;
  out["expiresOn"] = format_rfc3339(token.expires_on);
  return out;
}

/// CommunicationIdentity: `{"id"}` in the stable versions; with customId (when bound) and
/// lastTokenIssuedAt (once a token was issued) in the versions that have them, in the order
/// of the service's examples.
boost::json::object identity_json(const identity_record& identity, bool with_custom_id) {
  boost::json::object out;
  if (with_custom_id && identity.custom_id) out["customId"] = *identity.custom_id;
  out["id"] = identity.id;
  if (with_custom_id && identity.last_token_issued_at)
    out["lastTokenIssuedAt"] = format_rfc3339(*identity.last_token_issued_at);
  return out;
}

}  // namespace

struct request_handler::context {
  const http::request& request;
  bool peer_is_loopback;
  std::chrono::system_clock::time_point now;
  std::string_view query;
  emulator::route route;
  std::string api_version;
  /// The body as a JSON object, read once (create reads it before auth to name its operation).
  boost::json::object body;
  std::optional<request_body::problem> body_problem;
};

request_handler::request_handler(handler_options options)
    : options_(std::move(options)),
      signer_(options_.access_key),
      store_(options_.resource_id.empty() ? random_guid() : options_.resource_id) {}

http::response request_handler::handle(const http::request& request, bool peer_is_loopback,
                                       std::chrono::system_clock::time_point now) {
  const auto [path, query] = split_request_target(request.target);
  context ctx{request, peer_is_loopback, now, query, match_route(request.method, path), {}, {}, {}};
  http::response res;
  try {
    res = dispatch(ctx);
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here; the client deserves a well-formed 500.
    res = replies::error(500, "InternalServerError", std::string("Emulator failure: ") + e.what());
  }
  res.headers.set("MS-CV", new_correlation_vector());
  if (const auto client_id = request.headers.get("x-ms-client-request-id"))
    res.headers.set("x-ms-client-request-id", std::string(*client_id));
  res.headers.set("api-supported-versions", api_supported_versions_header());
  res.headers.set("Date", format_http_date(now));
  stats_.record(ctx.route.op, res.status);
  return res;
}

http::response request_handler::dispatch(context& ctx) {
  const auto& req = ctx.request;
  if (ctx.route.method_not_allowed) {
    auto res = replies::error(405, "MethodNotAllowed",
                              "The method '" + req.method.substr(0, 16) + "' is not allowed here.");
    res.headers.set("Allow", std::string(ctx.route.allowed_methods));
    return res;
  }
  switch (ctx.route.op) {
    case operation::other:
      return replies::error(404, "NotFound", "No operation matches this request path.");
    case operation::emulator_stats:
    case operation::emulator_validate_token:
      // Unauthenticated by design, hence loopback only: a remote peer must not read state.
      if (!ctx.peer_is_loopback)
        return replies::error(403, "Forbidden", "The /emulator endpoints answer loopback peers only.");
      if (ctx.route.op == operation::emulator_stats) {
        http::response res;
        res.status = 200;
        res.reason = replies::reason_phrase(200);
        res.headers.set("Content-Type", std::string(replies::json_content_type));
        res.body = stats_json();
        return res;
      }
      return validate_token(ctx);
    default:
      break;
  }

  if (ctx.route.op == operation::create_user) {
    ctx.body_problem = request_body::read_object(req.body, ctx.body);
    if (!ctx.body_problem && ctx.body.if_contains("createTokenWithScopes") != nullptr &&
        !ctx.body.at("createTokenWithScopes").is_null())
      ctx.route.op = operation::create_user_and_token;
  }

  const auto version = query_parameter(ctx.query, "api-version");
  if (!version || version->empty())
    return replies::error(400, "MissingApiVersionParameter",
                          "The api-version query parameter (?api-version=) is required for all "
                          "requests.");
  if (!is_accepted_api_version(*version))
    return replies::error(400, "UnsupportedApiVersion",
                          "The api-version '" + version->substr(0, 32) +
                              "' is not supported. Supported versions: " +
                              api_supported_versions_header() + ".");
  ctx.api_version = *version;
  if (ctx.route.op == operation::get_user && !api_version_has_custom_id(ctx.api_version))
    return replies::error(404, "NotFound",
                          "GET /identities/{id} does not exist in api-version " + ctx.api_version +
                              " (it does in 2025-03-02-preview and 2025-06-30).");

  if (const auto failure = verify_request(req, signer_, ctx.now, options_.max_clock_skew)) {
    auto res = replies::error(401, "Denied", failure->message);
    res.headers.set("x-emulator-denial-reason", std::string(to_string(failure->reason)));
    return res;
  }

  switch (ctx.route.op) {
    case operation::create_user:
    case operation::create_user_and_token: return create_user(ctx);
    case operation::issue_token: return issue_token(ctx);
    case operation::revoke_tokens: return revoke_tokens(ctx);
    case operation::delete_user: return delete_user(ctx);
    case operation::get_user: return get_user(ctx);
    default:
      return replies::error(501, "NotImplemented",
                            "The acsbatch emulator does not implement Teams token exchange; use a "
                            "real Communication Services resource for Teams users.");
  }
}

http::response request_handler::create_user(context& ctx) {
  if (ctx.body_problem) return request_body::to_response(*ctx.body_problem);
  const bool has_custom_id = api_version_has_custom_id(ctx.api_version);
  std::optional<std::string> custom_id;
  // Versions without customId ignore the field like any unknown property; the client only
  // sends it where it exists (documented decision, see the emulator tests).
  if (has_custom_id) {
    if (auto p = request_body::read_custom_id(ctx.body, custom_id)) return request_body::to_response(*p);
  }
  std::optional<std::vector<std::string>> scopes;
  if (auto p = request_body::read_scopes(ctx.body, "createTokenWithScopes", false, scopes))
    return request_body::to_response(*p);
  std::chrono::minutes lifetime{};
  if (auto p = request_body::read_expires_in(ctx.body, lifetime)) return request_body::to_response(*p);

  auto created = store_.create(custom_id);
  boost::json::object body;
  std::optional<issued_token> token;
  if (scopes) {
    token = store_.issue_token(created.identity.id, *scopes, lifetime, ctx.now);
    // Only a concurrent delete of a customId-bound identity can get here.
    if (!token) return identity_not_found(created.identity.id);
    created.identity.last_token_issued_at = ctx.now;
  }
  body["identity"] = identity_json(created.identity, has_custom_id);
  if (token) body["accessToken"] = token_json(*token);
  return replies::json(201, body);
}

http::response request_handler::issue_token(context& ctx) {
  boost::json::object body;
  if (auto p = request_body::read_object(ctx.request.body, body)) return request_body::to_response(*p);
  std::optional<std::vector<std::string>> scopes;
  if (auto p = request_body::read_scopes(body, "scopes", true, scopes)) return request_body::to_response(*p);
  std::chrono::minutes lifetime{};
  if (auto p = request_body::read_expires_in(body, lifetime)) return request_body::to_response(*p);
  const auto token = store_.issue_token(ctx.route.identity_id, *scopes, lifetime, ctx.now);
  if (!token) return identity_not_found(ctx.route.identity_id);
  return replies::json(200, token_json(*token));
}

http::response request_handler::revoke_tokens(context& ctx) {
  if (!store_.revoke_tokens(ctx.route.identity_id)) return identity_not_found(ctx.route.identity_id);
  return replies::no_content();
}

http::response request_handler::delete_user(context& ctx) {
  if (!store_.remove(ctx.route.identity_id)) return identity_not_found(ctx.route.identity_id);
  return replies::no_content();
}

http::response request_handler::get_user(context& ctx) {
  const auto identity = store_.find(ctx.route.identity_id);
  if (!identity) return identity_not_found(ctx.route.identity_id);
  return replies::json(200, identity_json(*identity, true));
}

http::response request_handler::validate_token(context& ctx) {
  boost::json::object body;
  if (auto p = request_body::read_object(ctx.request.body, body)) return request_body::to_response(*p);
  const auto* token = body.if_contains("token");
  if (token == nullptr || !token->is_string())
    return replies::error(400, "ValidationError", "The token field is required.", "token");
  const auto& text = token->get_string();
  const auto validity = store_.validate_token({text.data(), text.size()}, ctx.now);
  boost::json::object out;
  out["valid"] = validity == token_validity::valid;
  out["reason"] = to_string(validity);
  return replies::json(200, out);
}

std::string request_handler::stats_json() const {
  const auto counters = store_.counters();
  const auto requests = stats_.counts();
  boost::json::object by_operation;
  for (std::size_t i = 0; i < operation_count; ++i) {
    const auto op = static_cast<operation>(i);
    const bool identity_op = i <= static_cast<std::size_t>(operation::get_user);
    // The identity operations are always listed so readers need not guard missing keys.
    if (!identity_op && requests[i].empty()) continue;
    boost::json::object by_status;
    for (const auto& [status, count] : requests[i]) by_status[std::to_string(status)] = count;
    by_operation[to_string(op)] = std::move(by_status);
  }
  boost::json::object out;
  out["identities"] = {{"created", counters.created}, {"live", counters.live}, {"deleted", counters.deleted}};
  out["tokens"] = {{"issued", counters.tokens_issued}};
  out["requests"] = std::move(by_operation);
  return boost::json::serialize(out);
}

}  // namespace acsbatch::emulator
