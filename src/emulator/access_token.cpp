#include "acsbatch/emulator/access_token.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "acsbatch/auth/crypto.hpp"

namespace acsbatch::emulator {
namespace {

constexpr std::string_view header_json = R"({"alg":"HS256","typ":"JWT"})";

std::string join(const std::vector<std::string>& parts, char separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  while (true) {
    const auto at = text.find(separator);
    out.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

std::string sign(std::string_view signing_input, std::string_view secret) {
  return auth::base64url_encode(auth::hmac_sha256(secret, signing_input));
}

bool read_int(const boost::json::object& object, std::string_view key, std::int64_t& out) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return false;
  if (value->is_int64()) {
    out = value->get_int64();
    return true;
  }
  if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    out = static_cast<std::int64_t>(value->get_uint64());
    return true;
  }
  return false;
}

const boost::json::string* read_string(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr ? value->if_string() : nullptr;
}

std::string_view view(const boost::json::string& text) { return {text.data(), text.size()}; }

}  // namespace

std::string encode_access_token(const token_claims& claims, std::string_view secret) {
  // Claim order follows the service's tokens (docs/rest-contract.md §7); `jti` is the emulator's addition.
  boost::json::object payload;
  const std::string_view id = claims.identity_id;
  payload["skypeid"] = id.starts_with("8:") ? id.substr(2) : id;
  payload["scp"] = 1792;
  payload["csi"] = std::to_string(claims.issued_at);
  payload["exp"] = claims.expires_at;
  payload["acsScope"] = join(claims.scopes, ',');
  payload["resourceId"] = claims.resource_id;
  payload["iat"] = claims.issued_at;
  payload["jti"] = std::to_string(claims.serial);

  std::string token = auth::base64url_encode(header_json);
  token += '.';
  token += auth::base64url_encode(boost::json::serialize(payload));
  const std::string signature = sign(token, secret);
  token += '.';
  token += signature;
  return token;
}

decoded_access_token decode_access_token(std::string_view token, std::string_view secret) {
  decoded_access_token out;
  const auto first_dot = token.find('.');
  const auto last_dot = token.rfind('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot) return out;
  const std::string_view signing_input = token.substr(0, last_dot);
  if (signing_input.find('.', first_dot + 1) != std::string_view::npos) return out;
  const std::string_view signature = token.substr(last_dot + 1);
  if (!auth::base64url_decode(token.substr(0, first_dot)) || !auth::base64url_decode(signature))
    return out;
  if (!auth::constant_time_equal(sign(signing_input, secret), signature)) {
    out.status = token_decode_status::bad_signature;
    return out;
  }

  const auto payload_text =
      auth::base64url_decode(token.substr(first_dot + 1, last_dot - first_dot - 1));
  if (!payload_text) return out;
  boost::system::error_code ec;
  const boost::json::value payload = boost::json::parse(*payload_text, ec);
  if (ec || !payload.is_object()) return out;
  const auto& object = payload.get_object();

  const auto* skype_id = read_string(object, "skypeid");
  const auto* resource = read_string(object, "resourceId");
  const auto* scopes = read_string(object, "acsScope");
  const auto* serial = read_string(object, "jti");
  token_claims claims;
  if (skype_id == nullptr || resource == nullptr || scopes == nullptr || serial == nullptr ||
      !read_int(object, "iat", claims.issued_at) || !read_int(object, "exp", claims.expires_at))
    return out;
  const auto [end, ec2] = std::from_chars(serial->data(), serial->data() + serial->size(), claims.serial);
  if (ec2 != std::errc{} || end != serial->data() + serial->size()) return out;
  claims.identity_id = "8:" + std::string(view(*skype_id));
  claims.resource_id = view(*resource);
  claims.scopes = split(view(*scopes), ',');
  out.status = token_decode_status::ok;
  out.claims = std::move(claims);
  return out;
}

}  // namespace acsbatch::emulator
