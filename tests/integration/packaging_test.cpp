// Installing and packaging this build tree: `cmake --install` into a temporary prefix gives a
// working acsbatch with its jobs, man page and bash completion in the GNU places; `cpack -G DEB`
// gives a .deb with those files and Depends on the libraries acsbatch links; the Dockerfile's
// runtime image installs the same libraries.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli_help.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string binary = ACSBATCH_BINARY;
const fs::path source_dir = ACSBATCH_SOURCE_DIR;
const fs::path build_dir = ACSBATCH_BUILD_DIR;
const std::string cmake = ACSBATCH_CMAKE_COMMAND;
const std::string cpack = ACSBATCH_CPACK_COMMAND;

// The Debian packages of the shared libraries acsbatch links (Debian 12), which the .deb must
// depend on and the runtime image must install; and ca-certificates, for TLS to the service.
// OpenSSL only: the C++ libraries are linked in (ACSBATCH_BUNDLE_LIBS, on in the plain builds).
const std::vector<std::string> runtime_packages{"libssl3", "ca-certificates"};

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

/// Runs a tool found on PATH; fails the test (with its output) when it exits non-zero.
process_result run_tool(const std::string& name, std::vector<std::string> args, const fs::path& cwd,
                        std::chrono::seconds limit = 120s) {
  const fs::path program = name.find('/') == std::string::npos ? find_program(name) : fs::path(name);
  EXPECT_FALSE(program.empty()) << name << " is not installed";
  args.insert(args.begin(), program.string());
  auto result = run_process(args, cwd, {}, limit);
  EXPECT_EQ(result.exit_code, 0) << name << ": " << result.out << result.err;
  return result;
}

/// Every flag of every subcommand, as `--help` lists them.
std::vector<std::pair<std::string, std::string>> every_flag() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& command : read_cli_help(binary, {}).subcommands) {
    const cli_help help = read_cli_help(binary, {command});
    std::vector<std::vector<std::string>> paths;
    if (help.subcommands.empty()) paths.push_back({command});
    for (const auto& sub : help.subcommands) paths.push_back({command, sub});
    for (const auto& path : paths)
      for (const auto& flag : read_cli_help(binary, path).flags) out.emplace_back(path.back(), flag);
  }
  return out;
}

/// troff writes a minus as "\-": the man page's text with those turned back into "-".
std::string man_text(const fs::path& page) {
  return std::regex_replace(read_file(page), std::regex(R"(\\-)"), "-");
}

TEST(Packaging, InstallIntoAPrefixGivesAWorkingAcsbatchWithJobsManPageAndCompletion) {
  temp_dir prefix;
  const auto started = std::chrono::steady_clock::now();
  run_tool(cmake, {"--install", build_dir.string(), "--prefix", prefix.path().string()}, build_dir);
  std::cout << "cmake --install: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
            << " ms\n";

  const fs::path installed = prefix.path() / "bin" / "acsbatch";
  const auto version = run_tool(installed.string(), {"--version"}, prefix.path());
  EXPECT_EQ(version.out, run_process({binary, "--version"}, build_dir).out);
  EXPECT_THAT(version.out, ::testing::StartsWith("acsbatch "));

  // Every shipped job validates from the installed tree, from any working directory.
  const fs::path jobs = prefix.path() / "share" / "acsbatch" / "jobs";
  ASSERT_TRUE(fs::exists(jobs / "quickstart.yaml"));
  for (const auto& entry : fs::directory_iterator(source_dir / "jobs")) {
    if (entry.path().extension() != ".yaml") continue;
    const auto validated = run_process({installed.string(), "validate", (jobs / entry.path().filename()).string()},
                                       prefix.path(), {{"COMMUNICATION_SERVICES_CONNECTION_STRING", std::nullopt}});
    EXPECT_EQ(validated.exit_code, 0) << entry.path().filename() << ": " << validated.err;
  }

  // The completion is the source's script, where bash-completion looks for it by command name.
  const fs::path completion = prefix.path() / "share" / "bash-completion" / "completions" / "acsbatch";
  ASSERT_TRUE(fs::exists(completion));
  EXPECT_EQ(read_file(completion), read_file(source_dir / "scripts" / "completion" / "acsbatch.bash"));

  // The man page names every subcommand and every flag the binary has.
  const fs::path page = prefix.path() / "share" / "man" / "man1" / "acsbatch.1";
  ASSERT_TRUE(fs::exists(page));
  const std::string man = man_text(page);
  EXPECT_THAT(man, ::testing::StartsWith(".\\\" Generated"));
  EXPECT_THAT(man, ::testing::HasSubstr(".TH ACSBATCH 1"));
  for (const char* section : {".SH NAME", ".SH SYNOPSIS", ".SH COMMANDS", ".SH EXIT STATUS", ".SH ENVIRONMENT"})
    EXPECT_THAT(man, ::testing::HasSubstr(section));
  for (const auto& command : read_cli_help(binary, {}).subcommands)
    EXPECT_THAT(man, ::testing::HasSubstr(".SS \"acsbatch " + command)) << command;
  for (const auto& [command, flag] : every_flag()) EXPECT_THAT(man, ::testing::HasSubstr(flag)) << command;

  // The examples: cron, systemd and Kubernetes, beside the README.
  const fs::path doc = prefix.path() / "share" / "doc" / "acsbatch";
  for (const char* file : {"README.md", "examples/cron/acsbatch.crontab",
                           "examples/systemd/acsbatch-revoke-nightly.timer", "examples/k8s/job.yaml",
                           "examples/k8s/configmap.yaml", "examples/k8s/secret.yaml"})
    EXPECT_TRUE(fs::exists(doc / file)) << file;
}

