#include "acsbatch/http/message.hpp"

#include <algorithm>

namespace acsbatch::http {

std::uint32_t header_list::append(std::string_view text) {
  // (Not capacity() == 0: an empty std::string already holds 15 characters in place.)
  if (text_.empty()) text_.reserve(typical_text_bytes);
  const auto at = static_cast<std::uint32_t>(text_.size());
  text_.append(text);
  return at;
}

void header_list::set(std::string_view name, std::string_view value) {
  for (auto& f : fields_) {
    if (iequals(view(f).name, name)) {
      f.value_at = append(value);
      f.value_size = static_cast<std::uint32_t>(value.size());
      return;
    }
  }
  add(name, value);
}

void header_list::add(std::string_view name, std::string_view value) {
  if (fields_.capacity() == 0) fields_.reserve(typical_field_count);
  const auto name_at = append(name);
  const auto value_at = append(value);
  fields_.push_back({name_at, static_cast<std::uint32_t>(name.size()), value_at,
                     static_cast<std::uint32_t>(value.size())});
}

std::optional<std::string_view> header_list::get(std::string_view name) const {
  for (const auto& f : fields_) {
    const auto field = view(f);
    if (iequals(field.name, name)) return field.value;
  }
  return std::nullopt;
}

bool header_list::erase(std::string_view name) {
  return std::erase_if(fields_, [&](const field& f) { return iequals(view(f).name, name); }) > 0;
}

}  // namespace acsbatch::http
