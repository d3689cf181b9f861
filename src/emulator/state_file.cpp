#include "acsbatch/emulator/state_file.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <fstream>
#include <istream>
#include <ostream>
#include <unordered_map>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "atomic_file.hpp"

namespace acsbatch::emulator {
namespace {

namespace json = boost::json;

/// Far above any line this code writes (a customId is at most the 1 MiB request body, and
/// JSON escaping can grow it sixfold); it bounds what a damaged file can make us allocate.
constexpr std::size_t max_line_length = 8 * 1024 * 1024;
/// The secret is 32 random bytes; anything much shorter was not written by us.
constexpr std::size_t min_secret_size = 16;

std::string json_string(std::string_view text) { return json::serialize(json::string_view(text.data(), text.size())); }

std::string identity_object(const stored_identity& identity) {
  std::string line = "{\"id\":" + json_string(identity.id);
  if (identity.deleted) return line + ",\"deleted\":true}";
  if (identity.custom_id) line += ",\"customId\":" + json_string(*identity.custom_id);
  line += ",\"createdAt\":\"" + format_rfc3339(identity.created_at) + '"';
  if (identity.last_token_issued_at)
    line += ",\"lastTokenIssuedAt\":\"" + format_rfc3339(*identity.last_token_issued_at) + '"';
  line += ",\"revokedBefore\":" + std::to_string(identity.revoked_before_serial) + "}";
  return line;
}

std::string identity_line(const stored_identity& identity) { return identity_object(identity) + '\n'; }

std::string header_line(const store_state& state) {
  json::object header;
  header["schema"] = state_file_schema;
  header["resourceId"] = state.resource_id;
  header["tokenSecret"] = auth::base64_encode(state.token_secret);
  header["nextSerial"] = state.next_serial;
  header["created"] = state.counters.created;
  header["deleted"] = state.counters.deleted;
  header["tokensIssued"] = state.counters.tokens_issued;
  header["identities"] = static_cast<std::uint64_t>(state.identities.size());
  header["revision"] = state.revision;
  return json::serialize(header) + '\n';
}

/// Reads one state file, line by line, saying where anything is wrong.
class state_reader {
 public:
  state_reader(std::istream& in, const std::string& name) : in_(in), name_(name) {}
  /// For the change log: its records' identities are checked against this resource.
  state_reader(std::istream& in, const std::string& name, const std::string& resource_id)
      : in_(in), name_(name), id_prefix_("8:acs:" + resource_id + "_") {}

  store_state read() {
    std::string line;
    if (!next_line(line)) fail("is empty: expected the header line of an emulator state file");
    const std::uint64_t count = read_header(parse(line));
    // A damaged count must not make us reserve gigabytes; growth beyond this is amortised.
    state_.identities.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(count, 1 << 20)));
    while (next_line(line)) {
      if (state_.identities.size() == count)
        fail("holds more identities than the header's \"identities\": " + std::to_string(count));
      read_identity(parse(line));
    }
    if (state_.identities.size() != count) {
      ++line_number_;
      fail("ends after " + std::to_string(state_.identities.size()) + " of the " + std::to_string(count) +
           " identities its header announces (the file was cut short)");
    }
    return std::move(state_);
  }

  /// Applies the change log's records newer than `state.revision` (records are whole
  /// identities as they became, so the newest record of an id wins) and returns how many. A
  /// last line cut short (a crash in mid-write) ends the log; damage before it is an error.
  std::size_t replay_into(store_state& state) {
    std::unordered_multimap<std::size_t, std::size_t> index;
    index.reserve(state.identities.size());
    for (std::size_t i = 0; i < state.identities.size(); ++i)
      index.emplace(std::hash<std::string>{}(state.identities[i].id), i);
    std::size_t applied = 0;
    std::string line;
    while (next_line(line)) {
      const bool last = in_.rdbuf()->sgetc() == std::char_traits<char>::eof();
      json::object record;
      if (last) {
        boost::system::error_code ec;
        parser_.reset();
        parser_.write(line.data(), line.size(), ec);
        if (ec) break;  // cut short by a crash in mid-write
        json::value value = parser_.release();
        if (!value.is_object()) break;
        record = std::move(value.get_object());
      } else {
        record = parse(line);
      }
      only_keys(record, {"revision", "nextSerial", "created", "deleted", "tokensIssued", "identities"});
      const auto revision = count(record, "revision");
      if (revision <= state.revision) continue;  // the snapshot holds it already
      const auto* identities = field(record, "identities").if_array();
      if (identities == nullptr) fail("\"identities\" must be an array");
      for (const auto& item : *identities) {
        if (!item.is_object()) fail("\"identities\" must hold JSON objects");
        auto identity = parse_identity(item.get_object());
        const auto hash = std::hash<std::string>{}(identity.id);
        const auto [begin, end] = index.equal_range(hash);
        const auto known = std::find_if(begin, end, [&](const auto& i) { return state.identities[i.second].id == identity.id; });
        if (known != end) {
          state.identities[known->second] = std::move(identity);
        } else {
          index.emplace(hash, state.identities.size());
          state.identities.push_back(std::move(identity));
        }
      }
      state.next_serial = count(record, "nextSerial");
      state.counters.created = count(record, "created");
      state.counters.deleted = count(record, "deleted");
      state.counters.tokens_issued = count(record, "tokensIssued");
      state.revision = revision;
      ++applied;
    }
    return applied;
  }

