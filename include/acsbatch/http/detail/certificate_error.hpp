#pragma once
/// A TLS handshake that failed because the server's certificate was rejected, with the reason.

#include <boost/system/error_code.hpp>

namespace acsbatch::http::detail {

/// errc::tls_failed — it compares equal to it, so every check of the code still holds — whose
/// message says why OpenSSL rejected the certificate (`verify_result`, an X509_V_ERR_* value):
/// "TLS handshake failed: the server's certificate has expired", "… is not signed by a trusted
/// CA (…)", "… does not name the host it was reached at", "… failed verification (…)".
boost::system::error_code certificate_error(long verify_result);

}  // namespace acsbatch::http::detail
