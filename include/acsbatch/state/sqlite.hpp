#pragma once
/// A thin RAII layer over the SQLite C API: a connection and prepared statements, with every
/// failure turned into state_error naming the database file and what was being done.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace acsbatch::state {

/// A journal that cannot be opened, read or written. The message names the file; it never
/// holds a secret (journals hold none).
class state_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class statement;

class database {
 public:
  enum class mode { read_write_create, read_write, read_only };

  /// Opens (and with read_write_create creates) `path`; throws state_error.
  database(std::string path, mode how);
  ~database();
  database(database&& other) noexcept;
  database& operator=(database&&) = delete;
  database(const database&) = delete;

  /// Runs one or more statements that return no rows; throws state_error.
  void exec(std::string_view sql);
  statement prepare(std::string_view sql);

  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }
  /// "cannot <what> <path>: <sqlite's message>"
  [[noreturn]] void fail(std::string_view what) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

class statement {
 public:
  statement(database& db, std::string_view sql);
  ~statement();
  statement(statement&& other) noexcept;
  statement& operator=(statement&&) = delete;
  statement(const statement&) = delete;

  /// Parameters are 1-based, as in SQL's ?1, ?2 …
  statement& bind(int at, std::int64_t value);
  statement& bind(int at, std::string_view text);  ///< copied by SQLite (SQLITE_TRANSIENT)
  statement& bind_null(int at);
  statement& bind_optional(int at, const std::optional<std::string>& text);

  /// Steps once: true when a row is available, false when done; throws state_error.
  bool step();
  /// Steps a statement that returns no rows, then resets it for reuse.
  void run();
  void reset();

  std::int64_t column_int(int at) const;
  std::string column_text(int at) const;
  bool column_is_null(int at) const;

 private:
  database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed uncommitted.
class transaction {
 public:
  explicit transaction(database& db);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  database& db_;
  bool open_ = true;
};

}  // namespace acsbatch::state
