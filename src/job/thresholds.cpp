#include "thresholds.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <string>

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

constexpr std::string_view threshold_keys[] = {"threshold", "abort_on_fail", "delay_abort_eval"};
constexpr std::chrono::milliseconds max_abort_delay{std::chrono::hours{24}};

const report::suggestion suggest = [](std::string_view word, std::span<const std::string_view> candidates) {
  return did_you_mean(word, candidates);
};

/// One threshold's text, parsed and checked against the job's steps; nullopt (reported) if bad.
std::optional<report::threshold> read_one(reader& r, const entry& element, std::span<const std::string_view> step_names) {
  const auto text = r.string(element);
  if (!text) return std::nullopt;
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
    return std::nullopt;
  }
  if (!parsed.operation.empty() && !step_names.empty() &&
      std::find(step_names.begin(), step_names.end(), parsed.operation) == step_names.end()) {
    const std::size_t open = text->text.find('(');
    const std::size_t at = open == std::string::npos ? 0 : text->text.find(parsed.operation, open);
    std::string steps_list;
    for (const auto name : step_names) steps_list += (steps_list.empty() ? "" : ", ") + std::string(name);
    r.report().error(position_in(r, element, *text, at == std::string::npos ? 0 : at),
                     "threshold: " + parsed.operation + " is not a step of this job (steps: " + steps_list + ")");
    return std::nullopt;
  }
  return parsed;
}

/// Why a failure of `t` during the run would not be final. Counts only grow: `count < N` that
/// fails now fails at the end, `count > N` may still pass.
std::optional<std::string> why_not_abortable(const report::threshold& t) {
  using report::threshold_metric;
  const bool grows = t.metric == threshold_metric::count || t.metric == threshold_metric::failed ||
                     t.metric == threshold_metric::throttled;
  const bool upper_bound = t.comparison == report::threshold_comparison::less ||
                           t.comparison == report::threshold_comparison::less_equal;
  if (grows && !upper_bound)
    return std::string(report::to_string(t.metric)) +
           " only grows during a run: abort_on_fail can judge it with < or <= only";
  return std::nullopt;
}

}  // namespace

void read_thresholds(reader& r, const entry& section, const std::vector<step>& steps,
                     std::vector<report::threshold>& out, std::vector<job::threshold_abort>& aborts) {
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

  for (std::size_t index = 0; index < elements->size(); ++index) {
    entry element = (*elements)[index];
    element.path += "[" + std::to_string(index) + "]";  // messages name the entry: thresholds[2].…
    if (!element.value.IsMap()) {
      if (auto parsed = read_one(r, element, step_names)) out.push_back(std::move(*parsed));
      continue;
    }
    // `{threshold: TEXT, abort_on_fail: true, delay_abort_eval: 10s}` (k6's abortOnFail and
    // delayAbortEval, spelled as the rest of a job is).
    const auto entries = r.mapping(element);
    if (!entries) continue;
    const entry* text = nullptr;
    std::optional<bool> abort_on_fail;
    std::chrono::milliseconds delay{0};
    const entry* delay_entry = nullptr;
    for (const auto& e : *entries) {
      if (e.key == "threshold") text = &e;
      else if (e.key == "abort_on_fail") abort_on_fail = r.boolean(e);
      else if (e.key == "delay_abort_eval") {
        delay_entry = &e;
        if (const auto read = r.duration(e)) {
          if (*read > max_abort_delay)
            r.report().error(e.value_at, e.path + " must be at most 24h, not '" + e.value.Scalar() + "'");
          else
            delay = *read;
        }
      } else {
        r.unknown_key(e, threshold_keys);
      }
    }
    if (!text) {
      r.report().error(element.value_at, "a threshold written as a mapping needs threshold: (e.g. {threshold: "
                                         "\"p99(issue_token) < 300ms\", abort_on_fail: true})");
      continue;
    }
    auto parsed = read_one(r, *text, step_names);
    if (!parsed) continue;
    if (abort_on_fail.value_or(false)) {
      if (const auto why = why_not_abortable(*parsed)) {
        r.report().error(text->value_at, "threshold: " + report::to_string(*parsed) + ": " + *why);
        continue;
      }
      aborts.push_back({out.size(), delay});
    } else if (delay_entry) {
      r.report().error(delay_entry->key_at, delay_entry->path + " is used only with abort_on_fail: true");
    }
    out.push_back(std::move(*parsed));
  }
}

}  // namespace acsbatch::job::detail
