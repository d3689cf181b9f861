#pragma once
/// Position-aware reading of yaml-cpp nodes for the job loader: every problem becomes a
/// diagnostic instead of an exception, and scalars are interpolated before any conversion.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "acsbatch/job/job.hpp"

namespace acsbatch::job::detail {

/// 1-based line and column (0 when unknown), or the --set override a value came from.
struct position {
  position() = default;
  position(int line_number, int column_number) : line(line_number), column(column_number) {}
  /// A node made by `--set PATH=…`: it has no place in the file.
  static position from_set(std::string path) {
    position out;
    out.set_path = std::move(path);
    return out;
  }

  int line = 0;
  int column = 0;
  std::string set_path;  ///< not empty: the node came from --set, not from the file
};

/// yaml-cpp marks are 0-based (and -1 when absent).
position position_of(const YAML::Mark& mark);
position position_of(const YAML::Node& node);

/// Every error and warning found in one file.
class problems {
 public:
  explicit problems(std::string file) : file_(std::move(file)) {}

  void error(position at, std::string message);
  void warning(position at, std::string message);
  bool has_errors() const { return !errors_.empty(); }
  /// Errors in file order (then in the order found).
  std::vector<diagnostic> errors() const;
  /// Warnings in file order, formatted FILE:LINE:COL: message.
  std::vector<std::string> warnings() const;

 private:
  std::string file_;
  std::vector<diagnostic> errors_;
  std::vector<diagnostic> warnings_;
};

/// One `key: value` of a mapping, or one element of a list (then `key` is empty).
struct entry {
  std::string key;
  std::string path;  ///< for messages: "connection.api_version"; empty for the root
  position key_at;
  /// Where the value is; the key's position when the value is empty, because yaml-cpp marks an
  /// empty value at the next token, often on the next line.
  position value_at;
  YAML::Node value;
};

/// A scalar value after interpolation.
struct scalar {
  std::string text;
  bool from_environment = false;  ///< never echo `text` then: it may be a secret
  position at;
};

class override_origins;

class reader {
 public:
  /// `origins` (may be null: no overrides) must outlive the reader.
  reader(problems& out, const env_lookup& env, const override_origins* origins = nullptr)
      : problems_(out), env_(env), origins_(origins) {}

  problems& report() { return problems_; }

  /// Where a node is, for messages: its place in the file or the --set that made it.
  position where(const YAML::Node& node) const;
  /// The node was made by --set (its value is taken as written, paths in it are not the file's).
  bool from_override(const YAML::Node& node) const;

  /// The entries of a mapping in file order (an empty value is an empty mapping). Non-scalar
  /// and repeated keys are reported and left out. nullopt, reported, when it is not a mapping.
  std::optional<std::vector<entry>> mapping(const entry& e);
  /// The elements of a list (an empty value is an empty list); nullopt, reported, otherwise.
  std::optional<std::vector<entry>> sequence(const entry& e);
  /// The interpolated text of a scalar (an override's text as it is); nullopt, reported, for
  /// empty values, lists, mappings and interpolation errors.
  std::optional<scalar> string(const entry& e);
  /// A decimal integer in [min, max].
  std::optional<std::uint64_t> integer(const entry& e, std::uint64_t min, std::uint64_t max);
  /// true/false (yes/no and on/off too, as yaml-cpp reads them).
  std::optional<bool> boolean(const entry& e);
  /// A duration as parse_duration reads it.
  std::optional<std::chrono::milliseconds> duration(const entry& e);
  /// A decimal number (`200`, `0.5`, `-1`) in [min, max]; `what` completes "must be …" for a
  /// value that is not one, e.g. "a number of requests per second such as 200 or 0.5".
  std::optional<double> decimal(const entry& e, std::string_view what, double min, bool min_included, double max);

  /// Reports a key that is not one of `known`, suggesting the closest (edit distance ≤ 2) or
  /// listing them. `hint` replaces the suggestion when not empty.
  void unknown_key(const entry& e, std::span<const std::string_view> known, std::string_view hint = {});

 private:
  problems& problems_;
  const env_lookup& env_;
  const override_origins* origins_;
};

/// The entry for `key`, or nullptr.
const entry* find(const std::vector<entry>& entries, std::string_view key);

/// A child entry's path: "parent.key" (or "key" under the root).
std::string child_path(std::string_view parent, std::string_view key);

/// For messages: 'value', or a placeholder when it came from the environment or looks like a
/// connection string or an access key (`accesskey`, `endpoint=`, or 20+ base64 characters with
/// '=' padding), so that no secret reaches a diagnostic.
std::string shown(const scalar& s);

/// For messages: quoted, at most 64 characters, anything but printable ASCII as '?'.
std::string quoted(std::string_view text);

/// "a, b, c"
std::string join(std::span<const std::string_view> words);

}  // namespace acsbatch::job::detail
