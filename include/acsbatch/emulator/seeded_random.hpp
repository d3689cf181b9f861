#pragma once
/// The emulator's randomness for faults and latency: one user-visible seed (`--seed`), one
/// std::mt19937_64 stream per purpose derived from it, and draws computed here rather than by
/// the standard library's distributions (whose algorithms are implementation-defined), so a
/// seed replays the same run whatever library built the binary.

#include <cstdint>
#include <random>

namespace acsbatch::emulator {

/// Which stream: separate streams keep, e.g., latency draws from shifting fault decisions.
enum class random_stream : std::uint64_t { faults = 1, latency = 2 };

/// splitmix64(seed + stream): well-spread engine seeds even for seeds 0, 1, 2, …
std::uint64_t derive_seed(std::uint64_t seed, random_stream stream);

/// A uniform double in [0,1) from the top 53 bits of one draw.
double unit_interval(std::mt19937_64& random);

/// 64 bits from std::random_device: the seed when none was given.
std::uint64_t random_seed();

}  // namespace acsbatch::emulator
