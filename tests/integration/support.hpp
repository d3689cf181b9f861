#pragma once
// Helpers for end-to-end tests: run the acsbatch binary as a child process, read files, and
// fetch JSON from the emulator's loopback-only endpoints.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>

namespace acsbatch::testing {

struct process_result {
  int exit_code = -1;  ///< 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

/// Runs `args` to completion (see child_process); kills it after `limit`.
process_result run_process(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                           const std::map<std::string, std::optional<std::string>>& set_env = {},
                           std::chrono::seconds limit = std::chrono::seconds{120});

std::string read_file(const std::filesystem::path& path);

/// A fresh directory under the system temp dir, removed by the destructor.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A child process with stdout/stderr captured to files, for tests that signal it mid-run.
class child_process {
 public:
  /// Starts `args` (args[0] is the program) in `cwd` with the parent's environment plus
  /// `set_env` (an empty optional value unsets the variable).
  child_process(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                const std::map<std::string, std::optional<std::string>>& set_env = {});
  ~child_process();  ///< kills the child if it still runs
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  void signal(int number);
  /// Waits for the exit, killing the child after `limit`.
  process_result wait(std::chrono::seconds limit = std::chrono::seconds{120});
  /// What the child printed so far.
  std::string out_so_far() const;

 private:
  temp_dir outputs_;
  int pid_ = -1;
};

/// Runs one awaitable on `io` to completion and returns its value; throws when it does not
/// complete within `limit` or when it throws.
template <class T>
T run_to_completion(boost::asio::io_context& io, boost::asio::awaitable<T> op,
                    std::chrono::seconds limit = std::chrono::seconds{15}) {
  std::optional<T> out;
  boost::asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    out = std::move(value);
    io.stop();
  });
  io.restart();
  io.run_for(limit);
  if (!out) throw std::runtime_error("the call did not complete in time");
  return std::move(*out);
}

/// Sends a request to a loopback emulator endpoint (`/emulator/...`) and parses the JSON reply.
boost::json::value emulator_json(std::uint16_t port, const std::string& method, const std::string& target,
                                 const std::string& body = {});

}  // namespace acsbatch::testing
