#include "acsbatch/http/message.hpp"

#include <algorithm>

namespace acsbatch::http {

namespace {

/// Field names are ASCII tokens: folding A–Z is all it takes, without std::tolower's locale.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

void header_list::set(std::string name, std::string value) {
  for (auto& field : fields_) {
    if (iequals(field.name, name)) {
      field.value = std::move(value);
      return;
    }
  }
  add(std::move(name), std::move(value));
}

void header_list::add(std::string name, std::string value) {
  // A request or response carries about ten fields: one allocation instead of growing 1, 2, 4, 8.
  if (fields_.capacity() == 0) fields_.reserve(typical_field_count);
  fields_.push_back({std::move(name), std::move(value)});
}

std::optional<std::string_view> header_list::get(std::string_view name) const {
  for (const auto& field : fields_)
    if (iequals(field.name, name)) return std::string_view{field.value};
  return std::nullopt;
}

bool header_list::erase(std::string_view name) {
  return std::erase_if(fields_, [&](const header& h) { return iequals(h.name, name); }) > 0;
}

}  // namespace acsbatch::http
