#pragma once
/// Random values that need to be unique, not secret: request ids, idempotency keys, retry
/// jitter. One generator per thread, seeded from the operating system's entropy, so that ids of
/// two processes (or threads) do not collide and no lock or per-caller state is needed.

#include <random>
#include <string>

namespace acsbatch {

/// The calling thread's generator (a 64-bit Mersenne twister, seeded once per thread).
std::mt19937_64& thread_random();

/// A random RFC 4122 version-4 UUID in lower-case 8-4-4-4-12 form (36 characters).
std::string random_uuid();

}  // namespace acsbatch
