#pragma once
// A scripted HTTP peer on 127.0.0.1:0 for exact protocol tests, in the spirit of async-mqtt5's
// fake broker: each request read is answered with the next scripted reply, byte for byte, and
// faults (silence, early close, trickling bytes) are part of the script. Plain Asio, no Beast,
// so it cannot share a parser bug with the client under test.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace acsbatch::testing {

namespace net = boost::asio;

/// What the server does with one request.
struct scripted_reply {
  enum class mode {
    whole,                ///< write `bytes` at once
    byte_by_byte,         ///< write `bytes` one byte per millisecond
    never,                ///< read the request, then say nothing and keep the connection open
    close_without_reply,  ///< read the request, then close
    endless_chunks,       ///< write `bytes` (a chunked header), then 64 KiB chunks until the peer leaves
  };
  std::string bytes;
  mode how = mode::whole;
  bool close_after = false;  ///< close the connection after writing
};

/// `HTTP/1.1 <status>` with a body and Content-Length, plus `extra` header lines (each ending "\r\n").
inline std::string http_reply(unsigned status, const std::string& body, const std::string& extra = {}) {
  return "HTTP/1.1 " + std::to_string(status) + " Scripted\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + extra + "\r\n" + body;
}

class scripted_server {
 public:
  explicit scripted_server(net::io_context& io) : io_(io), acceptor_(io, {net::ip::make_address("127.0.0.1"), 0}) {
    net::co_spawn(net::make_strand(io_), accept_loop(), net::detached);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  /// Appends to the script; when the script runs out, requests get `200 ok` (keep-alive).
  void then(scripted_reply reply) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(reply));
  }
  void then_reply(const std::string& bytes) { then({bytes}); }

  std::size_t connections_accepted() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  /// Raw requests as read (head and body), in arrival order.
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t bytes_written() const {
    std::lock_guard lock(mutex_);
    return bytes_written_;
  }

 private:
  using tcp = net::ip::tcp;

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      {
        std::lock_guard lock(mutex_);
        ++connections_;
      }
      net::co_spawn(net::make_strand(io_), serve(std::move(socket)), net::detached);
    }
  }

  scripted_reply next_reply(std::string request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
    if (script_.empty()) return {http_reply(200, "ok")};
    auto reply = std::move(script_.front());
    script_.pop_front();
    return reply;
  }

  void count_written(std::size_t n) {
    std::lock_guard lock(mutex_);
    bytes_written_ += n;
  }

  /// Reads one request: the head up to the blank line, then Content-Length bytes of body.
  static net::awaitable<bool> read_request(tcp::socket& socket, std::string& buffer, std::string& request) {
    auto [ec, head_size] = co_await net::async_read_until(socket, net::dynamic_buffer(buffer), "\r\n\r\n",
                                                          net::as_tuple(net::use_awaitable));
    if (ec) co_return false;
    std::size_t length = 0;
    std::string lower = buffer.substr(0, head_size);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto at = lower.find("\r\ncontent-length:"); at != std::string::npos)
      length = std::stoul(lower.substr(at + 17));
    if (buffer.size() < head_size + length) {
      auto [body_ec, n] = co_await net::async_read(socket, net::dynamic_buffer(buffer),
                                                   net::transfer_exactly(head_size + length - buffer.size()),
                                                   net::as_tuple(net::use_awaitable));
      if (body_ec) co_return false;
    }
    request = buffer.substr(0, head_size + length);
    buffer.erase(0, head_size + length);
    co_return true;
  }

  net::awaitable<void> serve(tcp::socket socket) {
    socket.set_option(tcp::no_delay(true));
    std::string buffer;
    for (;;) {
      std::string request;
      if (!co_await read_request(socket, buffer, request)) co_return;
      auto reply = next_reply(std::move(request));
      using mode = scripted_reply::mode;
      if (reply.how == mode::close_without_reply) co_return;
      if (reply.how == mode::never) {
        net::steady_timer forever(socket.get_executor(), std::chrono::hours(1));
        co_await forever.async_wait(net::as_tuple(net::use_awaitable));
        co_return;
      }
      if (reply.how == mode::byte_by_byte) {
        net::steady_timer pause(socket.get_executor());
        for (char c : reply.bytes) {
          auto [ec, n] = co_await net::async_write(socket, net::buffer(&c, 1), net::as_tuple(net::use_awaitable));
          if (ec) co_return;
          count_written(n);
          pause.expires_after(std::chrono::milliseconds(1));
          co_await pause.async_wait(net::as_tuple(net::use_awaitable));
        }
      } else {
        auto [ec, n] = co_await net::async_write(socket, net::buffer(reply.bytes), net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        count_written(n);
      }
      if (reply.how == mode::endless_chunks) {
        const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
        for (int i = 0; i < 4096; ++i) {  // 256 MiB at most: the client must give up long before
          auto [ec, n] = co_await net::async_write(socket, net::buffer(chunk), net::as_tuple(net::use_awaitable));
          if (ec) co_return;
          count_written(n);
        }
      }
      if (reply.close_after) co_return;
    }
  }

  net::io_context& io_;
  tcp::acceptor acceptor_;
  mutable std::mutex mutex_;
  std::deque<scripted_reply> script_;
  std::vector<std::string> requests_;
  std::size_t connections_ = 0;
  std::size_t bytes_written_ = 0;
};

}  // namespace acsbatch::testing
