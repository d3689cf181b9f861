#pragma once
/// Typed asynchronous client of the ACS Identity REST API.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "acsbatch/auth/entra_credential.hpp"
#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/core/endpoint.hpp"
#include "acsbatch/http/client.hpp"
#include "acsbatch/identity/types.hpp"
#include "acsbatch/identity/wire.hpp"

namespace acsbatch::identity {

struct client_options {
  std::string api_version{default_api_version};
  std::chrono::milliseconds request_timeout{10'000};
  std::string user_agent = "acsbatch";
};

/// Each call is one HTTP exchange (no retries: those are the engine's) and completes with the
/// value or an identity::error:
/// - errc::http_status — the service answered with an error status; `http_status`,
///   `service_code`, `message`, `target`, `service_request_id` and `retry_after` describe it;
/// - errc::invalid_response — a success status whose body breaks the contract;
/// - a transport code of http::client::send (errc::timeout, connection_failed, …), with
///   `http_status` 0.
/// Every error carries the `x-ms-client-request-id` that was sent (a fresh uuid v4 per call).
/// `options.request_timeout` bounds the whole exchange. `http` and `signer` must outlive the
/// client and every call; arguments are copied into the call. Cancelling the awaiting
/// coroutine (terminal) cancels the exchange: errc::cancelled.
class identity_client {
 public:
  identity_client(http::client& http, acsbatch::endpoint target, const auth::hmac_signer& signer,
                  client_options options = {});
  /// Entra ID: every request carries `Authorization: Bearer` with a token of `credential`
  /// (cached by it). When no token can be had, the call completes with the token endpoint's
  /// failure: errc::http_status with its status, `service_code` its OAuth error (invalid_client,
  /// …) and `message` its description; or the transport's code. `credential` must outlive
  /// the client.
  identity_client(http::client& http, acsbatch::endpoint target, auth::entra_credential& credential,
                  client_options options = {});

  /// POST /identities → 201 (200 when a known customId returns its identity). `options.custom_id` needs an api-version that has it (else
  /// boost::system::errc::operation_not_supported, nothing sent).
  boost::asio::awaitable<result<user>> create_user(create_options options = {});
  /// POST /identities with createTokenWithScopes (and expiresInMinutes when given) → 201.
  boost::asio::awaitable<result<user_and_token>> create_user_and_token(
      std::vector<std::string> scopes, std::optional<std::chrono::minutes> expires_in = {},
      create_options options = {});
  /// POST /identities/{id}/:issueAccessToken → 200.
  boost::asio::awaitable<result<access_token>> issue_token(
      std::string user_id, std::vector<std::string> scopes,
      std::optional<std::chrono::minutes> expires_in = {});
  /// POST /identities/{id}/:revokeAccessTokens → 204.
  boost::asio::awaitable<result<void>> revoke_tokens(std::string user_id);
  /// DELETE /identities/{id} → 204.
  boost::asio::awaitable<result<void>> delete_user(std::string user_id);
  /// GET /identities/{id} → 200. Only for api-versions that have it (api_versions.hpp:
  /// get_identity); otherwise boost::system::errc::operation_not_supported without sending.
  boost::asio::awaitable<result<user>> get_user(std::string user_id);

  const acsbatch::endpoint& target() const { return target_; }
  const client_options& options() const { return options_; }

 private:
  request_context context() const;
  /// `ctx` with the Entra ID credential's bearer token; an error when none came. Awaited only
  /// with Entra ID: a request signed with a key needs no coroutine frame for it.
  boost::asio::awaitable<result<request_context>> with_bearer_token(request_context ctx);

  http::client& http_;
  acsbatch::endpoint target_;
  const auth::hmac_signer* signer_ = nullptr;
  auth::entra_credential* credential_ = nullptr;
  client_options options_;
};

}  // namespace acsbatch::identity
