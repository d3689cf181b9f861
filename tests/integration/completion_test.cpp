// The bash completion (scripts/completion/acsbatch.bash) against the binary's own --help: it
// offers every flag of every subcommand and nothing the binary does not know, the subcommands,
// and the right files. Run through bash, as a shell would, with COMP_WORDS set by hand.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli_help.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

const std::string binary = ACSBATCH_BINARY;
const std::filesystem::path source_dir = ACSBATCH_SOURCE_DIR;
const std::filesystem::path script = source_dir / "scripts" / "completion" / "acsbatch.bash";

/// What the completion offers for the command line `words` (the last word is the one being
/// completed), run in `cwd`.
std::set<std::string> complete(const std::vector<std::string>& words,
                               const std::filesystem::path& cwd = std::filesystem::current_path()) {
  std::string array;
  for (const auto& w : words) array += " '" + w + "'";
  const std::string program = ". '" + script.string() + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" +
                              std::to_string(words.size() - 1) +
                              "; _acsbatch; printf '%s\\n' \"${COMPREPLY[@]}\"";
  const auto bash = find_program("bash");
  const auto result = run_process({bash.string(), "--norc", "-c", program}, cwd);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  std::set<std::string> offered;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) offered.insert(line);
  return offered;
}

// Flags the completion offers ahead of the binary: `--shard I/N` and `--shards N` of run are
// being added with issue 10's sharding. Once the binary has them this list changes nothing.
const std::set<std::string> announced_run_flags{"--shard", "--shards"};

struct command_case {
  std::vector<std::string> words;  ///< the subcommand path: {"run"}, {"report", "merge"}
};

class CompletionFlags : public ::testing::TestWithParam<command_case> {};

TEST_P(CompletionFlags, OfferExactlyTheFlagsOfTheHelp) {
  const auto& words = GetParam().words;
  const cli_help help = read_cli_help(binary, words);
  ASSERT_FALSE(help.flags.empty());

  std::vector<std::string> line{"acsbatch"};
  line.insert(line.end(), words.begin(), words.end());
  line.push_back("-");
  const std::set<std::string> offered = complete(line);

  // A new flag without completion fails here: add it to scripts/completion/acsbatch.bash.
  for (const auto& flag : help.flags) EXPECT_TRUE(offered.contains(flag)) << flag << " is not completed";
  for (const auto& flag : offered) {
    const bool announced = words == std::vector<std::string>{"run"} && announced_run_flags.contains(flag);
    EXPECT_TRUE(help.flags.contains(flag) || announced) << flag << " is completed but not in --help";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Completion, CompletionFlags,
    ::testing::Values(command_case{{}}, command_case{{"run"}}, command_case{{"validate"}},
                      command_case{{"emulator"}}, command_case{{"cleanup"}}, command_case{{"report"}},
                      command_case{{"report", "merge"}}, command_case{{"report", "html"}},
                      command_case{{"report", "junit"}}),
    [](const auto& info) {
      std::string name = "acsbatch";
      for (const auto& w : info.param.words) name += "_" + w;
      return name;
    });

TEST(Completion, OffersTheSubcommandsOfTheHelp) {
  const cli_help top = read_cli_help(binary, {});
  const std::set<std::string> expected(top.subcommands.begin(), top.subcommands.end());
  EXPECT_EQ(complete({"acsbatch", ""}), expected);

  const cli_help report = read_cli_help(binary, {"report"});
  const std::set<std::string> expected_report(report.subcommands.begin(), report.subcommands.end());
  EXPECT_EQ(complete({"acsbatch", "report", ""}), expected_report);
  EXPECT_EQ(complete({"acsbatch", "re"}), (std::set<std::string>{"report"}));
}

TEST(Completion, OffersJobFilesForRunAndValidateAndAnyFileForState) {
  temp_dir dir;
  for (const char* name : {"nightly.yaml", "load.yml", "notes.txt", "journal.db"})
    std::ofstream(dir.path() / name) << "x";
  std::filesystem::create_directory(dir.path() / "jobs");

  const std::set<std::string> jobs{"nightly.yaml", "load.yml", "jobs"};
  EXPECT_EQ(complete({"acsbatch", "run", ""}, dir.path()), jobs);
  EXPECT_EQ(complete({"acsbatch", "validate", ""}, dir.path()), jobs);
  EXPECT_EQ(complete({"acsbatch", "run", "--quiet", "n"}, dir.path()), (std::set<std::string>{"nightly.yaml"}));
  EXPECT_EQ(complete({"acsbatch", "cleanup", "--job", ""}, dir.path()), jobs);
  EXPECT_EQ(complete({"acsbatch", "cleanup", "--state", "j"}, dir.path()),
            (std::set<std::string>{"journal.db", "jobs"}));
  EXPECT_EQ(complete({"acsbatch", "emulator", "--state", "n"}, dir.path()),
            (std::set<std::string>{"notes.txt", "nightly.yaml"}));
}

TEST(Completion, OffersTheValuesOfTheFlagsThatHaveFewAndNothingForFreeText) {
  EXPECT_EQ(complete({"acsbatch", "run", "job.yaml", "--log-format", ""}), (std::set<std::string>{"text", "json"}));
  EXPECT_EQ(complete({"acsbatch", "cleanup", "--log-format", "j"}), (std::set<std::string>{"json"}));
  EXPECT_EQ(complete({"acsbatch", "run", "--log-format", "=", ""}), (std::set<std::string>{"text", "json"}));
  EXPECT_EQ(complete({"acsbatch", "emulator", "--limits", ""}), (std::set<std::string>{"real", "off"}));
  EXPECT_EQ(complete({"acsbatch", "run", "job.yaml", "--set", ""}), std::set<std::string>{});
  EXPECT_EQ(complete({"acsbatch", "run", "job.yaml", "--threads", ""}), std::set<std::string>{});
}

}  // namespace
}  // namespace acsbatch::testing
