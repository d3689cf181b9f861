#pragma once
/// Transport errors that say why: the same acsbatch::errc for every comparison, with the
/// low-level reason (a rejected certificate, a name that does not resolve, a refused connection)
/// in the message, which is what the user reads when a run stops.

#include <string>

#include <boost/system/error_code.hpp>

#include "acsbatch/core/error.hpp"

namespace acsbatch::http::detail {

/// `code`, whose message is `code`'s own followed by ": " and `reason`, e.g. "could not connect:
/// Connection refused". It compares equal to make_error_code(code): its category has
/// acsbatch_category()'s id. `reason` must not hold a secret; keep the set of reasons small
/// (each distinct message is kept for the life of the process).
boost::system::error_code with_reason(acsbatch::errc code, const std::string& reason);

/// errc::tls_failed because OpenSSL rejected the server's certificate with `verify_result` (an
/// X509_V_ERR_* value): "TLS handshake failed: the server's certificate has expired", "… is not
/// signed by a trusted CA (…)", "… does not name the host it was reached at", "… failed
/// verification (…)".
boost::system::error_code certificate_error(long verify_result);

}  // namespace acsbatch::http::detail
