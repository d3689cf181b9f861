#pragma once
/// IMF-fixdate (RFC 7231 §7.1.1.1), the form of `x-ms-date` and of `Retry-After` dates:
/// `Wed, 25 Nov 2026 11:58:14 GMT`.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace acsbatch {

std::string format_http_date(std::chrono::system_clock::time_point when);

/// Parses an IMF-fixdate; nullopt for anything else (obsolete RFC 850 / asctime forms included).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// RFC 3339 with 7 fractional digits and `+00:00`, as the service writes `expiresOn`.
std::string format_rfc3339(std::chrono::system_clock::time_point when);

/// Accepts RFC 3339 date-times with any number of fractional digits and `Z` or `±hh:mm`.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace acsbatch
