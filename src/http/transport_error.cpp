#include "acsbatch/http/detail/transport_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

namespace acsbatch::http::detail {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

bool is_size_limit(const boost::system::error_code& ec) {
  return ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
         ec == bhttp::error::buffer_overflow || ec == asio::error::no_buffer_space;
}

}  // namespace

bool is_peer_close(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
         ec == asio::error::not_connected || ec == asio::ssl::error::stream_truncated ||
         ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == bhttp::error::short_read;
}

acsbatch::errc classify_transport_error(exchange_phase phase, const boost::system::error_code& ec) {
  if (ec == asio::error::operation_aborted) return errc::cancelled;
  if (ec == asio::error::timed_out) return errc::timeout;
  switch (phase) {
    case exchange_phase::resolve:
    case exchange_phase::connect:
      return errc::connection_failed;
    case exchange_phase::handshake:
      return errc::tls_failed;
    case exchange_phase::write:
      return is_peer_close(ec) || ec.category() != asio::error::get_ssl_category()
                 ? errc::connection_closed
                 : errc::tls_failed;
    case exchange_phase::read:
      if (is_peer_close(ec)) return errc::connection_closed;
      if (is_size_limit(ec)) return errc::response_too_large;
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_status).category())
        return errc::protocol_error;
      if (ec.category() == asio::error::get_ssl_category()) return errc::tls_failed;
      return errc::connection_closed;
  }
  return errc::connection_closed;
}

}  // namespace acsbatch::http::detail
