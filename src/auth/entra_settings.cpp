#include <cstdlib>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "acsbatch/auth/entra_credential.hpp"
#include "acsbatch/core/error.hpp"

namespace acsbatch::auth {
namespace {

/// `https://host[:port]/path` → endpoint and path; throws config_error naming `variable`.
std::pair<acsbatch::endpoint, std::string> parse_url(std::string_view text, std::string_view variable) {
  const auto bad = [&] { return config_error(std::string(variable) + " is not an http(s) URL"); };
  const auto url = boost::urls::parse_uri(text);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->encoded_host().empty()) throw bad();
  acsbatch::endpoint out;
  out.scheme = url->scheme();
  std::string host(url->encoded_host_address());
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out.host = host;
  out.port = url->has_port() ? url->port_number() : (out.scheme == "https" ? 443 : 80);
  if (url->has_port() && out.port == 0) throw bad();
  std::string path(url->encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  return {out, path};
}

/// application/x-www-form-urlencoded value: everything but unreserved characters escaped.
std::string form_encode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0f];
    }
  }
  return out;
}

bool is_plain_number(std::string_view text) {
  return !text.empty() && text.size() < 19 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

/// A JSON number or a string of digits (IMDS sends strings) → seconds.
std::optional<std::int64_t> seconds_of(const boost::json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  if (value->is_string() && is_plain_number(value->get_string())) return std::stoll(std::string(value->get_string()));
  return std::nullopt;
}

token_failure invalid(std::string what) {
  token_failure f;
  f.code = make_error_code(errc::invalid_response);
  f.description = std::move(what);
  return f;
}

/// At most 200 printable characters of a server's text.
std::string excerpt(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  return out;
}

}  // namespace

std::string_view to_string(entra_source source) {
  switch (source) {
    case entra_source::client_secret: return "client secret (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)";
    case entra_source::app_service_identity: return "managed identity (IDENTITY_ENDPOINT)";
    case entra_source::imds_identity: return "managed identity (IMDS)";
  }
  return "managed identity (IMDS)";
}

entra_settings entra_settings_from(const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  const auto get = [&](std::string_view name) {
    auto value = lookup(name);
    return value && !value->empty() ? value : std::nullopt;
  };
  entra_settings out;
  const auto tenant = get("AZURE_TENANT_ID");
  const auto client = get("AZURE_CLIENT_ID");
  const auto secret = get("AZURE_CLIENT_SECRET");
  if (secret) {
    if (!tenant || !client)
      throw config_error(std::string("AZURE_CLIENT_SECRET is set, but ") +
                         (!tenant && !client ? "AZURE_TENANT_ID and AZURE_CLIENT_ID are" : !tenant ? "AZURE_TENANT_ID is" : "AZURE_CLIENT_ID is") +
                         " not: client-secret authentication needs all three");
    if (tenant->find_first_of("/?#% ") != std::string::npos) throw config_error("AZURE_TENANT_ID is not a tenant id or domain");
    out.source = entra_source::client_secret;
    out.tenant_id = *tenant;
    out.client_id = *client;
    out.client_secret = *secret;
    auto [host, path] = parse_url(get("AZURE_AUTHORITY_HOST").value_or("https://login.microsoftonline.com"), "AZURE_AUTHORITY_HOST");
    out.token_host = host;
    out.token_path = path + "/" + *tenant + "/oauth2/v2.0/token";
    return out;
  }
  if (const auto identity_endpoint = get("IDENTITY_ENDPOINT")) {
    const auto header = get("IDENTITY_HEADER");
    if (!header) throw config_error("IDENTITY_ENDPOINT is set, but IDENTITY_HEADER is not: App Service's managed identity needs both");
    out.source = entra_source::app_service_identity;
    out.identity_header = *header;
    if (client) out.client_id = *client;
    auto [host, path] = parse_url(*identity_endpoint, "IDENTITY_ENDPOINT");
    out.token_host = host;
    out.token_path = path.empty() ? "/" : path;
    return out;
  }
  out.source = entra_source::imds_identity;
  if (client) out.client_id = *client;
  auto [host, path] = parse_url(get("AZURE_POD_IDENTITY_AUTHORITY_HOST").value_or("http://169.254.169.254"),
                                "AZURE_POD_IDENTITY_AUTHORITY_HOST");
  out.token_host = host;
  out.token_path = path + "/metadata/identity/oauth2/token";
  return out;
}

