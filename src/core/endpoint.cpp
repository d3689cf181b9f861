#include "acsbatch/core/endpoint.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

#include "acsbatch/core/error.hpp"

namespace acsbatch {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string endpoint::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const std::uint16_t default_port = is_tls() ? 443 : 80;
  if (port != default_port) out += ":" + std::to_string(port);
  return out;
}

std::string endpoint::url() const { return scheme + "://" + authority(); }

bool endpoint::is_loopback() const {
  if (host == "localhost" || host == "::1") return true;
  return host.starts_with("127.") && std::count(host.begin(), host.end(), '.') == 3 &&
         host.find_first_not_of("0123456789.") == std::string::npos;
}

endpoint endpoint::parse(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) throw config_error("endpoint is not an absolute URL (expected https://<resource>.communication.azure.com/)");
  const boost::urls::url_view url = *parsed;
  endpoint out;
  out.scheme = lower(url.scheme());
  if (out.scheme != "http" && out.scheme != "https")
    throw config_error("endpoint scheme must be http or https, not '" + out.scheme + "'");
  if (url.has_userinfo()) throw config_error("endpoint must not contain user information");
  if (url.has_query() || url.has_fragment())
    throw config_error("endpoint must not contain a query or fragment");
  std::string_view path = url.encoded_path();
  out.host = lower(url.host_type() == boost::urls::host_type::ipv6 ? url.encoded_host_address()
                                                                    : url.encoded_host());
  // Boost.URL 1.81 reads "127.0.0.1.nip.io" as the IPv4 host "127.0.0.1" followed by a path
  // ".nip.io": such a "path" is really the rest of a DNS name.
  if (url.host_type() == boost::urls::host_type::ipv4 && !url.has_port() && !path.empty() &&
      path.front() != '/') {
    const auto slash = path.find('/');
    out.host += lower(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  if (!path.empty() && path != "/")
    throw config_error("endpoint must have no path (got '" + std::string(path) + "')");
  if (out.host.empty()) throw config_error("endpoint has no host");
  if (url.has_port()) {
    const auto port_text = url.port();
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 || value > 65535)
      throw config_error("endpoint port '" + std::string(port_text) + "' is not a valid port");
    out.port = static_cast<std::uint16_t>(value);
  } else {
    out.port = out.is_tls() ? 443 : 80;
  }
  return out;
}

}  // namespace acsbatch
