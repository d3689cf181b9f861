#include "acsbatch/identity/wire.hpp"

#include "acsbatch/core/percent_encoding.hpp"

#include <array>
#include <cstdint>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "acsbatch/core/http_date.hpp"
#include "acsbatch/core/random_id.hpp"

#include "json_arena.hpp"

namespace acsbatch::identity {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

/// What the JS SDK leaves alone in encodeURIComponent, as a table: every token, revoke and
/// delete encodes an ~80-character user id, and a search of "-_.!~*'()" per character cost more
/// than the rest of building the request but the signature.
constexpr std::array<bool, 256> unreserved = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c)
    table[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               std::string_view("-_.!~*'()").find(static_cast<char>(c)) != std::string_view::npos;
  return table;
}();

/// Does the operation have a request body model? The SDK then sends
/// `Content-Type: application/json` even when the body is empty (createUser).
enum class body_model { none, json };

http::request build(const request_context& ctx, std::string_view method, std::string_view path,
                    body_model model, bool has_body, std::string body) {
  http::request req;
  req.method = method;
  req.target = std::string(path) + "?api-version=" + ctx.api_version;
  const auto authority = ctx.target->authority();
  // The official SDK's wire order; Accept-Encoding is left out because we do not decode gzip.
  if (model == body_model::json) req.headers.add("Content-Type", "application/json");
  req.headers.add("Accept", "application/json");
  if (!ctx.user_agent.empty()) req.headers.add("User-Agent", ctx.user_agent);
  req.headers.add("x-ms-client-request-id", ctx.client_request_id);
  req.headers.add("Host", authority);
  if (!ctx.bearer_token.empty()) {
    req.headers.add("Authorization", "Bearer " + ctx.bearer_token);
    req.body = std::move(body);
    req.has_body = has_body;
    return req;
  }
  auto signature = ctx.signer->sign(method, req.target, authority, format_http_date(ctx.now), body);
  req.headers.add("x-ms-date", std::move(signature.date));
  req.headers.add("x-ms-content-sha256", std::move(signature.content_sha256));
  req.headers.add("Authorization", std::move(signature.authorization));
  req.body = std::move(body);
  req.has_body = has_body;
  return req;
}

using body_arena = detail::json_arena<1024>;  ///< a request body's DOM: see json_arena.hpp

boost::json::array to_json(const std::vector<std::string>& scopes, boost::json::storage_ptr storage) {
  boost::json::array out(std::move(storage));
  out.reserve(scopes.size());
  for (const auto& scope : scopes) out.emplace_back(scope);
  return out;
}

/// Not part of the signature (which covers date, host and content hash only), so appended.
void add_repeatability(http::request& req, const create_options& options) {
  if (!options.repeat) return;
  req.headers.add("Repeatability-Request-ID", options.repeat->request_id);
  req.headers.add("Repeatability-First-Sent", format_http_date(options.repeat->first_sent));
}

std::string identity_path(std::string_view user_id) {
  return "/identities/" + encode_path_segment(user_id);
}

}  // namespace

std::string encode_path_segment(std::string_view raw) {
  std::size_t size = raw.size();
  for (const char ch : raw) size += unreserved[static_cast<unsigned char>(ch)] ? 0 : 2;
  std::string out(size, '%');  // sized once, written in place
  std::size_t at = 0;
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved[c]) {
      out[at++] = ch;
    } else {
      out[at + 1] = hex_digits[c >> 4];
      out[at + 2] = hex_digits[c & 0x0f];
      at += 3;
    }
  }
  return out;
}

std::optional<std::string> decode_path_segment(std::string_view encoded) { return percent_decode(encoded); }

std::string new_client_request_id() { return random_uuid(); }

http::request make_create_user(const request_context& ctx, const create_options& options) {
  std::string body;  // the SDK sends no body at all, only `Content-Length: 0`
  if (options.custom_id) {
    body_arena arena;
    boost::json::object json(arena.storage());
    json["customId"] = *options.custom_id;
    body = boost::json::serialize(json);
  }
  auto req = build(ctx, "POST", "/identities", body_model::json, true, std::move(body));
  add_repeatability(req, options);
  return req;
}

http::request make_create_user_and_token(const request_context& ctx,
                                         const std::vector<std::string>& scopes,
                                         std::optional<std::chrono::minutes> expires_in,
                                         const create_options& options) {
  body_arena arena;  // key order is the SDK's: customId, createTokenWithScopes, expiresInMinutes
  boost::json::object json(arena.storage());
  if (options.custom_id) json["customId"] = *options.custom_id;
  json["createTokenWithScopes"] = to_json(scopes, arena.storage());
  if (expires_in) json["expiresInMinutes"] = static_cast<std::int64_t>(expires_in->count());
  auto req = build(ctx, "POST", "/identities", body_model::json, true, boost::json::serialize(json));
  add_repeatability(req, options);
  return req;
}

http::request make_issue_token(const request_context& ctx, std::string_view user_id,
                               const std::vector<std::string>& scopes,
                               std::optional<std::chrono::minutes> expires_in) {
  body_arena arena;
  boost::json::object json(arena.storage());
  json["scopes"] = to_json(scopes, arena.storage());
  if (expires_in) json["expiresInMinutes"] = static_cast<std::int64_t>(expires_in->count());
  return build(ctx, "POST", identity_path(user_id) + "/:issueAccessToken", body_model::json, true,
               boost::json::serialize(json));
}

http::request make_revoke_tokens(const request_context& ctx, std::string_view user_id) {
  return build(ctx, "POST", identity_path(user_id) + "/:revokeAccessTokens", body_model::none, true, {});
}

http::request make_delete_user(const request_context& ctx, std::string_view user_id) {
  return build(ctx, "DELETE", identity_path(user_id), body_model::none, false, {});
}

http::request make_get_user(const request_context& ctx, std::string_view user_id) {
  return build(ctx, "GET", identity_path(user_id), body_model::none, false, {});
}

}  // namespace acsbatch::identity
