#pragma once
/// A Beast parser that writes a response straight into an http::response: status, reason,
/// fields in wire order and the body, with no Beast message in between to copy out of.
/// Included only by connection.cpp, the one translation unit that compiles Beast.

#include <algorithm>
#include <cstdint>
#include <string>

#include <boost/beast/http/basic_parser.hpp>

#include "acsbatch/http/message.hpp"

namespace acsbatch::http::detail {

class response_reader final : public boost::beast::http::basic_parser<false> {
 public:
  explicit response_reader(response& out) : out_(out) {}

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;
  /// A declared length is reserved up front, up to this much (more grows as it arrives).
  static constexpr std::uint64_t max_reserve = 1 << 20;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}

  void on_response_impl(int status, string_view reason, int, error_code&) override {
    out_.status = static_cast<unsigned>(status);
    out_.reason.assign(reason.data(), reason.size());
  }

  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code&) override {
    out_.headers.add(std::string_view(name.data(), name.size()), std::string_view(value.data(), value.size()));
  }

  void on_header_impl(error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) out_.body.reserve(static_cast<std::size_t>(std::min(*length, max_reserve)));
  }

  std::size_t on_body_impl(string_view body, error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}

  response& out_;
};

}  // namespace acsbatch::http::detail
