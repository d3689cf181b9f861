#pragma once
/// `--set key.path=value`: single values replaced or created in the document before it is checked.

#include <span>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "acsbatch/job/job.hpp"
#include "yaml_reader.hpp"

namespace acsbatch::job::detail {

/// The nodes --set made (values, keys and the mappings created on the way), so that messages
/// about them name the override: they have no place in the file.
class override_origins {
 public:
  void add(const YAML::Node& node, const std::string& path);
  /// The path of the --set that made `node` (the latest, when two did), or nullptr.
  const std::string* path_of(const YAML::Node& node) const;

 private:
  std::vector<std::pair<YAML::Node, std::string>> nodes_;
};

/// Empty when `path` is a usable key path, else why not (for a message after "--set: ").
std::string key_path_problem(std::string_view path);

/// Applies `overrides` in order to `root`. A root that is not a mapping is left alone (its own
/// error is reported elsewhere). A path into a list or through a single value, or one that would
/// replace a list, is reported to `out` and skipped.
void apply_overrides(YAML::Node& root, std::span<const override_value> overrides, override_origins& origins,
                     problems& out);

}  // namespace acsbatch::job::detail
