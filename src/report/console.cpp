#include "acsbatch/report/console.hpp"

namespace acsbatch::report {
namespace {

/// Carriage return, then (after the text) erase to the end of the line: a shorter line leaves
/// nothing of a longer one behind, and the line never blanks between redraws.
constexpr std::string_view line_start = "\r";
constexpr std::string_view erase_to_end = "\x1b[K";

}  // namespace

progress_mode choose_progress_mode(bool quiet, bool forced, bool stderr_is_terminal, log_format format) {
  if (quiet) return progress_mode::off;
  if (format == log_format::json) return progress_mode::log_lines;
  return forced || stderr_is_terminal ? progress_mode::redraw : progress_mode::log_lines;
}

console::console(std::ostream& out, std::ostream& err, console_options options,
                 std::function<wall_clock::time_point()> now)
    : out_(out), err_(err), options_(options), now_(std::move(now)) {}

std::chrono::milliseconds console::progress_period() const {
  return options_.progress == progress_mode::redraw ? std::chrono::milliseconds{250} : std::chrono::seconds{5};
}

void console::clear_progress_line() {
  if (!progress_on_screen_) return;
  err_ << line_start << erase_to_end << std::flush;
  progress_on_screen_ = false;
}

void console::write_record(log_level level, std::string_view event, std::string_view message,
                           const log_fields& fields) {
  clear_progress_line();
  if (options_.format == log_format::json) err_ << json_log_line(now_(), level, event, message, fields) << '\n';
  else err_ << "acsbatch: " << message << '\n';
  err_.flush();
}

void console::log(log_level level, std::string_view event, std::string_view message, const log_fields& fields) {
  if (level == log_level::info && options_.quiet) return;
  std::lock_guard lock{mutex_};
  write_record(level, event, message, fields);
}

void console::print(std::string_view text) {
  if (options_.quiet || options_.format != log_format::text) return;
  std::lock_guard lock{mutex_};
  clear_progress_line();
  out_ << text << std::flush;
}

void console::announce(std::string_view text, std::string_view event, const log_fields& fields) {
  if (options_.format == log_format::text) return print(text);
  log(log_level::info, event, {}, fields);
}

bool console::show_progress(const progress_meter& meter) {
  std::lock_guard lock{mutex_};
  if (progress_ended_) return false;
  switch (options_.progress) {
    case progress_mode::off: return false;
    case progress_mode::redraw:
      err_ << line_start << meter.text() << erase_to_end << std::flush;
      progress_on_screen_ = true;
      return true;
    case progress_mode::log_lines:
      write_record(log_level::info, "progress", options_.format == log_format::text ? "progress " + meter.text() : "",
                   meter.fields());
      return true;
  }
  return false;
}

void console::end_progress(const progress_meter& meter) {
  std::lock_guard lock{mutex_};
  if (progress_ended_) return;
  progress_ended_ = true;
  if (options_.progress != progress_mode::redraw) return;
  err_ << line_start << meter.text() << erase_to_end << '\n' << std::flush;
  progress_on_screen_ = false;
}

}  // namespace acsbatch::report
