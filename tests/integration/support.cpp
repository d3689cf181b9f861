#include "support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "acsbatch/http/client.hpp"

extern char** environ;

namespace acsbatch::testing {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

temp_dir::temp_dir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() / ("acsbatch-test-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

child_process::child_process(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                             const std::map<std::string, std::optional<std::string>>& set_env) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : set_env) {
    if (value) env[name] = *value;
    else env.erase(name);
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args_copy = args;
  for (auto& s : args_copy) argv.push_back(s.data());
  argv.push_back(nullptr);

  const auto out_path = outputs_.path() / "stdout";
  const auto err_path = outputs_.path() / "stderr";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0 || ::chdir(cwd.c_str()) != 0) _exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
}

child_process::~child_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void child_process::signal(int number) {
  if (pid_ > 0) ::kill(pid_, number);
}

std::string child_process::out_so_far() const { return read_file(outputs_.path() / "stdout"); }

process_result child_process::wait(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  pid_ = -1;
  process_result result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(outputs_.path() / "stdout");
  result.err = read_file(outputs_.path() / "stderr");
  return result;
}

process_result run_process(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                           const std::map<std::string, std::optional<std::string>>& set_env,
                           std::chrono::seconds limit) {
  return child_process{args, cwd, set_env}.wait(limit);
}

boost::json::value emulator_json(std::uint16_t port, const std::string& method, const std::string& target,
                                 const std::string& body) {
  boost::asio::io_context io;
  http::client client{io.get_executor()};
  http::request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.has_body = !body.empty();
  if (!body.empty()) req.headers.set("Content-Type", "application/json");
  auto future = boost::asio::co_spawn(
      io, client.send(acsbatch::endpoint{"http", "127.0.0.1", port}, std::move(req), std::chrono::seconds{10}),
      boost::asio::use_future);
  io.run();
  auto response = future.get();
  if (!response) throw std::runtime_error("emulator request failed: " + response.error().message());
  return boost::json::parse(response->body);
}

}  // namespace acsbatch::testing
