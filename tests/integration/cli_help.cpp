#include "cli_help.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include <unistd.h>

#include "support.hpp"

namespace acsbatch::testing {

cli_help read_cli_help(const std::string& binary, const std::vector<std::string>& words) {
  std::vector<std::string> args{binary};
  args.insert(args.end(), words.begin(), words.end());
  args.push_back("--help");
  const auto result = run_process(args, std::filesystem::current_path());
  EXPECT_EQ(result.exit_code, 0) << result.err;

  cli_help help;
  std::istringstream lines(result.out);
  std::string line, block;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == ':' && line.front() != ' ') {
      block = line;
      continue;
    }
    // An entry starts at column 3; its description may continue on lines indented further.
    if (line.size() < 3 || line.compare(0, 2, "  ") != 0 || line[2] == ' ') continue;
    const std::string head = line.substr(2, line.find(' ', 2) - 2);
    if (block == "Subcommands:") {
      help.subcommands.push_back(head);
    } else if (block == "Options:") {
      std::istringstream names(head);  // "-q,--quiet"
      for (std::string name; std::getline(names, name, ',');) help.flags.insert(name);
    }
  }
  return help;
}

std::filesystem::path find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir) / program;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace acsbatch::testing
