#pragma once
/// Microsoft Entra ID (Azure AD) bearer tokens for the Communication resource, with the Azure
/// SDK conventions: client-secret credentials from AZURE_TENANT_ID / AZURE_CLIENT_ID /
/// AZURE_CLIENT_SECRET (OAuth2 client-credentials flow against AZURE_AUTHORITY_HOST, default
/// https://login.microsoftonline.com), otherwise a managed identity: App Service's
/// IDENTITY_ENDPOINT + IDENTITY_HEADER, else the VM's IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST
/// overrides http://169.254.169.254, as in the Azure SDKs; AZURE_CLIENT_ID picks a user-assigned
/// identity). Tokens are cached and refreshed before they expire; they and the secrets never
/// appear in a message.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include "acsbatch/core/endpoint.hpp"
#include "acsbatch/http/client.hpp"
#include "acsbatch/http/message.hpp"

namespace acsbatch::auth {

/// What the official SDK asks for (communication-common's communicationAuthPolicy): the
/// resource URI *with* its trailing slash, then `/.default` — hence the double slash. Entra
/// accepts it as the plain `https://communication.azure.com/.default`.
inline constexpr std::string_view communication_scope = "https://communication.azure.com//.default";
/// The same resource for the managed-identity endpoints, which take `resource=` (the scope
/// without `/.default`, as the SDKs derive it).
inline constexpr std::string_view communication_resource = "https://communication.azure.com/";

enum class entra_source {
  client_secret,          ///< AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET
  app_service_identity,   ///< IDENTITY_ENDPOINT + IDENTITY_HEADER (api-version 2019-08-01)
  imds_identity,          ///< the VM's Instance Metadata Service (api-version 2018-02-01)
};
std::string_view to_string(entra_source source);

/// Where and how to ask for a token. `client_secret` and `identity_header` are secrets.
struct entra_settings {
  entra_source source = entra_source::imds_identity;
  std::string tenant_id;
  std::string client_id;  ///< the app (client secret) or a user-assigned identity (IMDS); may be empty for IMDS
  std::string client_secret;
  std::string identity_header;
  acsbatch::endpoint token_host;  ///< authority host, IDENTITY_ENDPOINT's host or IMDS's
  std::string token_path;         ///< path of the token endpoint on token_host (no query)
};

/// Reads the settings from `lookup` (the environment in production). Throws config_error naming
/// the variables that are missing or malformed, never their values.
entra_settings entra_settings_from(const std::function<std::optional<std::string>(std::string_view)>& lookup);
entra_settings entra_settings_from_environment();

/// The token request of `settings`, to send to settings.token_host (sans I/O).
http::request make_token_request(const entra_settings& settings);

struct bearer_token {
  std::string value;  ///< secret
  std::chrono::system_clock::time_point expires_on;
};

/// Why no token came: the transport's code, or errc::http_status with the endpoint's status and
/// its OAuth `error` and `error_description` (Entra never echoes a secret in them), or
/// errc::invalid_response.
struct token_failure {
  boost::system::error_code code;
  unsigned http_status = 0;
  std::string error;        ///< e.g. invalid_client
  std::string description;  ///< e.g. AADSTS7000215: Invalid client secret provided.
  std::string describe() const;
};

/// Reads a token response: `access_token` with `expires_in` (seconds, number or string) or
/// `expires_on` (Unix seconds, number or string), relative to `now`.
boost::system::result<bearer_token, token_failure> read_token_response(const http::response& res,
                                                                       std::chrono::system_clock::time_point now);

/// When a token should be replaced: 5 minutes before it expires, or half-way through its life
/// when it lives less than 10 minutes.
std::chrono::system_clock::time_point refresh_time(const bearer_token& token,
                                                   std::chrono::system_clock::time_point issued_at);

/// A cached token source. token() returns the cached token until its refresh time, then fetches
/// a new one; while a fetch is in flight, other callers wait for it instead of fetching too.
/// When a refresh fails but the old token is still valid for 30 s more, the old one is used.
/// Thread-safe. Must outlive every token() call.
class entra_credential {
 public:
  /// `http` carries the options of the run (CA file, TLS verification); the IMDS address is
  /// plain http and link-local, so the credential allows plain http to it alone.
  entra_credential(boost::asio::any_io_executor executor, entra_settings settings,
                   http::client_options http = {}, std::chrono::milliseconds timeout = std::chrono::seconds{10});
  ~entra_credential();
  entra_credential(const entra_credential&) = delete;
  entra_credential& operator=(const entra_credential&) = delete;

  /// Completes with the token's value (for `Authorization: Bearer`), or why there is none.
  boost::asio::awaitable<boost::system::result<std::string, token_failure>> token();

  /// How many token requests were sent (tests: the cache works).
  std::size_t fetches() const;
  const entra_settings& settings() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace acsbatch::auth
