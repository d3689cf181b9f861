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
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
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

void set_retry_after(http::response& res, std::chrono::nanoseconds wait) {
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
  res.headers.set("Retry-After", std::to_string(seconds));
  res.headers.set("retry-after-ms", std::to_string(ms));
}

http::response too_many_requests(std::string_view message, std::chrono::nanoseconds wait) {
  auto res = error(429, "TooManyRequests", message);
  set_retry_after(res, wait);
  return res;
}

http::response injected_fault(const fault_rule& rule) {
  http::response res;
  switch (rule.kind) {
    case fault_kind::too_many_requests:
      res = error(429, "TooManyRequests", "Too many requests; retry after the interval in Retry-After.");
      break;
    case fault_kind::service_unavailable:
      res = error(503, "ServiceUnavailable", "The service is temporarily unavailable; retry later.");
      break;
    case fault_kind::bad_gateway:
      res = error(502, "BadGateway", "The gateway received an invalid response from the service.");
      break;
    case fault_kind::gateway_timeout:
      res = error(504, "GatewayTimeout", "The gateway timed out waiting for the service.");
      break;
    default:
      res = error(500, "InternalServerError", "The service encountered an internal error.");
      break;
  }
  if (rule.retry_after && (rule.kind == fault_kind::too_many_requests || rule.kind == fault_kind::service_unavailable))
    set_retry_after(res, *rule.retry_after);
  res.headers.set("x-emulator-fault", std::string(to_string(rule.kind)));
  return res;
}

}  // namespace acsbatch::emulator::replies
