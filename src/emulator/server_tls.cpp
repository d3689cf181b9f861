#include "server_tls.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "acsbatch/core/error.hpp"

namespace acsbatch::emulator::detail {
namespace {

namespace ssl = boost::asio::ssl;

/// OpenSSL's reason for the last failure ("no start line", "key values mismatch", …), which
/// says more than the error_code's generic message.
std::string openssl_reason(const boost::system::error_code& ec) {
  const unsigned long last = ::ERR_peek_last_error();
  std::string reason = last != 0 && ::ERR_reason_error_string(last) ? ::ERR_reason_error_string(last) : ec.message();
  ::ERR_clear_error();
  return reason;
}

}  // namespace

std::unique_ptr<ssl::context> load_server_tls(const std::filesystem::path& certificate_file,
                                              const std::filesystem::path& key_file) {
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  tls->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use);
  // An encrypted key fails to load instead of OpenSSL asking for its passphrase on the terminal.
  tls->set_password_callback([](std::size_t, ssl::context::password_purpose) { return std::string(); });
  ::ERR_clear_error();
  boost::system::error_code ec;
  tls->use_certificate_chain_file(certificate_file.string(), ec);
  if (ec)
    throw config_error("cannot use the TLS certificate " + certificate_file.string() + ": " + openssl_reason(ec) +
                       " (expected a PEM certificate chain, the server's certificate first)");
  tls->use_private_key_file(key_file.string(), ssl::context::pem, ec);
  const auto packed = static_cast<unsigned long>(ec.value());  // Asio's code is OpenSSL's packed error
  if (ec && ec.category() == boost::asio::error::get_ssl_category() && ERR_GET_LIB(packed) == ERR_LIB_X509 &&
      ERR_GET_REASON(packed) == X509_R_KEY_VALUES_MISMATCH) {
    ::ERR_clear_error();
    throw config_error("the TLS key " + key_file.string() + " is not the key of the certificate " +
                       certificate_file.string());
  }
  if (ec)
    throw config_error("cannot use the TLS key " + key_file.string() + ": " + openssl_reason(ec) +
                       " (expected the certificate's PEM private key, unencrypted)");
  if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
    ::ERR_clear_error();
    throw config_error("the TLS key " + key_file.string() + " is not the key of the certificate " +
                       certificate_file.string());
  }
  return tls;
}

}  // namespace acsbatch::emulator::detail
