#include "acsbatch/state/sqlite.hpp"

#include <sqlite3.h>

namespace acsbatch::state {

database::database(std::string path, mode how) : path_(std::move(path)) {
  int flags = SQLITE_OPEN_NOMUTEX;  // each connection is used by one thread at a time
  switch (how) {
    case mode::read_write_create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case mode::read_write: flags |= SQLITE_OPEN_READWRITE; break;
    case mode::read_only: flags |= SQLITE_OPEN_READONLY; break;
  }
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw state_error("cannot open the journal " + path_ + ": " + why);
  }
  // A second process (cleanup, a rotation reading from_state) may hold a lock for a moment.
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_extended_result_codes(db_, 1);
}

database::~database() {
  if (db_) sqlite3_close_v2(db_);
}

database::database(database&& other) noexcept : path_(std::move(other.path_)), db_(other.db_) { other.db_ = nullptr; }

void database::fail(std::string_view what) const {
  throw state_error("cannot " + std::string(what) + " " + path_ + ": " + (db_ ? sqlite3_errmsg(db_) : "not open"));
}

void database::exec(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail("write the journal");
}

statement database::prepare(std::string_view sql) { return statement(*this, sql); }

statement::statement(database& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                         nullptr) != SQLITE_OK)
    db.fail("read the journal");
}

statement::~statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

statement::statement(statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

statement& statement::bind(int at, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, at, value) != SQLITE_OK) db_->fail("write the journal");
  return *this;
}

statement& statement::bind(int at, std::string_view text) {
  if (sqlite3_bind_text64(stmt_, at, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
    db_->fail("write the journal");
  return *this;
}

statement& statement::bind_null(int at) {
  if (sqlite3_bind_null(stmt_, at) != SQLITE_OK) db_->fail("write the journal");
  return *this;
}

statement& statement::bind_optional(int at, const std::optional<std::string>& text) {
  return text ? bind(at, *text) : bind_null(at);
}

bool statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  db_->fail("use the journal");
}

void statement::run() {
  step();
  reset();
}

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t statement::column_int(int at) const { return sqlite3_column_int64(stmt_, at); }

std::string statement::column_text(int at) const {
  const auto* text = sqlite3_column_text(stmt_, at);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, at)))
              : std::string();
}

bool statement::column_is_null(int at) const { return sqlite3_column_type(stmt_, at) == SQLITE_NULL; }

transaction::transaction(database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

transaction::~transaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace acsbatch::state
