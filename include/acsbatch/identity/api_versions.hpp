#pragma once
/// The one table of Identity api-versions: per version, which operations exist, which request
/// fields the create and issue bodies have, and which token scopes the version names. Read by
/// the client, the job validator, the emulator and (checked by a test) the README. Each row
/// comes from the newest revision we read of that version's spec (README, "API versions").

#include <span>
#include <string>
#include <string_view>

namespace acsbatch::identity {

struct api_version_info {
  std::string_view version;
  bool preview = false;
  /// POST /teamsUser/:exchangeAccessToken (not in 2021-03-07).
  bool teams_user_exchange = false;
  /// /access/teamsExtension/… (Teams Phone extension; 2025-06-30 on).
  bool teams_extension = false;
  /// `expiresInMinutes` in CommunicationIdentityCreateRequest and …AccessTokenRequest.
  bool expires_in_minutes = false;
  /// `customId` on create, with its idempotent mapping: a create naming a customId already
  /// bound answers 200 with that identity (201 when new). Only then is a create safe to repeat.
  bool custom_id = false;
  /// GET /identities/{id} → 200 {id, customId?, lastTokenIssuedAt?}.
  bool get_identity = false;
  /// CommunicationIdentityTokenScope values of this version.
  std::span<const std::string_view> scopes;
  /// The spec file and revision (commit, short) the row was read from.
  std::string_view source;
};

/// Every api-version acsbatch (client, validator, emulator) accepts, oldest stable first, then
/// the previews.
std::span<const api_version_info> api_versions();

/// The row of `version`, or nullptr when acsbatch does not know it.
const api_version_info* find_api_version(std::string_view version);

/// What the client sends when the job names none: what the official SDKs send (README).
inline constexpr std::string_view default_api_version = "2023-10-01";

/// Union of every version's scopes, in first-seen order.
std::span<const std::string_view> all_scopes();

/// "a, b and c" lists of the versions that satisfy `has`, for error messages.
std::string versions_where(bool (*has)(const api_version_info&));
std::string versions_with_custom_id();
std::string versions_with_get_identity();
/// Comma-space list of every known version (the `api-supported-versions` header form).
std::string api_version_list();

/// The README's api-version table, rendered from the rows (the README test compares).
std::string api_version_table_markdown();

}  // namespace acsbatch::identity
