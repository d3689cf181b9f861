// Bytes → parse_job. Properties: only job_error escapes (and not for an exception of the loader's
// own, which it turns into "cannot read the job: …"), and no diagnostic, warning or error text
// shows the secret the environment holds (the canary connection string of ${CS}, or any 8
// characters of its key) unless the input itself contains that text.
//
// Input: a job file; after a line `#--set`, each further line is a --set KEY=VALUE override
// (lines parse_override refuses are dropped).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acsbatch/emulator/spec_checks.hpp"
#include "acsbatch/job/job.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace acsbatch;

/// base64("CANARY-KEY-do-not-leak").
constexpr std::string_view canary_key = "Q0FOQVJZLUtFWS1kby1ub3QtbGVhaw==";
constexpr std::string_view canary_connection_string =
    "endpoint=https://canary.communication.azure.com/;accesskey=Q0FOQVJZLUtFWS1kby1ub3QtbGVhaw==";
constexpr std::string_view set_marker = "\n#--set\n";

std::optional<std::string> fake_environment(std::string_view name) {
  if (name == "CS") return std::string(canary_connection_string);
  if (name == "SECRET") return std::string("CANARY-secret-value");
  if (name == "COUNT") return std::string("4");
  if (name == "EMPTY") return std::string();
  return std::nullopt;
}

/// The secret pieces a message must not show: "CANARY" and every 8-character run of the key.
std::vector<std::string_view> secret_pieces() {
  std::vector<std::string_view> pieces{"CANARY"};
  for (std::size_t i = 0; i + 8 <= canary_key.size(); ++i) pieces.push_back(canary_key.substr(i, 8));
  return pieces;
}

void check_no_secret(std::string_view message, std::string_view input) {
  static const auto pieces = secret_pieces();
  for (const auto piece : pieces) {
    if (message.find(piece) != std::string_view::npos && input.find(piece) == std::string_view::npos)
      fuzz::fail("a job message shows the environment's secret (" + std::string(piece) + ")", message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // As the CLI does: connection.emulator's specs are checked with the emulator's own parsers.
  job::register_emulator_spec_checks(
      {emulator::limits_spec_problem, emulator::faults_spec_problem, emulator::latency_spec_problem});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::text_of(data, size);
  std::string_view text = input;
  std::vector<job::override_value> overrides;
  if (const auto at = input.find(set_marker); at != std::string_view::npos) {
    text = input.substr(0, at);
    for (const auto line : fuzz::split(input.substr(at + set_marker.size()), "\n")) {
      try {
        overrides.push_back(job::parse_override(line));
      } catch (const job::job_error& e) {
        check_no_secret(e.what(), input);
      }
    }
  }

  const job::env_lookup env = fake_environment;
  try {
    const job::job parsed = job::parse_job(text, "jobs/fuzz.yaml", env, overrides);
    for (const auto& warning : parsed.warnings) check_no_secret(warning, input);
    fuzz::check(!parsed.steps.empty(), "a job without steps was accepted", text);
    fuzz::check(parsed.concurrency > 0, "a job with concurrency 0 was accepted", text);
  } catch (const job::job_error& e) {
    fuzz::check(!e.diagnostics().empty(), "job_error without a diagnostic", text);
    for (const auto& d : e.diagnostics()) {
      check_no_secret(d.to_string(), input);
      // The loader's last-resort catch: an exception other than YAML's is a bug in the loader.
      fuzz::check(!d.message.starts_with("cannot read the job: "), "the loader threw", d.to_string());
    }
    check_no_secret(e.what(), input);
  }
  return 0;
}
