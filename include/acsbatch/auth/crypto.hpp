#pragma once
/// The few primitives HMAC authentication needs, on OpenSSL.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace acsbatch::auth {

/// Standard base64 with padding (`+/=`), as the Authorization header uses.
std::string base64_encode(std::string_view bytes);
/// Strict standard base64 (padding required, no whitespace); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);
/// base64url without padding, as JWT segments use.
std::string base64url_encode(std::string_view bytes);
/// base64url without padding; nullopt when malformed.
std::optional<std::string> base64url_decode(std::string_view text);

/// Raw 32-byte SHA-256 digest.
std::string sha256(std::string_view data);
/// Raw 32-byte HMAC-SHA256.
std::string hmac_sha256(std::string_view key, std::string_view message);
/// HMAC-SHA256 under one key whose schedule is computed once: what signing every request of a
/// run with the same access key needs. Copies share the keyed state; safe from any thread.
class hmac_sha256_key {
 public:
  explicit hmac_sha256_key(std::string_view key);
  /// Raw 32-byte HMAC-SHA256 of `message`, equal to hmac_sha256(key, message).
  std::string mac(std::string_view message) const;

 private:
  struct state;
  std::shared_ptr<const state> state_;
};

/// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);
/// Constant-time comparison, for signatures.
bool constant_time_equal(std::string_view a, std::string_view b);
/// Cryptographically random bytes.
std::string random_bytes(std::size_t count);

}  // namespace acsbatch::auth
