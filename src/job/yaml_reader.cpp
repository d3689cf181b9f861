#include "yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>

#include "interpolate.hpp"
#include "number.hpp"
#include "acsbatch/core/message_text.hpp"
#include "override.hpp"
#include "suggest.hpp"

namespace acsbatch::job::detail {
namespace {

std::string_view kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "empty";
    case YAML::NodeType::Scalar: return "a single value";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: break;
  }
  return "undefined";
}

std::string subject(const entry& e) { return e.path.empty() ? std::string("the job file") : e.path; }

bool contains_case_insensitive(std::string_view text, std::string_view needle) {
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != text.end();
}

}  // namespace

position position_of(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

position position_of(const YAML::Node& node) { return position_of(node.Mark()); }

namespace {

diagnostic at_place(const std::string& file, position at, std::string message) {
  // A value from --set has no line: the override itself is the place to fix.
  if (!at.set_path.empty()) return diagnostic{"--set " + at.set_path, 0, 0, std::move(message)};
  return diagnostic{file, at.line, at.column, std::move(message)};
}

}  // namespace

void problems::error(position at, std::string message) {
  errors_.push_back(at_place(file_, std::move(at), std::move(message)));
}

void problems::warning(position at, std::string message) {
  warnings_.push_back(at_place(file_, std::move(at), std::move(message)));
}

namespace {

std::vector<diagnostic> in_file_order(std::vector<diagnostic> list) {
  std::stable_sort(list.begin(), list.end(), [](const diagnostic& a, const diagnostic& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return list;
}

}  // namespace

std::vector<diagnostic> problems::errors() const { return in_file_order(errors_); }

std::vector<std::string> problems::warnings() const {
  std::vector<std::string> out;
  for (const auto& w : in_file_order(warnings_)) out.push_back(w.to_string());
  return out;
}

position reader::where(const YAML::Node& node) const {
  if (origins_ != nullptr)
    if (const std::string* path = origins_->path_of(node)) return position::from_set(*path);
  return position_of(node);
}

bool reader::from_override(const YAML::Node& node) const {
  return origins_ != nullptr && origins_->path_of(node) != nullptr;
}

std::optional<std::vector<entry>> reader::mapping(const entry& e) {
  std::vector<entry> out;
  if (e.value.IsNull()) return out;
  if (!e.value.IsMap()) {
    problems_.error(e.value_at, subject(e) + " must be a mapping of keys, not " + std::string(kind_of(e.value)));
    return std::nullopt;
  }
  std::unordered_map<std::string, position> seen;
  for (auto it = e.value.begin(); it != e.value.end(); ++it) {
    const YAML::Node key = it->first;
    const position key_at = where(key);
    if (!key.IsScalar()) {
      problems_.error(key_at, "keys in " + subject(e) + " must be plain names, not " + std::string(kind_of(key)));
      continue;
    }
    const auto [first, inserted] = seen.emplace(key.Scalar(), key_at);
    if (!inserted) {
      problems_.error(key_at, "key " + quoted(key.Scalar()) + " is repeated (first at line " +
                                  std::to_string(first->second.line) + ")");
      continue;
    }
    entry child{key.Scalar(), child_path(e.path, key.Scalar()), key_at, key_at, it->second};
    if (!child.value.IsNull()) child.value_at = where(child.value);
    out.push_back(std::move(child));
  }
  return out;
}

std::optional<std::vector<entry>> reader::sequence(const entry& e) {
  std::vector<entry> out;
  if (e.value.IsNull()) return out;
  if (!e.value.IsSequence()) {
    problems_.error(e.value_at, subject(e) + " must be a list, not " + std::string(kind_of(e.value)));
    return std::nullopt;
  }
  for (auto it = e.value.begin(); it != e.value.end(); ++it) {
    const YAML::Node element = *it;
    position at = where(element);
    // An empty element's mark is the next token; the list's own position is less misleading.
    if (element.IsNull() || (at.line == 0 && at.set_path.empty())) at = e.value_at;
    out.push_back(entry{std::string(), e.path, at, at, element});
  }
  return out;
}

std::optional<scalar> reader::string(const entry& e) {
  if (!e.value.IsScalar()) {
    problems_.error(e.value_at, e.value.IsNull() ? subject(e) + " needs a value"
                                                 : subject(e) + " must be a single value, not " +
                                                       std::string(kind_of(e.value)));
    return std::nullopt;
  }
  if (from_override(e.value)) return scalar{e.value.Scalar(), false, e.value_at};
  auto result = interpolate(e.value.Scalar(), env_);
  if (!result.error.empty()) {
    problems_.error(e.value_at, subject(e) + ": " + result.error);
    return std::nullopt;
  }
  return scalar{std::move(result.text), result.from_environment, e.value_at};
}

std::optional<std::uint64_t> reader::integer(const entry& e, std::uint64_t min, std::uint64_t max) {
  const auto s = string(e);
  if (!s) return std::nullopt;
  const std::string range = " from " + std::to_string(min) + " to " + std::to_string(max);
  std::uint64_t value = 0;
  const char* begin = s->text.data();
  const char* end = begin + s->text.size();
  const bool digits_only = !s->text.empty() && std::all_of(begin, end, [](char c) { return c >= '0' && c <= '9'; });
  const auto [stop, ec] = std::from_chars(begin, end, value);
  if (!digits_only || (ec != std::errc{} && ec != std::errc::result_out_of_range) || stop != end) {
    problems_.error(s->at, subject(e) + " must be a whole number" + range + ", not " + shown(*s));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    problems_.error(s->at, subject(e) + " must be" + range + ", not " + shown(*s));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> reader::boolean(const entry& e) {
  const auto s = string(e);
  if (!s) return std::nullopt;
  static constexpr std::string_view yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static constexpr std::string_view no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  if (std::find(std::begin(yes), std::end(yes), s->text) != std::end(yes)) return true;
  if (std::find(std::begin(no), std::end(no), s->text) != std::end(no)) return false;
  problems_.error(s->at, subject(e) + " must be true or false, not " + shown(*s));
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> reader::duration(const entry& e) {
  const auto s = string(e);
  if (!s) return std::nullopt;
  const auto value = parse_duration(s->text);
  if (!value)
    problems_.error(s->at, subject(e) + " must be a duration such as 250ms, 30s, 5m, 24h or 1d "
                                        "(a whole number and a unit), not " + shown(*s));
  return value;
}

std::optional<double> reader::decimal(const entry& e, std::string_view what, double min, bool min_included,
                                      double max) {
  const auto s = string(e);
  if (!s) return std::nullopt;
  const auto value = parse_decimal(s->text);
  if (!value) {
    problems_.error(s->at, subject(e) + " must be " + std::string(what) + ", not " + shown(*s));
    return std::nullopt;
  }
  if (min_included ? *value < min : *value <= min) {
    problems_.error(s->at, subject(e) + (min_included ? " must be at least " : " must be greater than ") +
                               format_number(min) + ", not " + shown(*s));
    return std::nullopt;
  }
  if (*value > max) {
    problems_.error(s->at, subject(e) + " must be at most " + format_number(max) + ", not " + shown(*s));
    return std::nullopt;
  }
  return value;
}

void reader::unknown_key(const entry& e, std::span<const std::string_view> known, std::string_view hint) {
  const std::string_view parent =
      e.path.size() > e.key.size() ? std::string_view(e.path).substr(0, e.path.size() - e.key.size() - 1)
                                   : std::string_view{};
  std::string message = "unknown key " + quoted(e.key);
  if (!parent.empty()) message += " in " + std::string(parent);
  if (!hint.empty()) {
    message += "; ";
    message += hint;
  } else if (auto suggestion = did_you_mean(e.key, known); !suggestion.empty()) {
    message += suggestion;
  } else {
    message += " (known keys: " + join(known) + ")";
  }
  problems_.error(e.key_at, std::move(message));
}

const entry* find(const std::vector<entry>& entries, std::string_view key) {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

namespace {

/// A base64 run of 20+ characters ending in '=' padding, like an access key pasted on its own.
bool holds_key_like_text(std::string_view text) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                        c == '/';
    if (base64) ++run;
    else if (c == '=' && run >= 20) return true;
    else run = 0;
  }
  return false;
}

}  // namespace

std::string shown(const scalar& s) {
  if (s.from_environment) return "(a value from the environment, not shown)";
  if (contains_case_insensitive(s.text, "accesskey") || contains_case_insensitive(s.text, "endpoint=") ||
      holds_key_like_text(s.text))
    return "(a value that looks like a connection string, not shown)";
  return quoted(s.text);
}

std::string quoted(std::string_view text) { return quote_excerpt(text, 64); }

std::string join(std::span<const std::string_view> words) { return join_words(words); }

}  // namespace acsbatch::job::detail
