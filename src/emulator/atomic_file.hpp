#pragma once
/// Replacing a file so that a reader (or a process started after a crash) sees the old contents
/// or the new ones, never a mix: the state file's writer. Private to src/emulator.

#include <filesystem>
#include <string>
#include <string_view>

namespace acsbatch::emulator {

/// Bytes go to `FILE.tmp`, created with mode 0600 (and missing parent directories); commit()
/// fsyncs it, renames it over FILE and fsyncs the directory. Destroyed without commit(), it
/// removes FILE.tmp and leaves FILE as it was. Every failure throws std::system_error naming
/// the file.
class atomic_file {
 public:
  explicit atomic_file(std::filesystem::path file);
  ~atomic_file();
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  /// Buffered: written in large blocks.
  void append(std::string_view bytes);
  void commit();

 private:
  [[noreturn]] void fail(std::string_view what, const std::filesystem::path& path) const;
  void flush();

  std::filesystem::path file_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace acsbatch::emulator
