#include <filesystem>
#include <limits>

#include "sections.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view emulator_keys[] = {"state", "limits", "faults", "latency", "seed"};

/// Set once at start-up, before any job is loaded.
emulator_spec_checks registered_checks;

/// A path from the file is relative to the job's directory (users.from_file does the same);
/// one given with --set was typed at the shell, so the working directory is its base.
void read_state(reader& r, const entry& e, std::string_view job_directory, emulator_spec& out) {
  const auto value = r.string(e);
  if (!value) return;
  const std::string& text = value->text;
  if (text.empty() || text.back() == '/') {
    r.report().error(value->at, e.path + " must name a file, not " + shown(*value));
    return;
  }
  if (text.find('\0') != std::string::npos) {
    r.report().error(value->at, e.path + " must not contain a NUL character");
    return;
  }
  const std::filesystem::path path(text);
  if (path.is_absolute() || job_directory.empty() || r.from_override(e.value)) out.state = text;
  else out.state = (std::filesystem::path(job_directory) / path).string();
}

/// A --limits, --faults or --latency spec, checked with the emulator's grammar.
void read_spec(reader& r, const entry& e, std::optional<std::string> (*problem_of)(std::string_view),
               std::string& out) {
  const auto value = r.string(e);
  if (!value) return;
  if (const auto problem = problem_of ? problem_of(value->text) : std::nullopt) {
    // The problem quotes the spec: not a value from the environment, which might be a secret.
    r.report().error(value->at, e.path + ": " +
                                    (value->from_environment ? "not valid (the value came from the environment "
                                                               "and is not shown)"
                                                             : *problem));
    return;
  }
  out = value->text;
}

}  // namespace

void read_emulator(reader& r, const entry& section, std::string_view job_directory, emulator_spec& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  constexpr auto max_seed = std::numeric_limits<std::uint64_t>::max();
  for (const auto& e : *entries) {
    if (e.key == "state") read_state(r, e, job_directory, out);
    else if (e.key == "limits") read_spec(r, e, registered_checks.limits, out.limits);
    else if (e.key == "faults") read_spec(r, e, registered_checks.faults, out.faults);
    else if (e.key == "latency") read_spec(r, e, registered_checks.latency, out.latency);
    else if (e.key != "seed") r.unknown_key(e, emulator_keys);
    else if (const auto seed = r.integer(e, 0, max_seed)) out.seed = *seed;
  }
}

}  // namespace acsbatch::job::detail

namespace acsbatch::job {

void register_emulator_spec_checks(emulator_spec_checks checks) { detail::registered_checks = checks; }

}  // namespace acsbatch::job
