"use strict";
// The SDK's own retry policy against injected 429s: with Retry-After it waits that long and
// retries until it succeeds, as against the service; without it, it gives up at once.

const { CommunicationIdentityClient } = require("@azure/communication-identity");
const { test, expectRestError, assert } = require("./harness");

/// Seed of the emulator's fault stream: with it, the five operations below meet 429s on some
/// attempts and never four in a row (the SDK's limit), so every operation ends in success.
const faultSeed = process.env.ACSBATCH_CONFORMANCE_FAULT_SEED || "1";

function faultCount(stats, op) {
  return (stats.faults[op] && stats.faults[op]["429"]) || 0;
}

function register(ctx) {
  test("sdk retry: 429 with Retry-After 1 s is retried after 1 s until it succeeds", async () => {
    const emulator = await ctx.startEmulator(["--faults", "429@1s:0.5", "--seed", faultSeed]);
    const client = new CommunicationIdentityClient(emulator.connectionString, { allowInsecureConnection: true });
    let user;
    const operations = [
      ["create_user", async () => (user = await client.createUser())],
      ["create_user_and_token", () => client.createUserAndToken(["voip"])],
      ["issue_token", () => client.getToken(user, ["chat"])],
      ["revoke_tokens", () => client.revokeTokens(user)],
      ["delete_user", () => client.deleteUser(user)],
    ];
    let throttled = 0;
    for (const [op, call] of operations) {
      const before = faultCount(await emulator.stats(), op);
      const started = Date.now();
      await call();
      const elapsed = Date.now() - started;
      const stats = await emulator.stats();
      const retries = faultCount(stats, op) - before;
      throttled += retries;
      assert.ok(retries <= 3, `${op}: the SDK retries at most 3 times`);
      // Each 429 costs exactly its Retry-After before the next attempt.
      assert.ok(elapsed >= retries * 1000 - 20, `${op}: ${retries} retries after ${elapsed} ms, less than ${retries} s`);
      assert.ok(elapsed < retries * 1000 + 900, `${op}: ${retries} retries took ${elapsed} ms`);
      const successes = Object.entries(stats.requests[op]).filter(([status]) => status < 300);
      assert.equal(successes.length, 1, `${op} succeeded once: ${JSON.stringify(stats.requests[op])}`);
      assert.equal(stats.requests[op]["429"] || 0, faultCount(stats, op));
    }
    assert.ok(throttled >= 2, `the seed gave ${throttled} 429s: choose one that throttles`);
    await emulator.stop();
  });

  test("sdk retry: 429 without Retry-After is not retried (RestError 429 TooManyRequests)", async () => {
    const emulator = await ctx.startEmulator(["--faults", "429@none:1"]);
    const client = new CommunicationIdentityClient(emulator.connectionString, { allowInsecureConnection: true });
    await expectRestError(client.createUser(), 429, "TooManyRequests");
    const stats = await emulator.stats();
    assert.deepEqual(stats.requests.create_user, { 429: 1 });
    await emulator.stop();
  });
}

module.exports = { register };
