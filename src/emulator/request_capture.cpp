#include "acsbatch/emulator/request_capture.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/routes.hpp"

namespace acsbatch::emulator {
namespace {

constexpr std::string_view redacted = "<redacted>";
constexpr std::string_view secret_form_fields[] = {"client_secret", "client_assertion", "refresh_token"};

bool is_secret_field(std::string_view name) {
  for (const auto field : secret_form_fields)
    if (name == field) return true;
  return false;
}

/// `a=1&client_secret=xyz` → `a=1&client_secret=<redacted>`; other bodies unchanged.
std::string redact_form_body(const http::request& request) {
  const auto type = request.headers.get("Content-Type");
  if (!type || type->find("application/x-www-form-urlencoded") == std::string_view::npos) return request.body;
  std::string out;
  std::string_view rest = request.body;
  for (bool first = true;; first = false) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto equals = pair.find('=');
    if (!first) out += '&';
    if (equals != std::string_view::npos && is_secret_field(pair.substr(0, equals)))
      out.append(pair.substr(0, equals + 1)).append(redacted);
    else
      out.append(pair);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace

std::string redact_authorization(std::string_view value) {
  constexpr std::string_view signature = "Signature=";
  if (value.starts_with("HMAC-SHA256 ")) {
    const auto at = value.find(signature);
    if (at != std::string_view::npos) return std::string(value.substr(0, at + signature.size())) + std::string(redacted);
  }
  // A scheme then its credential; without a space the whole value may be the credential.
  const auto space = value.find(' ');
  if (space == std::string_view::npos) return std::string(redacted);
  return std::string(value.substr(0, space)) + " " + std::string(redacted);
}

std::string capture_line(const http::request& request) {
  const auto [path, query] = split_request_target(request.target);
  boost::json::object line;
  line["method"] = request.method;
  line["path"] = path;
  line["query"] = query;
  boost::json::array headers;
  for (const auto& field : request.headers) {
    const bool secret = http::iequals(field.name, "Authorization");
    headers.push_back(boost::json::array{boost::json::string_view(field.name),
                                         secret ? boost::json::string(redact_authorization(field.value))
                                                : boost::json::string(field.value)});
  }
  line["headers"] = std::move(headers);
  line["body"] = redact_form_body(request);
  return boost::json::serialize(line);
}

request_capture::request_capture(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) file_ = ::fdopen(fd, "w");
  if (file_ == nullptr) {
    if (fd >= 0) ::close(fd);
    throw config_error("cannot open the capture file " + file.string() + " for writing");
  }
}

request_capture::~request_capture() { std::fclose(file_); }

void request_capture::record(const http::request& request) {
  auto line = capture_line(request);
  line += '\n';
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace acsbatch::emulator
