#include "acsbatch/core/error.hpp"

namespace acsbatch {
namespace {

class category final : public boost::system::error_category {
 public:
  category() noexcept : error_category(acsbatch_category_id) {}
  const char* name() const noexcept override { return "acsbatch"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::timeout: return "request timed out";
      case errc::connection_failed: return "could not connect";
      case errc::connection_closed: return "connection closed before the response was complete";
      case errc::tls_failed: return "TLS handshake failed";
      case errc::protocol_error: return "malformed HTTP response";
      case errc::response_too_large: return "response too large";
      case errc::insecure_endpoint: return "plain http is only allowed to loopback addresses";
      case errc::http_status: return "service returned an error status";
      case errc::invalid_response: return "service response does not follow the API contract";
      case errc::cancelled: return "cancelled";
    }
    return "unknown acsbatch error";
  }
};

}  // namespace

const boost::system::error_category& acsbatch_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace acsbatch
