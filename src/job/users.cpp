#include <algorithm>
#include <filesystem>

#include "acsbatch/identity/types.hpp"
#include "acsbatch/identity/api_versions.hpp"
#include "sections.hpp"

namespace acsbatch::job::detail {
namespace {

constexpr std::string_view users_keys[] = {"create", "from_file", "from_state", "from_report", "custom_id"};
constexpr std::string_view user_sources[] = {"create", "from_file", "from_state", "from_report"};
constexpr std::uint64_t max_users = 100'000'000;

bool is_source(std::string_view key) {
  return std::find(std::begin(user_sources), std::end(user_sources), key) != std::end(user_sources);
}

}  // namespace

std::optional<std::string> read_path(reader& r, const entry& e, std::string_view job_directory) {
  const auto value = r.string(e);
  if (!value) return std::nullopt;
  const std::string& text = value->text;
  if (text.empty() || text.back() == '/') {
    r.report().error(value->at, e.path + " must name a file, not " + shown(*value));
    return std::nullopt;
  }
  if (text.find('\0') != std::string::npos) {
    r.report().error(value->at, e.path + " must not contain a NUL character");
    return std::nullopt;
  }
  const std::filesystem::path path(text);
  // A path given with --set was typed at the shell: the working directory is its base.
  if (path.is_absolute() || job_directory.empty() || r.from_override(e.value)) return text;
  return (std::filesystem::path(job_directory) / path).string();
}

namespace {

void read_custom_id(reader& r, const entry& e, const connection_spec& connection, users_spec& out) {
  const auto value = r.string(e);
  if (!value) return;
  if (value->text.find("{index}") == std::string::npos) {
    r.report().error(value->at, e.path + " must contain {index}, so that every user gets an identity of its own");
    return;
  }
  if (value->text.size() > 256) {
    r.report().error(value->at, e.path + " is longer than 256 characters");
    return;
  }
  if (!identity::api_version_has_custom_id(connection.api_version)) {
    r.report().error(e.key_at, e.path + " needs a connection.api_version whose spec has customId: " +
                                   identity::versions_with_custom_id() + " (this job uses " + connection.api_version +
                                   ", which has no customId)");
    return;
  }
  out.custom_id = value->text;
}

}  // namespace

void read_users(reader& r, const entry& section, std::string_view job_directory, const connection_spec& connection,
                users_spec& out) {
  const auto entries = r.mapping(section);
  if (!entries) return;
  const entry* source = nullptr;
  for (const auto& e : *entries) {
    if (is_source(e.key) && source != nullptr) {
      r.report().error(e.key_at, section.path + " has both " + source->key + " and " + e.key +
                                     ": give exactly one of create, from_file, from_state, from_report");
      continue;
    }
    if (e.key == "create") {
      source = &e;
      if (const auto n = r.integer(e, 1, max_users)) out.create = *n;
    } else if (e.key == "from_file") {
      source = &e;
      if (auto path = read_path(r, e, job_directory)) out.from_file = std::move(*path);
    } else if (e.key == "from_report") {
      source = &e;
      if (auto path = read_path(r, e, job_directory)) out.from_report = std::move(*path);
    } else if (e.key == "custom_id") {
      read_custom_id(r, e, connection, out);
    } else if (e.key == "from_state") {
      // Another job's state.path, and like it relative to the working directory (journals are
      // where runs happen, not files shipped beside the job).
      source = &e;
      if (auto path = read_path(r, e, {})) out.from_state = std::move(*path);
    } else {
      r.unknown_key(e, users_keys);
    }
  }
  if (!out.custom_id.empty() && out.create == 0 && source != nullptr)
    r.report().error(section.key_at, section.path + ".custom_id only applies to users.create (new users)");
  if (source == nullptr)
    r.report().error(section.key_at, section.path + " needs a source of users: create: N (new users), "
                                                    "from_file: PATH, from_state: JOURNAL or from_report: PATH (existing ones)");
}

}  // namespace acsbatch::job::detail

namespace acsbatch::job {

std::string users_spec::custom_id_for(std::uint64_t index) const {
  std::string out = custom_id;
  const std::string number = std::to_string(index);
  for (auto at = out.find("{index}"); at != std::string::npos; at = out.find("{index}", at + number.size()))
    out.replace(at, 7, number);
  return out;
}

}  // namespace acsbatch::job
