#pragma once
/// outputs.tokens: issued tokens as JSON lines {"user_id","token","expires_on"}, the only place
/// a token is ever written. The lines go to `<path>.partial` (mode 0600 from its creation) as
/// tokens arrive; commit() renames it over `path`, so a reader never sees half a file. A resumed
/// run appends to the same partial file (taking back a committed file first), so the final file
/// holds the tokens of every run of the job. A step cut off between the token's arrival and its
/// journal record is redone on --resume: that user then has two lines, the later one newer.

#include <chrono>
#include <string>

namespace acsbatch::state {

class token_file {
 public:
  /// `append`: keep the tokens of an earlier run of the same job (--resume). Throws
  /// std::system_error naming the file.
  token_file(std::string path, bool append);
  ~token_file();
  token_file(const token_file&) = delete;
  token_file& operator=(const token_file&) = delete;

  /// Writes one line at once (a killed run keeps every token it received: the step that issued
  /// it is journalled done only afterwards). Throws std::system_error (disk full).
  void add(const std::string& user_id, const std::string& token, std::chrono::system_clock::time_point expires_on);
  /// Writes what is buffered, fsyncs, renames into place. Throws std::system_error.
  void commit();
  /// Writes what is buffered and leaves the partial file for a later --resume.
  void keep_partial();

  const std::string& path() const { return path_; }
  std::uint64_t count() const { return count_; }

 private:
  void write_buffer();

  std::string path_;
  std::string partial_;
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t count_ = 0;
};

}  // namespace acsbatch::state
