#include "acsbatch/core/random_id.hpp"

#include <array>
#include <cstdint>

namespace acsbatch {

std::mt19937_64& thread_random() {
  // 256 bits from std::random_device (getrandom(2) on Linux), once per thread: a generator per
  // caller would cost 2.5 KiB each (64 workers, or one per load-test iteration) and its seeding.
  thread_local std::mt19937_64 generator{[] {
    std::random_device entropy;
    std::seed_seq sequence{entropy(), entropy(), entropy(), entropy(), entropy(), entropy(), entropy(), entropy()};
    return std::mt19937_64{sequence};
  }()};
  return generator;
}

std::string random_uuid() {
  auto& random = thread_random();
  std::array<unsigned char, 16> bytes{};
  for (std::size_t i = 0; i < bytes.size(); i += 8) {
    const std::uint64_t word = random();
    for (std::size_t k = 0; k < 8; ++k) bytes[i + k] = static_cast<unsigned char>(word >> (8 * k));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(36, '-');
  std::size_t at = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++at;  // the dash already there
    out[at++] = digits[bytes[i] >> 4];
    out[at++] = digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace acsbatch
