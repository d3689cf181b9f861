#include "acsbatch/identity/api_versions.hpp"

#include <algorithm>
#include <array>

namespace acsbatch::identity {
namespace {

// Scope enums as the swaggers list them: the three "join" scopes arrived with 2023-10-01.
constexpr std::string_view two_scopes[] = {"chat", "voip"};
constexpr std::string_view five_scopes[] = {"chat", "voip", "chat.join", "chat.join.limited", "voip.join"};

constexpr api_version_info row(std::string_view version, bool preview, bool teams_user, bool teams_extension,
                               bool expires_in, bool custom_id, std::span<const std::string_view> scopes,
                               std::string_view source) {
  api_version_info info;
  info.version = version;
  info.preview = preview;
  info.teams_user_exchange = teams_user;
  info.teams_extension = teams_extension;
  info.expires_in_minutes = expires_in;
  info.custom_id = custom_id;
  info.get_identity = custom_id;  // they arrived, and stay, together
  info.scopes = scopes;
  info.source = source;
  return info;
}

constexpr api_version_info table[] = {
    row("2021-03-07", false, false, false, false, false, two_scopes, "stable/2021-03-07 @15f38e5"),
    row("2022-06-01", false, true, false, false, false, two_scopes, "stable/2022-06-01 @029741f"),
    // Not read this time; kept as 2022-06-01 because the emulator answered it before.
    row("2022-09-01", false, true, false, false, false, two_scopes, "not read (as 2022-06-01)"),
    row("2022-10-01", false, true, false, true, false, two_scopes, "stable/2022-10-01 @038a9c0"),
    row("2023-08-01", false, true, false, true, false, two_scopes, "stable/2023-08-01 @338f5bb"),
    row("2023-10-01", false, true, false, true, false, five_scopes, "stable/2023-10-01 @b218956"),
    row("2025-06-30", false, true, true, true, false, five_scopes, "stable/2025-06-30 @37c6051"),
    row("2026-07-22", false, true, true, true, false, five_scopes, "models.tsp @204e5a4, routes.tsp @0518e78"),
    row("2026-09-23", false, true, true, true, false, five_scopes, "stable/2026-09-23 @6c3aefc"),
    row("2025-03-02-preview", true, true, true, true, true, five_scopes, "preview/2025-03-02-preview (docs/rest-contract.md §3)"),
    // Its swagger (@55d4440) has no customId and no GET; only its examples do, as "externalId".
    row("2025-04-01-preview", true, true, false, true, false, five_scopes, "preview/2025-04-01-preview @55d4440"),
};

std::string yes_no(bool value) { return value ? "yes" : "—"; }

}  // namespace

std::span<const api_version_info> api_versions() { return table; }

const api_version_info* find_api_version(std::string_view version) {
  const auto found = std::find_if(std::begin(table), std::end(table),
                                  [&](const api_version_info& info) { return info.version == version; });
  return found == std::end(table) ? nullptr : &*found;
}

std::span<const std::string_view> all_scopes() { return five_scopes; }

std::string versions_where(bool (*has)(const api_version_info&)) {
  std::string out;
  for (const auto& info : table) {
    if (!has(info)) continue;
    if (!out.empty()) out += ", ";
    out += info.version;
  }
  return out.empty() ? std::string("none") : out;
}

std::string versions_with_custom_id() {
  return versions_where([](const api_version_info& info) { return info.custom_id; });
}

std::string versions_with_get_identity() {
  return versions_where([](const api_version_info& info) { return info.get_identity; });
}

std::string api_version_list() {
  return versions_where([](const api_version_info&) { return true; });
}

std::string api_version_table_markdown() {
  std::string out =
      "| api-version | kind | create, delete, revoke, issue | Teams user exchange | expiresInMinutes | "
      "customId (create 201 new / 200 known) | GET /identities/{id} | scopes | read from |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& info : table) {
    std::string scopes;
    for (const auto scope : info.scopes) {
      if (!scopes.empty()) scopes += ", ";
      scopes += scope;
    }
    out += "| `" + std::string(info.version) + "`" + (info.version == default_api_version ? " (default)" : "") +
           " | " + (info.preview ? "preview" : "stable") + " | yes | " + yes_no(info.teams_user_exchange) + " | " +
           yes_no(info.expires_in_minutes) + " | " + yes_no(info.custom_id) + " | " + yes_no(info.get_identity) +
           " | " + scopes + " | " + std::string(info.source) + " |\n";
  }
  return out;
}

}  // namespace acsbatch::identity
