#include "acsbatch/state/journal.hpp"

#include <filesystem>

#include "acsbatch/core/http_date.hpp"

namespace acsbatch::state {
namespace {

constexpr std::string_view schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS items(
  idx INTEGER PRIMARY KEY,
  user_id TEXT,
  status INTEGER NOT NULL DEFAULT 0,
  create_key TEXT,
  create_state INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  uncertain INTEGER NOT NULL DEFAULT 0,
  run INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS steps(
  idx INTEGER NOT NULL,
  step INTEGER NOT NULL,
  op TEXT NOT NULL,
  status INTEGER NOT NULL,
  http_status INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  throttled INTEGER NOT NULL DEFAULT 0,
  latency_us INTEGER NOT NULL DEFAULT 0,
  started_us INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  expires_on TEXT,
  run INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(idx, step)) WITHOUT ROWID;
)sql";

constexpr std::string_view item_columns = "idx, user_id, status, create_key, create_state, deleted, uncertain";

journal_item read_item(const statement& s) {
  journal_item item;
  item.index = static_cast<std::uint64_t>(s.column_int(0));
  item.user_id = s.column_text(1);
  item.status = static_cast<item_status>(s.column_int(2));
  item.create_key = s.column_text(3);
  item.create = static_cast<create_state>(s.column_int(4));
  item.deleted = s.column_int(5) != 0;
  item.uncertain = s.column_int(6) != 0;
  return item;
}

journal_step read_step(const statement& s) {
  // idx, step, op, status, http_status, attempts, throttled, latency_us, started_us,
  // error_code, error_message, expires_on
  journal_step step;
  step.step = static_cast<std::size_t>(s.column_int(1));
  step.status = static_cast<step_status>(s.column_int(3));
  auto& o = step.outcome;
  o.op = s.column_text(2);
  o.ok = step.status == step_status::ok;
  o.http_status = static_cast<unsigned>(s.column_int(4));
  o.attempts = static_cast<unsigned>(s.column_int(5));
  o.throttled = static_cast<unsigned>(s.column_int(6));
  o.latency = std::chrono::microseconds{s.column_int(7)};
  o.started_at = std::chrono::microseconds{s.column_int(8)};
  o.error_code = s.column_text(9);
  o.error_message = s.column_text(10);
  if (!s.column_is_null(11)) o.token_expires_on = parse_rfc3339(s.column_text(11));
  return step;
}

}  // namespace

std::string lock_path_for(const std::string& journal_path) { return journal_path + ".lock"; }

journal::journal(const std::string& path, bool create)
    : db_([&] {
        if (create) {
          const auto parent = std::filesystem::path(path).parent_path();
          std::error_code ec;
          if (!parent.empty()) std::filesystem::create_directories(parent, ec);
          if (ec) throw state_error("cannot create the journal directory " + parent.string() + ": " + ec.message());
        } else if (!std::filesystem::exists(path)) {
          throw state_error("no journal at " + path);
        }
        return database(path, create ? database::mode::read_write_create : database::mode::read_write);
      }()) {
  // WAL: the writer thread commits while readers (a resumed run's item feed, cleanup) read.
  // synchronous=NORMAL: a commit survives the process being killed (the WAL is in the page cache
  // and the kernel writes it); only a power loss can take the last commits back.
  db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  db_.exec(schema_sql);
  auto schema = db_.prepare("SELECT value FROM meta WHERE key = 'schema'");
  if (schema.step()) {
    if (schema.column_text(0) != journal_schema)
      throw state_error(path + " is a journal of another acsbatch version (" + schema.column_text(0) + ", this one reads " +
                        std::string(journal_schema) + ")");
  }
}

std::optional<journal_meta> journal::meta() {
  auto s = db_.prepare("SELECT key, value FROM meta");
  journal_meta meta;
  bool any = false;
  while (s.step()) {
    any = true;
    const auto key = s.column_text(0);
    auto value = s.column_text(1);
    if (key == "job_name") meta.job_name = std::move(value);
    else if (key == "job_file") meta.job_file = std::move(value);
    else if (key == "job_sha256") meta.job_sha256 = std::move(value);
    else if (key == "job_effective_sha256") meta.job_effective_sha256 = std::move(value);
    else if (key == "api_version") meta.api_version = std::move(value);
    else if (key == "endpoint_host") meta.endpoint_host = std::move(value);
    else if (key == "custom_id") meta.custom_id = std::move(value);
    else if (key == "steps") meta.steps = std::stoull(value);
    else if (key == "runs") meta.runs = std::stoull(value);
    else if (key == "finished") meta.finished = value == "1";
    else if (key == "repeatability_honoured") meta.repeatability_honoured = value == "1";
  }
  if (!any) return std::nullopt;
  return meta;
}

void journal::write_meta(const journal_meta& meta) {
  transaction t(db_);
  auto s = db_.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
  auto put = [&](std::string_view key, std::string_view value) { s.bind(1, key).bind(2, value).run(); };
  put("schema", journal_schema);
  put("job_name", meta.job_name);
  put("job_file", meta.job_file);
  put("job_sha256", meta.job_sha256);
  put("job_effective_sha256", meta.job_effective_sha256);
  put("api_version", meta.api_version);
  put("endpoint_host", meta.endpoint_host);
  put("custom_id", meta.custom_id);
  put("steps", std::to_string(meta.steps));
  put("runs", std::to_string(meta.runs));
  put("finished", meta.finished ? "1" : "0");
  put("repeatability_honoured", meta.repeatability_honoured ? "1" : "0");
  t.commit();
}

void journal::clear_items() {
  transaction t(db_);
  db_.exec("DELETE FROM steps; DELETE FROM items;");
  t.commit();
}

journal_counts journal::counts() {
  auto s = db_.prepare(
      "SELECT count(*), coalesce(sum(status = 1), 0), coalesce(sum(status = 2), 0), coalesce(sum(status = 0), 0),"
      " coalesce(sum(user_id IS NOT NULL AND deleted = 0), 0), coalesce(sum(uncertain), 0),"
      " coalesce(sum(create_state = 1), 0) FROM items");
  s.step();
  journal_counts c;
  c.items = static_cast<std::uint64_t>(s.column_int(0));
  c.ok = static_cast<std::uint64_t>(s.column_int(1));
  c.failed = static_cast<std::uint64_t>(s.column_int(2));
  c.running = static_cast<std::uint64_t>(s.column_int(3));
  c.live_identities = static_cast<std::uint64_t>(s.column_int(4));
  c.uncertain = static_cast<std::uint64_t>(s.column_int(5));
  c.creates_in_doubt = static_cast<std::uint64_t>(s.column_int(6));
  return c;
}

std::uint64_t journal::end_index() {
  auto s = db_.prepare("SELECT coalesce(max(idx) + 1, 0) FROM items");
  s.step();
  return static_cast<std::uint64_t>(s.column_int(0));
}

std::vector<journal_item> journal::items_from(std::uint64_t from, std::size_t limit, bool with_steps) {
  std::vector<journal_item> out;
  auto s = db_.prepare("SELECT " + std::string(item_columns) + " FROM items WHERE idx >= ?1 ORDER BY idx LIMIT ?2");
  s.bind(1, static_cast<std::int64_t>(from)).bind(2, static_cast<std::int64_t>(limit));
  while (s.step()) out.push_back(read_item(s));
  if (!with_steps || out.empty()) return out;
  auto steps = db_.prepare(
      "SELECT idx, step, op, status, http_status, attempts, throttled, latency_us, started_us, error_code,"
      " error_message, expires_on FROM steps WHERE idx BETWEEN ?1 AND ?2 ORDER BY idx, step");
  steps.bind(1, static_cast<std::int64_t>(out.front().index)).bind(2, static_cast<std::int64_t>(out.back().index));
  std::size_t at = 0;
  while (steps.step()) {
    const auto idx = static_cast<std::uint64_t>(steps.column_int(0));
    while (at < out.size() && out[at].index < idx) ++at;
    if (at < out.size() && out[at].index == idx) out[at].steps.push_back(read_step(steps));
  }
  return out;
}

std::vector<journal_item> journal::live_identities_from(std::uint64_t from, std::size_t limit,
                                                       bool with_creates_in_doubt) {
  std::vector<journal_item> out;
  auto s = db_.prepare("SELECT " + std::string(item_columns) +
                       " FROM items WHERE idx >= ?1 AND deleted = 0 AND (user_id IS NOT NULL OR"
                       " (?3 AND create_state = 1 AND create_key IS NOT NULL)) ORDER BY idx LIMIT ?2");
  s.bind(1, static_cast<std::int64_t>(from))
      .bind(2, static_cast<std::int64_t>(limit))
      .bind(3, std::int64_t{with_creates_in_doubt ? 1 : 0});
  while (s.step()) out.push_back(read_item(s));
  return out;
}

std::vector<std::uint64_t> journal::uncertain_items(std::size_t limit) {
  std::vector<std::uint64_t> out;
  auto s = db_.prepare("SELECT idx FROM items WHERE uncertain = 1 ORDER BY idx LIMIT ?1");
  s.bind(1, static_cast<std::int64_t>(limit));
  while (s.step()) out.push_back(static_cast<std::uint64_t>(s.column_int(0)));
  return out;
}

}  // namespace acsbatch::state
