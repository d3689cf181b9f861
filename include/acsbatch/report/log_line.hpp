#pragma once
/// One log record as a single JSON line (`--log-format json`):
///
///   {"ts":"2026-11-25T11:58:14.0000000+00:00","level":"info","event":"progress", ...fields}
///
/// so that log collectors (journald, Loki, CloudWatch) can read a run without parsing prose.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace acsbatch::report {

enum class log_level {
  info,     ///< progress, the start and the summary of a run
  warning,  ///< the run goes on or stops cleanly (a signal, timeouts.job)
  error,    ///< the run cannot do what was asked
};

/// "info", "warning" or "error".
std::string_view to_string(log_level level);

/// The members a record carries after ts/level/event, in the order they were added. Keys and
/// string values are escaped and always valid UTF-8; a key is not checked for duplicates.
class log_fields {
 public:
  log_fields& add_string(std::string_view key, std::string_view value);
  log_fields& add_unsigned(std::string_view key, std::uint64_t value);
  /// Three decimals; null when not finite.
  log_fields& add_number(std::string_view key, double value);
  log_fields& add_bool(std::string_view key, bool value);
  log_fields& add_null(std::string_view key);
  /// `json` must be one valid JSON value (an object built by another log_fields, say).
  log_fields& add_raw(std::string_view key, std::string_view json);

  /// The members as an object: `{"key":value,...}`.
  std::string object() const { return "{" + members_ + "}"; }
  /// The members without braces, comma-separated (empty when none).
  const std::string& members() const { return members_; }

 private:
  void add_key(std::string_view key);
  std::string members_;
};

/// The record as one line without a newline. `message` is written as a "message" member after
/// "event" when it is not empty.
std::string json_log_line(std::chrono::system_clock::time_point ts, log_level level, std::string_view event,
                          std::string_view message = {}, const log_fields& fields = {});

}  // namespace acsbatch::report
