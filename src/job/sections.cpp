#include "sections.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view timeouts_keys[] = {"request", "job", "grace"};
constexpr std::string_view report_keys[] = {"path", "items", "html", "junit"};

using std::chrono::milliseconds;
constexpr milliseconds min_request_timeout{1};
constexpr milliseconds max_request_timeout{std::chrono::hours{1}};
constexpr milliseconds min_job_timeout{1};
/// Far beyond any batch, and far from overflowing a steady_clock deadline.
constexpr milliseconds max_job_timeout{std::chrono::hours{30 * 24}};
constexpr milliseconds max_grace{std::chrono::minutes{10}};

}  // namespace

void read_timeouts(reader& r, const entry& section, job& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  for (const auto& e : *entries) {
    if (e.key == "request") {
      const auto value = r.duration(e);
      if (!value) continue;
      if (*value < min_request_timeout || *value > max_request_timeout)
        r.report().error(e.value_at, e.path + " must be between 1ms and 1h");
      else
        out.request_timeout = *value;
    } else if (e.key == "job") {
      const auto value = r.duration(e);
      if (!value) continue;
      if (*value < min_job_timeout || *value > max_job_timeout)
        r.report().error(e.value_at, e.path + " must be between 1ms and 30d");
      else
        out.job_timeout = *value;
    } else if (e.key == "grace") {
      const auto value = r.duration(e);
      if (!value) continue;
      if (*value > max_grace)
        r.report().error(e.value_at, e.path + " must be between 0s and 10m");
      else
        out.grace = *value;
    } else {
      r.unknown_key(e, timeouts_keys);
    }
  }
}

void read_report(reader& r, const entry& section, report_spec& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  for (const auto& e : *entries) {
    if (e.key == "path" || e.key == "html" || e.key == "junit") {
      const auto value = r.string(e);
      if (!value) continue;
      if (value->text.empty() || value->text.back() == '/')
        r.report().error(value->at, e.path + " must name a file, not " + shown(*value));
      else if (value->text.find('\0') != std::string::npos)
        r.report().error(value->at, e.path + " must not contain a NUL character");
      else
        (e.key == "path" ? out.path : e.key == "html" ? out.html : out.junit) = value->text;
    } else if (e.key == "items") {
      if (const auto value = r.boolean(e)) out.items = *value;
    } else {
      r.unknown_key(e, report_keys);
    }
  }
}

}  // namespace acsbatch::job::detail
