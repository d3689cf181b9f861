#include "acsbatch/report/log_line.hpp"

#include "acsbatch/core/http_date.hpp"
#include "json_text.hpp"

namespace acsbatch::report {

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::info: return "info";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
  }
  return "error";
}

void log_fields::add_key(std::string_view key) {
  if (!members_.empty()) members_ += ',';
  detail::append_json_string(members_, key);
  members_ += ':';
}

log_fields& log_fields::add_string(std::string_view key, std::string_view value) {
  add_key(key);
  detail::append_json_string(members_, value);
  return *this;
}

log_fields& log_fields::add_unsigned(std::string_view key, std::uint64_t value) {
  add_key(key);
  members_ += std::to_string(value);
  return *this;
}

log_fields& log_fields::add_number(std::string_view key, double value) {
  add_key(key);
  members_ += detail::json_fixed3(value);
  return *this;
}

log_fields& log_fields::add_bool(std::string_view key, bool value) {
  add_key(key);
  members_ += value ? "true" : "false";
  return *this;
}

log_fields& log_fields::add_null(std::string_view key) {
  add_key(key);
  members_ += "null";
  return *this;
}

log_fields& log_fields::add_raw(std::string_view key, std::string_view json) {
  add_key(key);
  members_ += json;
  return *this;
}

std::string json_log_line(std::chrono::system_clock::time_point ts, log_level level, std::string_view event,
                          std::string_view message, const log_fields& fields) {
  std::string out = "{\"ts\":";
  detail::append_json_string(out, format_rfc3339(ts));
  out += ",\"level\":";
  detail::append_json_string(out, to_string(level));
  out += ",\"event\":";
  detail::append_json_string(out, event);
  if (!message.empty()) {
    out += ",\"message\":";
    detail::append_json_string(out, message);
  }
  if (!fields.members().empty()) {
    out += ',';
    out += fields.members();
  }
  out += '}';
  return out;
}

}  // namespace acsbatch::report
