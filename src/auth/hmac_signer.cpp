#include "acsbatch/auth/hmac_signer.hpp"

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/http_date.hpp"

namespace acsbatch::auth {

std::string content_hash(std::string_view body) {
  // Creates, revokes and deletes have no body: their hash is a constant.
  if (body.empty()) return "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  return base64_encode(sha256(body));
}

std::string string_to_sign(std::string_view method, std::string_view path_and_query,
                           std::string_view date, std::string_view host,
                           std::string_view content_hash) {
  std::string out;
  out.reserve(method.size() + path_and_query.size() + date.size() + host.size() +
              content_hash.size() + 4);
  out.append(method).append("\n").append(path_and_query).append("\n");
  out.append(date).append(";").append(host).append(";").append(content_hash);
  return out;
}

std::string hmac_signer::signature(std::string_view text) const {
  return base64_encode(key_.mac(text));
}

signed_headers hmac_signer::sign(std::string_view method, std::string_view path_and_query,
                                 std::string_view host, std::string_view date,
                                 std::string_view body) const {
  signed_headers out;
  out.date = date;
  out.content_sha256 = content_hash(body);
  out.authorization = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" +
                      signature(string_to_sign(method, path_and_query, date, host, out.content_sha256));
  return out;
}

signed_headers hmac_signer::sign(std::string_view method, std::string_view path_and_query,
                                 std::string_view host, std::chrono::system_clock::time_point now,
                                 std::string_view body) const {
  return sign(method, path_and_query, host, format_http_date(now), body);
}

}  // namespace acsbatch::auth
