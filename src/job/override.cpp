#include "override.hpp"

#include <algorithm>
#include <cctype>

namespace acsbatch::job::detail {
namespace {

constexpr std::size_t max_key_length = 64;
constexpr std::size_t max_path_length = 256;
constexpr std::string_view override_example = "e.g. --set rate_limit.per_second=50";

bool is_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    keys.emplace_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) return keys;
    start = dot + 1;
  }
}

/// The value of `key` in `map` and its key node; nullopt when absent.
std::optional<std::pair<YAML::Node, YAML::Node>> child_of(const YAML::Node& map, const std::string& key) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key) return std::pair{it->first, it->second};
  return std::nullopt;
}

/// Sets `map.key` to `value` and records the key and the value as made by `path`. The key moves
/// to the end of the mapping.
void put(YAML::Node& map, const std::string& key, const YAML::Node& value, const std::string& path,
         override_origins& origins) {
  // Assigning to the existing value node would change every alias of an anchored value too
  // (`concurrency: *n` with `create: &n 4`); a fresh entry changes only this key.
  if (child_of(map, key)) map.remove(key);
  map[key] = value;
  origins.add(child_of(map, key)->first, path);
  origins.add(value, path);
}

void apply(YAML::Node& root, const override_value& o, override_origins& origins, problems& out) {
  const position at = position::from_set(o.path);
  if (const auto problem = key_path_problem(o.path); !problem.empty()) {
    out.error(at, problem);
    return;
  }
  const auto keys = split_path(o.path);
  YAML::Node map = root;
  std::string walked;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + keys[i];
    const auto child = child_of(map, keys[i]);
    // reset() rebinds the handle; assigning to a YAML::Node would overwrite the node it refers to.
    if (child && child->second.IsMap()) {
      map.reset(child->second);
      continue;
    }
    if (child && child->second.IsSequence()) {
      out.error(at, walked + " is a list in the job file: --set cannot change what is inside a list (edit the file)");
      return;
    }
    if (child && !child->second.IsNull()) {
      out.error(at, walked + " is a single value in the job file, so it has no key " + quoted(keys[i + 1]) +
                        " for --set to replace");
      return;
    }
    const YAML::Node created(YAML::NodeType::Map);
    put(map, keys[i], created, o.path, origins);
    map.reset(created);
  }
  if (const auto target = child_of(map, keys.back()); target && target->second.IsSequence()) {
    out.error(at, o.path + " is a list in the job file: --set replaces single values, not lists (edit the file)");
    return;
  }
  put(map, keys.back(), YAML::Node(o.value), o.path, origins);
}

}  // namespace

void override_origins::add(const YAML::Node& node, const std::string& path) { nodes_.emplace_back(node, path); }

const std::string* override_origins::path_of(const YAML::Node& node) const {
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it)
    if (it->first.is(node)) return &it->second;
  return nullptr;
}

std::string key_path_problem(std::string_view path) {
  if (path.empty()) return "the key before '=' is empty (" + std::string(override_example) + ")";
  if (path.size() > max_path_length)
    return "the key before '=' is longer than " + std::to_string(max_path_length) + " characters";
  for (const auto& key : split_path(path)) {
    if (key.empty() || key.size() > max_key_length || !std::all_of(key.begin(), key.end(), is_key_char))
      return quoted(path) + " is not a key path: it must be names of A-Z a-z 0-9 _ - (64 at most) separated by "
                            "single dots (" + std::string(override_example) + ")";
  }
  return {};
}

void apply_overrides(YAML::Node& root, std::span<const override_value> overrides, override_origins& origins,
                     problems& out) {
  if (!root.IsMap()) return;
  for (const auto& o : overrides) apply(root, o, origins, out);
}

}  // namespace acsbatch::job::detail

namespace acsbatch::job {

override_value parse_override(std::string_view text) {
  const auto fail = [](std::string message) { return job_error({diagnostic{"--set", 0, 0, std::move(message)}}); };
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) {
    // Without '=' the text might be a pasted key: shown only when short and not key-like.
    std::string lower(text.substr(0, 64));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool showable = text.size() <= 64 && lower.find("accesskey") == std::string::npos;
    throw fail("expected KEY=VALUE with KEY a dotted path (e.g. --set rate_limit.per_second=50), not " +
               (showable ? detail::quoted(text) : std::string("this (not shown)")));
  }
  const std::string_view path = text.substr(0, equals);
  if (const auto problem = detail::key_path_problem(path); !problem.empty()) throw fail(problem);
  return override_value{std::string(path), std::string(text.substr(equals + 1))};
}

}  // namespace acsbatch::job
