#include <algorithm>
#include <cctype>
#include <filesystem>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/core/endpoint.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/identity/api_versions.hpp"
#include "sections.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view connection_keys[] = {"connection_string", "endpoint", "auth",   "api_version",
                                                "emulator",          "ca_file",  "tls_verify"};
constexpr std::string_view auth_modes[] = {"key", "entra"};

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

/// parse_connection_string promises never to echo the key, but it does echo an unknown field's
/// name, and a key pasted without `accesskey=` (base64 ends in '=') *is* such a name. So a message
/// showing the text or any part of a field other than the endpoint is withheld.
std::string without_secrets(std::string message, std::string_view text) {
  const auto shows = [&](std::string_view piece) {
    return piece.size() >= 4 && message.find(piece) != std::string::npos;
  };
  bool leaks = shows(trim(text));
  std::string_view rest = text;
  while (!leaks && !rest.empty()) {
    const auto end = rest.find(';');
    const std::string_view field = trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    const auto equals = field.find('=');
    const std::string_view name = trim(field.substr(0, equals));
    if (equals != std::string_view::npos && iequals(name, "endpoint")) continue;
    const std::string_view value = equals == std::string_view::npos ? std::string_view{} : trim(field.substr(equals + 1));
    leaks = shows(field) || shows(value) || (!iequals(name, "accesskey") && shows(name));
  }
  if (leaks) return "the connection string is not valid (the details are not shown: they would show part of it)";
  return message;
}

/// True when the file itself (not the environment, not --set) names a resource.
bool read_connection_string(reader& r, const entry& e, connection_spec& out) {
  const auto value = r.string(e);
  if (!value) return false;
  if (value->text == "embedded") {
    out.embedded = true;
    out.connection_string.clear();
    return false;
  }
  const bool written_here = !value->from_environment && !r.from_override(e.value);
  if (trim(value->text).empty()) {
    r.report().error(value->at, e.path + " is empty: write 'embedded' for the built-in emulator or "
                                         "'endpoint=https://<resource>.communication.azure.com/;accesskey=<key>'");
    return written_here;
  }
  try {
    const auto parsed = auth::parse_connection_string(value->text);
    if (!parsed.endpoint.is_tls() && !parsed.endpoint.is_loopback()) {
      // Caught here, not at the first request (which reads as "unreachable", exit 69).
      r.report().error(value->at, e.path + ": its endpoint must be https:// (plain http is accepted only for "
                                           "loopback hosts such as the emulator's 127.0.0.1)");
      return written_here;
    }
    out.embedded = false;
    out.connection_string = value->text;
  } catch (const config_error& error) {
    r.report().error(value->at, e.path + ": " + without_secrets(error.what(), value->text));
  }
  return written_here;
}

void read_api_version(reader& r, const entry& e, connection_spec& out) {
  const auto value = r.string(e);
  if (!value) return;
  if (identity::find_api_version(value->text) == nullptr) {
    r.report().error(value->at, e.path + " must be one of " + identity::api_version_list() + ", not " +
                                    shown(*value));
    return;
  }
  out.api_version = value->text;
}

void read_auth(reader& r, const entry& e, connection_spec& out) {
  const auto value = r.string(e);
  if (!value) return;
  if (value->text == "key") out.auth = auth_mode::key;
  else if (value->text == "entra") out.auth = auth_mode::entra;
  else r.report().error(value->at, e.path + " must be one of " + join(auth_modes) + ", not " + shown(*value));
}

/// `endpoint`: `embedded` or the resource's URL, held in `url` when it is one. Returns true when
/// the file itself (not the environment, not --set) names a resource.
bool read_endpoint(reader& r, const entry& e, std::optional<scalar>& url) {
  auto value = r.string(e);
  if (!value || value->text == "embedded") return false;
  const bool written_here = !value->from_environment && !r.from_override(e.value);
  try {
    const auto parsed = acsbatch::endpoint::parse(trim(value->text));
    if (!parsed.is_tls() && !parsed.is_loopback()) {
      r.report().error(value->at, e.path + " must be https:// (plain http is accepted only for loopback hosts "
                                           "such as the emulator's 127.0.0.1)");
      return written_here;
    }
  } catch (const config_error& error) {
    // The parser's messages start with "endpoint"; one about a value from the environment is not
    // shown, since it may quote part of it.
    const std::string_view message = error.what();
    if (value->from_environment)
      r.report().error(value->at, e.path + " is not a URL such as https://<resource>.communication.azure.com/ "
                                           "(the value came from the environment and is not shown)");
    else if (message.starts_with("endpoint "))
      r.report().error(value->at, e.path + std::string(message.substr(8)));
    else
      r.report().error(value->at, e.path + ": " + std::string(message));
    return written_here;
  }
  url = std::move(value);
  return written_here;
}

