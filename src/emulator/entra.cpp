#include "acsbatch/emulator/entra.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/percent_encoding.hpp"
#include "acsbatch/emulator/routes.hpp"
#include "replies.hpp"

namespace acsbatch::emulator {
namespace {

constexpr std::string_view audience = "https://communication.azure.com";

http::response oauth_error(unsigned status, std::string_view code, std::string_view description) {
  boost::json::object body;
  body["error"] = code;
  body["error_description"] = description;
  return replies::json(status, body);
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string issue(const entra_app& app, std::string_view secret, std::chrono::system_clock::time_point now) {
  boost::json::object claims;
  claims["aud"] = audience;
  claims["iss"] = "https://sts.windows.net/" + app.tenant_id + "/";
  claims["iat"] = unix_seconds(now);
  claims["nbf"] = unix_seconds(now);
  claims["exp"] = unix_seconds(now + app.token_lifetime);
  claims["appid"] = app.client_id;
  claims["tid"] = app.tenant_id;
  const std::string head = auth::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                           auth::base64url_encode(boost::json::serialize(claims));
  return head + "." + auth::base64url_encode(auth::hmac_sha256(secret, head));
}

/// `a=1&b=2` form fields; nullopt when `name` is absent.
std::optional<std::string> form_field(std::string_view form, std::string_view name) {
  return query_parameter(form, name);
}

http::response token_endpoint(const entra_app& app, std::string_view secret, std::string_view tenant,
                              const http::request& request, std::chrono::system_clock::time_point now) {
  const auto& form = request.body;
  const auto grant = form_field(form, "grant_type");
  if (!grant) return oauth_error(400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
  if (*grant != "client_credentials")
    return oauth_error(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.");
  if (tenant != app.tenant_id)
    return oauth_error(400, "invalid_request", "AADSTS90002: Tenant not found. Check the tenant id (AZURE_TENANT_ID).");
  const auto client = form_field(form, "client_id");
  if (!client || *client != app.client_id)
    return oauth_error(400, "unauthorized_client",
                       "AADSTS700016: The application was not found in the directory. Check the client id (AZURE_CLIENT_ID).");
  const auto secret_sent = form_field(form, "client_secret");
  if (!secret_sent || !auth::constant_time_equal(*secret_sent, app.client_secret))
    return oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
  const auto scope = form_field(form, "scope");
  if (!scope || !is_communication_scope(*scope))
    return oauth_error(400, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid.");
  boost::json::object body;
  body["token_type"] = "Bearer";
  body["expires_in"] = app.token_lifetime.count();
  body["ext_expires_in"] = app.token_lifetime.count();
  body["access_token"] = issue(app, secret, now);
  return replies::json(200, body);
}

http::response managed_identity(const entra_app& app, std::string_view secret, entra_endpoint where,
                                const http::request& request, std::chrono::system_clock::time_point now) {
  const auto query = split_request_target(request.target).query;
  if (where == entra_endpoint::imds) {
    const auto metadata = request.headers.get("Metadata");
    if (!metadata || *metadata != "true")
      return oauth_error(400, "invalid_request", "Required metadata header not specified");
  } else {
    const auto header = request.headers.get("X-IDENTITY-HEADER");
    if (app.identity_header.empty() || !header || !auth::constant_time_equal(*header, app.identity_header))
      return oauth_error(401, "invalid_request", "The X-IDENTITY-HEADER is missing or wrong.");
  }
  const auto resource = query_parameter(query, "resource");
  if (!resource || !is_communication_scope(*resource + "/.default"))
    return oauth_error(400, "invalid_resource", "AADSTS500011: The resource principal was not found.");
  boost::json::object body;
  body["access_token"] = issue(app, secret, now);
  body["client_id"] = app.client_id;
  body["expires_in"] = std::to_string(app.token_lifetime.count());
  body["expires_on"] = std::to_string(unix_seconds(now + app.token_lifetime));
  body["resource"] = *resource;
  body["token_type"] = "Bearer";
  return replies::json(200, body);
}

}  // namespace

entra_app test_entra_app() {
  entra_app app;
  app.tenant_id = "00000000-0000-4000-8000-00000000e171";
  app.client_id = "00000000-0000-4000-8000-00000000c11e";
  // base64url: nothing a shell or the space-separated line of entra_environment would split.
  app.client_secret = "emulator-" + auth::base64url_encode(auth::random_bytes(24));
  app.identity_header = "emulator-" + auth::base64url_encode(auth::random_bytes(24));
  return app;
}

std::string entra_environment(const entra_app& app, std::string_view url) {
  std::string base(url);
  if (base.empty() || base.back() != '/') base += '/';
  std::string out = "AZURE_AUTHORITY_HOST=" + base + " AZURE_TENANT_ID=" + app.tenant_id +
                    " AZURE_CLIENT_ID=" + app.client_id + " AZURE_CLIENT_SECRET=" + app.client_secret;
  if (!app.identity_header.empty())
    out += " IDENTITY_ENDPOINT=" + base + "msi/token IDENTITY_HEADER=" + app.identity_header;
  out += " AZURE_POD_IDENTITY_AUTHORITY_HOST=" + base.substr(0, base.size() - 1);
  return out;
}

bool is_communication_scope(std::string_view scope) {
  return scope == "https://communication.azure.com//.default" || scope == "https://communication.azure.com/.default";
}

http::response answer_token_request(const entra_app& app, std::string_view signing_secret, entra_endpoint where,
                                    std::string_view tenant, const http::request& request,
                                    std::chrono::system_clock::time_point now) {
  if (where == entra_endpoint::token) return token_endpoint(app, signing_secret, tenant, request, now);
  return managed_identity(app, signing_secret, where, request, now);
}

bool accepts_bearer(std::string_view authorization, std::string_view signing_secret,
                    std::chrono::system_clock::time_point now) {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size() || !http::iequals(authorization.substr(0, scheme.size()), scheme))
    return false;
  const std::string_view token = authorization.substr(scheme.size());
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) return false;
  const auto signature = auth::base64url_decode(token.substr(second + 1));
  if (!signature || !auth::constant_time_equal(*signature, auth::hmac_sha256(signing_secret, token.substr(0, second))))
    return false;
  const auto payload = auth::base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) return false;
  boost::system::error_code ec;
  const auto claims = boost::json::parse(*payload, ec);
  if (ec || !claims.is_object()) return false;
  const auto* aud = claims.as_object().if_contains("aud");
  const auto* exp = claims.as_object().if_contains("exp");
  if (aud == nullptr || !aud->is_string() || aud->get_string() != audience) return false;
  if (exp == nullptr || !exp->is_int64()) return false;
  return unix_seconds(now) < exp->get_int64();
}

}  // namespace acsbatch::emulator
