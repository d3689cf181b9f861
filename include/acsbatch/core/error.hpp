#pragma once
/// Error codes shared by every layer. The service's own details (HTTP status, ACS error code,
/// message, request id) travel beside the code in identity::error, never inside it.

#include <stdexcept>
#include <string>
#include <system_error>

#include <boost/system/error_code.hpp>

namespace acsbatch {

enum class errc {
  /// The request did not complete within its timeout.
  timeout = 1,
  /// No connection could be established (refused, unreachable, DNS failure).
  connection_failed,
  /// The peer closed or reset the connection before a complete response arrived.
  connection_closed,
  /// The TLS handshake failed (certificate, host name, protocol).
  tls_failed,
  /// The peer sent something that is not valid HTTP/1.1.
  protocol_error,
  /// The response exceeded the configured size limit.
  response_too_large,
  /// Plain http to a host that is not loopback was refused (TLS is required).
  insecure_endpoint,
  /// The service answered with a non-success HTTP status.
  http_status,
  /// The service answered successfully but the body is not what the contract says.
  invalid_response,
  /// The operation was cancelled (stop requested).
  cancelled,
};

const boost::system::error_category& acsbatch_category() noexcept;

/// acsbatch_category()'s id. Boost.System treats categories with the same non-zero id as one
/// category, which lets the http layer report errc::tls_failed with a message that says why
/// the certificate was rejected (certificate_error() in http/detail/reasoned_error.hpp): still equal to
/// errc::tls_failed for every comparison.
inline constexpr unsigned long long acsbatch_category_id = 0x9c2f5e41a7d3b608ULL;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), acsbatch_category()};
}

/// A start-up failure caused by the user's input (connection string, job file, flags).
/// The message is meant for the user as is and never contains a secret.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace acsbatch

template <>
struct boost::system::is_error_code_enum<acsbatch::errc> : std::true_type {};
