#pragma once
/// Asynchronous HTTP/1.1 client: a keep-alive connection pool per endpoint, TLS through OpenSSL
/// (SNI, certificate and host name verification on by default, system CA store), a timeout per
/// request, and no hidden retries — a failed request is reported, retrying is the engine's job.
/// Beast stays inside src/http/connection.cpp; this header is light.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include "acsbatch/core/endpoint.hpp"
#include "acsbatch/http/message.hpp"

namespace acsbatch::http {

struct client_options {
  /// Upper bound of idle keep-alive connections kept per endpoint.
  std::size_t max_idle_per_endpoint = 256;
  /// A response whose headers + body exceed this fails with errc::response_too_large.
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  /// Verify the server certificate and host name. Turning this off is logged loudly by the caller.
  bool verify_tls = true;
  /// Extra CA bundle (PEM) besides the system store, e.g. the emulator's self-signed cert.
  std::string ca_file{};
  /// Allow plain http to hosts that are not loopback (off: errc::insecure_endpoint).
  bool allow_insecure_http = false;
};

/// Counters for tests and reports: how connections were used.
struct client_stats {
  std::size_t connections_opened = 0;  ///< connects (and TLS handshakes) that succeeded
  std::size_t requests_sent = 0;       ///< requests completely written, re-dialled ones included
  std::size_t connections_reused = 0;  ///< requests that started on an idle pooled connection
};

/// Threading: the pool and the counters are guarded, so one client may serve callers on any
/// number of threads. Each call's I/O runs on the awaiting coroutine's executor; when several
/// threads run the io_context, spawn each caller on its own strand, as for any Asio stream.
class client {
 public:
  /// Throws config_error when `options.ca_file` cannot be loaded. The system CA store is loaded
  /// on the first https request (a failure then is errc::tls_failed, with the reason), so a
  /// client that only talks plain http to loopback never pays for it.
  explicit client(boost::asio::any_io_executor executor, client_options options = {});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Sends `req` to `target` and completes with the whole response, or with an error code:
  /// errc::timeout (the whole exchange — resolve, connect, handshake, write, read — exceeded
  /// `timeout`), errc::connection_failed, errc::connection_closed, errc::tls_failed,
  /// errc::protocol_error, errc::response_too_large (headers + body over max_response_bytes),
  /// errc::insecure_endpoint (plain http to a host that is not loopback, refused before any
  /// resolve or connect), errc::cancelled; boost::system::errc::invalid_argument when the method,
  /// target or a header holds CR/LF/NUL (refused, nothing sent).
  /// Any HTTP status is a successful completion.
  ///
  /// Wire: `Host` is `target.authority()` — at the caller's position when `req.headers` has a
  /// Host field, else first; other headers in the given order; `Content-Length` last when
  /// `req.has_body` or the body is non-empty (so a POST without body sends `Content-Length: 0`
  /// and a DELETE sends none). No `Accept-Encoding`: bodies are never decoded.
  ///
  /// Connections: idle keep-alive connections are reused newest first; one is returned to the
  /// pool only after a complete response that allows reuse (no `Connection: close`, length not
  /// delimited by EOF, nothing unread). An idle connection is probed before use and dropped
  /// when the server has closed it. A connection that failed in any way is closed, never reused.
  ///
  /// No hidden retries, with one exception: when writing to a connection *taken from the pool*
  /// fails — the server closed it while it sat idle, so it cannot have read the request — the
  /// request is written once more on a newly opened connection, within the same deadline. Once
  /// a write has completed the server may have acted on the request, so any later failure
  /// (EOF, reset, timeout, partial response) is reported as is: only the engine knows whether
  /// repeating the request is safe.
  ///
  /// Cancellation: terminal cancellation through the awaiting coroutine's cancellation slot
  /// aborts the step in progress, closes the connection in use and completes with
  /// errc::cancelled. The client must outlive the operation. `target` and `req` are taken by
  /// value because the coroutine starts lazily: `co_spawn(ex, c.send(endpoint{…}, …), …)` must
  /// not leave a reference to a temporary behind.
  boost::asio::awaitable<boost::system::result<response>> send(acsbatch::endpoint target,
                                                              request req,
                                                              std::chrono::milliseconds timeout);

  /// Closes every idle connection (connections in use are not affected).
  void close_idle();

  /// A snapshot of the counters; safe from any thread.
  client_stats stats() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace acsbatch::http
