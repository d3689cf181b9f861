// http::client against a scripted loopback peer: keep-alive reuse, the stale-connection rule,
// every error mapping, and the wire format of what we send. Loopback only, each test bounded.

#include "acsbatch/http/client.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "acsbatch/core/error.hpp"
#include "scripted_server.hpp"

namespace acsbatch::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using testing::http_reply;
using testing::scripted_reply;
using testing::scripted_server;
using send_result = boost::system::result<response>;
using mode = scripted_reply::mode;

/// Runs `op` on `io` until it completes (the scripted server keeps running in between tests).
template <class T>
T run(net::io_context& io, net::awaitable<T> op, std::chrono::seconds limit = 10s) {
  std::optional<T> out;
  net::co_spawn(io, std::move(op), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    out = std::move(value);
    io.stop();
  });
  io.restart();
  io.run_for(limit);
  if (!out) throw std::runtime_error("operation did not complete in time");
  return std::move(*out);
}

/// Lets the io_context run for `how_long` (e.g. for a FIN to arrive).
void settle(net::io_context& io, std::chrono::milliseconds how_long) {
  io.restart();
  io.run_for(how_long);
}

request get(std::string target = "/") {
  request req;
  req.method = "GET";
  req.target = std::move(target);
  return req;
}

struct http_client_test : ::testing::Test {
  endpoint server_endpoint() const { return {"http", "127.0.0.1", server.port()}; }

  send_result send(client& c, request req, std::chrono::milliseconds timeout = 5s) {
    return run(io, c.send(server_endpoint(), std::move(req), timeout));
  }
  send_result send(request req, std::chrono::milliseconds timeout = 5s) {
    return send(http, std::move(req), timeout);
  }

  net::io_context io;
  scripted_server server{io};
  client http{io.get_executor()};
};

TEST_F(http_client_test, two_requests_reuse_one_connection) {
  server.then_reply(http_reply(200, "one"));
  server.then_reply(http_reply(200, "two"));
  const auto first = send(get("/a"));
  const auto second = send(get("/b"));
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(first->body, "one");
  EXPECT_EQ(second->body, "two");
  EXPECT_EQ(server.connections_accepted(), 1u);
  const auto stats = http.stats();
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.connections_reused, 1u);
  EXPECT_EQ(stats.requests_sent, 2u);
}

TEST_F(http_client_test, connection_close_response_is_not_reused) {
  server.then({http_reply(200, "bye", "Connection: close\r\n"), mode::whole, true});
  server.then_reply(http_reply(200, "again"));
  ASSERT_TRUE(send(get()));
  const auto second = send(get());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "again");
  EXPECT_EQ(server.connections_accepted(), 2u);
  EXPECT_EQ(http.stats().connections_reused, 0u);
}

TEST_F(http_client_test, idle_connection_closed_by_the_server_is_dropped_before_writing) {
  // No `Connection: close`, but the server hangs up right after answering: the FIN is noticed
  // by the idle probe, so the second request goes straight to a new connection.
  server.then({http_reply(200, "one"), mode::whole, true});
  ASSERT_TRUE(send(get()));
  settle(io, 50ms);
  ASSERT_TRUE(send(get()));
  EXPECT_EQ(server.connections_accepted(), 2u);
  EXPECT_EQ(http.stats().requests_sent, 2u);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(http_client_test, reused_connection_closed_after_the_write_is_reported_not_resent) {
  // The server read the request and closed without answering: it may have acted on it, so the
  // client must not send it again behind the engine's back.
  server.then_reply(http_reply(200, "one"));
  server.then({"", mode::close_without_reply});
  ASSERT_TRUE(send(get()));
  const auto second = send(get("/again"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), errc::connection_closed);
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.requests().size(), 2u);  // written once only
}