 private:
  [[noreturn]] void fail(const std::string& message, std::size_t column = 0) const {
    std::string where = name_;
    if (line_number_ > 0) where += ":" + std::to_string(line_number_);
    if (column > 0) where += ":" + std::to_string(column);
    throw config_error("emulator state file " + where + ": " + message);
  }

  bool next_line(std::string& line) {
    line.clear();
    auto* buffer = in_.rdbuf();
    int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) return false;
    ++line_number_;
    for (; c != std::char_traits<char>::eof() && c != '\n'; c = buffer->sbumpc()) {
      if (line.size() == max_line_length) fail("has a line longer than 8 MiB; this is not an emulator state file");
      line.push_back(static_cast<char>(c));
    }
    return true;
  }

  json::object parse(const std::string& line) {
    boost::system::error_code ec;
    parser_.reset();
    const std::size_t used = parser_.write(line.data(), line.size(), ec);
    if (ec) fail("not JSON (" + ec.message() + ")", used + 1);
    json::value value = parser_.release();
    if (!value.is_object()) fail("expected a JSON object");
    return std::move(value.get_object());
  }

  const json::value& field(const json::object& object, std::string_view key) const {
    const auto* value = object.if_contains(key);
    if (value == nullptr) fail("lacks \"" + std::string(key) + "\"");
    return *value;
  }

  std::string text(const json::object& object, std::string_view key) const {
    const auto* value = field(object, key).if_string();
    if (value == nullptr || value->empty()) fail("\"" + std::string(key) + "\" must be a non-empty string");
    return std::string(value->data(), value->size());
  }

  std::uint64_t count(const json::object& object, std::string_view key) const {
    const auto& value = field(object, key);
    if (value.is_uint64()) return value.get_uint64();
    if (value.is_int64() && value.get_int64() >= 0) return static_cast<std::uint64_t>(value.get_int64());
    fail("\"" + std::string(key) + "\" must be a whole number of 0 or more");
  }

  time_point instant(const json::object& object, std::string_view key) const {
    const auto parsed = parse_rfc3339(text(object, key));
    if (!parsed) fail("\"" + std::string(key) + "\" must be an RFC 3339 date-time");
    return *parsed;
  }

  void only_keys(const json::object& object, std::initializer_list<std::string_view> known) const {
    for (const auto& item : object)
      if (std::find(known.begin(), known.end(), std::string_view(item.key())) == known.end())
        fail("has an unknown key \"" + std::string(item.key().data(), std::min<std::size_t>(item.key().size(), 64)) +
             "\"");
  }

  std::uint64_t read_header(const json::object& header) {
    only_keys(header, {"schema", "resourceId", "tokenSecret", "nextSerial", "created", "deleted", "tokensIssued",
                       "identities", "revision"});
    if (const auto* schema = header.if_contains("schema");
        schema == nullptr || !schema->is_string() || schema->get_string() != state_file_schema)
      fail("is not an emulator state file (the header's \"schema\" must be \"" + std::string(state_file_schema) +
           "\")");
    state_.resource_id = text(header, "resourceId");
    if (!is_id_text(state_.resource_id)) fail("\"resourceId\" must be up to 64 of 0-9 a-z A-Z and '-'");
    id_prefix_ = "8:acs:" + state_.resource_id + "_";
    const auto secret = auth::base64_decode(text(header, "tokenSecret"));
    if (!secret || secret->size() < min_secret_size)
      fail("\"tokenSecret\" must be the base64 of at least " + std::to_string(min_secret_size) + " bytes");
    state_.token_secret = *secret;
    state_.next_serial = count(header, "nextSerial");
    state_.counters.created = count(header, "created");
    state_.counters.deleted = count(header, "deleted");
    state_.counters.tokens_issued = count(header, "tokensIssued");
    if (header.contains("revision")) state_.revision = count(header, "revision");  // absent before the change log
    return count(header, "identities");
  }

  void read_identity(const json::object& line) { add_identity(parse_identity(line)); }

  stored_identity parse_identity(const json::object& line) const {
    only_keys(line, {"id", "customId", "createdAt", "lastTokenIssuedAt", "revokedBefore", "deleted"});
    stored_identity identity;
    identity.id = text(line, "id");
    if (!identity.id.starts_with(id_prefix_) || !is_id_text(std::string_view(identity.id).substr(id_prefix_.size())))
      fail("\"id\" must be " + id_prefix_ + "<up to 64 of 0-9 a-z A-Z and '-'> (an identity of this resource)");
    if (const auto* deleted = line.if_contains("deleted")) {
      if (!deleted->is_bool()) fail("\"deleted\" must be true or false");
      identity.deleted = deleted->get_bool();
    }
    if (!identity.deleted) {
      if (line.contains("customId")) identity.custom_id = text(line, "customId");
      identity.created_at = instant(line, "createdAt");
      if (line.contains("lastTokenIssuedAt")) identity.last_token_issued_at = instant(line, "lastTokenIssuedAt");
      identity.revoked_before_serial = count(line, "revokedBefore");
    }
    return identity;
  }

  void add_identity(stored_identity identity) {
    const std::size_t index = state_.identities.size();
    if (const auto first = first_seen(ids_, identity.id, [](const stored_identity& i) { return &i.id; }))
      fail("repeats the id of line " + std::to_string(*first));
    if (identity.custom_id) {
      const auto custom_id_of = [](const stored_identity& i) { return i.custom_id ? &*i.custom_id : nullptr; };
      if (const auto first = first_seen(custom_ids_, *identity.custom_id, custom_id_of))
        fail("binds the customId of line " + std::to_string(*first) + " a second time");
      custom_ids_.emplace(std::hash<std::string>{}(*identity.custom_id), index);
    }
    ids_.emplace(std::hash<std::string>{}(identity.id), index);
    state_.identities.push_back(std::move(identity));
  }

  /// The line of an earlier identity whose `text_of` equals `text`, if any.
  template <class TextOf>
  std::optional<std::size_t> first_seen(const std::unordered_multimap<std::size_t, std::size_t>& index,
                                        const std::string& text, TextOf text_of) const {
    const auto [begin, end] = index.equal_range(std::hash<std::string>{}(text));
    for (auto it = begin; it != end; ++it) {
      const std::string* seen = text_of(state_.identities[it->second]);
      if (seen != nullptr && *seen == text) return it->second + 2;  // line 1 is the header
    }
    return std::nullopt;
  }

  static bool is_id_text(std::string_view text) {
    return !text.empty() && text.size() <= 64 && text.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"
                                                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-") ==
                                                     std::string_view::npos;
  }

  std::istream& in_;
  const std::string& name_;
  std::size_t line_number_ = 0;
  json::parser parser_;
  store_state state_;
  std::string id_prefix_;
  /// Hashes of the ids (and live customIds) read so far → identity index; the strings are
  /// compared on a hash match, so a million ids cost no second copy.
  std::unordered_multimap<std::size_t, std::size_t> ids_;
  std::unordered_multimap<std::size_t, std::size_t> custom_ids_;
};

}  // namespace

