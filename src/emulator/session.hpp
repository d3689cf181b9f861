#pragma once
/// One client connection of the emulator (private to src/emulator): HTTP/1.1 over TCP or TLS,
/// request by request through request_handler, after Beast's example/http/server/awaitable.
/// session.cpp is the only translation unit of the emulator that sees Beast; server.cpp sees
/// this light header only.

#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace boost::asio::ssl {
class context;
}

namespace acsbatch::emulator {
class request_handler;
}

namespace acsbatch::emulator::detail {

/// From server_options: how long a connection may idle, how big a request may be, how long a
/// `timeout` fault holds a connection.
struct session_limits {
  std::chrono::seconds idle_timeout{60};
  std::size_t body_limit = 1024 * 1024;
  std::chrono::seconds stall_limit{60};
};

/// A client's socket, its TLS layer (https only) and the timer of injected latency. Everything
/// in it is used on the socket's executor (a strand) only.
class connection;

/// Takes an accepted socket, which should have a strand of its own as executor. `tls`: null for
/// plain HTTP; otherwise the server's context, which must outlive the connection.
std::shared_ptr<connection> make_connection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);

/// The connection's strand, where serve_connection and close_connection must run.
boost::asio::any_io_executor connection_executor(connection& conn);

/// Closes the socket and cancels a pending latency wait, so serve_connection ends at once.
/// On the connection's strand only.
void close_connection(connection& conn);

/// Does the TLS handshake (https), then answers requests with `handler` until the client closes,
/// an error or timeout, a response without keep-alive, a fault that ends the connection, or
/// close_connection(). Completes without error in all these cases and leaves the socket closed.
/// `handler` and the connection's TLS context must outlive it.
boost::asio::awaitable<void> serve_connection(std::shared_ptr<connection> conn, request_handler& handler,
                                              session_limits limits, bool loopback);

}  // namespace acsbatch::emulator::detail
