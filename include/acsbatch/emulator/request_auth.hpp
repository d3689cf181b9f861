#pragma once
/// Server side of ACS HMAC-SHA256 authentication (docs/rest-contract.md §4, §8, §10): recompute the
/// content hash and the string-to-sign from what arrived, and compare in constant time.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/http/message.hpp"

namespace acsbatch::emulator {

enum class auth_failure_reason {
  missing_authorization,    ///< no Authorization header
  malformed_authorization,  ///< not `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…`
  missing_date,             ///< no x-ms-date
  malformed_date,           ///< x-ms-date is not an IMF-fixdate
  clock_skew,               ///< x-ms-date further from now than the allowed skew
  missing_host,             ///< no Host header
  missing_content_hash,     ///< no x-ms-content-sha256
  content_hash_mismatch,    ///< x-ms-content-sha256 is not the hash of the body that arrived
  signature_mismatch,       ///< the signature is not ours (wrong key, or a signed part changed)
};
/// "missing_authorization", "clock_skew", … (the emulator's x-emulator-denial-reason header).
std::string_view to_string(auth_failure_reason reason);

struct auth_failure {
  auth_failure_reason reason;
  /// The service's message: "Request 'x-ms-content-sha256' differs from generated content
  /// hash." for a hash mismatch, "Denied by the resource provider." for everything else.
  std::string_view message;
};

/// nullopt when the request is authentic: signed with `signer`'s key over its raw
/// request-target, its Host header, its x-ms-date (within ±max_skew of `now`) and the SHA-256
/// of its raw body bytes.
std::optional<auth_failure> verify_request(const http::request& request,
                                           const auth::hmac_signer& signer,
                                           std::chrono::system_clock::time_point now,
                                           std::chrono::seconds max_skew);

}  // namespace acsbatch::emulator
