#pragma once
/// An http::request as HTTP/1.1 bytes, written into a buffer the connection reuses: one
/// contiguous write per request, no Beast message built and copied on the way.

#include <string>
#include <string_view>

#include "acsbatch/http/message.hpp"

namespace acsbatch::http::detail {

/// Replaces `out` with `req` on the wire (its capacity is kept for the next request):
/// the request line; Host = `authority` where the caller put a Host field, else first; the
/// caller's other fields in their order, except Content-Length and Transfer-Encoding, which
/// are the writer's: `Content-Length` follows the fields when the request has a body or
/// `has_body` is set; then the body. The caller has checked the request is well formed.
void write_request(const request& req, std::string_view authority, std::string& out);

}  // namespace acsbatch::http::detail
