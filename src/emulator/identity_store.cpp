#include "acsbatch/emulator/identity_store.hpp"

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/emulator/access_token.hpp"

namespace acsbatch::emulator {
namespace {

std::int64_t unix_seconds(time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// Serials of one process run share an epoch of 2^32; a restored store starts the next one.
constexpr std::uint64_t serial_epoch = std::uint64_t{1} << 32;

}  // namespace

std::string random_guid() {
  std::string bytes = auth::random_bytes(16);
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = auth::to_hex(bytes);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20);
}

std::string_view to_string(token_validity v) {
  switch (v) {
    case token_validity::valid: return "valid";
    case token_validity::expired: return "expired";
    case token_validity::revoked: return "revoked";
    case token_validity::bad_signature: return "bad_signature";
    case token_validity::unknown_identity: return "unknown_identity";
    case token_validity::malformed: return "malformed";
  }
  return "malformed";
}

identity_store::identity_store(std::string resource_id, std::string token_secret)
    : resource_id_(std::move(resource_id)),
      token_secret_(token_secret.empty() ? auth::random_bytes(32) : std::move(token_secret)) {}

identity_store::identity_store(store_state state)
    : resource_id_(std::move(state.resource_id)),
      token_secret_(state.token_secret.empty() ? auth::random_bytes(32) : std::move(state.token_secret)) {
  // Tokens issued after the last save carry serials at or above state.next_serial; the new
  // epoch keeps every serial issued from now on (and so every revoke) above all of them.
  next_serial_ = (state.next_serial / serial_epoch + 1) * serial_epoch;
  counters_ = state.counters;
  counters_.live = 0;
  revision_ = state.revision;  // the change log's records continue the file's numbering
  identities_.reserve(state.identities.size());
  for (auto& stored : state.identities) {
    if (stored.deleted) {
      deleted_.insert(std::move(stored.id));
      continue;
    }
    entry e{std::move(stored.custom_id), stored.last_token_issued_at, stored.revoked_before_serial,
            stored.created_at};
    if (e.custom_id) custom_ids_.emplace(*e.custom_id, stored.id);
    identities_.emplace(std::move(stored.id), std::move(e));
    ++counters_.live;
  }
}

std::string identity_store::new_identity_id() const {
  return "8:acs:" + resource_id_ + "_" + random_guid();
}

identity_record identity_store::record_of(const std::string& id, const entry& e) const {
  return {id, e.custom_id, e.last_token_issued_at, e.created_at};
}

identity_store::create_result identity_store::create(std::optional<std::string_view> custom_id, time_point now) {
  std::lock_guard lock(mutex_);
  if (custom_id) {
    if (const auto bound = custom_ids_.find(std::string(*custom_id)); bound != custom_ids_.end())
      return {record_of(bound->second, identities_.at(bound->second)), false};
  }
  std::string id = new_identity_id();
  // 122 random bits make a collision practically impossible; the loop makes it impossible.
  while (identities_.contains(id) || deleted_.contains(id)) id = new_identity_id();
  entry e;
  e.created_at = now;
  if (custom_id) {
    e.custom_id = std::string(*custom_id);
    custom_ids_.emplace(*e.custom_id, id);
  }
  auto [it, inserted] = identities_.emplace(std::move(id), std::move(e));
  ++counters_.created;
  ++counters_.live;
  changed(it->first);
  return {record_of(it->first, it->second), true};
}

identity_store::create_result identity_store::create_repeatable(std::string_view request_id,
                                                               std::optional<std::string_view> custom_id,
                                                               time_point now) {
  {
    std::lock_guard lock(mutex_);
    if (const auto seen = repeatability_ids_.find(std::string(request_id)); seen != repeatability_ids_.end())
      if (const auto it = identities_.find(seen->second); it != identities_.end())
        return {record_of(it->first, it->second), false};
  }
  auto result = create(custom_id, now);
  std::lock_guard lock(mutex_);
  // Two sends of one request racing: the first binding wins, and the second answer names it too.
  const auto [bound, inserted] = repeatability_ids_.emplace(std::string(request_id), result.identity.id);
  if (!inserted && bound->second != result.identity.id)
    if (const auto it = identities_.find(bound->second); it != identities_.end())
      return {record_of(it->first, it->second), false};
  return result;
}

bool identity_store::exists(std::string_view id) const {
  std::lock_guard lock(mutex_);
  return identities_.contains(std::string(id));
}

bool identity_store::was_deleted(std::string_view id) const {
  std::lock_guard lock(mutex_);
  return deleted_.contains(std::string(id));
}

std::optional<identity_record> identity_store::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = identities_.find(std::string(id));
  if (it == identities_.end()) return std::nullopt;
  return record_of(it->first, it->second);
}

