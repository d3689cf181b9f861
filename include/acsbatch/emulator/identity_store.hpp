#pragma once
/// The emulator's state: identities, their customIds, token issue and revocation. A plain type
/// with the clock passed in (sans-I/O); every member is safe to call from several threads.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace acsbatch::emulator {

using time_point = std::chrono::system_clock::time_point;

struct identity_record {
  std::string id;  ///< `8:acs:<resource_id>_<GUID-shaped user part>`
  std::optional<std::string> custom_id;
  std::optional<time_point> last_token_issued_at;
  time_point created_at{};
};

struct issued_token {
  std::string token;
  /// Issue time + lifetime, to the tick (the response's 7 fractional digits); the JWT's `exp`
  /// is the same instant truncated to seconds.
  time_point expires_on;
};

enum class token_validity {
  valid,
  expired,
  revoked,           ///< issued before the identity's latest revoke
  bad_signature,     ///< not signed by this store (another emulator run, or tampered)
  unknown_identity,  ///< the identity never existed here or was deleted
  malformed,         ///< not a JWT of ours at all
};
/// "valid", "expired", "revoked", "bad_signature", "unknown_identity", "malformed".
std::string_view to_string(token_validity v);

struct store_counters {
  std::uint64_t created = 0;  ///< identities created (a customId re-create is not counted)
  std::uint64_t live = 0;
  std::uint64_t deleted = 0;
  std::uint64_t tokens_issued = 0;
};

/// One identity as a state file holds it.
struct stored_identity {
  std::string id;
  std::optional<std::string> custom_id;
  time_point created_at{};
  std::optional<time_point> last_token_issued_at;
  /// Tokens with a serial below this were revoked.
  std::uint64_t revoked_before_serial = 0;
  /// A deleted identity: every operation on it stays 404 and its id is never issued again;
  /// only `id` is meaningful then.
  bool deleted = false;
};

/// What a store needs to carry on after a restart (state_file.hpp reads and writes it): its
/// identities, live and deleted, the secret that signed its tokens (so tokens issued before
/// the restart still validate) and its counters. Never the access key.
struct store_state {
  std::string resource_id;
  std::string token_secret;  ///< raw bytes
  /// The serial the next token would get; restoring starts a new epoch above it (see
  /// identity_store(store_state)).
  std::uint64_t next_serial = 1;
  store_counters counters;  ///< `live` is recomputed from `identities` on restore
  std::vector<stored_identity> identities;
  /// identity_store::revision() when the snapshot was taken: the file's "revision", so that
  /// replaying its change log (FILE.log) skips the changes the snapshot already holds.
  std::uint64_t revision = 0;
};

class identity_store {
 public:
  /// `resource_id` goes into every id and token; `token_secret` signs the tokens (empty: 32
  /// random bytes).
  explicit identity_store(std::string resource_id, std::string token_secret = {});
  /// Restores a snapshot (`state` must be consistent: unique ids, customIds unique among the
  /// live identities, a secret; load_store_state checks that). Token serials continue in a
  /// new epoch, above every serial the previous process may have issued after its last save,
  /// so a revoke after the restart covers those tokens too.
  explicit identity_store(store_state state);

  struct create_result {
    identity_record identity;
    bool created = true;  ///< false when an existing customId binding was returned
  };
  /// Creates an identity. With a customId already bound to a live identity, returns that one
  /// instead (the service's idempotent mapping, docs/rest-contract.md §3).
  create_result create(std::optional<std::string_view> custom_id = std::nullopt,
                       time_point now = std::chrono::system_clock::now());
  /// Creates an identity for a request carrying `Repeatability-Request-ID: request_id`: a
  /// request id seen before returns the identity it made (if it still exists) instead of a new
  /// one. The ids are kept in memory only (not in the state file): the emulator's window for
  /// repeating a request is its process lifetime.
  create_result create_repeatable(std::string_view request_id, std::optional<std::string_view> custom_id,
                                  time_point now = std::chrono::system_clock::now());

  bool exists(std::string_view id) const;
  /// The identity existed here and was deleted (it is not found by any other member).
  bool was_deleted(std::string_view id) const;
  std::optional<identity_record> find(std::string_view id) const;

  /// Removes the identity and its customId binding; false when it does not exist. Every later
  /// operation on the id fails as unknown, and its tokens validate as unknown_identity.
  bool remove(std::string_view id);

  /// nullopt when the identity does not exist. `scopes` must already be validated.
  std::optional<issued_token> issue_token(std::string_view id, const std::vector<std::string>& scopes,
                                          std::chrono::minutes lifetime, time_point now);

  /// Invalidates every token issued for the identity so far; false when it does not exist.
  bool revoke_tokens(std::string_view id);

  token_validity validate_token(std::string_view token, time_point now) const;

  store_counters counters() const;
  const std::string& resource_id() const { return resource_id_; }

  /// Grows with every change (create, delete, token issue, revoke): a saver compares it with
  /// the revision it saved last.
  std::uint64_t revision() const;
  /// A copy of everything, taken under the lock (a few hundred ms for a million identities).
  store_state snapshot() const;
  /// snapshot(), and from then on the store notes which identities change, for take_changes().
  /// A store nobody tracks notes nothing.
  store_state track_changes();
  /// The identities changed since the last take_changes() (or track_changes()), as they are
  /// now (a deleted one as such), with the header fields: what a saver needs to bring its copy
  /// up to date while holding the lock for the changes only, not for the whole store.
  store_state take_changes();

 private:
  struct entry {
    std::optional<std::string> custom_id;
    std::optional<time_point> last_token_issued_at;
    /// Tokens with a serial below this were revoked.
    std::uint64_t revoked_before_serial = 0;
    time_point created_at{};
  };

  std::string new_identity_id() const;
  identity_record record_of(const std::string& id, const entry& e) const;
  /// Counts a change to `id` (the caller holds the lock).
  void changed(const std::string& id);
  /// The header fields and no identities (the caller holds the lock).
  store_state header() const;
  /// header() and every identity (the caller holds the lock).
  store_state copy_all() const;

  const std::string resource_id_;
  const std::string token_secret_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> identities_;
  std::unordered_map<std::string, std::string> custom_ids_;  ///< customId → id
  std::unordered_map<std::string, std::string> repeatability_ids_;  ///< Repeatability-Request-ID → id
  /// Deleted ids: kept so they are never issued again and survive a save and restore as deleted.
  std::unordered_set<std::string> deleted_;
  std::uint64_t next_serial_ = 1;
  store_counters counters_;
  std::uint64_t revision_ = 0;
  /// Ids changed since the last take_changes(); nullopt until track_changes().
  std::optional<std::unordered_set<std::string>> changed_;
};

/// A random RFC 4122 version-4 GUID in lower-case 8-4-4-4-12 form.
std::string random_guid();

}  // namespace acsbatch::emulator
