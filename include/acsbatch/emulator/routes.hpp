#pragma once
/// Which operation a request-target names, and which api-versions the emulator answers:
/// the routing table of the ACS Identity REST API (docs/rest-contract.md §2, §3), free of any I/O.

#include <optional>
#include <string>
#include <string_view>

namespace acsbatch::emulator {

/// Every operation the emulator tells apart; also the keys of /emulator/stats "requests".
enum class operation {
  create_user,             ///< POST /identities without createTokenWithScopes
  create_user_and_token,   ///< POST /identities with createTokenWithScopes
  issue_token,             ///< POST /identities/{id}/:issueAccessToken
  revoke_tokens,           ///< POST /identities/{id}/:revokeAccessTokens
  delete_user,             ///< DELETE /identities/{id}
  get_user,                ///< GET /identities/{id} (customId api-versions only)
  exchange_teams_token,    ///< POST /teamsUser/:exchangeAccessToken and /access/teamsExtension/…
  emulator_stats,          ///< GET /emulator/stats (loopback only, no auth)
  emulator_validate_token, ///< POST /emulator/tokens:validate (loopback only, no auth)
  entra_token,             ///< POST /{tenant}/oauth2/v2.0/token (Entra ID client credentials; --entra)
  imds_token,              ///< GET /metadata/identity/oauth2/token (VM managed identity; --entra)
  app_service_token,       ///< GET /msi/token (App Service managed identity; --entra)
  other,                   ///< no route, or a route with the wrong method
};
inline constexpr std::size_t operation_count = static_cast<std::size_t>(operation::other) + 1;

/// The stats name of an operation: "create_user", "issue_token", …
std::string_view to_string(operation op);

/// The result of matching method + path.
struct route {
  operation op = operation::other;
  /// The decoded `{id}` path segment (`8%3Aacs%3A…` → `8:acs:…`), when the route has one;
  /// the tenant of an entra_token route.
  std::string identity_id;
  /// True when the path exists but not for this method (→ 405).
  bool method_not_allowed = false;
  /// The methods the path accepts, for the Allow header of a 405.
  std::string_view allowed_methods;
};

/// Matches `method` and the path part of a request-target (no query). POST /identities maps
/// to create_user; the handler refines it to create_user_and_token after reading the body.
/// Unknown paths give operation::other with method_not_allowed false (→ 404).
route match_route(std::string_view method, std::string_view path);

/// Splits an origin-form request-target at the first `?`.
struct split_target {
  std::string_view path;
  std::string_view query;  ///< without the `?`; empty when absent
};
split_target split_request_target(std::string_view target);

/// The first value of `name` in a form-encoded query (`+` is a space, `%XX` decoded);
/// nullopt when absent or malformed.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);

/// Percent-decodes one path segment; nullopt on a malformed escape. `+` stays `+` (paths are
/// not form-encoded).
std::optional<std::string> percent_decode_segment(std::string_view encoded);

/// The api-versions the emulator accepts: every row of identity::api_versions(), the table the
/// client and the job validator read too.
bool is_accepted_api_version(std::string_view version);
/// customId on create and GET /identities/{id}: the rows with custom_id / get_identity.
bool api_version_has_custom_id(std::string_view version);
/// Comma-space list of the table's versions, as the service's `api-supported-versions`.
std::string api_supported_versions_header();

}  // namespace acsbatch::emulator