TEST(Packaging, TheManPageIsValidTroff) {
  const fs::path groff = find_program("groff");
  if (groff.empty()) GTEST_SKIP() << "groff is not installed";
  const auto checked = run_process({groff.string(), "-man", "-ww", "-z", (build_dir / "man" / "acsbatch.1").string()},
                                   build_dir);
  EXPECT_EQ(checked.exit_code, 0);
  EXPECT_EQ(checked.err, "") << "groff warnings";
}

/// The packages of the shared libraries `program` loads (ldd, then dpkg's file lists), without
/// those every Debian system has and the sanitizers' runtimes of the asan/tsan builds.
std::set<std::string> linked_packages(const std::string& program) {
  const std::set<std::string> everywhere{"libc6", "libgcc-s1", "libstdc++6", "libasan8", "libubsan1",
                                         "libtsan2", "liblsan0"};
  const auto ldd = run_tool("ldd", {program}, build_dir);
  std::set<std::string> packages;
  std::istringstream lines(ldd.out);
  for (std::string line; std::getline(lines, line);) {
    const auto arrow = line.find("=> /");
    if (arrow == std::string::npos) continue;
    const std::string path = line.substr(arrow + 3, line.find(" (", arrow) - arrow - 3);
    // Debian 12 merged /lib into /usr/lib; dpkg knows each file by the one path its package names.
    std::string owner;
    for (const std::string& candidate : {path, "/usr" + path, path.rfind("/usr/", 0) == 0 ? path.substr(4) : path}) {
      const auto query = run_process({find_program("dpkg-query").string(), "-S", candidate}, build_dir);
      if (query.exit_code == 0) {
        owner = query.out.substr(0, query.out.find(':'));
        break;
      }
    }
    EXPECT_FALSE(owner.empty()) << path << " belongs to no package";
    if (!owner.empty() && !everywhere.contains(owner)) packages.insert(owner);
  }
  return packages;
}

