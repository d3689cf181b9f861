#pragma once
/// One HTTP/1.1 connection, plain TCP or TLS. connection.cpp is the only translation unit that
/// compiles Beast; this header stays light so client.cpp does not pay for it.
///
/// Cancellation is reported as `operation_aborted`, never thrown: every step checks for it before
/// it starts an operation, so they also run in a caller that left `throw_if_cancelled` on.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "acsbatch/core/endpoint.hpp"
#include "acsbatch/http/detail/transport_error.hpp"
#include "acsbatch/http/message.hpp"

namespace boost::asio::ssl {
class context;
}

namespace acsbatch::http::detail {

/// Why an exchange failed; `ec` is empty on success.
struct transport_failure {
  exchange_phase phase = exchange_phase::connect;
  boost::system::error_code ec;
  /// Not a single byte of a response arrived: the write failed, or the first read found the
  /// connection already closed. Only then may a reused connection be replaced by a new one.
  bool nothing_received = false;
};

class connection;

struct open_result {
  std::unique_ptr<connection> opened;  ///< null on failure
  transport_failure failure;
};

class connection {
 public:
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Resolves `target`, connects (trying every address), disables Nagle and, for https, does
  /// the TLS handshake with SNI and — when `verify_tls` — certificate and host name checks.
  /// Terminal cancellation of the awaiting coroutine aborts the step in progress, resolve
  /// included. `tls` is needed for https only (null for http) and must outlive the connection.
  static boost::asio::awaitable<open_result> open(boost::asio::any_io_executor executor,
                                                   const acsbatch::endpoint& target,
                                                   boost::asio::ssl::context* tls, bool verify_tls);

  /// Writes `req` (Host = `authority`, Content-Length per request::has_body) and reads one
  /// response of at most `max_response_bytes` (headers + body) into `out`.
  /// Terminal cancellation aborts the write or read; the connection is then unusable.
  boost::asio::awaitable<transport_failure> exchange(const request& req, const std::string& authority,
                                                     std::size_t max_response_bytes, response& out);

  /// exchange() bounded by `deadline` without a second coroutine: when the deadline passes first,
  /// the socket's pending operation is cancelled (the exchange then fails with
  /// `operation_aborted`) and `timed_out` is set. The deadline's handler runs on the awaiting
  /// coroutine's executor, so it never races the exchange; once the deadline has fired the
  /// connection is never reusable(), whatever the exchange returned. For a connection taken from
  /// the pool: a new one still needs open() and its own deadline.
  boost::asio::awaitable<transport_failure> exchange_within(const request& req, const std::string& authority,
                                                            std::size_t max_response_bytes,
                                                            std::chrono::steady_clock::time_point deadline,
                                                            response& out, bool& timed_out);

  /// After a successful exchange: the server keeps the connection open (no `Connection: close`,
  /// body not delimited by EOF), no unread byte is buffered and no deadline fired on it.
  bool reusable() const;

  /// Non-blocking probe of an idle connection: false when the server has closed it, or sent
  /// bytes nobody asked for (a stale connection is dropped before a request is written to it).
  bool still_open();

 private:
  struct state;
  struct private_tag {
    explicit private_tag() = default;
  };

 public:
  connection(private_tag, std::unique_ptr<state> s);  ///< for open() only

 private:
  std::unique_ptr<state> state_;
};

}  // namespace acsbatch::http::detail
