#include "acsbatch/http/detail/request_writer.hpp"

#include <charconv>

namespace acsbatch::http::detail {
namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

void write_request(const request& req, std::string_view authority, std::string& out) {
  out.clear();
  out.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\n");
  if (!req.headers.get("Host")) append_field(out, "Host", authority);
  for (const auto& field : req.headers) {
    if (iequals(field.name, "Host"))
      append_field(out, "Host", authority);
    else if (!iequals(field.name, "Content-Length") && !iequals(field.name, "Transfer-Encoding"))
      append_field(out, field.name, field.value);
  }
  if (req.has_body || !req.body.empty()) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, req.body.size()).ptr;
    append_field(out, "Content-Length", std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  out.append("\r\n").append(req.body);
}

}  // namespace acsbatch::http::detail