TEST_F(http_client_test, fresh_connection_closed_without_reply_is_reported_not_retried) {
  server.then({"", mode::close_without_reply});
  const auto r = send(get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::connection_closed);
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(http_client_test, silent_server_times_out_within_the_bound) {
  server.then({"", mode::never});
  const auto started = std::chrono::steady_clock::now();
  const auto r = send(get(), 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::timeout);
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2s);
  // The timed-out connection is gone, not pooled: the next request dials again.
  ASSERT_TRUE(send(get()));
  EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(http_client_test, reused_connection_that_goes_silent_times_out_and_is_not_kept) {
  // The second request rides the pooled connection, bounded by the connection's own deadline
  // (not the deadline of a new connection): it times out within the bound, the connection is
  // closed, and the third request dials again.
  server.then_reply(http_reply(200, "one"));
  server.then({"", mode::never});
  server.then_reply(http_reply(200, "three"));
  ASSERT_TRUE(send(get()));
  const auto started = std::chrono::steady_clock::now();
  const auto second = send(get("/silent"), 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), errc::timeout);
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2s);
  const auto third = send(get("/after"));
  ASSERT_TRUE(third) << third.error().message();
  EXPECT_EQ(third->body, "three");
  EXPECT_EQ(server.connections_accepted(), 2u);
  EXPECT_EQ(http.stats().connections_reused, 1u);
  EXPECT_EQ(http.stats().requests_sent, 3u);
}

TEST_F(http_client_test, cancellation_on_a_reused_connection_is_cancelled_and_the_connection_dropped) {
  server.then_reply(http_reply(200, "one"));
  server.then({"", mode::never});
  server.then_reply(http_reply(200, "three"));
  ASSERT_TRUE(send(get()));
  net::cancellation_signal stop;
  std::optional<send_result> out;
  net::co_spawn(io, http.send(server_endpoint(), get("/silent"), 10s),
                net::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, send_result r) {
                  ASSERT_FALSE(e);
                  out = std::move(r);
                }));
  net::steady_timer later(io, 100ms);
  later.async_wait([&](boost::system::error_code) { stop.emit(net::cancellation_type::terminal); });
  const auto started = std::chrono::steady_clock::now();
  io.restart();  // stopped by the first send
  while (!out && std::chrono::steady_clock::now() - started < 5s) io.run_one_for(100ms);
  ASSERT_TRUE(out);
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error(), errc::cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  // The deadline of the cancelled exchange must not fire into the next one.
  ASSERT_TRUE(send(get("/after")));
  EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(http_client_test, server_closing_mid_response_is_connection_closed) {
  server.then({"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b", mode::whole, true});
  const auto r = send(get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::connection_closed);
}

TEST_F(http_client_test, garbage_status_line_is_protocol_error) {
  server.then({"HTTP/1.1 abc What\r\n\r\n"});
  const auto r = send(get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::protocol_error);
  server.then({"SSH-2.0-OpenSSH_9.2\r\n\r\n"});
  EXPECT_EQ(send(get()).error(), errc::protocol_error);
}

TEST_F(http_client_test, declared_huge_body_is_refused_at_the_header) {
  client small{io.get_executor(), {.max_response_bytes = 64 * 1024}};
  server.then({"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n" + std::string(1000, 'x')});
  const auto r = send(small, get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::response_too_large);
}