bool identity_store::remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  const auto it = identities_.find(std::string(id));
  if (it == identities_.end()) return false;
  // The customId becomes free again: creating with it later yields a new identity.
  if (it->second.custom_id) custom_ids_.erase(*it->second.custom_id);
  changed(it->first);
  deleted_.insert(it->first);
  identities_.erase(it);
  --counters_.live;
  ++counters_.deleted;
  return true;
}

std::optional<issued_token> identity_store::issue_token(std::string_view id,
                                                        const std::vector<std::string>& scopes,
                                                        std::chrono::minutes lifetime,
                                                        time_point now) {
  token_claims claims;
  {
    std::lock_guard lock(mutex_);
    const auto it = identities_.find(std::string(id));
    if (it == identities_.end()) return std::nullopt;
    it->second.last_token_issued_at = now;
    claims.serial = next_serial_++;
    ++counters_.tokens_issued;
    changed(it->first);
    claims.identity_id = it->first;
  }
  claims.resource_id = resource_id_;
  claims.scopes = scopes;
  claims.issued_at = unix_seconds(now);
  claims.expires_at = claims.issued_at + lifetime.count() * 60;
  // Signing needs no lock: the secret is immutable.
  return issued_token{encode_access_token(claims, token_secret_), now + lifetime};
}

bool identity_store::revoke_tokens(std::string_view id) {
  std::lock_guard lock(mutex_);
  const auto it = identities_.find(std::string(id));
  if (it == identities_.end()) return false;
  it->second.revoked_before_serial = next_serial_;
  changed(it->first);
  return true;
}

token_validity identity_store::validate_token(std::string_view token, time_point now) const {
  const auto decoded = decode_access_token(token, token_secret_);
  if (decoded.status == token_decode_status::malformed) return token_validity::malformed;
  if (decoded.status == token_decode_status::bad_signature) return token_validity::bad_signature;
  {
    std::lock_guard lock(mutex_);
    const auto it = identities_.find(decoded.claims.identity_id);
    if (it == identities_.end()) return token_validity::unknown_identity;
    if (decoded.claims.serial < it->second.revoked_before_serial) return token_validity::revoked;
  }
  if (unix_seconds(now) >= decoded.claims.expires_at) return token_validity::expired;
  return token_validity::valid;
}

store_counters identity_store::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::uint64_t identity_store::revision() const {
  std::lock_guard lock(mutex_);
  return revision_;
}

void identity_store::changed(const std::string& id) {
  ++revision_;
  if (changed_) changed_->insert(id);
}

store_state identity_store::header() const {
  store_state out;
  out.resource_id = resource_id_;
  out.token_secret = token_secret_;
  out.next_serial = next_serial_;
  out.counters = counters_;
  out.revision = revision_;
  return out;
}

store_state identity_store::copy_all() const {
  store_state out = header();
  out.identities.reserve(identities_.size() + deleted_.size());
  for (const auto& [id, e] : identities_)
    out.identities.push_back({id, e.custom_id, e.created_at, e.last_token_issued_at, e.revoked_before_serial, false});
  for (const auto& id : deleted_) out.identities.push_back({id, std::nullopt, {}, std::nullopt, 0, true});
  return out;
}

store_state identity_store::snapshot() const {
  std::lock_guard lock(mutex_);
  return copy_all();
}

store_state identity_store::track_changes() {
  std::lock_guard lock(mutex_);
  changed_.emplace();
  return copy_all();
}

store_state identity_store::take_changes() {
  std::lock_guard lock(mutex_);
  store_state out = header();
  if (!changed_) return out;
  out.identities.reserve(changed_->size());
  for (const auto& id : *changed_) {
    if (const auto it = identities_.find(id); it != identities_.end())
      out.identities.push_back({id, it->second.custom_id, it->second.created_at, it->second.last_token_issued_at,
                                it->second.revoked_before_serial, false});
    else
      out.identities.push_back({id, std::nullopt, {}, std::nullopt, 0, true});
  }
  changed_->clear();
  return out;
}

}  // namespace acsbatch::emulator
