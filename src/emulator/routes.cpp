#include "acsbatch/emulator/routes.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "acsbatch/core/percent_encoding.hpp"
#include "acsbatch/identity/api_versions.hpp"
#include "acsbatch/identity/types.hpp"

namespace acsbatch::emulator {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  // The leading '/' yields no segment; every other '/' separates (empty segments kept).
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

route not_allowed(operation op, std::string_view allowed) {
  route r;
  r.op = op;
  r.method_not_allowed = true;
  r.allowed_methods = allowed;
  return r;
}

}  // namespace

std::string_view to_string(operation op) {
  static constexpr std::array<std::string_view, operation_count> names{
      "create_user",    "create_user_and_token", "issue_token",
      "revoke_tokens",  "delete_user",           "get_user",
      "exchange_teams_token", "emulator_stats",  "emulator_validate_token",
      "entra_token",    "imds_token",            "app_service_token",
      "other"};
  return names[static_cast<std::size_t>(op)];
}

split_target split_request_target(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

std::optional<std::string> query_parameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto equals = pair.find('=');
    const auto key = percent_decode(pair.substr(0, equals), true);
    if (!key || *key != name) continue;
    if (equals == std::string_view::npos) return std::string{};
    return percent_decode(pair.substr(equals + 1), true);
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode_segment(std::string_view encoded) {
  return percent_decode(encoded, false);
}

route match_route(std::string_view method, std::string_view path) {
  route none;
  if (path.empty() || path.front() != '/') return none;
  const auto segments = split_path(path);
  const auto is = [&](std::string_view m) { return method == m; };

  if (segments[0] == "identities") {
    if (segments.size() == 1) {
      if (!is("POST")) return not_allowed(operation::create_user, "POST");
      none.op = operation::create_user;
      return none;
    }
    if (segments[1].empty()) return none;
    auto id = percent_decode_segment(segments[1]);
    if (!id) return none;
    route r;
    r.identity_id = std::move(*id);
    if (segments.size() == 2) {
      if (is("DELETE")) r.op = operation::delete_user;
      else if (is("GET")) r.op = operation::get_user;
      else return not_allowed(operation::delete_user, "DELETE, GET");
      return r;
    }
    if (segments.size() == 3) {
      if (segments[2] == ":issueAccessToken") r.op = operation::issue_token;
      else if (segments[2] == ":revokeAccessTokens") r.op = operation::revoke_tokens;
      else return none;
      if (!is("POST")) return not_allowed(r.op, "POST");
      return r;
    }
    return none;
  }
  if (segments.size() == 2 && segments[0] == "teamsUser" && segments[1] == ":exchangeAccessToken") {
    if (!is("POST")) return not_allowed(operation::exchange_teams_token, "POST");
    none.op = operation::exchange_teams_token;
    return none;
  }
  // The Teams Phone extension family of 2025-06-30 (exchange and assignments): all of it is
  // answered "not implemented", whatever the method.
  if (segments.size() >= 3 && segments[0] == "access" && segments[1] == "teamsExtension") {
    none.op = operation::exchange_teams_token;
    return none;
  }
  // Entra ID's token endpoint (login.microsoftonline.com/{tenant}/oauth2/v2.0/token) and the
  // managed-identity endpoints, served when the emulator runs with --entra.
  if (segments.size() == 4 && segments[1] == "oauth2" && segments[2] == "v2.0" && segments[3] == "token" &&
      !segments[0].empty()) {
    if (!is("POST")) return not_allowed(operation::entra_token, "POST");
    none.op = operation::entra_token;
    none.identity_id = percent_decode_segment(segments[0]).value_or("");
    return none;
  }
  if (path == "/metadata/identity/oauth2/token") {
    if (!is("GET")) return not_allowed(operation::imds_token, "GET");
    none.op = operation::imds_token;
    return none;
  }
  if (path == "/msi/token") {
    if (!is("GET")) return not_allowed(operation::app_service_token, "GET");
    none.op = operation::app_service_token;
    return none;
  }
  if (segments.size() == 2 && segments[0] == "emulator") {
    if (segments[1] == "stats") {
      if (!is("GET")) return not_allowed(operation::emulator_stats, "GET");
      none.op = operation::emulator_stats;
      return none;
    }
    if (segments[1] == "tokens:validate") {
      if (!is("POST")) return not_allowed(operation::emulator_validate_token, "POST");
      none.op = operation::emulator_validate_token;
      return none;
    }
  }
  return none;
}

bool is_accepted_api_version(std::string_view version) { return identity::find_api_version(version) != nullptr; }

bool api_version_has_custom_id(std::string_view version) { return identity::api_version_has_custom_id(version); }

std::string api_supported_versions_header() { return identity::api_version_list(); }

}  // namespace acsbatch::emulator
