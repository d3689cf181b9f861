#include "acsbatch/http/detail/reasoned_error.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include <openssl/x509_vfy.h>

namespace acsbatch::http::detail {
namespace {

std::string certificate_reason(long verify_result) {
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
/// it *is* the acsbatch code of the same value, with a more precise message.
class reasoned_category final : public boost::system::error_category {
 public:
  reasoned_category(acsbatch::errc code, std::string message)
      : error_category(acsbatch_category_id), code_(static_cast<int>(code)), message_(std::move(message)) {}
  const char* name() const noexcept override { return "acsbatch"; }
  std::string message(int value) const override {
    return value == code_ ? message_ : acsbatch_category().message(value);
  }

 private:
  int code_;
  std::string message_;
};

}  // namespace

boost::system::error_code with_reason(acsbatch::errc code, const std::string& reason) {
  // Categories must outlive every code that refers to them: one per message, never destroyed,
  // not even at exit. The messages come from small fixed sets (OpenSSL's verification results,
  // the resolver's and the socket's errors).
  static std::mutex mutex;
  static auto* const categories = new std::map<std::string, std::unique_ptr<reasoned_category>>;
  std::string message = make_error_code(code).message() + ": " + reason;
  std::lock_guard lock(mutex);
  auto& slot = (*categories)[message];
  if (!slot) slot = std::make_unique<reasoned_category>(code, std::move(message));
  return {static_cast<int>(code), *slot};
}

boost::system::error_code certificate_error(long verify_result) {
  return with_reason(errc::tls_failed, "the server's certificate " + certificate_reason(verify_result));
}

}  // namespace acsbatch::http::detail
