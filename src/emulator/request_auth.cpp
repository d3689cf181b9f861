#include "acsbatch/emulator/request_auth.hpp"

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/http_date.hpp"

namespace acsbatch::emulator {
namespace {

constexpr std::string_view denied_message = "Denied by the resource provider.";
constexpr std::string_view content_hash_message =
    "Request 'x-ms-content-sha256' differs from generated content hash.";

auth_failure deny(auth_failure_reason reason) {
  return {reason, reason == auth_failure_reason::content_hash_mismatch ? content_hash_message
                                                                        : denied_message};
}

/// The Signature parameter of `HMAC-SHA256 SignedHeaders=…&Signature=…`; nullopt when the
/// scheme, the parameters or the signed-header list are not what the SDKs send.
std::optional<std::string_view> signature_of(std::string_view authorization) {
  constexpr std::string_view scheme = "HMAC-SHA256 ";
  if (authorization.size() < scheme.size() ||
      !http::iequals(authorization.substr(0, scheme.size()), scheme))
    return std::nullopt;
  std::string_view params = authorization.substr(scheme.size());
  std::optional<std::string_view> signed_headers;
  std::optional<std::string_view> signature;
  while (!params.empty()) {
    const auto amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    params = amp == std::string_view::npos ? std::string_view{} : params.substr(amp + 1);
    const auto equals = param.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string_view name = param.substr(0, equals);
    // Signature values are base64 and may end in '=': split at the first '=' only.
    const std::string_view value = param.substr(equals + 1);
    if (http::iequals(name, "SignedHeaders")) signed_headers = value;
    else if (http::iequals(name, "Signature")) signature = value;
    else return std::nullopt;
  }
  // Only the one header list the SDKs sign is understood; the string-to-sign depends on it.
  if (!signed_headers || !http::iequals(*signed_headers, "x-ms-date;host;x-ms-content-sha256") ||
      !signature || signature->empty())
    return std::nullopt;
  return signature;
}

}  // namespace

std::string_view to_string(auth_failure_reason reason) {
  switch (reason) {
    case auth_failure_reason::missing_authorization: return "missing_authorization";
    case auth_failure_reason::malformed_authorization: return "malformed_authorization";
    case auth_failure_reason::missing_date: return "missing_date";
    case auth_failure_reason::malformed_date: return "malformed_date";
    case auth_failure_reason::clock_skew: return "clock_skew";
    case auth_failure_reason::missing_host: return "missing_host";
    case auth_failure_reason::missing_content_hash: return "missing_content_hash";
    case auth_failure_reason::content_hash_mismatch: return "content_hash_mismatch";
    case auth_failure_reason::signature_mismatch: return "signature_mismatch";
  }
  return "signature_mismatch";
}

std::optional<auth_failure> verify_request(const http::request& request,
                                           const auth::hmac_signer& signer,
                                           std::chrono::system_clock::time_point now,
                                           std::chrono::seconds max_skew) {
  const auto authorization = request.headers.get("Authorization");
  if (!authorization) return deny(auth_failure_reason::missing_authorization);
  const auto signature = signature_of(*authorization);
  if (!signature) return deny(auth_failure_reason::malformed_authorization);

  const auto date_text = request.headers.get("x-ms-date");
  if (!date_text) return deny(auth_failure_reason::missing_date);
  const auto date = parse_http_date(*date_text);
  if (!date) return deny(auth_failure_reason::malformed_date);
  // Both directions: a client clock ahead of ours is as suspect as a replayed old request.
  // Retries re-send their first date, so the window has to cover the whole retry schedule.
  // Compared with now ± max_skew, not by subtracting: the nanosecond difference to a date
  // centuries away (x-ms-date: 1678) overflows.
  if (*date > now + max_skew || *date < now - max_skew)
    return deny(auth_failure_reason::clock_skew);

  const auto host = request.headers.get("Host");
  if (!host) return deny(auth_failure_reason::missing_host);

  const auto claimed_hash = request.headers.get("x-ms-content-sha256");
  if (!claimed_hash) return deny(auth_failure_reason::missing_content_hash);
  const std::string actual_hash = auth::content_hash(request.body);
  if (!auth::constant_time_equal(actual_hash, *claimed_hash))
    return deny(auth_failure_reason::content_hash_mismatch);

  const std::string expected = signer.signature(
      auth::string_to_sign(request.method, request.target, *date_text, *host, actual_hash));
  if (!auth::constant_time_equal(expected, *signature))
    return deny(auth_failure_reason::signature_mismatch);
  return std::nullopt;
}

}  // namespace acsbatch::emulator
