#include <algorithm>

#include "acsbatch/identity/api_versions.hpp"
#include "sections.hpp"
#include "suggest.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view token_step_keys[] = {"scopes", "expires_in"};

constexpr std::chrono::minutes min_token_lifetime{60};
constexpr std::chrono::minutes max_token_lifetime{24 * 60};

bool issues_token(operation op) { return op == operation::issue_token || op == operation::create_user_and_token; }

/// The scopes of the job's api-version (all known scopes when the version itself was refused).
std::span<const std::string_view> scopes_of(const connection_spec& connection) {
  const auto* version = identity::find_api_version(connection.api_version);
  return version != nullptr ? version->scopes : identity::all_scopes();
}

void read_scopes(reader& r, const entry& e, const connection_spec& connection, step& out) {
  const auto known_scopes = scopes_of(connection);
  const auto list = r.sequence(e);
  if (!list) return;
  if (list->empty()) {
    r.report().error(e.value_at, e.path + " must list at least one of " + join(known_scopes));
    return;
  }
  for (const auto& element : *list) {
    const auto scope = r.string(element);
    if (!scope) continue;
    if (std::find(std::begin(known_scopes), std::end(known_scopes), scope->text) == std::end(known_scopes))
      r.report().error(scope->at, "unknown scope " + shown(*scope) + " in " + e.path + " (valid scopes in api-version " +
                                      connection.api_version + ": " + join(known_scopes) + ")");
    else if (std::find(out.scopes.begin(), out.scopes.end(), scope->text) != out.scopes.end())
      r.report().error(scope->at, "scope " + shown(*scope) + " is listed twice in " + e.path);
    else
      out.scopes.push_back(scope->text);
  }
}

void read_token_lifetime(reader& r, const entry& e, const connection_spec& connection, step& out) {
  const auto value = r.duration(e);
  if (!value) return;
  if (const auto* version = identity::find_api_version(connection.api_version);
      version != nullptr && !version->expires_in_minutes) {
    r.report().error(e.key_at, e.path + " needs an api-version with expiresInMinutes (2022-10-01 or later); " +
                                   connection.api_version + " has none");
    return;
  }
  // The service counts token lifetimes in whole minutes, from 60 to 1440.
  if (*value % std::chrono::minutes{1} != std::chrono::milliseconds{0})
    r.report().error(e.value_at, e.path + " must be whole minutes (e.g. 90m, 24h): the service counts token "
                                          "lifetimes in minutes");
  else if (*value < min_token_lifetime || *value > max_token_lifetime)
    r.report().error(e.value_at, e.path + " must be between 60m and 24h");
  else
    out.expires_in = std::chrono::duration_cast<std::chrono::minutes>(*value);
}

/// One step: `op` or `op: {arguments}`. nullopt when it cannot be used (already reported).
std::optional<step> read_step(reader& r, const entry& element, const connection_spec& connection) {
  std::string name;
  std::string shown_name;  // for messages: never a value from the environment
  position name_at = element.value_at;
  std::optional<entry> arguments;
  if (element.value.IsScalar()) {
    const auto text = r.string(element);
    if (!text) return std::nullopt;
    name = text->text;
    shown_name = shown(*text);
    name_at = text->at;
  } else if (element.value.IsMap() && element.value.size() == 1) {
    const auto it = element.value.begin();
    name_at = r.where(it->first);
    if (!it->first.IsScalar()) {
      r.report().error(name_at, "a step's operation must be a plain name");
      return std::nullopt;
    }
    name = it->first.Scalar();
    shown_name = quoted(name);
    arguments = entry{name, name, name_at, name_at, it->second};
    if (!it->second.IsNull()) arguments->value_at = r.where(it->second);
  } else {
    r.report().error(element.value_at, "each step must be an operation name (e.g. create_user) or one "
                                       "'operation: {arguments}' pair (e.g. issue_token: {scopes: [voip]})");
    return std::nullopt;
  }

  const auto op = operation_from_string(name);
  if (!op) {
    const std::string suggestion = did_you_mean(name, operation_names);
    r.report().error(name_at, "unknown operation " + shown_name +
                                  (suggestion.empty() ? " (operations: " + join(operation_names) + ")" : suggestion));
    return std::nullopt;
  }

  step out;
  out.op = *op;
  name = std::string(to_string(*op));
  bool saw_scopes = false;
  if (arguments) {
    const auto entries = r.mapping(*arguments);
    if (!entries) return std::nullopt;
    for (const auto& e : *entries) {
      if (!issues_token(*op)) {
        r.report().error(e.key_at, name + " takes no arguments (" + quoted(e.key) + " is not one)");
      } else if (e.key == "scopes") {
        saw_scopes = true;
        read_scopes(r, e, connection, out);
      } else if (e.key == "expires_in") {
        read_token_lifetime(r, e, connection, out);
      } else {
        r.unknown_key(e, token_step_keys);
      }
    }
  }
  if (issues_token(*op) && !saw_scopes)
    r.report().error(name_at, name + " needs scopes, e.g. " + name + ": {scopes: [voip]} (valid scopes: " +
                                  join(scopes_of(connection)) + ")");
  if (const auto* version = identity::find_api_version(connection.api_version);
      *op == operation::get_user && version != nullptr && !version->get_identity)
    r.report().error(name_at, "get_user needs a connection.api_version whose spec has GET /identities/{id}: " +
                                  identity::versions_with_get_identity() + " (this job uses " +
                                  connection.api_version + ")");
  return out;
}

}  // namespace

void read_steps(reader& r, const entry& section, const connection_spec& connection, const users_spec& users,
                std::vector<step>& out) {
  const auto elements = r.sequence(section);
  if (!elements) return;
  if (elements->empty()) {
    r.report().error(section.value_at, "steps must list at least one step (e.g. - create_user)");
    return;
  }
  const std::string existing_users = !users.from_file.empty()     ? "users.from_file"
                                     : !users.from_state.empty()  ? "users.from_state"
                                     : !users.from_report.empty() ? "users.from_report"
                                                                  : "";
  for (std::size_t i = 0; i < elements->size(); ++i) {
    const entry& element = (*elements)[i];
    const auto parsed = read_step(r, element, connection);
    if (!parsed) continue;
    if (!existing_users.empty() && creates_identity(parsed->op))
      r.report().error(element.value_at, std::string(to_string(parsed->op)) + " makes new users, but " +
                                             existing_users + " lists existing ones: remove the step, or use "
                                             "users.create instead");
    else if (i == 0 && users.create > 0 && !creates_identity(parsed->op))
      r.report().error(element.value_at, "the first step must create the user (create_user or "
                                         "create_user_and_token) because users.create makes new users");
    else if (i > 0 && creates_identity(parsed->op))
      r.report().error(element.value_at, std::string(to_string(parsed->op)) + " can only be the first step");
    out.push_back(*parsed);
  }
}

}  // namespace acsbatch::job::detail
