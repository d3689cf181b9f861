#pragma once
/// The ACS HMAC-SHA256 request signature, exactly as the official SDKs compute it:
/// stringToSign = VERB "\n" path-and-query "\n" x-ms-date ";" host ";" base64(sha256(body)),
/// signature = base64(HMAC-SHA256(key, stringToSign)).

#include <chrono>
#include <string>
#include <string_view>

#include "acsbatch/auth/crypto.hpp"

namespace acsbatch::auth {

/// The header values a signed request carries besides `Host`.
struct signed_headers {
  std::string date;            ///< x-ms-date
  std::string content_sha256;  ///< x-ms-content-sha256
  std::string authorization;   ///< Authorization
};

/// base64(SHA-256(body)); the empty body hashes to 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=.
std::string content_hash(std::string_view body);

/// The exact text the signature covers.
std::string string_to_sign(std::string_view method, std::string_view path_and_query,
                           std::string_view date, std::string_view host,
                           std::string_view content_hash);

class hmac_signer {
 public:
  /// `key` is the decoded access key (auth::connection_string::access_key).
  explicit hmac_signer(std::string_view key) : key_(key) {}

  /// `path_and_query` is the request-target as sent (percent-encoded path, `?api-version=…`);
  /// `host` is endpoint::authority(); `date` an IMF-fixdate.
  signed_headers sign(std::string_view method, std::string_view path_and_query,
                      std::string_view host, std::string_view date, std::string_view body) const;

  /// Same, dated `now`.
  signed_headers sign(std::string_view method, std::string_view path_and_query,
                      std::string_view host, std::chrono::system_clock::time_point now,
                      std::string_view body) const;

  /// base64 signature over a prepared string-to-sign (what the emulator recomputes).
  std::string signature(std::string_view string_to_sign) const;

 private:
  hmac_sha256_key key_;
};

}  // namespace acsbatch::auth
