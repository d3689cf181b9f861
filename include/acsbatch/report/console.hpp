#pragma once
/// Where a run's messages go, in the chosen `--log-format`:
///
/// - text: the human output (item lines, the summary table) on stdout; log records on stderr as
///   `acsbatch: message`; progress redrawn in place on one stderr line (`\r` … `\x1b[K`) on a
///   terminal or with --progress, else a `acsbatch: progress …` line every 5 s.
/// - json: nothing on stdout; every stderr line is one JSON record (log_line.hpp), progress
///   included (every 5 s: a JSON log cannot be redrawn), and a final `summary` record.
///
/// --quiet drops progress and info records (and the human output); warnings and errors stay.

#include <chrono>
#include <functional>
#include <mutex>
#include <ostream>
#include <string_view>

#include "acsbatch/report/log_line.hpp"
#include "acsbatch/report/progress.hpp"

namespace acsbatch::report {

enum class log_format { text, json };

enum class progress_mode {
  off,        ///< --quiet
  redraw,     ///< one line redrawn about 4 times a second (a terminal, or --progress)
  log_lines,  ///< one log record every 5 s (off a terminal, and always in json format)
};

/// --quiet wins; json always logs lines (--progress included); --progress forces redrawing;
/// otherwise a terminal on stderr redraws and anything else logs lines.
progress_mode choose_progress_mode(bool quiet, bool forced, bool stderr_is_terminal, log_format format);

struct console_options {
  log_format format = log_format::text;
  bool quiet = false;
  progress_mode progress = progress_mode::off;
};

/// Thread-safe: workers, signal handlers and the progress timer may call it concurrently, and a
/// line printed while the progress line is on screen first erases it (the next redraw restores it).
class console {
 public:
  using wall_clock = std::chrono::system_clock;

  /// `out` and `err` (stdout and stderr in the binary) must outlive the console; `now` stamps
  /// JSON records.
  console(std::ostream& out, std::ostream& err, console_options options,
          std::function<wall_clock::time_point()> now = [] { return wall_clock::now(); });

  log_format format() const { return options_.format; }
  progress_mode progress() const { return options_.progress; }
  /// How often the caller should call show_progress: 250 ms when redrawing, else 5 s.
  std::chrono::milliseconds progress_period() const;

  /// A log record on stderr (info records are dropped when quiet). In text format `message` is
  /// printed after `acsbatch: ` and the fields are left out; in json both are written.
  void log(log_level level, std::string_view event, std::string_view message, const log_fields& fields = {});
  /// Human output on stdout, text format only and not when quiet. `text` ends with '\n'.
  void print(std::string_view text);
  /// What starts or ends a run: `text` on stdout in text format, an info record `event` with
  /// `fields` in json; nothing when quiet.
  void announce(std::string_view text, std::string_view event, const log_fields& fields);

  /// Shows the meter's numbers once (as progress() says). Returns false, doing nothing, once
  /// end_progress was called or when progress is off: the caller's timer loop stops then.
  bool show_progress(const progress_meter& meter);
  /// When redrawing, the last redraw, ending with a newline so what follows starts on a fresh
  /// line. Later show_progress calls do nothing. Idempotent.
  void end_progress(const progress_meter& meter);

 private:
  /// Erases the progress line if it is on screen. Called with the mutex held.
  void clear_progress_line();
  void write_record(log_level level, std::string_view event, std::string_view message, const log_fields& fields);

  std::ostream& out_;
  std::ostream& err_;
  console_options options_;
  std::function<wall_clock::time_point()> now_;
  std::mutex mutex_;  // guards the streams and the flags below
  bool progress_on_screen_ = false;
  bool progress_ended_ = false;
};

}  // namespace acsbatch::report
