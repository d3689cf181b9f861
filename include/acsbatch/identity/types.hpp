#pragma once
/// The identity service's values, and its failures as one typed error.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace acsbatch::identity {

/// Token scope any known api-version names (identity/api_versions.hpp has each version's).
bool is_known_scope(std::string_view scope);
/// In the api-version table (identity/api_versions.hpp).
bool is_supported_api_version(std::string_view version);
/// customId on create and GET /identities/{id}: the versions whose spec defines them.
bool api_version_has_custom_id(std::string_view version);

struct user {
  std::string id;  ///< raw id, e.g. 8:acs:<resource>_<guid>
  std::optional<std::string> custom_id;
  std::optional<std::string> last_token_issued_at;
  /// The create's answer said `Repeatability-Result: accepted`: the service processed its
  /// Repeatability-Request-ID, so a repeat of that create returns this identity.
  bool repeatability_accepted = false;
};

struct access_token {
  std::string token;  ///< secret: never logged or reported
  std::chrono::system_clock::time_point expires_on;
};

struct user_and_token {
  identity::user user;
  access_token token;
};

/// A failed call: `code` is errc::http_status when the service answered with an error status
/// (then `http_status`, `service_code`, `message` come from its CommunicationErrorResponse),
/// otherwise a transport or contract error. Never contains the key or a token.
struct error {
  boost::system::error_code code;
  unsigned http_status = 0;
  std::string service_code;
  /// The service's message (a sanitized excerpt, at most ~200 characters, when the error body
  /// was not a CommunicationErrorResponse), or what broke the contract for invalid_response.
  std::string message;
  /// CommunicationErrorResponse `error.target`, e.g. "scopes" for a ValidationError.
  std::string target;
  /// x-ms-client-request-id we sent (same across retries), for support tickets.
  std::string client_request_id;
  /// The service's server-side request id when it sent one (x-ms-request-id / MS-CV).
  std::string service_request_id;
  /// Retry-After / retry-after-ms / x-ms-retry-after-ms, when the service sent one.
  std::optional<std::chrono::milliseconds> retry_after;

  /// One line for humans: "HTTP 404 IdentityNotFound: …" or "request timed out".
  std::string describe() const;
};

/// Lets `result<T>::value()` throw: a boost::system::system_error with `describe()` as text.
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, error>;

}  // namespace acsbatch::identity