entra_settings entra_settings_from_environment() {
  return entra_settings_from([](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

http::request make_token_request(const entra_settings& settings) {
  http::request req;
  req.headers.add("Host", settings.token_host.authority());
  req.headers.add("Accept", "application/json");
  req.headers.add("User-Agent", "acsbatch");
  switch (settings.source) {
    case entra_source::client_secret:
      req.method = "POST";
      req.target = settings.token_path;
      req.headers.add("Content-Type", "application/x-www-form-urlencoded");
      req.body = "client_id=" + form_encode(settings.client_id) + "&client_secret=" + form_encode(settings.client_secret) +
                 "&grant_type=client_credentials&scope=" + form_encode(communication_scope);
      req.has_body = true;
      break;
    case entra_source::app_service_identity:
      req.method = "GET";
      req.target = settings.token_path + "?api-version=2019-08-01&resource=" + form_encode(communication_resource);
      if (!settings.client_id.empty()) req.target += "&client_id=" + form_encode(settings.client_id);
      req.headers.add("X-IDENTITY-HEADER", settings.identity_header);
      break;
    case entra_source::imds_identity:
      req.method = "GET";
      req.target = settings.token_path + "?api-version=2018-02-01&resource=" + form_encode(communication_resource);
      if (!settings.client_id.empty()) req.target += "&client_id=" + form_encode(settings.client_id);
      req.headers.add("Metadata", "true");
      break;
  }
  return req;
}

std::string token_failure::describe() const {
  if (http_status != 0) {
    std::string out = "the token endpoint answered HTTP " + std::to_string(http_status);
    if (!error.empty()) out += " " + error;
    if (!description.empty()) out += ": " + description;
    return out;
  }
  if (!description.empty()) return "no token: " + description;
  return "no token: " + code.message();
}

boost::system::result<bearer_token, token_failure> read_token_response(const http::response& res,
                                                                       std::chrono::system_clock::time_point now) {
  boost::system::error_code ec;
  const auto json = boost::json::parse(res.body, ec);
  const auto* object = !ec ? json.if_object() : nullptr;
  if (res.status != 200) {
    token_failure f;
    f.code = make_error_code(errc::http_status);
    f.http_status = res.status;
    if (object != nullptr) {
      if (const auto* e = object->if_contains("error"); e && e->is_string()) f.error = excerpt(e->get_string());
      if (const auto* d = object->if_contains("error_description"); d && d->is_string())
        f.description = excerpt(d->get_string());
    }
    return f;
  }
  if (object == nullptr) return invalid("the token response is not a JSON object");
  const auto* token = object->if_contains("access_token");
  if (token == nullptr || !token->is_string() || token->get_string().empty())
    return invalid("the token response has no access_token");
  bearer_token out;
  out.value = std::string(token->get_string());
  if (const auto in = seconds_of(object->if_contains("expires_in")); in && *in > 0 && *in < 100'000'000) {
    out.expires_on = now + std::chrono::seconds{*in};
  } else if (const auto on = seconds_of(object->if_contains("expires_on")); on && *on > 0 && *on < 100'000'000'000) {
    out.expires_on = std::chrono::system_clock::time_point{std::chrono::seconds{*on}};
  } else {
    return invalid("the token response has neither expires_in nor expires_on");
  }
  return out;
}

std::chrono::system_clock::time_point refresh_time(const bearer_token& token,
                                                   std::chrono::system_clock::time_point issued_at) {
  const auto life = token.expires_on - issued_at;
  const auto margin = life < std::chrono::minutes{10} ? life / 2 : std::chrono::system_clock::duration{std::chrono::minutes{5}};
  return token.expires_on - margin;
}

}  // namespace acsbatch::auth
