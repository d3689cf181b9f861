#pragma once
/// Where a service lives: scheme, host and port, parsed once from a URL.

#include <cstdint>
#include <string>
#include <string_view>

namespace acsbatch {

struct endpoint {
  std::string scheme;  ///< "http" or "https"
  std::string host;    ///< lower-case host name or IP literal (IPv6 without brackets)
  std::uint16_t port = 0;

  bool is_tls() const { return scheme == "https"; }
  /// `Host` header value and the host the HMAC signature covers: host plus `:port` when the
  /// port is not the scheme's default (brackets around IPv6 literals).
  std::string authority() const;
  /// scheme://authority, no trailing slash.
  std::string url() const;
  /// 127.0.0.0/8, ::1 or "localhost": the only places plain http is allowed by default.
  bool is_loopback() const;

  /// Parses `http(s)://host[:port][/]`. A path other than `/`, a query, a fragment or user
  /// info is refused. Throws config_error with a message naming what is wrong.
  static endpoint parse(std::string_view url);

  friend bool operator==(const endpoint&, const endpoint&) = default;
};

}  // namespace acsbatch
