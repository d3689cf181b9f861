#pragma once
/// Plain HTTP messages, free of Beast, so that request builders, response parsers and the
/// emulator's handler are pure functions testable without a socket.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acsbatch::http {

struct header {
  std::string name;
  std::string value;
};

/// Case-insensitive header lookup over a small ordered list (wire order is kept).
class header_list {
 public:
  void set(std::string name, std::string value);  ///< replaces an existing field of that name
  void add(std::string name, std::string value);  ///< appends, keeping duplicates
  std::optional<std::string_view> get(std::string_view name) const;
  bool erase(std::string_view name);
  const std::vector<header>& fields() const { return fields_; }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  bool empty() const { return fields_.empty(); }

 private:
  static constexpr std::size_t typical_field_count = 12;
  std::vector<header> fields_;
};

struct request {
  std::string method;  ///< upper case: GET, POST, DELETE, …
  std::string target;  ///< origin-form request-target as sent: path (percent-encoded) + query
  header_list headers;
  std::string body;
  /// Send `Content-Length` even for an empty body (POST without body, as the SDK does);
  /// DELETE/GET with an empty body send none.
  bool has_body = false;
};

struct response {
  unsigned status = 0;
  std::string reason;
  header_list headers;
  std::string body;
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace acsbatch::http
