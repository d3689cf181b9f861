#include "replies.hpp"

#include <boost/json/serialize.hpp>

namespace acsbatch::emulator::replies {

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

http::response json(unsigned status, const boost::json::value& body) {
  http::response res;
  res.status = status;
  res.reason = reason_phrase(status);
  res.headers.set("Content-Type", std::string(json_content_type));
  res.body = boost::json::serialize(body);
  return res;
}

http::response error(unsigned status, std::string_view code, std::string_view message,
                     std::string_view target) {
  boost::json::object inner;
  inner["code"] = code;
  inner["message"] = message;
  if (!target.empty()) inner["target"] = target;
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return json(status, outer);
}

http::response no_content() {
  http::response res;
  res.status = 204;
  res.reason = reason_phrase(204);
  return res;
}

}  // namespace acsbatch::emulator::replies
