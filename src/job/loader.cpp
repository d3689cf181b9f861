#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "acsbatch/auth/crypto.hpp"
#include "document.hpp"
#include "override.hpp"
#include "sections.hpp"
#include "thresholds.hpp"

namespace acsbatch::job {
namespace {

using detail::entry;
using detail::position;
using detail::reader;

constexpr std::string_view root_keys[] = {"version",  "name",       "connection", "concurrency", "users",
                                          "steps",    "timeouts",   "report",     "rate_limit",  "retry",
                                          "state",    "outputs",    "thresholds", "load"};
constexpr std::uint64_t max_concurrency = 100'000;
constexpr std::size_t max_name_length = 64;
/// A job file is a page of YAML; anything this big is a mistake (and would be slow to parse).
constexpr std::size_t max_file_size = 16 * 1024 * 1024;

/// For keys written one level too high: where they belong.
std::string belongs_under(std::string_view key) {
  std::string_view section;
  if (key == "connection_string" || key == "api_version") section = "connection";
  else if (key == "create" || key == "from_file" || key == "from_state" || key == "from_report") section = "users";
  else if (key == "request" || key == "grace") section = "timeouts";
  else if (key == "per_second" || key == "burst" || key == "adaptive" || key == "per_operation") section = "rate_limit";
  else if (key == "max_attempts" || key == "initial_backoff" || key == "max_backoff" ||
           key == "throttled_for") section = "retry";
  else if (key == "path" || key == "items") section = "report";
  else if (key == "scopes" || key == "expires_in") return "it belongs to a step, e.g. - issue_token: {scopes: [voip]}";
  if (section.empty()) return {};
  return "it belongs under '" + std::string(section) + "'";
}

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

void read_version(reader& r, const entry& e, job& out) {
  const auto value = r.string(e);
  if (!value) return;
  if (value->text != "1") {
    r.report().error(value->at, "version must be 1 (the job format this acsbatch reads), not " + shown(*value));
    return;
  }
  out.version = 1;
}

void read_name(reader& r, const entry& e, job& out) {
  const auto value = r.string(e);
  if (!value) return;
  const std::string& name = value->text;
  // The name becomes part of file names (reports/<name>.json): no separators, no hidden files.
  if (name.empty() || name.size() > max_name_length || name.front() == '.' ||
      !std::all_of(name.begin(), name.end(), is_name_char)) {
    r.report().error(value->at, "name must be 1 to 64 of A-Z a-z 0-9 . _ - and not start with '.' (it names "
                                "files), not " + shown(*value));
    return;
  }
  out.name = name;
}

void require(reader& r, const std::vector<entry>& entries, std::string_view key, position root_at,
             std::string_view example) {
  if (!detail::find(entries, key))
    r.report().error(root_at, "missing " + std::string(key) + " (e.g. " + std::string(example) + ")");
}

void read_root(reader& r, const YAML::Node& root, std::string_view job_directory, job& out) {
  const position root_at = detail::position_of(root);
  const auto entries = r.mapping(entry{"", "", root_at, root_at, root});
  if (!entries) return;

  for (const auto& e : *entries) {
    if (std::find(std::begin(root_keys), std::end(root_keys), e.key) == std::end(root_keys))
      r.unknown_key(e, root_keys, belongs_under(e.key));
  }
  // connection is optional: the embedded emulator is the default.
  require(r, *entries, "version", root_at, "version: 1");
  require(r, *entries, "name", root_at, "name: quickstart");
  const entry* load = detail::find(*entries, "load");
  if (load) {
    // A load test's scenario creates its users: users and steps would be a second job.
    for (const std::string_view key : {"users", "steps"})
      if (const auto* e = detail::find(*entries, key))
        r.report().error(e->key_at, std::string(key) + " cannot be used with load (its scenario creates and deletes "
                                                       "its own users)");
  } else {
    require(r, *entries, "users", root_at, "users: {create: 1}");
    require(r, *entries, "steps", root_at, "steps: [create_user]");
  }

  // Sections are read in dependency order (steps need the api-version and the users' source);
  // problems are sorted into file order at the end.
  if (const auto* e = detail::find(*entries, "version")) read_version(r, *e, out);
  if (const auto* e = detail::find(*entries, "name")) read_name(r, *e, out);
  if (const auto* e = detail::find(*entries, "connection"))
    detail::read_connection(r, *e, job_directory, out.connection);
  if (const auto* e = detail::find(*entries, "concurrency"))
    if (const auto n = r.integer(*e, 1, max_concurrency)) out.concurrency = static_cast<std::uint32_t>(*n);
  if (const auto* e = detail::find(*entries, "users")) detail::read_users(r, *e, job_directory, out.connection, out.users);
  if (load) {
    out.load.emplace();
    detail::read_load(r, *load, out.connection, *out.load, out.steps);
  } else if (const auto* e = detail::find(*entries, "steps")) {
    detail::read_steps(r, *e, out.connection, out.users, out.steps);
  }
  if (const auto* e = detail::find(*entries, "timeouts")) detail::read_timeouts(r, *e, out);
  if (const auto* e = detail::find(*entries, "rate_limit")) detail::read_rate_limit(r, *e, out.rate_limit);
  if (const auto* e = detail::find(*entries, "retry")) detail::read_retry(r, *e, out.retry);
  if (const auto* e = detail::find(*entries, "report")) detail::read_report(r, *e, out.report);
  if (const auto* e = detail::find(*entries, "thresholds")) detail::read_thresholds(r, *e, out.steps, out.thresholds, out.threshold_aborts);
  if (const auto* e = detail::find(*entries, "state")) detail::read_state(r, *e, out.state);
  if (const auto* e = detail::find(*entries, "outputs")) detail::read_outputs(r, *e, out.outputs);
  if (out.report.path.empty() && !out.name.empty()) out.report.path = "reports/" + out.name + ".json";
}

}  // namespace

job parse_job(std::string_view text, std::string file_name, const env_lookup& env) {
  return parse_job(text, std::move(file_name), env, {});
}

job parse_job(std::string_view text, std::string file_name, const env_lookup& env,
              const std::vector<override_value>& overrides) {
  detail::problems problems(file_name);
  detail::override_origins origins;
  reader r(problems, env, &origins);
  job out;
  out.file = std::move(file_name);
  out.sha256 = auth::to_hex(auth::sha256(text));
  // Files the job names (users.from_file, …) are found next to it, whatever the working directory.
  const std::string job_directory = std::filesystem::path(out.file).parent_path().string();
  try {
    // Interpolation happens per scalar after parsing, so a variable's value can never change the
    // structure of the document.
    if (auto root = detail::load_single_document(text, problems)) {
      detail::apply_overrides(*root, overrides, origins, problems);
      read_root(r, *root, job_directory, out);
    }
  } catch (const YAML::Exception& error) {
    problems.error(detail::position_of(error.mark), "invalid YAML: " + error.msg);
  } catch (const std::exception& error) {
    problems.error({}, std::string("cannot read the job: ") + error.what());
  }
  if (problems.has_errors()) throw job_error(problems.errors());
  out.warnings = problems.warnings();
  return out;
}

job load_job(const std::string& path, const env_lookup& env) { return load_job(path, env, {}); }

job load_job(const std::string& path, const env_lookup& env, const std::vector<override_value>& overrides) {
  const auto fail = [&](int error, std::string_view what) -> job_error {
    return job_error({diagnostic{path, 0, 0, std::string(what) + ": " + std::generic_category().message(error)}});
  };
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw fail(errno, "cannot open the job file");
  std::string text;
  char buffer[64 * 1024];
  errno = 0;
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, n);
    if (text.size() > max_file_size)
      throw job_error({diagnostic{path, 0, 0, "the job file is larger than 16 MiB; is it the right file?"}});
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) throw fail(errno != 0 ? errno : EIO, "cannot read the job file");
  return parse_job(text, path, env, overrides);
}

}  // namespace acsbatch::job
