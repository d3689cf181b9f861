// --key-file: a missing file gets a new private random key, an existing one is read back the
// same, and a file others may read (or that holds no key) is refused without showing the key.

#include "acsbatch/emulator/key_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/error.hpp"

namespace acsbatch::emulator {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

struct key_file_test : ::testing::Test {
  key_file_test() { fs::create_directories(dir); }
  ~key_file_test() override { fs::remove_all(dir); }

  /// The message of the config_error loading `file` raises.
  std::string refusal(const fs::path& file) {
    try {
      (void)load_or_create_key_file(file);
    } catch (const config_error& e) {
      return e.what();
    }
    ADD_FAILURE() << "loaded " << file;
    return {};
  }

  void write(const fs::path& file, const std::string& text, fs::perms mode) {
    std::ofstream(file) << text;
    fs::permissions(file, mode);
  }

  fs::path dir = fs::temp_directory_path() / ("acsbatch-key-" + std::to_string(::getpid()));
};

TEST_F(key_file_test, MissingFileGetsANewPrivateKeyReadBackTheSame) {
  const auto file = dir / "keys" / "emulator.key";
  const auto created = load_or_create_key_file(file);
  EXPECT_TRUE(created.created);
  EXPECT_EQ(created.access_key.size(), 64u);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  const auto again = load_or_create_key_file(file);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.access_key, created.access_key);
}

TEST_F(key_file_test, ReadsAKeyWrittenByHandWithSurroundingWhitespace) {
  const std::string key(48, 'k');
  write(dir / "k", "  " + auth::base64_encode(key) + "\n\n", fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(load_or_create_key_file(dir / "k").access_key, key);
}

TEST_F(key_file_test, RefusesAFileOthersMayReadWithoutShowingTheKey) {
  const std::string encoded = auth::base64_encode(std::string(64, 'z'));
  write(dir / "k", encoded + "\n",
        fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  const auto message = refusal(dir / "k");
  EXPECT_THAT(message, HasSubstr("group or others may access it (mode 0644)"));
  EXPECT_THAT(message, HasSubstr("chmod 600 " + (dir / "k").string()));
  EXPECT_EQ(message.find(encoded.substr(0, 16)), std::string::npos);
}

TEST_F(key_file_test, RefusesWhatIsNotAKey) {
  const auto private_mode = fs::perms::owner_read | fs::perms::owner_write;
  write(dir / "short", auth::base64_encode("sixteen bytes!!!"), private_mode);
  EXPECT_THAT(refusal(dir / "short"), HasSubstr("does not hold a base64 access key of at least 32 bytes"));
  write(dir / "text", "not base64 at all, and long enough to be mistaken for one", private_mode);
  const auto message = refusal(dir / "text");
  EXPECT_THAT(message, HasSubstr("does not hold a base64 access key"));
  EXPECT_EQ(message.find("mistaken"), std::string::npos);
  EXPECT_THAT(refusal(dir), HasSubstr("is not a regular file"));
}

}  // namespace
}  // namespace acsbatch::emulator