TEST(Packaging, TheRuntimeImageAndTheDebAccountForEveryLibraryTheBinaryLinks) {
  if (find_program("dpkg-query").empty()) GTEST_SKIP() << "not a Debian system";
  // The image and the .deb ship a plain build; a sanitizer build links more (its runtimes, and
  // libraries it cannot drop with --as-needed).
  const auto ldd = run_tool("ldd", {binary}, build_dir).out;
  if (ldd.find("libasan") != std::string::npos || ldd.find("libtsan") != std::string::npos)
    GTEST_SKIP() << "a sanitizer build: the runtime list is checked on the plain builds";
  const std::set<std::string> linked = linked_packages(binary);
  for (const auto& package : linked)
    EXPECT_THAT(runtime_packages, ::testing::Contains(package)) << package << " is linked but not listed";

  // The Dockerfile: a build stage and a Debian 12 runtime stage that installs exactly those.
  const std::string dockerfile = read_file(source_dir / "Dockerfile");
  std::vector<std::string> stages;
  const std::regex from{R"(^FROM (\S+))", std::regex::multiline};
  for (auto it = std::sregex_iterator(dockerfile.begin(), dockerfile.end(), from); it != std::sregex_iterator(); ++it)
    stages.push_back((*it)[1]);
  ASSERT_EQ(stages.size(), 2u);
  for (const auto& image : stages) EXPECT_THAT(image, ::testing::StartsWith("debian:12"));
  const std::string runtime = dockerfile.substr(dockerfile.rfind("\nFROM "));
  const std::regex install{R"(apt-get install -y -q --no-install-recommends \\\n((?:[^\n]*\\\n)*?)[^\n]*&&)"};
  auto installs = [&](const std::string& stage) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(stage, m, install)) << "no apt-get install in a stage";
    std::set<std::string> names;
    for (const auto& w : split_words(std::regex_replace(m[1].str(), std::regex(R"(\\)"), " "))) names.insert(w);
    return names;
  };
  EXPECT_EQ(installs(runtime), std::set<std::string>(runtime_packages.begin(), runtime_packages.end()));
  EXPECT_THAT(runtime, ::testing::ContainsRegex("\nUSER [1-9][0-9]*"));  // not root

  // What the build stage installs is what scripts/setup.sh installs, less the test-only packages.
  const std::string setup = read_file(source_dir / "scripts" / "setup.sh");
  for (const auto& package : installs(dockerfile.substr(0, dockerfile.rfind("\nFROM "))))
    EXPECT_THAT(setup, ::testing::HasSubstr(" " + package)) << package << " is not in scripts/setup.sh";
}

TEST(Packaging, CpackBuildsADebWithTheRuntimeDependsAndTheInstalledFiles) {
  if (find_program("dpkg-deb").empty()) GTEST_SKIP() << "dpkg-deb is not installed";
  temp_dir out;
  const auto started = std::chrono::steady_clock::now();
  run_tool(cpack, {"-G", "DEB", "-B", out.path().string(), "--config", (build_dir / "CPackConfig.cmake").string()},
           build_dir, 240s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  fs::path deb;
  for (const auto& entry : fs::directory_iterator(out.path()))
    if (entry.path().extension() == ".deb") deb = entry.path();
  ASSERT_FALSE(deb.empty()) << "cpack made no .deb";
  std::cout << "cpack -G DEB: " << took.count() << " ms, " << deb.filename().string() << " " << fs::file_size(deb)
            << " bytes\n";

  const auto info = run_tool("dpkg-deb", {"-I", deb.string()}, out.path());
  std::smatch depends;
  ASSERT_TRUE(std::regex_search(info.out, depends, std::regex(R"(\n Depends: ([^\n]*))"))) << info.out;
  std::cout << "Depends: " << depends[1] << "\n";
  std::set<std::string> depended;
  for (const auto& clause : split_words(std::regex_replace(depends[1].str(), std::regex(R"(\([^)]*\)|,|\|)"), " ")))
    depended.insert(clause);
  for (const auto& package : runtime_packages) EXPECT_TRUE(depended.contains(package)) << package;
  EXPECT_THAT(info.out, ::testing::HasSubstr(" Package: acsbatch\n"));

  const auto contents = run_tool("dpkg-deb", {"-c", deb.string()}, out.path());
  for (const char* file : {"./usr/bin/acsbatch", "./usr/share/man/man1/acsbatch.1",
                           "./usr/share/bash-completion/completions/acsbatch", "./usr/share/acsbatch/jobs/quickstart.yaml",
                           "./usr/share/doc/acsbatch/examples/k8s/job.yaml",
                           "./usr/share/doc/acsbatch/examples/systemd/acsbatch-revoke-nightly.service"})
    EXPECT_THAT(contents.out, ::testing::HasSubstr(std::string(" ") + file + "\n")) << file;

  // The packaged (stripped) binary runs and loads a packaged job.
  const fs::path root = out.path() / "root";
  run_tool("dpkg-deb", {"-x", deb.string(), root.string()}, out.path());
  const std::string packaged = (root / "usr" / "bin" / "acsbatch").string();
  run_tool(packaged, {"--version"}, root);
  run_tool(packaged, {"validate", (root / "usr" / "share" / "acsbatch" / "jobs" / "quickstart.yaml").string()}, root);
}

}  // namespace
}  // namespace acsbatch::testing
