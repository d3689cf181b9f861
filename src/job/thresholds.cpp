#include "thresholds.hpp"

#include <algorithm>

#include "sections.hpp"
#include "suggest.hpp"

namespace acsbatch::job::detail {
namespace {

/// A job with a few thousand thresholds is a generated mistake; each one copies histograms.
constexpr std::size_t max_thresholds = 1000;

/// Where byte `offset` of a scalar's text is in the file. Quoted scalars start one column
/// later; an interpolated text has moved, so its own start is the best place then.
position position_in(reader& r, const entry& element, const scalar& text, std::size_t offset) {
  position at = text.at;
  if (at.line == 0 || !at.set_path.empty() || r.from_override(element.value)) return at;
  if (element.value.Scalar() != text.text) return at;
  const bool quoted_scalar = element.value.Tag() == "!";
  at.column += static_cast<int>(offset) + (quoted_scalar ? 1 : 0);
  return at;
}

}  // namespace

void read_thresholds(reader& r, const entry& section, const std::vector<step>& steps,
                     std::vector<report::threshold>& out) {
  const auto elements = r.sequence(section);
  if (!elements) return;
  if (elements->size() > max_thresholds) {
    r.report().error(section.value_at, "thresholds may list at most " + std::to_string(max_thresholds) + " entries");
    return;
  }
  // Every operation may be named while parsing (so a typo gets a suggestion); only the job's own
  // steps pass the check after it.
  std::vector<std::string_view> step_names;
  for (const auto& s : steps) {
    const auto name = to_string(s.op);
    if (std::find(step_names.begin(), step_names.end(), name) == step_names.end()) step_names.push_back(name);
  }
  const report::suggestion suggest = [](std::string_view word, std::span<const std::string_view> candidates) {
    return did_you_mean(word, candidates);
  };

  for (const auto& element : *elements) {
    const auto text = r.string(element);
    if (!text) continue;
    report::threshold parsed;
    try {
      parsed = report::parse_threshold(text->text, operation_names, suggest);
    } catch (const report::threshold_error& e) {
      // A value from the environment may be a secret: say where, never what.
      if (text->from_environment)
        r.report().error(text->at, "the threshold from the environment is not valid (at character " +
                                       std::to_string(e.offset() + 1) + ")");
      else
        r.report().error(position_in(r, element, *text, e.offset()), std::string("threshold: ") + e.what());
      continue;
    }
    if (!parsed.operation.empty() && !step_names.empty() &&
        std::find(step_names.begin(), step_names.end(), parsed.operation) == step_names.end()) {
      const std::size_t open = text->text.find('(');
      const std::size_t at = open == std::string::npos ? 0 : text->text.find(parsed.operation, open);
      std::string steps_list;
      for (const auto name : step_names) steps_list += (steps_list.empty() ? "" : ", ") + std::string(name);
      r.report().error(position_in(r, element, *text, at == std::string::npos ? 0 : at),
                       "threshold: " + parsed.operation + " is not a step of this job (steps: " + steps_list + ")");
      continue;
    }
    out.push_back(std::move(parsed));
  }
}

}  // namespace acsbatch::job::detail
