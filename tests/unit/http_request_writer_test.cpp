#include "acsbatch/http/detail/request_writer.hpp"

#include <gtest/gtest.h>

namespace {

using acsbatch::http::request;
using acsbatch::http::detail::write_request;

TEST(HttpRequestWriter, CallerLengthAndTransferEncodingNeverReachTheWire) {
  request req;
  req.method = "POST";
  req.target = "/identities/8%3Aacs%3Ax/:issueAccessToken?api-version=2023-10-01";
  req.headers.add("Content-Length", "999");
  req.headers.add("transfer-encoding", "chunked");
  req.headers.add("HOST", "ignored.example");
  req.headers.add("Content-Type", "application/json");
  req.body = R"({"scopes":["chat","voip"]})";
  std::string wire;
  write_request(req, "acs.example:443", wire);
  EXPECT_EQ(wire,
            "POST /identities/8%3Aacs%3Ax/:issueAccessToken?api-version=2023-10-01 HTTP/1.1\r\n"
            "Host: acs.example:443\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n"
            R"({"scopes":["chat","voip"]})");
}

TEST(HttpRequestWriter, TheBufferIsReplacedNotAppendedTo) {
  request get;
  get.method = "GET";
  get.target = "/";
  std::string wire = "left over from a longer request that must not survive";
  write_request(get, "127.0.0.1:8080", wire);
  EXPECT_EQ(wire, "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
  const auto capacity = wire.capacity();
  write_request(get, "127.0.0.1:8080", wire);
  EXPECT_EQ(wire.capacity(), capacity);  // reused, not reallocated
}

}  // namespace
