#include "acsbatch/http/detail/certificate_error.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <openssl/x509_vfy.h>

#include "acsbatch/core/error.hpp"

namespace acsbatch::http::detail {
namespace {

std::string reason_text(long verify_result) {
  const std::string openssl_text = X509_verify_cert_error_string(verify_result);
  switch (verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED: return "has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID: return "is not valid yet";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return "does not name the host it was reached at";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return "is not signed by a trusted CA (" + openssl_text + ")";
    default: return "failed verification (" + openssl_text + ")";
  }
}

/// Has acsbatch_category()'s id, so Boost.System takes it for that category: a code made with
/// it and errc::tls_failed's value *is* errc::tls_failed, with a more precise message.
class certificate_category final : public boost::system::error_category {
 public:
  explicit certificate_category(long verify_result)
      : error_category(acsbatch_category_id),
        message_("TLS handshake failed: the server's certificate " + reason_text(verify_result)) {}
  const char* name() const noexcept override { return "acsbatch"; }
  std::string message(int value) const override {
    return value == static_cast<int>(errc::tls_failed) ? message_ : acsbatch_category().message(value);
  }

 private:
  std::string message_;
};

}  // namespace

boost::system::error_code certificate_error(long verify_result) {
  // Categories must outlive every code that refers to them: one per verification result seen,
  // never destroyed, not even at exit (OpenSSL has fewer than a hundred of them).
  static std::mutex mutex;
  static auto* const categories = new std::map<long, std::unique_ptr<certificate_category>>;
  std::lock_guard lock(mutex);
  auto& slot = (*categories)[verify_result];
  if (!slot) slot = std::make_unique<certificate_category>(verify_result);
  return {static_cast<int>(errc::tls_failed), *slot};
}

}  // namespace acsbatch::http::detail
