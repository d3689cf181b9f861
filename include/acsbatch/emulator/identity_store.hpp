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
#include <vector>

namespace acsbatch::emulator {

using time_point = std::chrono::system_clock::time_point;

struct identity_record {
  std::string id;  ///< `8:acs:<resource_id>_<GUID-shaped user part>`
  std::optional<std::string> custom_id;
  std::optional<time_point> last_token_issued_at;
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

class identity_store {
 public:
  /// `resource_id` goes into every id and token; `token_secret` signs the tokens (empty: 32
  /// random bytes).
  explicit identity_store(std::string resource_id, std::string token_secret = {});

  struct create_result {
    identity_record identity;
    bool created = true;  ///< false when an existing customId binding was returned
  };
  /// Creates an identity. With a customId already bound to a live identity, returns that one
  /// instead (the service's idempotent mapping, acs-api.md §3).
  create_result create(std::optional<std::string_view> custom_id = std::nullopt);

  bool exists(std::string_view id) const;
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

 private:
  struct entry {
    std::optional<std::string> custom_id;
    std::optional<time_point> last_token_issued_at;
    /// Tokens with a serial below this were revoked.
    std::uint64_t revoked_before_serial = 0;
  };

  std::string new_identity_id() const;
  identity_record record_of(const std::string& id, const entry& e) const;

  const std::string resource_id_;
  const std::string token_secret_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> identities_;
  std::unordered_map<std::string, std::string> custom_ids_;  ///< customId → id
  std::uint64_t next_serial_ = 1;
  store_counters counters_;
};

/// A random RFC 4122 version-4 GUID in lower-case 8-4-4-4-12 form.
std::string random_guid();

}  // namespace acsbatch::emulator