TEST_F(http_client_test, endless_chunked_body_stops_at_the_limit_with_bounded_reading) {
  client small{io.get_executor(), {.max_response_bytes = 1024 * 1024}};
  server.then({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", mode::endless_chunks});
  const auto r = send(small, get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::response_too_large);
  // The client hung up after about 1 MiB; the server managed nowhere near its 256 MiB.
  settle(io, 100ms);
  EXPECT_LT(server.bytes_written(), 32u * 1024 * 1024);
}

TEST_F(http_client_test, headers_and_body_together_count_against_the_limit) {
  client small{io.get_executor(), {.max_response_bytes = 1000}};
  server.then_reply(http_reply(200, std::string(900, 'b'), "X-Padding: " + std::string(200, 'p') + "\r\n"));
  EXPECT_EQ(send(small, get()).error(), errc::response_too_large);
  server.then_reply(http_reply(200, std::string(500, 'b')));
  EXPECT_TRUE(send(small, get()));
}

TEST_F(http_client_test, response_trickling_byte_by_byte_is_parsed) {
  server.then({http_reply(201, R"({"identity":{"id":"8:acs:x"}})", "Content-Type: application/json\r\n"),
               mode::byte_by_byte});
  const auto r = send(get(), 10s);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 201u);
  EXPECT_EQ(r->body, R"({"identity":{"id":"8:acs:x"}})");
}

TEST_F(http_client_test, response_status_reason_and_headers_are_copied_in_order) {
  server.then_reply("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nx-ms-request-id: abc\r\n"
                    "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n");
  const auto r = send(get());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429u);
  EXPECT_EQ(r->reason, "Too Many Requests");
  ASSERT_EQ(r->headers.size(), 5u);
  EXPECT_EQ(r->headers[0].name, "Retry-After");
  EXPECT_EQ(r->headers[3].value, "b=2");
  EXPECT_EQ(r->headers.get("X-MS-REQUEST-ID"), "abc");
}

TEST_F(http_client_test, chunked_body_is_assembled_and_the_connection_reused) {
  server.then_reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                    "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer-Field: x\r\n\r\n");
  server.then_reply("HTTP/1.1 204 No Content\r\n\r\n");
  const auto first = send(get());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "Wikipedia");
  EXPECT_EQ(first->headers.get("content-type"), "text/plain");
  const auto second = send(get());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 204u);
  EXPECT_EQ(second->reason, "No Content");
  EXPECT_TRUE(second->body.empty());
  EXPECT_EQ(http.stats().connections_opened, 1u);
}

TEST_F(http_client_test, request_wire_format_keeps_header_order_and_content_length_rules) {
  request post;
  post.method = "POST";
  post.target = "/identities?api-version=2023-10-01";
  post.headers.add("Content-Type", "application/json");
  post.headers.add("Host", "overridden.example");
  post.headers.add("x-ms-date", "Wed, 25 Nov 2026 11:58:14 GMT");
  post.has_body = true;
  ASSERT_TRUE(send(post));
  request del;
  del.method = "DELETE";
  del.target = "/identities/8%3Aacs%3Ax?api-version=2023-10-01";
  del.headers.add("Accept", "application/json");
  ASSERT_TRUE(send(del));
  request with_body = post;
  with_body.body = R"({"scopes":["voip"]})";
  ASSERT_TRUE(send(with_body));

  const auto host = "Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n";
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  // POST without body: Content-Length: 0, as the SDK sends; Host where the caller put it.
  EXPECT_EQ(seen[0], "POST /identities?api-version=2023-10-01 HTTP/1.1\r\nContent-Type: application/json\r\n" + host +
                         "x-ms-date: Wed, 25 Nov 2026 11:58:14 GMT\r\nContent-Length: 0\r\n\r\n");
  // DELETE: no Content-Length at all; Host first when the caller gave none.
  EXPECT_EQ(seen[1], "DELETE /identities/8%3Aacs%3Ax?api-version=2023-10-01 HTTP/1.1\r\n" + host +
                         "Accept: application/json\r\n\r\n");
  EXPECT_EQ(seen[2], "POST /identities?api-version=2023-10-01 HTTP/1.1\r\nContent-Type: application/json\r\n" + host +
                         "x-ms-date: Wed, 25 Nov 2026 11:58:14 GMT\r\nContent-Length: 19\r\n\r\n" +
                         R"({"scopes":["voip"]})");
}

// A plain-TCP request is written by the socket at once; what does not fit its send buffer (here
// 16 MiB against a few MiB of loopback buffers) goes by an asynchronous write, in order, whole.
TEST_F(http_client_test, request_larger_than_the_socket_buffer_arrives_whole) {
  request post;
  post.method = "POST";
  post.target = "/big";
  post.body.resize(16 * 1024 * 1024);
  for (std::size_t i = 0; i < post.body.size(); ++i) post.body[i] = static_cast<char>('a' + i % 26);
  const auto reply = send(post, 20s);
  ASSERT_TRUE(reply) << reply.error().message();
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  const auto blank = seen[0].find("\r\n\r\n");
  ASSERT_NE(blank, std::string::npos);
  EXPECT_EQ(seen[0].substr(blank + 4), post.body);
}

