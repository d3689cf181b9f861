#include "acsbatch/auth/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>

namespace acsbatch::auth {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/// Fetched once: EVP_sha256() and HMAC() look the algorithm up in the provider on every call,
/// which costs more than hashing a short request. Freed at exit before OpenSSL's own cleanup
/// (which was registered earlier, at OpenSSL's first use inside the fetch).
const EVP_MD* sha256_algorithm() {
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md{EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                                                   &EVP_MD_free};
  if (!md) throw std::runtime_error("SHA-256 is not available from OpenSSL");
  return md.get();
}

EVP_MAC* hmac_algorithm() {
  static const std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac{EVP_MAC_fetch(nullptr, "HMAC", nullptr),
                                                                     &EVP_MAC_free};
  if (!mac) throw std::runtime_error("HMAC is not available from OpenSSL");
  return mac.get();
}

using mac_context = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

}  // namespace

struct hmac_sha256_key::state {
  mac_context keyed{nullptr, &EVP_MAC_CTX_free};
  /// Tells keys apart in the per-thread contexts below: an address could be reused by a new key.
  std::uint64_t id = 0;
};

namespace {

/// Each thread keeps a working copy of the last few keys' contexts and re-initialises it for
/// every message (EVP_MAC_init with no key restarts from the hashed pads): no allocation and no
/// context copy per request. A run signs with one key, so the cache rarely holds more than one.
class thread_mac_contexts {
 public:
  EVP_MAC_CTX* context_for(const EVP_MAC_CTX* keyed, std::uint64_t id) {
    for (auto& slot : slots_)
      if (slot.ctx && slot.id == id) return slot.ctx.get();
    auto& slot = slots_[next_++ % slots_.size()];
    slot.ctx.reset(EVP_MAC_CTX_dup(keyed));
    slot.id = id;
    return slot.ctx.get();
  }

 private:
  struct slot {
    std::uint64_t id = 0;
    mac_context ctx{nullptr, &EVP_MAC_CTX_free};
  };
  std::array<slot, 4> slots_;
  std::size_t next_ = 0;
};

std::atomic<std::uint64_t> next_key_id{1};

}  // namespace

hmac_sha256_key::hmac_sha256_key(std::string_view key) {
  auto s = std::make_shared<state>();
  s->id = next_key_id.fetch_add(1, std::memory_order_relaxed);
  s->keyed.reset(EVP_MAC_CTX_new(hmac_algorithm()));
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  static constexpr unsigned char no_key = 0;  // a valid pointer for an empty key
  const auto* bytes = key.empty() ? &no_key : reinterpret_cast<const unsigned char*>(key.data());
  if (!s->keyed || EVP_MAC_init(s->keyed.get(), bytes, key.size(), params) != 1)
    throw std::runtime_error("HMAC-SHA256 key setup failed");
  state_ = std::move(s);
}

std::string hmac_sha256_key::mac(std::string_view message) const {
  // The shared keyed context is only ever read (copied once per thread), so one key serves any
  // number of threads.
  thread_local thread_mac_contexts contexts;
  EVP_MAC_CTX* ctx = contexts.context_for(state_->keyed.get(), state_->id);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  std::size_t length = 0;
  if (!ctx || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      EVP_MAC_final(ctx, digest.data(), &length, digest.size()) != 1)
    throw std::runtime_error("HMAC-SHA256 failed");
  return {reinterpret_cast<const char*>(digest.data()), length};
}

std::string base64_encode(std::string_view bytes) {
  // Sized once and written in place: appending char by char checks the capacity every time.
  std::string out((bytes.size() + 2) / 3 * 4, '=');
  std::size_t i = 0, at = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out[at++] = alphabet[(v >> 18) & 63];
    out[at++] = alphabet[(v >> 12) & 63];
    out[at++] = alphabet[(v >> 6) & 63];
    out[at++] = alphabet[v & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {  // the padding is already there
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out[at++] = alphabet[(v >> 18) & 63];
    out[at++] = alphabet[(v >> 12) & 63];
    if (rest == 2) out[at] = alphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int padding = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return std::nullopt;  // data after padding
      v[k] = decode_char(c);
      if (v[k] < 0) return std::nullopt;
    }
    const unsigned bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((bits >> 16) & 0xff);
    if (padding < 2) out += static_cast<char>((bits >> 8) & 0xff);
    if (padding < 1) out += static_cast<char>(bits & 0xff);
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return std::nullopt;
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  while (standard.size() % 4 != 0) standard += '=';
  return base64_decode(standard);
}

std::string sha256(std::string_view data) {
  // One digest context per thread, re-initialised: EVP_Digest allocates and frees one per call.
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), sha256_algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1)
    throw std::runtime_error("SHA-256 failed");
  return {reinterpret_cast<const char*>(digest.data()), length};
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (HMAC(sha256_algorithm(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
           &length) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return {reinterpret_cast<const char*>(digest.data()), length};
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1)
    throw std::runtime_error("random number generator failed");
  return out;
}

}  // namespace acsbatch::auth
