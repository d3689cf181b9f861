#pragma once
/// Sans-I/O halves of every identity operation: building the exact request the official SDK
/// sends (signed) and reading the service's response. The client only adds the socket.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/core/endpoint.hpp"
#include "acsbatch/http/message.hpp"
#include "acsbatch/identity/api_versions.hpp"
#include "acsbatch/identity/types.hpp"

namespace acsbatch::identity {

/// Repeatable create (the Azure `Repeatability-Request-ID` / `Repeatability-First-Sent` headers,
/// present in one revision of the Identity REST spec, 2023-08-01): sent again with the same id
/// and first-sent time, a create the service already did returns the same identity. The service
/// says it honoured them with `Repeatability-Result: accepted`; one that ignores them (they are
/// not documented for 2023-10-01) does not, and then a repeat may make a second identity.
struct repeatability {
  std::string request_id;  ///< a UUID, the same for every send of the request
  std::chrono::system_clock::time_point first_sent;
};

struct create_options {
  /// Bind the identity to this id (2025-03-02-preview and later): creating again with the same
  /// customId returns the same identity, which makes create idempotent.
  std::optional<std::string> custom_id;
  /// Sent as Repeatability-* headers when set (journalled creates without a customId).
  std::optional<repeatability> repeat;
};

/// What every request carries besides its own method, path and body.
struct request_context {
  const acsbatch::endpoint* target = nullptr;
  /// HMAC signing with the access key, unless `bearer_token` is set.
  const auth::hmac_signer* signer = nullptr;
  /// Entra ID: `Authorization: Bearer <token>` instead of the HMAC headers (secret).
  std::string bearer_token;
  std::string api_version{default_api_version};
  std::string user_agent;
  std::string client_request_id;  ///< uuid v4, the same for every attempt of one operation
  std::chrono::system_clock::time_point now;
};

/// `8:acs:…` → `8%3Aacs%3A…` (encodeURIComponent, as the SDK does).
std::string encode_path_segment(std::string_view raw);
/// The inverse, for the emulator; nullopt on a malformed escape.
std::optional<std::string> decode_path_segment(std::string_view encoded);
/// A correlation id (x-ms-client-request-id): a random UUID v4, as the SDK sends.
std::string new_client_request_id();

/// Requests exactly as the official JS SDK sends them: compact JSON in the SDK's key order,
/// headers `Content-Type: application/json` (only for operations with a body model, createUser
/// included even with its empty body), `Accept: application/json`, `User-Agent` (when set),
/// `x-ms-client-request-id`, `Host`, `x-ms-date`, `x-ms-content-sha256`, `Authorization`,
/// signed over (method, target, ctx.target->authority(), format_http_date(ctx.now), body).
/// With ctx.bearer_token, `Authorization: Bearer …` replaces x-ms-date, x-ms-content-sha256 and
/// the HMAC Authorization, as the SDK's bearer policy does.
/// The SDK's `Accept-Encoding: gzip,deflate` is left out on purpose: we do not decode bodies.
/// `has_body` is set for the POSTs (`Content-Length: 0` when empty), not for DELETE and GET.
http::request make_create_user(const request_context& ctx, const create_options& options);
http::request make_create_user_and_token(const request_context& ctx,
                                         const std::vector<std::string>& scopes,
                                         std::optional<std::chrono::minutes> expires_in,
                                         const create_options& options);
http::request make_issue_token(const request_context& ctx, std::string_view user_id,
                               const std::vector<std::string>& scopes,
                               std::optional<std::chrono::minutes> expires_in);
http::request make_revoke_tokens(const request_context& ctx, std::string_view user_id);
http::request make_delete_user(const request_context& ctx, std::string_view user_id);
http::request make_get_user(const request_context& ctx, std::string_view user_id);

/// Responses → values. Any 2xx is read as the operation's success shape; any other status
/// becomes errc::http_status carrying the service's CommunicationErrorResponse (code, message,
/// target), or a short sanitized excerpt of a body that is not one, plus x-ms-request-id
/// (or MS-CV) and the Retry-After family. A success body that breaks the contract becomes
/// errc::invalid_response; its message names what is missing, never a token.
result<user> read_create_user(const http::response& res, std::string_view client_request_id);
result<user_and_token> read_create_user_and_token(const http::response& res,
                                                  std::string_view client_request_id);
result<access_token> read_issue_token(const http::response& res, std::string_view client_request_id);
result<void> read_no_content(const http::response& res, std::string_view client_request_id);
result<user> read_get_user(const http::response& res, std::string_view client_request_id);

/// Retry-After (delta seconds or HTTP date, relative to `now`), retry-after-ms,
/// x-ms-retry-after-ms — the millisecond headers win, as in the SDK.
std::optional<std::chrono::milliseconds> read_retry_after(const http::header_list& headers,
                                                          std::chrono::system_clock::time_point now);

}  // namespace acsbatch::identity