void write_store_state(const store_state& state, std::ostream& out) {
  out << header_line(state);
  for (const auto& identity : state.identities) out << identity_line(identity);
}

store_state read_store_state(std::istream& in, const std::string& name) {
  try {
    return state_reader(in, name).read();
  } catch (const std::bad_alloc&) {
    throw config_error("emulator state file " + name + ": too large to load into memory");
  }
}

std::string change_record(const store_state& changes) {
  std::string line = "{\"revision\":" + std::to_string(changes.revision) +
                     ",\"nextSerial\":" + std::to_string(changes.next_serial) +
                     ",\"created\":" + std::to_string(changes.counters.created) +
                     ",\"deleted\":" + std::to_string(changes.counters.deleted) +
                     ",\"tokensIssued\":" + std::to_string(changes.counters.tokens_issued) + ",\"identities\":[";
  for (std::size_t i = 0; i < changes.identities.size(); ++i) {
    if (i > 0) line += ',';
    line += identity_object(changes.identities[i]);
  }
  return line + "]}\n";
}

std::size_t replay_change_log(store_state& state, std::istream& in, const std::string& name) {
  try {
    return state_reader(in, name, state.resource_id).replay_into(state);
  } catch (const std::bad_alloc&) {
    throw config_error("emulator change log " + name + ": too large to load into memory");
  }
}

std::filesystem::path change_log_path(const std::filesystem::path& file) {
  std::filesystem::path log = file;
  log += ".log";
  return log;
}

std::optional<store_state> load_store_state(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (ec) throw config_error("cannot read the emulator state file " + file.string() + ": " + ec.message());
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(file, ec))
    throw config_error("cannot read the emulator state file " + file.string() + ": not a regular file");
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw config_error("cannot read the emulator state file " + file.string() + ": " +
                       std::generic_category().message(errno));
  try {
    auto state = read_store_state(in, file.string());
    // What was answered after the last snapshot is in the change log (written before each answer).
    const auto log = change_log_path(file);
    if (std::filesystem::exists(log, ec)) {
      std::ifstream log_in(log, std::ios::binary);
      if (!log_in)
        throw config_error("cannot read the emulator change log " + log.string() + ": " +
                           std::generic_category().message(errno));
      replay_change_log(state, log_in, log.string());
    }
    return state;
  } catch (const std::ios_base::failure& e) {
    // The stream buffer throws on a read error (EIO, a file that became a directory).
    throw config_error("cannot read the emulator state file " + file.string() + ": " + e.code().message());
  }
}

void save_store_state(const store_state& state, const std::filesystem::path& file) {
  atomic_file writer(file);
  writer.append(header_line(state));
  for (const auto& identity : state.identities) writer.append(identity_line(identity));
  writer.commit();
}

}  // namespace acsbatch::emulator
