#include "item_json.hpp"

#include "acsbatch/core/http_date.hpp"
#include "json_text.hpp"

namespace acsbatch::report::detail {

bool issues_token(std::string_view op) { return op == "issue_token" || op == "create_user_and_token"; }

std::string_view error_code_of(const step_outcome& step) {
  return step.error_code.empty() ? std::string_view("unknown") : std::string_view(step.error_code);
}

std::string item_json(const item_outcome& item) {
  std::string out = "{\"index\":" + std::to_string(item.index) + ",\"user_id\":";
  append_json_string(out, item.user_id);
  out += ",\"status\":";
  out += item.skipped ? "\"skipped\"" : item.ok() ? "\"ok\"" : "\"failed\"";
  if (item.uncertain) out += ",\"uncertain\":true";
  out += ",\"steps\":[";
  bool first = true;
  for (const auto& step : item.steps) {
    if (!first) out += ',';
    first = false;
    out += "{\"op\":";
    append_json_string(out, step.op);
    out += step.ok ? ",\"status\":\"ok\"" : ",\"status\":\"failed\"";
    if (step.already_gone) out += ",\"already_gone\":true";
    out += ",\"http_status\":" + std::to_string(step.http_status);
    out += ",\"attempts\":" + std::to_string(step.attempts);
    out += ",\"latency_ms\":" + json_fixed3(static_cast<double>(step.latency.count()) / 1000.0);
    if (!step.ok) {
      out += ",\"error\":{\"code\":";
      append_json_string(out, error_code_of(step));
      out += ",\"message\":";
      append_json_string(out, step.error_message);
      out += '}';
    }
    if (issues_token(step.op)) {
      out += ",\"expires_on\":";
      if (step.token_expires_on) append_json_string(out, format_rfc3339(*step.token_expires_on));
      else out += "null";
    }
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace acsbatch::report::detail
