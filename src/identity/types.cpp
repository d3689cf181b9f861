#include "acsbatch/identity/types.hpp"

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <algorithm>

#include "acsbatch/core/error.hpp"
#include "acsbatch/identity/api_versions.hpp"
#include "acsbatch/identity/detail/service_text.hpp"

namespace acsbatch::identity {

bool is_known_scope(std::string_view scope) {
  const auto scopes = all_scopes();
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

bool is_supported_api_version(std::string_view version) { return find_api_version(version) != nullptr; }

bool api_version_has_custom_id(std::string_view version) {
  const auto* info = find_api_version(version);
  return info != nullptr && info->custom_id;
}

std::string error::describe() const {
  std::string out;
  if (code == acsbatch::errc::http_status) {
    out = "HTTP " + std::to_string(http_status);
    if (!service_code.empty()) out += " " + service_code;
  } else {
    out = code.message();
  }
  if (!message.empty()) out += ": " + message;
  if (!target.empty()) out += " (target: " + target + ")";
  if (retry_after) out += " (retry after " + std::to_string(retry_after->count()) + " ms)";
  // Everything above came from us or was sanitized when read; this is the one-line guarantee.
  return detail::sanitize_service_text(out, 400);
}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_exception(boost::system::system_error(e.code, e.describe()), loc);
}

}  // namespace acsbatch::identity
