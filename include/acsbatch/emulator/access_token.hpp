#pragma once
/// The emulator's access tokens: JWT-shaped like the service's (docs/rest-contract.md §7), but HS256-signed
/// with an emulator-internal secret so the emulator can later tell its own tokens apart.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace acsbatch::emulator {

/// What a token says. Times are Unix seconds, as the JWT claims carry them.
struct token_claims {
  std::string identity_id;  ///< raw id, `8:acs:<resource>_<user>`; the claim `skypeid` drops `8:`
  std::string resource_id;
  std::vector<std::string> scopes;  ///< claim `acsScope`, comma-joined
  std::int64_t issued_at = 0;       ///< claims `iat` and `csi`
  std::int64_t expires_at = 0;      ///< claim `exp`
  /// Claim `jti`: issue order within one emulator, so revocation compares serials rather than
  /// seconds (a token issued in the same second as a revoke is still ordered correctly).
  std::uint64_t serial = 0;
};

/// base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256(secret, first two parts)),
/// header `{"alg":"HS256","typ":"JWT"}`, payload claims in the service's order plus `jti`.
std::string encode_access_token(const token_claims& claims, std::string_view secret);

enum class token_decode_status {
  ok,
  malformed,      ///< not three base64url segments, or a payload that is not our claims
  bad_signature,  ///< well-formed, but not signed with this secret
};

struct decoded_access_token {
  token_decode_status status = token_decode_status::malformed;
  token_claims claims;  ///< meaningful only when status is ok
};

/// Verifies the signature (in constant time) before trusting any claim.
decoded_access_token decode_access_token(std::string_view token, std::string_view secret);

}  // namespace acsbatch::emulator
