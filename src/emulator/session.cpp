// The HTTP/1.1 (or HTTPS) shell around request_handler for one connection, after Beast's
// example/http/server/awaitable; the only translation unit of the emulator that sees Beast.

#include "session.hpp"

#include <array>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "acsbatch/emulator/request_handler.hpp"
#include "replies.hpp"

namespace acsbatch::emulator::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

class connection {
 public:
  connection(tcp::socket socket, ssl::context* tls) : stream(std::move(socket)), delay(stream.get_executor()) {
    if (tls) secure.emplace(stream, *tls);
  }
  /// The TCP layer: its timeouts bound every read and write (through the TLS layer too), and
  /// closing its socket is how a connection is ended.
  beast::tcp_stream stream;
  net::steady_timer delay;
  std::optional<ssl::stream<beast::tcp_stream&>> secure;  ///< https only
};

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
/// The SDK's requests carry well under 1 KiB of headers.
constexpr std::uint32_t header_limit = 16 * 1024;
constexpr std::chrono::seconds write_timeout{30};
/// A client that connects to the https port must complete its handshake within this time.
constexpr std::chrono::seconds handshake_timeout{10};
/// After an error reply the rest of the request is read and dropped for at most this long, so
/// the client sees the reply instead of a reset (a lingering close, as nginx does).
constexpr std::chrono::seconds linger_timeout{2};
constexpr std::size_t linger_max_bytes = 16 * 1024 * 1024;

http::request to_plain(bhttp::request<bhttp::string_body>&& in) {
  http::request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) out.headers.add(std::string(field.name_string()), std::string(field.value()));
  out.has_body = in.has_content_length() || in.chunked();
  out.body = std::move(in.body());
  return out;
}

bhttp::response<bhttp::string_body> to_beast(http::response&& in, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  if (!in.reason.empty()) out.reason(in.reason);
  for (const auto& field : in.headers) out.insert(field.name, field.value);
  out.body() = std::move(in.body);
  out.keep_alive(keep_alive);
  // 204 and 304 carry neither a body nor Content-Length (RFC 9110 §8.6), like the service.
  if (in.status != 204 && in.status != 304) out.prepare_payload();
  return out;
}

/// The reply to a request that never reached the handler; 0: just close the connection.
unsigned status_for_read_error(const error_code& ec) {
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return 0;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) return 400;
  return 0;  // timeouts, resets, aborts: nobody is listening for an answer
}

/// Reads and drops whatever else arrives, until the client gives up (EOF, reset), the bound
/// passes, or close_connection() closes the socket: the connection stays open and silent.
template <class Stream>
net::awaitable<void> hold_unanswered(connection& conn, Stream& stream, std::chrono::seconds limit) {
  std::array<char, 4096> sink;
  conn.stream.expires_after(limit);
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
    if (ec) co_return;
  }
}

template <class Stream>
net::awaitable<void> reply_and_close(connection& conn, Stream& stream, unsigned status, const error_code& why,
                                     std::size_t body_limit) {
  http::response answer =
      status == 413   ? replies::error(413, "PayloadTooLarge",
                                       "The request body exceeds the emulator's limit of " +
                                           std::to_string(body_limit) + " bytes.")
      : status == 431 ? replies::error(431, "RequestHeaderFieldsTooLarge",
                                       "The request headers exceed the emulator's limit.")
                      : replies::error(400, "BadRequest", "The request is not valid HTTP/1.1 (" + why.message() + ").");
  auto message = to_beast(std::move(answer), 11, false);
  conn.stream.expires_after(write_timeout);
  auto [write_ec, written] = co_await bhttp::async_write(stream, message, use_tuple);
  if (write_ec) co_return;
  error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  // Drain what the client is still sending, so closing does not reset the connection and
  // discard our reply from its receive buffer.
  std::array<char, 16 * 1024> sink;
  std::size_t drained = 0;
  conn.stream.expires_after(linger_timeout);
  while (drained < linger_max_bytes) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
    if (ec) break;
    drained += n;
  }
}

/// The request loop; true when the connection should end with a reset (a `reset` fault).
template <class Stream>
net::awaitable<bool> serve_requests(connection& conn, Stream& stream, request_handler& handler,
                                    session_limits limits, bool loopback) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(header_limit);
    parser.body_limit(limits.body_limit);
    conn.stream.expires_after(limits.idle_timeout);
    auto [read_ec, read_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    if (read_ec) {
      if (const unsigned status = status_for_read_error(read_ec); status != 0)
        co_await reply_and_close(conn, stream, status, read_ec, limits.body_limit);
      co_return false;
    }
    const unsigned version = parser.get().version();
    const bool keep_alive = parser.get().keep_alive();
    reply_plan plan = handler.respond(to_plain(parser.release()), loopback, std::chrono::system_clock::now(),
                                      std::chrono::steady_clock::now());
    if (plan.delay.count() > 0) {
      // close_connection() closes the socket and cancels the timer on this strand: a closed
      // socket here means it already ran, and a wait in progress is cut short by it.
      if (!conn.stream.socket().is_open()) co_return false;
      conn.delay.expires_after(plan.delay);
      auto [wait_ec] = co_await conn.delay.async_wait(use_tuple);
      if (wait_ec || !conn.stream.socket().is_open()) co_return false;
    }
    if (plan.action == reply_action::reset) co_return true;
    if (plan.action == reply_action::close) co_return false;
    if (plan.action == reply_action::stall) {
      co_await hold_unanswered(conn, stream, limits.stall_limit);
      co_return false;
    }
    auto message = to_beast(std::move(plan.response), version, keep_alive);
    conn.stream.expires_after(write_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, message, use_tuple);
    if (write_ec || !message.keep_alive()) co_return false;
  }
}

}  // namespace

std::shared_ptr<connection> make_connection(tcp::socket socket, ssl::context* tls) {
  return std::make_shared<connection>(std::move(socket), tls);
}

net::any_io_executor connection_executor(connection& conn) { return conn.stream.get_executor(); }

void close_connection(connection& conn) {
  error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  conn.stream.socket().close(ignored);
  conn.delay.cancel();
}

net::awaitable<void> serve_connection(std::shared_ptr<connection> conn, request_handler& handler,
                                      session_limits limits, bool loopback) {
  bool abortive = false;
  if (conn->secure) {
    // A client that cannot complete the handshake (plain http, an unknown CA) gets nothing
    // else: there is no channel to answer it on.
    conn->stream.expires_after(handshake_timeout);
    auto [handshake_ec] = co_await conn->secure->async_handshake(ssl::stream_base::server, use_tuple);
    if (!handshake_ec) abortive = co_await serve_requests(*conn, *conn->secure, handler, limits, loopback);
  } else {
    abortive = co_await serve_requests(*conn, conn->stream, handler, limits, loopback);
  }
  // No TLS close_notify: the ends of messages are delimited by HTTP, and clients treat a
  // connection that ends without one like a FIN (the `close` fault relies on that, too).
  error_code ignored;
  if (abortive) {
    // SO_LINGER 0: close() sends RST instead of FIN, as a crashed or overloaded front end does.
    conn->stream.socket().set_option(net::socket_base::linger(true, 0), ignored);
  } else {
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
  conn->stream.socket().close(ignored);
}

}  // namespace acsbatch::emulator::detail
