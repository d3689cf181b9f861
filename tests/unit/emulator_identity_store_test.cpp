#include "acsbatch/emulator/identity_store.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>
#include <set>
#include <thread>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/emulator/access_token.hpp"

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;

constexpr const char* resource = "4a1c9b2e-0000-4000-8000-00000000abcd";
const time_point t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 11h + 58min + 14s;

boost::json::object json_segment(std::string_view segment) {
  const auto bytes = auth::base64url_decode(segment);
  EXPECT_TRUE(bytes.has_value());
  return boost::json::parse(bytes.value_or("{}")).as_object();
}

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (auto dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
    parts.push_back(token.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(token.substr(start));
  return parts;
}

TEST(EmulatorIdentityStore, IdsHaveTheServiceShapeAndAreUnique) {
  identity_store store{resource};
  const std::regex shape{std::string("^8:acs:") + resource +
                         "_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    const auto created = store.create();
    EXPECT_TRUE(created.created);
    EXPECT_TRUE(std::regex_match(created.identity.id, shape)) << created.identity.id;
    ids.insert(created.identity.id);
  }
  EXPECT_EQ(ids.size(), 200u);
}

TEST(EmulatorIdentityStore, CustomIdMapsToOneIdentityUntilDeleted) {
  identity_store store{resource};
  const auto first = store.create("sally@contoso.com");
  const auto again = store.create("sally@contoso.com");
  const auto other = store.create("bob@contoso.com");
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.identity.id, first.identity.id);
  EXPECT_EQ(again.identity.custom_id, "sally@contoso.com");
  EXPECT_NE(other.identity.id, first.identity.id);
  EXPECT_EQ(store.counters().created, 2u);

  // Deleting frees the customId: the next create makes a new identity.
  ASSERT_TRUE(store.remove(first.identity.id));
  const auto after = store.create("sally@contoso.com");
  EXPECT_TRUE(after.created);
  EXPECT_NE(after.identity.id, first.identity.id);
}

TEST(EmulatorIdentityStore, DeletedIdentityIsGoneForEveryOperation) {
  identity_store store{resource};
  const auto id = store.create().identity.id;
  ASSERT_TRUE(store.remove(id));
  EXPECT_FALSE(store.exists(id));
  EXPECT_FALSE(store.find(id).has_value());
  EXPECT_FALSE(store.remove(id));
  EXPECT_FALSE(store.revoke_tokens(id));
  EXPECT_FALSE(store.issue_token(id, {"chat"}, 60min, t0).has_value());
  EXPECT_FALSE(store.exists("8:acs:never-created"));
}

TEST(EmulatorIdentityStore, TokenIsAJwtWithTheServiceClaims) {
  identity_store store{resource};
  const auto id = store.create().identity.id;
  const auto token = store.issue_token(id, {"chat", "voip"}, 120min, t0 + 250ms);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->expires_on, t0 + 250ms + 120min);

  const auto parts = split(token->token);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(auth::base64url_decode(parts[0]), R"({"alg":"HS256","typ":"JWT"})");
  const auto claims = json_segment(parts[1]);
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(t0.time_since_epoch()).count();
  EXPECT_EQ(claims.at("skypeid").as_string(), id.substr(2));
  EXPECT_EQ(claims.at("scp").as_int64(), 1792);
  EXPECT_EQ(claims.at("csi").as_string(), std::to_string(iat));
  EXPECT_EQ(claims.at("iat").as_int64(), iat);
  EXPECT_EQ(claims.at("exp").as_int64(), iat + 120 * 60);
  EXPECT_EQ(claims.at("acsScope").as_string(), "chat,voip");
  EXPECT_EQ(claims.at("resourceId").as_string(), resource);
  EXPECT_TRUE(claims.at("jti").is_string());
  EXPECT_EQ(store.find(id)->last_token_issued_at, t0 + 250ms);
}

TEST(EmulatorIdentityStore, EveryTokenHasItsOwnSerial) {
  identity_store store{resource};
  const auto id = store.create().identity.id;
  std::set<std::string> serials;
  for (int i = 0; i < 10; ++i) {
    const auto token = store.issue_token(id, {"voip"}, 60min, t0);
    serials.insert(std::string(json_segment(split(token->token)[1]).at("jti").as_string()));
  }
  EXPECT_EQ(serials.size(), 10u);
}

TEST(EmulatorIdentityStore, ValidatesUntilExpiry) {
  identity_store store{resource};
  const auto id = store.create().identity.id;
  const auto token = store.issue_token(id, {"chat"}, 60min, t0)->token;
  EXPECT_EQ(store.validate_token(token, t0), token_validity::valid);
  EXPECT_EQ(store.validate_token(token, t0 + 59min + 59s), token_validity::valid);
  EXPECT_EQ(store.validate_token(token, t0 + 60min), token_validity::expired);
}

