#pragma once
/// The emulator's stand-in for Microsoft Entra ID, so bearer authentication is tested end to
/// end offline: an OAuth2 client-credentials token endpoint (`POST /{tenant}/oauth2/v2.0/token`,
/// as at login.microsoftonline.com), the managed-identity endpoints of Azure VMs (IMDS,
/// `GET /metadata/identity/oauth2/token`, header `Metadata: true`) and of App Service
/// (`GET /msi/token`, header `X-IDENTITY-HEADER`), and the check of the bearer tokens they issued.
/// Tokens are JWTs HS256-signed with a secret of this emulator, audience
/// `https://communication.azure.com`; any other bearer token is refused.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "acsbatch/http/message.hpp"

namespace acsbatch::emulator {

/// The one app registration (and managed identity) the emulator knows. Secrets.
struct entra_app {
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;
  /// The value App Service puts in IDENTITY_HEADER; empty: /msi/token refuses every request.
  std::string identity_header;
  /// Lifetime of the tokens issued (Entra's are 60–90 minutes).
  std::chrono::seconds token_lifetime{3600};
};

/// The app registration of `acsbatch emulator --entra` and of `auth: entra` against the embedded
/// emulator: fixed, obviously fake tenant and client ids, a client secret and an identity header
/// drawn at random for each call. Test values, yet treated as secrets (never in a message).
entra_app test_entra_app();

/// What a client needs to get tokens of `app` from the emulator at `url` (`http://127.0.0.1:PORT/`),
/// as the Azure SDKs' environment variables, space-separated NAME=VALUE (no value holds a space):
/// `AZURE_AUTHORITY_HOST=URL AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=…
/// IDENTITY_ENDPOINT=URLmsi/token IDENTITY_HEADER=… AZURE_POD_IDENTITY_AUTHORITY_HOST=URL`.
/// The second stdout line of `acsbatch emulator --entra`. Holds the (test) secrets.
std::string entra_environment(const entra_app& app, std::string_view url);

/// The scopes the token endpoint grants: the resource's `.default`, in both the form the
/// official SDK asks for (`https://communication.azure.com//.default`, the resource URI with its
/// trailing slash) and the plain one; Entra treats them alike.
bool is_communication_scope(std::string_view scope);

enum class entra_endpoint { token, imds, app_service };

/// The answer of a token endpoint, with Entra's shapes: 200 `{"token_type":"Bearer",
/// "expires_in","ext_expires_in","access_token"}` (IMDS and App Service: string values and
/// `expires_on`, `resource`, `client_id`); errors `{"error","error_description"}` —
/// 400 invalid_request / unsupported_grant_type / invalid_scope / unauthorized_client,
/// 401 invalid_client for a wrong secret. Never echoes a secret.
http::response answer_token_request(const entra_app& app, std::string_view signing_secret,
                                    entra_endpoint where, std::string_view tenant,
                                    const http::request& request, std::chrono::system_clock::time_point now);

/// True when `authorization` is `Bearer <token>` with a token this emulator issued (signed with
/// `signing_secret`), for the Communication audience, and not expired at `now`.
bool accepts_bearer(std::string_view authorization, std::string_view signing_secret,
                    std::chrono::system_clock::time_point now);

}  // namespace acsbatch::emulator
