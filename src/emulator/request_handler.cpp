#include "acsbatch/emulator/request_handler.hpp"

#include <boost/json/serialize.hpp>
#include <exception>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/emulator/request_auth.hpp"
#include "acsbatch/emulator/routes.hpp"
#include "acsbatch/emulator/seeded_random.hpp"
#include "acsbatch/identity/api_versions.hpp"
#include "replies.hpp"
#include "request_body.hpp"
#include "spec_text.hpp"

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

/// The 429 of the limiter: which limit, and when to come back.
http::response throttled(operation op, const operation_limit& limit, std::chrono::nanoseconds wait) {
  return replies::too_many_requests(
      "The " + std::string(to_string(op)) + " limit of " + std::to_string(limit.requests) +
          " requests per " + spec_text::format_duration(limit.window) + " is exhausted; retry after " +
          std::to_string(std::chrono::ceil<std::chrono::milliseconds>(wait).count()) + " ms.",
      wait);
}

}  // namespace

struct request_handler::context {
  const http::request& request;
  bool peer_is_loopback;
  std::chrono::system_clock::time_point now;
  steady_time steady_now;
  std::string_view query;
  emulator::route route;
  std::string api_version;
  /// Its row of the api-version table: which routes and body fields this request may use.
  const identity::api_version_info* version = nullptr;
  /// The body as a JSON object, read once (create reads it before auth to name its operation).
  boost::json::object body;
  std::optional<request_body::problem> body_problem;
  /// The fault decided for this request, if any.
  std::optional<fault_decision> fault;
};

request_handler::request_handler(handler_options options) : request_handler(std::move(options), std::nullopt) {}

request_handler::request_handler(handler_options options, std::optional<store_state> restored)
    : options_(std::move(options)),
      signer_(options_.access_key),
      store_(restored ? identity_store(std::move(*restored))
                      : identity_store(options_.resource_id.empty() ? random_guid() : options_.resource_id)),
      limiter_(options_.limits),
      faults_(options_.faults, derive_seed(options_.seed, random_stream::faults)),
      latency_(options_.latency, derive_seed(options_.seed, random_stream::latency)),
      rates_(options_.started_at),
      entra_signing_secret_(auth::random_bytes(32)) {}

reply_plan request_handler::respond(const http::request& request, bool peer_is_loopback,
                                    std::chrono::system_clock::time_point now, steady_time steady_now) {
  const auto [path, query] = split_request_target(request.target);
  context ctx{request, peer_is_loopback, now, steady_now, query, match_route(request.method, path),
              {}, nullptr, {}, {}, {}};
  const bool own_endpoint =
      ctx.route.op == operation::emulator_stats || ctx.route.op == operation::emulator_validate_token;
  const bool token_endpoint = ctx.route.op == operation::entra_token || ctx.route.op == operation::imds_token ||
                              ctx.route.op == operation::app_service_token;
  if (options_.capture && !own_endpoint) options_.capture->record(request);
  reply_plan plan;
  const std::uint64_t revision_before = after_store_change_ ? store_.revision() : 0;
  try {
    plan.response = dispatch(ctx);
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here; the client deserves a well-formed 500.
    plan.response = replies::error(500, "InternalServerError", std::string("Emulator failure: ") + e.what());
  }
  // Even for a fault after the change (reset after apply): the service did make it.
  if (after_store_change_ && store_.revision() != revision_before) after_store_change_();
  const auto op = ctx.route.op;
  if (!own_endpoint && !token_endpoint) plan.delay = latency_.sample();
  if (ctx.fault) {
    const auto kind = ctx.fault->rule.kind;
    stats_.record_fault(op, kind);
    if (status_of(kind) == 0) {
      plan.action = kind == fault_kind::reset     ? reply_action::reset
                    : kind == fault_kind::timeout ? reply_action::stall
                                                  : reply_action::close;
      plan.response = {};
      return plan;
    }
  }
  auto& res = plan.response;
  res.headers.set("MS-CV", new_correlation_vector());
  if (const auto client_id = request.headers.get("x-ms-client-request-id"))
    res.headers.set("x-ms-client-request-id", std::string(*client_id));
  res.headers.set("api-supported-versions", api_supported_versions_header());
  res.headers.set("Date", format_http_date(now));
  stats_.record(op, res.status);
  return plan;
}

http::response request_handler::handle(const http::request& request, bool peer_is_loopback,
                                       std::chrono::system_clock::time_point now) {
  return respond(request, peer_is_loopback, now, steady_time{now.time_since_epoch()}).response;
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
        res.body = stats_json(ctx.steady_now);
        return res;
      }
      return validate_token(ctx);
    case operation::entra_token:
    case operation::imds_token:
    case operation::app_service_token:
      return entra_token(ctx);
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
  ctx.version = identity::find_api_version(ctx.api_version);
  if (auto missing = route_missing_in_version(ctx)) return std::move(*missing);

  // With --entra, a bearer token this emulator issued replaces the HMAC signature (the SDK then
  // sends neither x-ms-date nor x-ms-content-sha256). Without it a bearer token is just not an
  // HMAC Authorization (malformed_authorization).
  if (const auto authorization = req.headers.get("Authorization");
      options_.entra && authorization && authorization->size() >= 7 &&
      http::iequals(authorization->substr(0, 7), "Bearer ")) {
    if (accepts_bearer(*authorization, entra_signing_secret_, ctx.now)) return serve_identity_operation(ctx);
    auto res = replies::error(401, "Denied", "Denied by the resource provider.");
    res.headers.set("x-emulator-denial-reason", "bearer_token_rejected");
    return res;
  }
  if (const auto failure = verify_request(req, signer_, ctx.now, options_.max_clock_skew)) {
    auto res = replies::error(401, "Denied", failure->message);
    res.headers.set("x-emulator-denial-reason", std::string(to_string(failure->reason)));
    return res;
  }

  return serve_identity_operation(ctx);
}

