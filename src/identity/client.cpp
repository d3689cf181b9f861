#include "acsbatch/identity/client.hpp"

#include <boost/system/errc.hpp>

#include "acsbatch/identity/api_versions.hpp"

namespace acsbatch::identity {
namespace {

namespace asio = boost::asio;

/// The request never reached a status line: the transport's code, and our request id.
error transport_error(const boost::system::error_code& code, std::string client_request_id) {
  error e;
  e.code = code;
  e.client_request_id = std::move(client_request_id);
  return e;
}

/// Refused before sending: the configured api-version lacks the feature (api_versions.hpp).
error needs_custom_id_version(std::string_view what, std::string_view api_version) {
  error e;
  e.code = make_error_code(boost::system::errc::operation_not_supported);
  e.message = std::string(what) + " needs api-version " + versions_with_custom_id() + ", not " +
              std::string(api_version);
  return e;
}

}  // namespace

identity_client::identity_client(http::client& http, acsbatch::endpoint target,
                                 const auth::hmac_signer& signer, client_options options)
    : http_(http), target_(std::move(target)), signer_(&signer), options_(std::move(options)) {}

identity_client::identity_client(http::client& http, acsbatch::endpoint target, auth::entra_credential& credential,
                                 client_options options)
    : http_(http), target_(std::move(target)), credential_(&credential), options_(std::move(options)) {}

request_context identity_client::context() const {
  request_context ctx;
  ctx.target = &target_;
  ctx.signer = signer_;
  ctx.api_version = options_.api_version;
  ctx.user_agent = options_.user_agent;
  ctx.client_request_id = new_client_request_id();
  ctx.now = std::chrono::system_clock::now();
  return ctx;
}

asio::awaitable<result<request_context>> identity_client::with_bearer_token(request_context ctx) {
  auto token = co_await credential_->token();
  if (!token) {
    error e;
    e.code = token.error().code;
    e.http_status = token.error().http_status;
    e.service_code = token.error().error;
    e.message = token.error().http_status != 0 ? "Entra ID " + token.error().describe() : token.error().describe();
    e.client_request_id = ctx.client_request_id;
    co_return e;
  }
  ctx.bearer_token = std::move(*token);
  co_return ctx;
}

asio::awaitable<result<user>> identity_client::create_user(create_options options) {
  if (options.custom_id && !api_version_has_custom_id(options_.api_version))
    co_return needs_custom_id_version("customId", options_.api_version);
  result<request_context> authorized = context();
  if (credential_) authorized = co_await with_bearer_token(std::move(*authorized));
  if (!authorized) co_return authorized.error();
  const auto& ctx = *authorized;
  auto sent = co_await http_.send(target_, make_create_user(ctx, options), options_.request_timeout);
  if (!sent) co_return transport_error(sent.error(), ctx.client_request_id);
  co_return read_create_user(*sent, ctx.client_request_id);
}

asio::awaitable<result<user_and_token>> identity_client::create_user_and_token(
    std::vector<std::string> scopes, std::optional<std::chrono::minutes> expires_in,
    create_options options) {
  if (options.custom_id && !api_version_has_custom_id(options_.api_version))
    co_return needs_custom_id_version("customId", options_.api_version);
  result<request_context> authorized = context();
  if (credential_) authorized = co_await with_bearer_token(std::move(*authorized));
  if (!authorized) co_return authorized.error();
  const auto& ctx = *authorized;
  auto sent = co_await http_.send(
      target_, make_create_user_and_token(ctx, scopes, expires_in, options), options_.request_timeout);
  if (!sent) co_return transport_error(sent.error(), ctx.client_request_id);
  co_return read_create_user_and_token(*sent, ctx.client_request_id);
}

asio::awaitable<result<access_token>> identity_client::issue_token(
    std::string user_id, std::vector<std::string> scopes,
    std::optional<std::chrono::minutes> expires_in) {
  result<request_context> authorized = context();
  if (credential_) authorized = co_await with_bearer_token(std::move(*authorized));
  if (!authorized) co_return authorized.error();
  const auto& ctx = *authorized;
  auto sent = co_await http_.send(target_, make_issue_token(ctx, user_id, scopes, expires_in),
                                  options_.request_timeout);
  if (!sent) co_return transport_error(sent.error(), ctx.client_request_id);
  co_return read_issue_token(*sent, ctx.client_request_id);
}

asio::awaitable<result<void>> identity_client::revoke_tokens(std::string user_id) {
  result<request_context> authorized = context();
  if (credential_) authorized = co_await with_bearer_token(std::move(*authorized));
  if (!authorized) co_return authorized.error();
  const auto& ctx = *authorized;
  auto sent = co_await http_.send(target_, make_revoke_tokens(ctx, user_id), options_.request_timeout);
  if (!sent) co_return transport_error(sent.error(), ctx.client_request_id);
  co_return read_no_content(*sent, ctx.client_request_id);
}

asio::awaitable<result<void>> identity_client::delete_user(std::string user_id) {
  result<request_context> authorized = context();
  if (credential_) authorized = co_await with_bearer_token(std::move(*authorized));
  if (!authorized) co_return authorized.error();
  const auto& ctx = *authorized;
  auto sent = co_await http_.send(target_, make_delete_user(ctx, user_id), options_.request_timeout);
  if (!sent) co_return transport_error(sent.error(), ctx.client_request_id);
  co_return read_no_content(*sent, ctx.client_request_id);
}

asio::awaitable<result<user>> identity_client::get_user(std::string user_id) {
  if (const auto* version = find_api_version(options_.api_version); version == nullptr || !version->get_identity)
    co_return needs_custom_id_version("get_user", options_.api_version);
  result<request_context> authorized = context();
  if (credential_) authorized = co_await with_bearer_token(std::move(*authorized));
  if (!authorized) co_return authorized.error();
  const auto& ctx = *authorized;
  auto sent = co_await http_.send(target_, make_get_user(ctx, user_id), options_.request_timeout);
  if (!sent) co_return transport_error(sent.error(), ctx.client_request_id);
  co_return read_get_user(*sent, ctx.client_request_id);
}

}  // namespace acsbatch::identity
