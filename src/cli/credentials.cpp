#include "credentials.hpp"

#include <boost/asio/co_spawn.hpp>

namespace acsbatch::cli {
namespace {

namespace asio = boost::asio;

/// Where the credential asked, as a URL without a query (a tenant id is no secret).
std::string token_endpoint_url(const auth::entra_settings& settings) {
  return settings.token_host.url() + settings.token_path;
}

std::string hint_for(const auth::entra_settings& settings, const auth::token_failure& failure) {
  using auth::entra_source;
  if (failure.http_status == 0) {
    if (settings.source == entra_source::imds_identity)
      return " — no AZURE_CLIENT_SECRET or IDENTITY_ENDPOINT is set, so the VM's managed identity (IMDS) was "
             "asked; outside an Azure VM set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET";
    return settings.source == entra_source::client_secret ? " — check AZURE_AUTHORITY_HOST and the network"
                                                          : " — check IDENTITY_ENDPOINT";
  }
  if (failure.http_status == 401 || failure.error == "invalid_client") {
    if (settings.source == entra_source::client_secret) return " — check AZURE_CLIENT_SECRET (is it expired?)";
    if (settings.source == entra_source::app_service_identity) return " — check IDENTITY_HEADER";
  }
  if (failure.error == "unauthorized_client") return " — check AZURE_CLIENT_ID";
  if (failure.http_status == 400 && failure.description.find("AADSTS90002") != std::string::npos)
    return " — check AZURE_TENANT_ID";
  return {};
}

}  // namespace

auth::entra_settings embedded_entra_settings(const emulator::entra_app& app, const std::string& url) {
  return auth::entra_settings_from([&](std::string_view name) -> std::optional<std::string> {
    if (name == "AZURE_TENANT_ID") return app.tenant_id;
    if (name == "AZURE_CLIENT_ID") return app.client_id;
    if (name == "AZURE_CLIENT_SECRET") return app.client_secret;
    if (name == "AZURE_AUTHORITY_HOST") return url;
    return std::nullopt;
  });
}

std::optional<std::string> fetch_first_token(asio::io_context& io, auth::entra_credential& credential) {
  std::optional<boost::system::result<std::string, auth::token_failure>> outcome;
  asio::co_spawn(io, credential.token(),
                 [&](std::exception_ptr e, boost::system::result<std::string, auth::token_failure> token) {
                   if (e) std::rethrow_exception(e);
                   outcome.emplace(std::move(token));
                 });
  io.run();
  io.restart();
  if (outcome && *outcome) return std::nullopt;
  const auto& settings = credential.settings();
  std::string out = "cannot get an Entra ID token from " + token_endpoint_url(settings) + " with the " +
                    std::string(auth::to_string(settings.source)) + ": ";
  if (!outcome) return out + "no answer";
  const auto& failure = outcome->error();
  if (failure.http_status != 0) out += failure.describe();
  else out += failure.description.empty() ? failure.code.message() : failure.description;
  return out + hint_for(settings, failure);
}

std::string_view refusal_hint(const job::job& job) {
  if (job.connection.auth == job::auth_mode::entra)
    return " — check connection.endpoint, and that the Entra ID principal has a role on the resource that allows "
           "the identity operations (README: Roles)";
  return " — check the connection string (endpoint and access key)";
}

}  // namespace acsbatch::cli
