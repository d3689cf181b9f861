#pragma once
// What the `acsbatch report` CLI tests share: a small job with thresholds that writes its report,
// HTML and JUnit under out/, and running the binary without a connection string.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support.hpp"

namespace acsbatch::testing {

/// A job of `users` users (create, issue, delete) with three thresholds that pass, writing
/// out/NAME.json under `dir`; `report_keys` are added to its report section (", html: F").
inline std::filesystem::path write_report_job(const std::filesystem::path& dir, const std::string& name, int users,
                                              const std::string& report_keys = {}) {
  const auto path = dir / (name + ".yaml");
  std::ofstream(path) << "version: 1\nname: " << name
                      << "\nconnection:\n  connection_string: embedded\n  emulator: {latency: \"uniform:min=1ms,max=4ms\"}\n"
                         "concurrency: 8\nusers: {create: "
                      << users
                      << "}\nsteps:\n  - create_user\n  - issue_token: {scopes: [voip]}\n  - delete_user\n"
                         "rate_limit: {per_operation: none}\n"
                         "thresholds: [\"p99(issue_token) < 2s\", \"error_rate < 1%\", \"rate(create_user) > 0.1/s\"]\n"
                         "report: {path: out/"
                      << name << ".json" << report_keys << "}\n";
  return path;
}

/// Runs the acsbatch binary with `args` in `cwd`, without a connection string in the environment.
inline process_result run_acsbatch(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  std::vector<std::string> all{ACSBATCH_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  return run_process(all, cwd, {{"COMMUNICATION_SERVICES_CONNECTION_STRING", std::nullopt}});
}

/// A directory with out/a.json and out/b.json: two runs of the same 30-user job named shard
/// (`report_keys` as for write_report_job).
class two_runs {
 public:
  explicit two_runs(const std::string& report_keys = {}) {
    for (const char* shard : {"a", "b"}) {
      const auto job = write_report_job(dir_.path(), "shard", 30, report_keys);
      last_ = run_acsbatch({"run", job.string(), "--report", out(std::string(shard) + ".json"), "--quiet"}, dir_.path());
      if (last_.exit_code != 0) return;
    }
  }
  bool ok() const { return last_.exit_code == 0; }
  const std::string& error() const { return last_.err; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string out(const std::string& name) const { return (dir_.path() / "out" / name).string(); }

 private:
  temp_dir dir_;
  process_result last_;
};

}  // namespace acsbatch::testing
