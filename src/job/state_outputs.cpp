// `state:` and `outputs:` — the files a run keeps besides its report.

#include "sections.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view state_keys[] = {"path"};
constexpr std::string_view outputs_keys[] = {"tokens", "prometheus"};

/// A file path as report.path takes it: relative to the working directory, not a directory.
std::optional<std::string> read_file_path(reader& r, const entry& e) {
  const auto value = r.string(e);
  if (!value) return std::nullopt;
  if (value->text.empty() || value->text.back() == '/') {
    r.report().error(value->at, e.path + " must name a file, not " + shown(*value));
    return std::nullopt;
  }
  if (value->text.find('\0') != std::string::npos) {
    r.report().error(value->at, e.path + " must not contain a NUL character");
    return std::nullopt;
  }
  return value->text;
}

}  // namespace

void read_state(reader& r, const entry& section, state_spec& out) {
  if (section.value.IsNull()) return;  // `state:` or `state: null` — no journal
  const auto entries = r.mapping(section);
  if (!entries) return;
  for (const auto& e : *entries) {
    if (e.key == "path") {
      if (e.value.IsNull()) continue;
      if (auto path = read_file_path(r, e)) out.path = std::move(*path);
    } else {
      r.unknown_key(e, state_keys);
    }
  }
}

void read_outputs(reader& r, const entry& section, outputs_spec& out) {
  if (section.value.IsNull()) return;
  const auto entries = r.mapping(section);
  if (!entries) return;
  for (const auto& e : *entries) {
    if (e.key != "tokens" && e.key != "prometheus") {
      r.unknown_key(e, outputs_keys);
      continue;
    }
    if (e.value.IsNull()) continue;  // `tokens: null`: written nowhere
    auto path = read_file_path(r, e);
    if (!path) continue;
    if (e.key == "tokens") out.tokens = std::move(*path);
    else if (!path->ends_with(".prom"))
      // node_exporter's textfile collector reads only *.prom files: anything else is never scraped.
      r.report().error(e.value_at, e.path + " must end in .prom (the textfile collector reads only those files)");
    else out.prometheus = std::move(*path);
  }
}

}  // namespace acsbatch::job::detail