TEST(EmulatorIdentityStore, RevokeInvalidatesEarlierTokensEvenWithinTheSameSecond) {
  identity_store store{resource};
  const auto id = store.create().identity.id;
  const auto other = store.create().identity.id;
  const auto before = store.issue_token(id, {"chat"}, 60min, t0)->token;
  const auto bystander = store.issue_token(other, {"chat"}, 60min, t0)->token;
  ASSERT_TRUE(store.revoke_tokens(id));
  // Same `now` as the revoked token: only the serial can tell them apart.
  const auto after = store.issue_token(id, {"chat"}, 60min, t0)->token;
  EXPECT_EQ(store.validate_token(before, t0), token_validity::revoked);
  EXPECT_EQ(store.validate_token(after, t0), token_validity::valid);
  EXPECT_EQ(store.validate_token(bystander, t0), token_validity::valid);
}

TEST(EmulatorIdentityStore, RejectsForeignTamperedAndOrphanedTokens) {
  identity_store store{resource};
  identity_store other_run{resource};
  const auto id = store.create().identity.id;
  const auto token = store.issue_token(id, {"chat"}, 60min, t0)->token;

  EXPECT_EQ(other_run.validate_token(token, t0), token_validity::bad_signature);
  auto parts = split(token);
  auto claims = json_segment(parts[1]);
  claims["exp"] = claims.at("exp").as_int64() + 3600;
  const auto forged = parts[0] + "." + auth::base64url_encode(boost::json::serialize(claims)) + "." + parts[2];
  EXPECT_EQ(store.validate_token(forged, t0), token_validity::bad_signature);
  EXPECT_EQ(store.validate_token("not-a-jwt", t0), token_validity::malformed);
  EXPECT_EQ(store.validate_token("a.b", t0), token_validity::malformed);
  EXPECT_EQ(store.validate_token("", t0), token_validity::malformed);

  ASSERT_TRUE(store.remove(id));
  EXPECT_EQ(store.validate_token(token, t0), token_validity::unknown_identity);
}

TEST(EmulatorIdentityStore, CountsCreatesDeletesAndTokens) {
  identity_store store{resource};
  const auto a = store.create().identity.id;
  store.create();
  store.create();
  store.issue_token(a, {"chat"}, 60min, t0);
  store.issue_token(a, {"voip"}, 60min, t0);
  store.remove(a);
  store.remove(a);  // a second delete changes nothing
  const auto c = store.counters();
  EXPECT_EQ(c.created, 3u);
  EXPECT_EQ(c.live, 2u);
  EXPECT_EQ(c.deleted, 1u);
  EXPECT_EQ(c.tokens_issued, 2u);
}

TEST(EmulatorIdentityStore, ConcurrentCreatesAreAllCounted) {
  identity_store store{resource};
  constexpr int threads = 4;
  constexpr int per_thread = 500;
  std::vector<std::vector<std::string>> ids(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto id = store.create().identity.id;
        store.issue_token(id, {"chat"}, 60min, t0);
        ids[t].push_back(std::move(id));
      }
    });
  for (auto& w : workers) w.join();
  std::set<std::string> unique;
  for (const auto& list : ids) unique.insert(list.begin(), list.end());
  EXPECT_EQ(unique.size(), std::size_t{threads * per_thread});
  EXPECT_EQ(store.counters().created, std::uint64_t{threads * per_thread});
  EXPECT_EQ(store.counters().tokens_issued, std::uint64_t{threads * per_thread});
}

TEST(EmulatorAccessToken, RoundTripsItsClaims) {
  token_claims claims;
  claims.identity_id = "8:acs:r_u";
  claims.resource_id = "r";
  claims.scopes = {"chat.join", "voip.join"};
  claims.issued_at = 1'700'000'000;
  claims.expires_at = 1'700'003'600;
  claims.serial = 42;
  const auto decoded = decode_access_token(encode_access_token(claims, "secret"), "secret");
  ASSERT_EQ(decoded.status, token_decode_status::ok);
  EXPECT_EQ(decoded.claims.identity_id, claims.identity_id);
  EXPECT_EQ(decoded.claims.resource_id, claims.resource_id);
  EXPECT_EQ(decoded.claims.scopes, claims.scopes);
  EXPECT_EQ(decoded.claims.issued_at, claims.issued_at);
  EXPECT_EQ(decoded.claims.expires_at, claims.expires_at);
  EXPECT_EQ(decoded.claims.serial, claims.serial);
  EXPECT_EQ(decode_access_token(encode_access_token(claims, "secret"), "other").status,
            token_decode_status::bad_signature);
}

}  // namespace
}  // namespace acsbatch::emulator
