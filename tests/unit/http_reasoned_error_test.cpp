// Transport errors that say why: still equal to their acsbatch::errc for every check the engine
// makes, with the reason in the message the user reads.

#include "acsbatch/http/detail/reasoned_error.hpp"

#include <gtest/gtest.h>

#include <openssl/x509_vfy.h>

namespace acsbatch::http::detail {
namespace {

TEST(http_reasoned_error, equals_its_code_and_adds_the_reason_to_the_message) {
  const auto refused = with_reason(errc::connection_failed, "Connection refused");
  EXPECT_EQ(refused, errc::connection_failed);
  EXPECT_EQ(refused, make_error_code(errc::connection_failed));
  EXPECT_NE(refused, errc::connection_closed);
  EXPECT_EQ(refused.category(), acsbatch_category());
  EXPECT_EQ(refused.message(), "could not connect: Connection refused");
  // The same reason twice is the same category (the set of messages stays small).
  EXPECT_EQ(&with_reason(errc::connection_failed, "Connection refused").category(), &refused.category());
}

TEST(http_reasoned_error, certificate_errors_name_the_check_that_failed) {
  EXPECT_EQ(certificate_error(X509_V_ERR_CERT_HAS_EXPIRED), errc::tls_failed);
  EXPECT_EQ(certificate_error(X509_V_ERR_CERT_HAS_EXPIRED).message(),
            "TLS handshake failed: the server's certificate has expired");
  EXPECT_EQ(certificate_error(X509_V_ERR_IP_ADDRESS_MISMATCH).message(),
            "TLS handshake failed: the server's certificate does not name the host it was reached at");
  EXPECT_EQ(certificate_error(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY).message(),
            "TLS handshake failed: the server's certificate is not signed by a trusted CA (unable to get local "
            "issuer certificate)");
  EXPECT_EQ(certificate_error(X509_V_ERR_CERT_REVOKED).message(),
            "TLS handshake failed: the server's certificate failed verification (certificate revoked)");
}

}  // namespace
}  // namespace acsbatch::http::detail
