#pragma once
/// `acsbatch emulator --capture FILE`: every request the emulator receives (except its own
/// /emulator/* endpoints), one JSON line each, for wire-level comparisons between clients:
/// `{"method","path","query","headers":[[name,value],…],"body"}` with headers in wire order.
/// Secrets never reach the file: the Signature of an HMAC Authorization header and the whole
/// credential of a Bearer one are replaced by `<redacted>`, and so are the secret fields of a
/// form-encoded token request (client_secret, client_assertion, refresh_token).

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "acsbatch/http/message.hpp"

namespace acsbatch::emulator {

/// `HMAC-SHA256 SignedHeaders=…&Signature=<redacted>`, `Bearer <redacted>`; any other scheme
/// keeps only its first word, a value without a scheme becomes `<redacted>`.
std::string redact_authorization(std::string_view value);

/// The JSON line for one request (no trailing newline).
std::string capture_line(const http::request& request);

class request_capture {
 public:
  /// Creates or truncates `file` (mode 0600). Throws config_error naming the file when it
  /// cannot be opened.
  explicit request_capture(const std::filesystem::path& file);
  ~request_capture();
  request_capture(const request_capture&) = delete;
  request_capture& operator=(const request_capture&) = delete;

  /// Appends the line and flushes it, so a reader sees each request as soon as it arrived.
  /// Safe from any thread; a write error is ignored (capture is a diagnostic).
  void record(const http::request& request);

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace acsbatch::emulator
