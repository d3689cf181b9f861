#include "acsbatch/http/message.hpp"

#include <algorithm>

namespace acsbatch::http {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

void header_list::set(std::string name, std::string value) {
  for (auto& field : fields_) {
    if (iequals(field.name, name)) {
      field.value = std::move(value);
      return;
    }
  }
  fields_.push_back({std::move(name), std::move(value)});
}

void header_list::add(std::string name, std::string value) {
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
