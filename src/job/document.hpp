#pragma once
/// The one YAML document of a job file.

#include <optional>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "yaml_reader.hpp"

namespace acsbatch::job::detail {

/// Parses `text`, which must hold exactly one YAML document. Reports an empty text, a second
/// document and YAML syntax errors (at yaml-cpp's position) to `out`; nullopt then, except for
/// a second document, where the first is still returned so that it gets checked too.
std::optional<YAML::Node> load_single_document(std::string_view text, problems& out);

}  // namespace acsbatch::job::detail
