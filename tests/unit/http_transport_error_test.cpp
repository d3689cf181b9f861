// The one place where Asio/Beast/OpenSSL failures become acsbatch::errc.

#include "acsbatch/http/detail/transport_error.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

namespace acsbatch::http::detail {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

error_code code(bhttp::error e) { return bhttp::make_error_code(e); }

TEST(http_transport_error, dialling_failures_are_connection_failed) {
  EXPECT_EQ(classify_transport_error(exchange_phase::resolve, asio::error::host_not_found), errc::connection_failed);
  EXPECT_EQ(classify_transport_error(exchange_phase::connect, asio::error::connection_refused), errc::connection_failed);
  EXPECT_EQ(classify_transport_error(exchange_phase::connect, asio::error::network_unreachable), errc::connection_failed);
}

TEST(http_transport_error, handshake_failures_are_tls_failed) {
  const error_code verify_failed(336134278, asio::error::get_ssl_category());
  EXPECT_EQ(classify_transport_error(exchange_phase::handshake, verify_failed), errc::tls_failed);
  EXPECT_EQ(classify_transport_error(exchange_phase::handshake, asio::error::eof), errc::tls_failed);
}

TEST(http_transport_error, peer_close_while_writing_or_reading_is_connection_closed) {
  EXPECT_EQ(classify_transport_error(exchange_phase::write, asio::error::broken_pipe), errc::connection_closed);
  EXPECT_EQ(classify_transport_error(exchange_phase::read, asio::error::connection_reset), errc::connection_closed);
  EXPECT_EQ(classify_transport_error(exchange_phase::read, code(bhttp::error::end_of_stream)), errc::connection_closed);
  EXPECT_EQ(classify_transport_error(exchange_phase::read, code(bhttp::error::partial_message)), errc::connection_closed);
  EXPECT_EQ(classify_transport_error(exchange_phase::read, asio::ssl::error::stream_truncated), errc::connection_closed);
}

TEST(http_transport_error, malformed_responses_are_protocol_errors) {
  for (auto e : {bhttp::error::bad_version, bhttp::error::bad_status, bhttp::error::bad_field,
                 bhttp::error::bad_line_ending, bhttp::error::bad_chunk, bhttp::error::bad_content_length})
    EXPECT_EQ(classify_transport_error(exchange_phase::read, code(e)), errc::protocol_error) << code(e).message();
}

TEST(http_transport_error, size_limits_are_response_too_large) {
  EXPECT_EQ(classify_transport_error(exchange_phase::read, code(bhttp::error::body_limit)), errc::response_too_large);
  EXPECT_EQ(classify_transport_error(exchange_phase::read, code(bhttp::error::header_limit)), errc::response_too_large);
  EXPECT_EQ(classify_transport_error(exchange_phase::read, code(bhttp::error::buffer_overflow)), errc::response_too_large);
}

TEST(http_transport_error, aborts_are_cancellation_and_kernel_timeouts_are_timeouts) {
  for (auto phase : {exchange_phase::resolve, exchange_phase::connect, exchange_phase::handshake,
                     exchange_phase::write, exchange_phase::read}) {
    EXPECT_EQ(classify_transport_error(phase, asio::error::operation_aborted), errc::cancelled);
    EXPECT_EQ(classify_transport_error(phase, asio::error::timed_out), errc::timeout);
  }
}

TEST(http_transport_error, peer_close_is_what_allows_a_stale_connection_redial) {
  EXPECT_TRUE(is_peer_close(asio::error::eof));
  EXPECT_TRUE(is_peer_close(asio::error::connection_reset));
  EXPECT_TRUE(is_peer_close(asio::error::broken_pipe));
  EXPECT_TRUE(is_peer_close(code(bhttp::error::end_of_stream)));
  EXPECT_FALSE(is_peer_close(asio::error::operation_aborted));
  EXPECT_FALSE(is_peer_close(asio::error::timed_out));
  EXPECT_FALSE(is_peer_close(code(bhttp::error::bad_status)));
}

}  // namespace
}  // namespace acsbatch::http::detail
