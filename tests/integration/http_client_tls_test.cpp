// http::client over TLS against a loopback server whose self-signed certificate is minted here
// with the OpenSSL API (SAN IP:127.0.0.1 only): verification is on by default, a CA file makes
// it pass, and the right CA with the wrong host name still fails.

#include "acsbatch/http/client.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "acsbatch/core/error.hpp"
#include "support.hpp"

namespace acsbatch::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using namespace std::chrono_literals;
using tcp = net::ip::tcp;
using send_result = boost::system::result<response>;

struct openssl_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <class T>
using openssl_ptr = std::unique_ptr<T, openssl_free>;

struct pem_pair {
  std::string certificate;
  std::string private_key;
};

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  openssl_ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  check(ext && X509_add_ext(cert, ext.get(), -1) == 1, "add extension");
}

std::string to_pem(const std::function<int(BIO*)>& write) {
  openssl_ptr<BIO> bio(BIO_new(BIO_s_mem()));
  check(bio && write(bio.get()) == 1, "PEM write");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

/// A P-256 key and a self-signed certificate for CN/SAN 127.0.0.1, valid for a day.
pem_pair make_self_signed_certificate() {
  openssl_ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key generation");
  openssl_ptr<X509> cert(X509_new());
  check(cert && X509_set_version(cert.get(), 2) == 1, "X509_new");
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 20261125);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "set public key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  check(X509_set_issuer_name(cert.get(), name) == 1, "set issuer");
  add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1");
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");
  return {to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }),
          to_pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); })};
}

/// Accepts TLS connections on 127.0.0.1:0 and answers every request with `200 secure`
/// (keep-alive); records handshakes and the SNI name the client sent.
class tls_server {
 public:
  tls_server(net::io_context& io, const pem_pair& pem)
      : tls_(ssl::context::tls_server), acceptor_(io, {net::ip::make_address("127.0.0.1"), 0}) {
    tls_.use_certificate_chain(net::buffer(pem.certificate));
    tls_.use_private_key(net::buffer(pem.private_key), ssl::context::pem);
    SSL_CTX_set_tlsext_servername_callback(tls_.native_handle(), &tls_server::on_server_name);
    SSL_CTX_set_tlsext_servername_arg(tls_.native_handle(), this);
    net::co_spawn(io, accept_loop(), net::detached);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int handshakes() const { return handshakes_; }
  int connections() const { return connections_; }
  std::string server_name() const { return server_name_; }

 private:
  static int on_server_name(SSL* ssl, int*, void* arg) {
    if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))
      static_cast<tls_server*>(arg)->server_name_ = name;
    return SSL_TLSEXT_ERR_OK;
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      ++connections_;
      net::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), net::detached);
    }
  }

  net::awaitable<void> serve(tcp::socket socket) {
    ssl::stream<tcp::socket> stream(std::move(socket), tls_);
    auto [hs_ec] = co_await stream.async_handshake(ssl::stream_base::server, net::as_tuple(net::use_awaitable));
    if (hs_ec) co_return;
    ++handshakes_;
    std::string buffer;
    for (;;) {
      auto [ec, n] = co_await net::async_read_until(stream, net::dynamic_buffer(buffer), "\r\n\r\n",
                                                    net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      buffer.erase(0, n);
      static const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure";
      auto [write_ec, written] = co_await net::async_write(stream, net::buffer(reply), net::as_tuple(net::use_awaitable));
      if (write_ec) co_return;
    }
  }

  ssl::context tls_;
  tcp::acceptor acceptor_;
  int handshakes_ = 0;
  int connections_ = 0;
  std::string server_name_;
};

struct http_client_tls_test : ::testing::Test {
  static void SetUpTestSuite() { pem = make_self_signed_certificate(); }

  http_client_tls_test() {
    std::ofstream(ca_file()) << pem.certificate;
  }

  std::string ca_file() const { return (dir.path() / "ca.pem").string(); }

  send_result send(client& c, const std::string& host) {
    request req;
    req.method = "GET";
    req.target = "/secure";
    std::optional<send_result> out;
    net::co_spawn(io, c.send({"https", host, server.port()}, std::move(req), 5s),
                  [&](std::exception_ptr e, send_result r) {
                    if (e) std::rethrow_exception(e);
                    out = std::move(r);
                    io.stop();
                  });
    io.restart();
    io.run_for(10s);
    if (!out) throw std::runtime_error("TLS request did not complete in time");
    return std::move(*out);
  }

  static inline pem_pair pem;
  testing::temp_dir dir;
  net::io_context io;
  tls_server server{io, pem};
};

TEST_F(http_client_tls_test, self_signed_certificate_is_refused_by_default) {
  client strict{io.get_executor()};
  const auto r = send(strict, "127.0.0.1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::tls_failed);
  // Still errc::tls_failed for every comparison, with the reason in the message.
  EXPECT_EQ(r.error().message(),
            "TLS handshake failed: the server's certificate is not signed by a trusted CA (self-signed certificate)");
  EXPECT_EQ(server.handshakes(), 0);
}

TEST_F(http_client_tls_test, ca_file_makes_the_certificate_trusted) {
  client trusting{io.get_executor(), {.ca_file = ca_file()}};
  const auto first = send(trusting, "127.0.0.1");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->status, 200u);
  EXPECT_EQ(first->body, "secure");
  // Keep-alive over TLS: the second request needs no new handshake.
  ASSERT_TRUE(send(trusting, "127.0.0.1"));
  EXPECT_EQ(server.handshakes(), 1);
  EXPECT_EQ(trusting.stats().connections_reused, 1u);
  EXPECT_EQ(server.server_name(), "");  // no SNI for an IP literal (RFC 6066 §3)
}

TEST_F(http_client_tls_test, right_ca_with_wrong_host_name_is_refused) {
  // "localhost" reaches the same server, but the certificate names only IP 127.0.0.1.
  client trusting{io.get_executor(), {.ca_file = ca_file()}};
  const auto r = send(trusting, "localhost");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::tls_failed);
  EXPECT_EQ(r.error().message(), "TLS handshake failed: the server's certificate does not name the host it was reached at");
  EXPECT_EQ(server.handshakes(), 0);
}

TEST_F(http_client_tls_test, host_name_is_sent_as_sni) {
  client unverified{io.get_executor(), {.verify_tls = false}};
  const auto r = send(unverified, "localhost");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(server.server_name(), "localhost");
}

TEST_F(http_client_tls_test, missing_ca_file_is_a_start_up_error) {
  EXPECT_THROW(client(io.get_executor(), {.ca_file = (dir.path() / "absent.pem").string()}), config_error);
}

}  // namespace
}  // namespace acsbatch::http
