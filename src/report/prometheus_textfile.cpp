#include "acsbatch/report/prometheus_textfile.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace acsbatch::report {
namespace {

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

/// A label value: backslash, double quote and newline escaped, as the exposition format says.
std::string label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

constexpr std::string_view last_success_name = "acsbatch_last_success_timestamp_seconds";

}  // namespace

std::string prometheus_text(const report_builder& report, const prometheus_run& run,
                            std::optional<double> last_success_seconds) {
  const std::string job = "job=\"" + label(run.job) + "\"";
  std::ostringstream out;
  auto gauge = [&](std::string_view name, std::string_view help, const std::string& value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
        << name << '{' << job << "} " << value << '\n';
  };
  gauge("acsbatch_last_run_timestamp_seconds", "When the last run finished (Unix time).",
        number(unix_seconds(run.finished_at)));
  if (run.exit_code == 0) last_success_seconds = unix_seconds(run.finished_at);
  if (last_success_seconds)
    gauge(last_success_name, "When the last run that succeeded (exit 0) finished (Unix time).",
          number(*last_success_seconds));
  gauge("acsbatch_run_duration_seconds", "How long the last run took.",
        number(std::chrono::duration<double>(run.finished_at - run.started_at).count()));
  gauge("acsbatch_exit_code", "The last run's exit code (0 success, 1 items failed, 69 unavailable, …).",
        std::to_string(run.exit_code));

  const auto& items = report.items();
  out << "# HELP acsbatch_items Items of the last run by outcome.\n# TYPE acsbatch_items gauge\n";
  out << "acsbatch_items{" << job << ",outcome=\"succeeded\"} " << items.succeeded << '\n';
  out << "acsbatch_items{" << job << ",outcome=\"failed\"} " << items.failed << '\n';
  out << "acsbatch_items{" << job << ",outcome=\"skipped\"} " << items.skipped << '\n';
  out << "acsbatch_items{" << job << ",outcome=\"uncertain\"} " << items.uncertain << '\n';

  out << "# HELP acsbatch_ops_total Operations of the last run by outcome.\n# TYPE acsbatch_ops_total counter\n";
  for (const auto& [op, totals] : report.operations()) {
    out << "acsbatch_ops_total{" << job << ",op=\"" << label(op) << "\",outcome=\"ok\"} " << totals.ok << '\n';
    out << "acsbatch_ops_total{" << job << ",op=\"" << label(op) << "\",outcome=\"failed\"} " << totals.failed << '\n';
  }
  out << "# HELP acsbatch_throttled_total Requests of the last run answered 429.\n"
         "# TYPE acsbatch_throttled_total counter\n";
  for (const auto& [op, totals] : report.operations())
    out << "acsbatch_throttled_total{" << job << ",op=\"" << label(op) << "\"} " << totals.throttled << '\n';
  return out.str();
}

std::optional<double> previous_last_success(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(last_success_name) || line.size() <= last_success_name.size() ||
        line[last_success_name.size()] != '{')
      continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    try {
      return std::stod(line.substr(space + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void write_prometheus_textfile(const std::string& path, const report_builder& report, const prometheus_run& run) {
  const std::string text = prometheus_text(report, run, previous_last_success(path));
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) throw std::system_error(ec, "cannot create the directory of " + path);
  const std::string temporary = path + ".tmp";
  {
    errno = 0;
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      const int error = errno ? errno : EIO;
      std::filesystem::remove(temporary, ec);
      throw std::system_error(error, std::generic_category(), "cannot write " + temporary);
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::filesystem::remove(temporary, ec);
    throw std::system_error(error, std::generic_category(), "cannot rename " + temporary + " to " + path);
  }
}

}  // namespace acsbatch::report