TEST_F(http_client_test, insecure_non_loopback_endpoint_is_refused_before_any_traffic) {
  // No resolve was attempted: `.invalid` never resolves (RFC 6761), so a client that resolved
  // first would fail with the resolver's error, not insecure_endpoint. Judged by the error and
  // the counters, not by the wall time (once a 100 ms bound, which a busy machine can exceed).
  const auto r = run(io, http.send({"http", "acs.invalid", 80}, get(), 5s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::insecure_endpoint);
  EXPECT_EQ(http.stats().connections_opened, 0u);
  EXPECT_EQ(http.stats().requests_sent, 0u);
}

TEST_F(http_client_test, header_injection_is_refused_before_sending) {
  auto smuggled = get();
  smuggled.headers.add("User-Agent", "acsbatch\r\nX-Injected: 1");
  EXPECT_EQ(send(smuggled).error(), boost::system::errc::invalid_argument);
  auto bad_target = get("/a b");
  EXPECT_EQ(send(bad_target).error(), boost::system::errc::invalid_argument);
  EXPECT_EQ(server.connections_accepted(), 0u);
}

TEST_F(http_client_test, refused_connection_is_connection_failed) {
  std::uint16_t closed_port = 0;
  {
    net::ip::tcp::acceptor probe(io, {net::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  const auto r = run(io, http.send({"http", "127.0.0.1", closed_port}, get(), 5s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::connection_failed);
}

TEST_F(http_client_test, cancellation_of_the_awaiting_coroutine_is_cancelled) {
  server.then({"", mode::never});
  net::cancellation_signal stop;
  std::optional<send_result> out;
  const auto started = std::chrono::steady_clock::now();
  net::co_spawn(io, http.send(server_endpoint(), get(), 10s),
                net::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr, send_result r) {
                  out = std::move(r);
                  io.stop();
                }));
  net::steady_timer later(io, 100ms);
  later.async_wait([&](boost::system::error_code) { stop.emit(net::cancellation_type::terminal); });
  io.run_for(5s);
  ASSERT_TRUE(out);
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error(), errc::cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(http_client_test, idle_cap_of_zero_never_keeps_a_connection) {
  client no_pool{io.get_executor(), {.max_idle_per_endpoint = 0}};
  ASSERT_TRUE(send(no_pool, get()));
  ASSERT_TRUE(send(no_pool, get()));
  EXPECT_EQ(server.connections_accepted(), 2u);
  EXPECT_EQ(no_pool.stats().connections_opened, 2u);
}

TEST_F(http_client_test, pool_is_safe_with_several_threads_and_strands) {
  // Four callers on their own strands, the io_context run by two threads: every request
  // answered, never more connections than concurrent callers.
  constexpr int callers = 4, per_caller = 25;
  std::atomic<int> ok{0}, done{0};
  for (int c = 0; c < callers; ++c) {
    net::co_spawn(net::make_strand(io), [&]() -> net::awaitable<void> {
      for (int i = 0; i < per_caller; ++i)
        if (co_await http.send(server_endpoint(), get(), 5s)) ++ok;
      if (++done == callers) io.stop();
    }, net::detached);
  }
  io.restart();
  std::thread second([&] { io.run_for(20s); });
  io.run_for(20s);
  second.join();
  EXPECT_EQ(ok.load(), callers * per_caller);
  EXPECT_LE(server.connections_accepted(), static_cast<std::size_t>(callers));
  EXPECT_EQ(http.stats().requests_sent, static_cast<std::size_t>(callers * per_caller));
}

}  // namespace
}  // namespace acsbatch::http
