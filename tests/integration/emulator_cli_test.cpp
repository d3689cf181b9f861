// `acsbatch emulator` flags for limits, faults, latency and seed: bad specs exit 64 with a
// message naming the bad part; the seed in use is printed on stderr.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support.hpp"

namespace acsbatch::testing {
namespace {

using namespace std::chrono_literals;

const std::string binary = ACSBATCH_BINARY;

TEST(EmulatorCli, BadSpecsExit64NamingTheBadPart) {
  temp_dir dir;
  auto result = run_process({binary, "emulator", "--faults", "429:1.5"}, dir.path());
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_THAT(result.err, ::testing::HasSubstr("--faults: '429:1.5' probability must be in [0,1]"));
  EXPECT_TRUE(result.out.empty());

  result = run_process({binary, "emulator", "--limits", "create_user=100"}, dir.path());
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_THAT(result.err, ::testing::HasSubstr("--limits: 'create_user=100'"));

  result = run_process({binary, "emulator", "--latency", "lognormal:median=20ms"}, dir.path());
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_THAT(result.err, ::testing::HasSubstr("needs p99=DURATION"));

  EXPECT_EQ(run_process({binary, "emulator", "--seed", "minus-one"}, dir.path()).exit_code, 64);
}

TEST(EmulatorCli, PrintsTheSeedAndTheActiveSettings) {
  temp_dir dir;
  const auto script = "'" + binary +
                      "' emulator --limits real --faults 503:0.1 --latency fixed:5ms --seed 7 & pid=$!; "
                      "sleep 1; kill -TERM $pid; wait $pid";
  const auto result = run_process({"/bin/sh", "-c", script}, dir.path(), {}, 30s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, ::testing::StartsWith("endpoint=http://127.0.0.1:"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("seed 7"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("create_user=1000/30s"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("faults 503@1s:0.1,apply=0.5"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("latency fixed:5ms"));
}

}  // namespace
}  // namespace acsbatch::testing
