#pragma once
/// Plain HTTP messages, free of Beast, so that request builders, response parsers and the
/// emulator's handler are pure functions testable without a socket.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acsbatch::http {

/// An owning field, for building lists in tests and callers.
struct header {
  std::string name;
  std::string value;
};

/// A field as a header_list hands it out: views into the list, valid until it changes.
struct header_view {
  std::string_view name;
  std::string_view value;
};

/// Case-insensitive header lookup over a small ordered list (wire order is kept). Names and
/// values live back to back in one buffer: a request or response with ten fields costs two
/// allocations, not one or two per field. A name or value passed in must not view this list.
class header_list {
 public:
  void set(std::string_view name, std::string_view value);  ///< replaces an existing field of that name
  void add(std::string_view name, std::string_view value);  ///< appends, keeping duplicates
  std::optional<std::string_view> get(std::string_view name) const;
  bool erase(std::string_view name);
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  header_view operator[](std::size_t i) const { return view(fields_[i]); }

  class const_iterator {
   public:
    using value_type = header_view;
    using difference_type = std::ptrdiff_t;
    const_iterator(const header_list* list, std::size_t at) : list_(list), at_(at) {}
    header_view operator*() const { return (*list_)[at_]; }
    const_iterator& operator++() {
      ++at_;
      return *this;
    }
    bool operator==(const const_iterator& other) const { return at_ == other.at_; }

   private:
    const header_list* list_;
    std::size_t at_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, fields_.size()}; }

 private:
  struct field {
    std::uint32_t name_at, name_size, value_at, value_size;
  };
  header_view view(const field& f) const {
    return {std::string_view(text_).substr(f.name_at, f.name_size),
            std::string_view(text_).substr(f.value_at, f.value_size)};
  }
  std::uint32_t append(std::string_view text);

  static constexpr std::size_t typical_field_count = 12;
  static constexpr std::size_t typical_text_bytes = 768;  ///< a signed create: ~560
  std::string text_;  ///< names and values back to back (a replaced value's old bytes stay)
  std::vector<field> fields_;
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

/// ASCII case-insensitive equality (field names are ASCII tokens: folding A–Z is all it takes,
/// without std::tolower's locale). Inline: most calls are decided by the sizes alone.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  constexpr auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

}  // namespace acsbatch::http
