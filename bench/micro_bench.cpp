// Micro benchmarks of the per-request hot path (issue 8, part 5): signing, building, parsing,
// rate limiting, latency recording, journalling. Each reports ns/op (Google Benchmark's time)
// and allocations/op (a counting operator new in this binary). Run: scripts/bench.sh micro

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <random>

#include <unistd.h>

#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/core/endpoint.hpp"
#include "acsbatch/engine/rate_limiter.hpp"
#include "acsbatch/identity/wire.hpp"
#include "acsbatch/report/latency_histogram.hpp"
#include "acsbatch/state/journal.hpp"
#include "acsbatch/state/journal_writer.hpp"

namespace {

std::atomic<std::uint64_t> allocations{0};

}  // namespace

// Every allocation of the process is counted; the benchmarks report the count per iteration.
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace acsbatch {
namespace {

/// Runs the benchmark's loop body and reports allocations per iteration.
template <class Body>
void measured(benchmark::State& state, Body body) {
  const auto before = allocations.load();
  for (auto _ : state) body();
  state.counters["allocs/op"] = benchmark::Counter(static_cast<double>(allocations.load() - before),
                                                   benchmark::Counter::kAvgIterations);
}

const std::string key = "pO9M1ZtCSkO1d4pM2Cz4ZzFNeh6Kbo7E6uJ0GLPMiO1TF3JHJm3sHx6lQmWykS0A9UmGh8bBW/Vdyv4eCV+hFQ==";
const endpoint target = endpoint::parse("https://res.communication.azure.com/");

void SignARequest(benchmark::State& state) {
  const auth::hmac_signer signer{key};
  const auto now = std::chrono::system_clock::now();
  measured(state, [&] {
    auto headers = signer.sign("POST", "/identities?api-version=2023-10-01", "res.communication.azure.com",
                               "Wed, 25 Nov 2026 11:58:14 GMT", R"({"createTokenWithScopes":["voip"]})");
    benchmark::DoNotOptimize(headers);
  });
  (void)now;
}
BENCHMARK(SignARequest);

void BuildASignedCreateRequest(benchmark::State& state) {
  const auth::hmac_signer signer{key};
  identity::request_context ctx;
  ctx.target = &target;
  ctx.signer = &signer;
  ctx.user_agent = "acsbatch/bench";
  ctx.client_request_id = "6f9619ff-8b86-4011-b42d-00c04fc964ff";
  ctx.now = std::chrono::system_clock::now();
  measured(state, [&] {
    auto req = identity::make_create_user_and_token(ctx, {"voip"}, std::chrono::minutes{60}, {});
    benchmark::DoNotOptimize(req);
  });
}
BENCHMARK(BuildASignedCreateRequest);

void ParseACreateAndTokenResponse(benchmark::State& state) {
  http::response res;
  res.status = 201;
  res.reason = "Created";
  res.headers.add("Content-Type", "application/json; charset=utf-8");
  res.body = R"({"identity":{"id":"8:acs:5b0c0d7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f_00000020-1234-5678-9abc-def012345678"},)"
             R"("accessToken":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE2NTc4NzQ3MzJ9.c2lnbmF0dXJl",)"
             R"("expiresOn":"2026-11-26T12:31:07.1234567+00:00"}})";
  measured(state, [&] {
    auto parsed = identity::read_create_user_and_token(res, "6f9619ff-8b86-4011-b42d-00c04fc964ff");
    benchmark::DoNotOptimize(parsed);
  });
}
BENCHMARK(ParseACreateAndTokenResponse);

void RateLimiterAcquire(benchmark::State& state) {
  job::rate_limit_spec spec;  // the service's per-operation limits (buckets and windows)
  spec.per_second = 1e9;      // plus a job-wide bucket that never waits
  engine::rate_limiter limiter{spec};
  auto now = std::chrono::steady_clock::now();
  measured(state, [&] {
    now += std::chrono::milliseconds{40};  // slower than 1000 per 30 s: every send is admitted
    auto at = limiter.reserve(job::operation::issue_token, now);
    auto later = limiter.admit(job::operation::issue_token, at);
    benchmark::DoNotOptimize(later);
  });
}
BENCHMARK(RateLimiterAcquire);

void HistogramRecord(benchmark::State& state) {
  report::latency_histogram histogram;
  std::mt19937 random(7);
  std::lognormal_distribution<double> latency_us(std::log(20'000.0), 0.8);
  std::vector<std::chrono::microseconds> samples(4096);
  for (auto& s : samples) s = std::chrono::microseconds{static_cast<std::int64_t>(latency_us(random))};
  std::size_t i = 0;
  measured(state, [&] { histogram.record(samples[i++ & 4095]); });
  benchmark::DoNotOptimize(histogram);
}
BENCHMARK(HistogramRecord);

/// Appending a step's outcome to the journal as the runner does (the writer thread commits in
/// groups; the time is the append plus its share of the commits, measured by flushing at the end).
void JournalAppend(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("acsbatch-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "j.db").string();
  {
    state::journal journal(path, true);
    journal.write_meta({"bench", "bench.yaml", "0", "2023-10-01", "localhost", "", 1, 1, false, false});
  }
  state::journal_writer writer(path, 1);
  constexpr std::uint64_t records = 200'000;
  std::uint64_t index = 0;
  report::step_outcome outcome;
  outcome.op = "create_user";
  outcome.ok = true;
  outcome.http_status = 201;
  outcome.latency = std::chrono::microseconds{1234};
  measured(state, [&] {
    state::journal_record r;
    r.what = state::journal_record::kind::step_finished;
    r.index = index++;
    r.outcome = outcome;
    r.creates = true;
    r.user_id = "8:acs:5b0c0d7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f_00000020-1234-5678-9abc-def012345678";
    writer.append(std::move(r));
    // The last iteration waits for every commit: the time per record includes its disk share.
    if (index == records) (void)writer.flush_now();
  });
  state.counters["records/commit"] =
      static_cast<double>(writer.records()) / static_cast<double>(std::max<std::uint64_t>(writer.commits(), 1));
  std::filesystem::remove_all(dir);
}
BENCHMARK(JournalAppend)->Iterations(200'000)->UseRealTime();

}  // namespace
}  // namespace acsbatch

BENCHMARK_MAIN();