/// A route the api-version's spec lacks answers like any unknown route: 404 NotFound.
std::optional<http::response> request_handler::route_missing_in_version(const context& ctx) {
  const auto& v = *ctx.version;
  const auto op = ctx.route.op;
  const bool teams_extension = ctx.request.target.starts_with("/access/");
  const bool exists = op == operation::get_user               ? v.get_identity
                      : op == operation::exchange_teams_token ? (teams_extension ? v.teams_extension
                                                                                 : v.teams_user_exchange)
                                                              : true;
  if (exists) return std::nullopt;
  return replies::error(404, "NotFound",
                        "No operation matches this request path in api-version " + ctx.api_version + ".");
}

http::response request_handler::serve_identity_operation(context& ctx) {
  const auto op = ctx.route.op;
  rates_.record(op, ctx.steady_now);
  ctx.fault = faults_.decide();
  if (ctx.fault && !ctx.fault->apply_first) return replies::injected_fault(ctx.fault->rule);

  http::response res;
  if (const auto wait = limiter_.admit(op, ctx.steady_now)) {
    res = throttled(op, *options_.limits.of(op), *wait);
  } else {
    switch (op) {
      case operation::create_user:
      case operation::create_user_and_token: res = create_user(ctx); break;
      case operation::issue_token: res = issue_token(ctx); break;
      case operation::revoke_tokens: res = revoke_tokens(ctx); break;
      case operation::delete_user: res = delete_user(ctx); break;
      case operation::get_user: res = get_user(ctx); break;
      default:
        res = replies::error(501, "NotImplemented",
                             "The acsbatch emulator does not implement Teams token exchange; use a "
                             "real Communication Services resource for Teams users.");
    }
  }
  if (!ctx.fault) return res;
  // The work is done (or refused); the fault loses the answer on its way back.
  if (res.status >= 200 && res.status < 300) stats_.record_applied_before_fault(op);
  return replies::injected_fault(ctx.fault->rule);
}

http::response request_handler::create_user(context& ctx) {
  if (ctx.body_problem) return request_body::to_response(*ctx.body_problem);
  // Fields the version's model lacks are ignored like any unknown property (README: where the
  // spec is silent): customId under 2025-06-30 makes a new identity every time.
  const bool has_custom_id = ctx.version->custom_id;
  std::optional<std::string> custom_id;
  if (has_custom_id) {
    if (auto p = request_body::read_custom_id(ctx.body, custom_id)) return request_body::to_response(*p);
  }
  std::optional<std::vector<std::string>> scopes;
  if (auto p = request_body::read_scopes(ctx.body, "createTokenWithScopes", false, ctx.version->scopes, scopes))
    return request_body::to_response(*p);
  std::chrono::minutes lifetime{1440};
  if (ctx.version->expires_in_minutes) {
    if (auto p = request_body::read_expires_in(ctx.body, lifetime)) return request_body::to_response(*p);
  }

  // Repeatable create (docs/rest-contract.md §3: Repeatability-Request-ID is a UUID, Repeatability-First-Sent
  // an IMF-fixdate that must come with it). A repeat returns the identity the first send made.
  const auto repeat_id = ctx.request.headers.get("Repeatability-Request-ID");
  if (repeat_id) {
    const auto first_sent = ctx.request.headers.get("Repeatability-First-Sent");
    if (repeat_id->empty() || repeat_id->size() > 64)
      return replies::error(400, "InvalidRepeatabilityHeader", "Repeatability-Request-ID must be a UUID.",
                            "Repeatability-Request-ID");
    if (!first_sent || !parse_http_date(*first_sent))
      return replies::error(400, "InvalidRepeatabilityHeader",
                            "Repeatability-First-Sent must be an HTTP date (IMF-fixdate) when "
                            "Repeatability-Request-ID is sent.",
                            "Repeatability-First-Sent");
  }
  auto created = repeat_id ? store_.create_repeatable(*repeat_id, custom_id, ctx.now) : store_.create(custom_id, ctx.now);
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
  // 201 for a new identity, 200 with the existing one for a known customId (the preview's examples).
  auto res = replies::json(custom_id && !created.created ? 200 : 201, body);
  // "Present only in case of idempotent processing": it tells the client the id was honoured.
  if (repeat_id) res.headers.add("Repeatability-Result", "accepted");
  return res;
}

http::response request_handler::issue_token(context& ctx) {
  boost::json::object body;
  if (auto p = request_body::read_object(ctx.request.body, body)) return request_body::to_response(*p);
  std::optional<std::vector<std::string>> scopes;
  if (auto p = request_body::read_scopes(body, "scopes", true, ctx.version->scopes, scopes))
    return request_body::to_response(*p);
  std::chrono::minutes lifetime{1440};
  if (ctx.version->expires_in_minutes) {
    if (auto p = request_body::read_expires_in(body, lifetime)) return request_body::to_response(*p);
  }
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

http::response request_handler::entra_token(context& ctx) {
  if (!options_.entra)
    return replies::error(404, "NotFound", "The emulator serves Entra ID token endpoints only with --entra.");
  const auto where = ctx.route.op == operation::entra_token ? entra_endpoint::token
                     : ctx.route.op == operation::imds_token ? entra_endpoint::imds
                                                             : entra_endpoint::app_service;
  return answer_token_request(*options_.entra, entra_signing_secret_, where, ctx.route.identity_id, ctx.request,
                              ctx.now);
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

}  // namespace acsbatch::emulator
