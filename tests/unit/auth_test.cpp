// Connection strings and the HMAC-SHA256 signer. The vectors were produced by the official
// JS SDK (@azure/communication-common 2.4.2) signing real requests; they must match byte for byte.

#include <gtest/gtest.h>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/core/error.hpp"

namespace acsbatch::auth {
namespace {

// base64 of the bytes 0x00..0x3f.
constexpr std::string_view vector_key_b64 =
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";
constexpr std::string_view vector_date = "Wed, 25 Nov 2026 11:58:14 GMT";
constexpr std::string_view vector_user =
    "8%3Aacs%3A4a1c9b2e-0000-4000-8000-00000000abcd_00000020-0000-0000-0000-000000000015";

hmac_signer vector_signer() { return hmac_signer{*base64_decode(vector_key_b64)}; }

std::string signature_of(const signed_headers& h) {
  const std::string prefix = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";
  EXPECT_TRUE(h.authorization.starts_with(prefix)) << h.authorization;
  return h.authorization.substr(prefix.size());
}

TEST(HmacSigner, V1CreateUserEmptyBody) {
  const auto h = vector_signer().sign("POST", "/identities?api-version=2023-10-01", "127.0.0.1:8089",
                                      vector_date, "");
  EXPECT_EQ(h.date, vector_date);
  EXPECT_EQ(h.content_sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(h.authorization,
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="
            "7yRGa+/2QlFSOxrIAJIdq1R075dw/9vQ++H9ASWFVeI=");
}

TEST(HmacSigner, V2CreateUserAndToken) {
  const auto h = vector_signer().sign("POST", "/identities?api-version=2023-10-01", "127.0.0.1:8089",
                                      vector_date, R"({"createTokenWithScopes":["chat","voip"]})");
  EXPECT_EQ(h.content_sha256, "fYTayOkxDFdoXd25BoJTvoTLLr5+QVfLFXvdJep6oNs=");
  EXPECT_EQ(signature_of(h), "kX1jGBK0ginkqoQ692vI18aYXmUwcI2zhHkD8BzISpQ=");
}

TEST(HmacSigner, V3IssueToken) {
  const auto target = std::string("/identities/") + std::string(vector_user) +
                      "/:issueAccessToken?api-version=2023-10-01";
  const auto h = vector_signer().sign("POST", target, "127.0.0.1:8089", vector_date, R"({"scopes":["voip"]})");
  EXPECT_EQ(h.content_sha256, "P1RwfEo9ooiQzNiWxaaue5mYALPNYKlNk8kSWHZrWlg=");
  EXPECT_EQ(signature_of(h), "mgOucrq6S0oTE6dDf8GyrshW/wI9DQv56Ei1asjx9E4=");
}

TEST(HmacSigner, V4DeleteUser) {
  const auto target = std::string("/identities/") + std::string(vector_user) + "?api-version=2023-10-01";
  const auto h = vector_signer().sign("DELETE", target, "127.0.0.1:8089", vector_date, "");
  EXPECT_EQ(signature_of(h), "K+ZltLjxuiEIEWN9jld5Qm5GIDXa7vn16GhSZHlWXcY=");
}

TEST(HmacSigner, V5DefaultPortHostHasNoPort) {
  const auto h = vector_signer().sign(
      "POST", "/identities?api-version=2023-10-01", "my-resource.communication.azure.com",
      "Wed, 25 Nov 2026 11:58:43 GMT", R"({"createTokenWithScopes":["chat","voip"],"expiresInMinutes":60})");
  EXPECT_EQ(h.content_sha256, "jENEeifYNCidF9FcfXJ54WzhK3ED/2UrQyA4+oWOZKc=");
  EXPECT_EQ(signature_of(h), "ldcyiEFa6vrHeyGoDlYRVJofvBRH1VrBROrETxI+Szo=");
}

TEST(HmacSigner, V6DeleteOnNewerApiVersion) {
  const auto h = vector_signer().sign("DELETE", "/identities/8%3Aacs%3Aabc_def?api-version=2025-06-30",
                                      "my-resource.communication.azure.com",
                                      "Wed, 25 Nov 2026 11:58:43 GMT", "");
  EXPECT_EQ(signature_of(h), "KRUgxW5A5RQOIgFvGTe2UiVpllQ5jUBs0WUS5pCOxiM=");
}

TEST(HmacSigner, StringToSignLayout) {
  EXPECT_EQ(string_to_sign("POST", "/identities?api-version=2023-10-01", "Wed, 25 Nov 2026 11:58:43 GMT",
                           "my-resource.communication.azure.com", "jENE"),
            "POST\n/identities?api-version=2023-10-01\nWed, 25 Nov 2026 11:58:43 GMT;"
            "my-resource.communication.azure.com;jENE");
}

TEST(HmacSigner, SignsWithTimePoint) {
  using namespace std::chrono;
  const sys_days day = 2026y / November / 25;
  const auto now = system_clock::time_point{day} + 11h + 58min + 14s + 700ms;
  const auto h = vector_signer().sign("POST", "/identities?api-version=2023-10-01", "127.0.0.1:8089", now, "");
  EXPECT_EQ(h.date, vector_date);
  EXPECT_EQ(signature_of(h), "7yRGa+/2QlFSOxrIAJIdq1R075dw/9vQ++H9ASWFVeI=");
}

// The precomputed key state (copied per request) must give what a fresh HMAC gives, for keys
// shorter than, equal to and longer than SHA-256's 64-byte block (a long key is hashed first),
// and for the empty key; copies of one key share its state and stay correct.
TEST(HmacSha256Key, EqualsAFreshHmacForEveryKeyLength) {
  for (const std::size_t key_length : {0u, 1u, 32u, 64u, 65u, 200u}) {
    std::string key(key_length, '\0');
    for (std::size_t i = 0; i < key_length; ++i) key[i] = static_cast<char>(i * 7 + 3);
    const hmac_sha256_key keyed{key};
    const hmac_sha256_key copy = keyed;
    for (const std::string_view message : {"", "a", "POST\n/identities?api-version=2023-10-01\nWed, 25 Nov"}) {
      EXPECT_EQ(to_hex(keyed.mac(message)), to_hex(hmac_sha256(key, message))) << key_length << " " << message;
      EXPECT_EQ(copy.mac(message), keyed.mac(message));
    }
  }
  // RFC 4231 test case 2.
  EXPECT_EQ(to_hex(hmac_sha256_key{"Jefe"}.mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSigner, EmptyBodyHashIsTheHashOfNothing) {
  EXPECT_EQ(content_hash(""), base64_encode(sha256("")));
  EXPECT_EQ(content_hash("{}"), base64_encode(sha256("{}")));
}

TEST(Base64, RoundTripsAndRejectsMalformed) {
  for (std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
    EXPECT_EQ(*base64_decode(base64_encode(s)), s);
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_FALSE(base64_decode("Zm8"));       // missing padding
  EXPECT_FALSE(base64_decode("Zm=8"));      // data after padding
  EXPECT_FALSE(base64_decode("Zm 8"));      // whitespace
  EXPECT_FALSE(base64_decode("Zm9v!mFy"));  // outside the alphabet
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
}

// A canary key: if any message ever contains it (or its decoded form), the test fails.
constexpr std::string_view canary_key = "Q0FOQVJZLUtFWS1kby1ub3QtbGVhaw==";  // "CANARY-KEY-do-not-leak"

TEST(ConnectionString, ParsesThePortalForm) {
  const auto cs = parse_connection_string(
      std::string("endpoint=https://contoso.communication.azure.com/;accesskey=") + std::string(canary_key));
  EXPECT_EQ(cs.endpoint.scheme, "https");
  EXPECT_EQ(cs.endpoint.host, "contoso.communication.azure.com");
  EXPECT_EQ(cs.endpoint.port, 443);
  EXPECT_EQ(cs.endpoint.authority(), "contoso.communication.azure.com");
  EXPECT_EQ(cs.access_key, "CANARY-KEY-do-not-leak");
}

TEST(ConnectionString, KeysCaseInsensitiveOrderFreeWhitespaceTolerated) {
  for (const std::string& text : {
           std::string("AccessKey=") + std::string(canary_key) + ";Endpoint=https://Contoso.communication.azure.com",
           std::string("  ENDPOINT = https://contoso.communication.azure.com/ ;\n ACCESSKEY= ") +
               std::string(canary_key) + " ;",
       }) {
    const auto cs = parse_connection_string(text);
    EXPECT_EQ(cs.endpoint.host, "contoso.communication.azure.com") << text;
    EXPECT_EQ(cs.access_key, "CANARY-KEY-do-not-leak");
  }
}

TEST(ConnectionString, LoopbackPortIsPartOfTheAuthority) {
  const auto cs = parse_connection_string(std::string("endpoint=http://127.0.0.1:8089/;accesskey=") +
                                          std::string(canary_key));
  EXPECT_EQ(cs.endpoint.authority(), "127.0.0.1:8089");
  EXPECT_TRUE(cs.endpoint.is_loopback());
  EXPECT_FALSE(cs.endpoint.is_tls());
}

struct malformed_case {
  std::string text;
  std::string expected_fragment;
};

class MalformedConnectionString : public testing::TestWithParam<malformed_case> {};

TEST_P(MalformedConnectionString, FailsClearlyWithoutEchoingTheKey) {
  const auto& param = GetParam();
  try {
    parse_connection_string(param.text);
    FAIL() << "accepted: " << param.expected_fragment;
  } catch (const config_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(param.expected_fragment), std::string::npos) << message;
    EXPECT_EQ(message.find(canary_key), std::string::npos) << message;
    EXPECT_EQ(message.find("Q0FOQVJZ"), std::string::npos) << message;
    EXPECT_EQ(message.find("CANARY"), std::string::npos) << message;
  }
}

const std::string key(canary_key);
INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedConnectionString,
    testing::Values(
        malformed_case{"", "no endpoint"},
        malformed_case{"accesskey=" + key, "no endpoint"},
        malformed_case{"endpoint=https://x.communication.azure.com/", "no accesskey"},
        malformed_case{"endpoint=https://x.communication.azure.com/;accesskey=", "no accesskey"},
        malformed_case{"endpoint=https://x.communication.azure.com/;accesskey=" + key + ";accesskey=" + key, "repeats"},
        malformed_case{"endpoint=https://x.communication.azure.com/;" + key, "field 2 is neither"},
        malformed_case{"endpoint=https://x.communication.azure.com/;accesskey" + key.substr(0, 20), "has no '='"},
        malformed_case{"endpoint=https://x.communication.azure.com/;secret=" + key, "field 2 is neither"},
        malformed_case{"endpoint=ftp://x/;accesskey=" + key, "scheme must be http or https"},
        malformed_case{"endpoint=x.communication.azure.com;accesskey=" + key, "not an absolute URL"},
        malformed_case{"endpoint=https://x.communication.azure.com/identities;accesskey=" + key, "no path"},
        malformed_case{"endpoint=https://x.communication.azure.com/?a=b;accesskey=" + key, "query"},
        malformed_case{"endpoint=https://x.communication.azure.com:99999/;accesskey=" + key, "not a valid port"},
        malformed_case{"endpoint=https://x.communication.azure.com/;accesskey=" + key.substr(0, 10) + "!!", "not valid base64"},
        malformed_case{"endpoint=https://x.communication.azure.com/;accesskey=" + key.substr(0, 7), "not valid base64"}));

TEST(Endpoint, RecognisesLoopbackOnly) {
  EXPECT_TRUE(endpoint::parse("http://127.0.0.1:1/").is_loopback());
  EXPECT_TRUE(endpoint::parse("http://127.10.0.3/").is_loopback());
  EXPECT_TRUE(endpoint::parse("http://[::1]:8080").is_loopback());
  EXPECT_TRUE(endpoint::parse("http://localhost:8080").is_loopback());
  EXPECT_FALSE(endpoint::parse("http://127.example.com/").is_loopback());
  EXPECT_FALSE(endpoint::parse("http://127.0.0.1.nip.io./").is_loopback());
  EXPECT_FALSE(endpoint::parse("http://10.0.0.1/").is_loopback());
  EXPECT_EQ(endpoint::parse("http://[::1]:8080").authority(), "[::1]:8080");
  EXPECT_EQ(endpoint::parse("https://h:443").authority(), "h");
}

}  // namespace
}  // namespace acsbatch::auth