/// Resolved like users.from_file: from the job's directory when written in the file, from the
/// working directory when given with --set.
void read_ca_file(reader& r, const entry& e, std::string_view job_directory, connection_spec& out) {
  const auto value = r.string(e);
  if (!value) return;
  if (value->text.back() == '/' || value->text.find('\0') != std::string::npos) {
    r.report().error(value->at, e.path + " must name a PEM file of CA certificates, not " + shown(*value));
    return;
  }
  const std::filesystem::path path(value->text);
  if (path.is_absolute() || job_directory.empty() || r.from_override(e.value)) out.ca_file = value->text;
  else out.ca_file = (std::filesystem::path(job_directory) / path).string();
}

}  // namespace

void read_connection(reader& r, const entry& section, std::string_view job_directory, connection_spec& out) {
  if (section.value.IsScalar()) {
    read_connection_string(r, section, out);
    return;
  }
  const auto entries = r.mapping(section);
  if (!entries) return;
  // Without connection_string the job runs against the embedded emulator (README: the default).
  bool names_a_resource = false;
  bool endpoint_names_a_resource = false;
  const entry* emulator = nullptr;
  const entry* connection_string = nullptr;
  const entry* endpoint = nullptr;
  std::optional<scalar> endpoint_url;
  for (const auto& e : *entries) {
    if (e.key == "connection_string") {
      connection_string = &e;
      names_a_resource = read_connection_string(r, e, out);
    } else if (e.key == "endpoint") {
      endpoint = &e;
      endpoint_names_a_resource = read_endpoint(r, e, endpoint_url);
    } else if (e.key == "auth") read_auth(r, e, out);
    else if (e.key == "api_version") read_api_version(r, e, out);
    else if (e.key == "emulator") emulator = &e;
    else if (e.key == "ca_file") read_ca_file(r, e, job_directory, out);
    else if (e.key == "tls_verify") out.tls_verify = r.boolean(e).value_or(true);
    else r.unknown_key(e, connection_keys);
  }
  if (endpoint != nullptr && out.auth == auth_mode::key) {
    r.report().error(endpoint->key_at, endpoint->path + " is for auth: entra; with an access key the endpoint is "
                                                        "part of connection_string");
    return;
  }
  if (out.auth == auth_mode::entra) {
    if (!out.connection_string.empty()) {
      // Where read_connection_string found one; the text itself is never shown.
      r.report().error(r.where(connection_string->value),
                       connection_string->path + " holds an access key, which auth: entra does not use; name "
                       "the resource with " + child_path(section.path, "endpoint") + " instead");
      return;
    }
    if (endpoint_url && connection_string != nullptr) {
      r.report().error(connection_string->key_at,
                       connection_string->path + ": embedded and " + endpoint->path +
                           " name two different servers; keep one");
      return;
    }
    if (endpoint_url) {
      out.embedded = false;
      out.endpoint = std::string(trim(endpoint_url->text));
    }
    names_a_resource = names_a_resource || endpoint_names_a_resource;
  }
  if (emulator == nullptr) return;
  if (names_a_resource) {
    r.report().error(emulator->key_at, emulator->path + " applies only to " +
                                           (endpoint_names_a_resource ? std::string("the embedded emulator")
                                                                      : std::string("connection_string: embedded")) +
                                           ", and this job names a resource; remove one of them");
    return;
  }
  // Checked even when the environment chose a resource, so a mistake shows on every machine;
  // kept only for the emulator.
  emulator_spec spec;
  read_emulator(r, *emulator, job_directory, spec);
  if (out.embedded) out.emulator = std::move(spec);
}

}  // namespace acsbatch::job::detail
