"use strict";
// Wire-level check of acsbatch itself: the emulator captures (--capture) what the SDK sends
// for each operation and what `acsbatch run` sends for the same operation; the two must agree
// modulo ids and dates — same method, path, api-version, header set and JSON bytes.

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { CommunicationIdentityClient } = require("@azure/communication-identity");
const { test, assert } = require("./harness");

/// Headers left out of the header-set comparison, and why:
const notCompared = new Set([
  // acsbatch never decodes compressed bodies, so it does not offer gzip (identity/wire.hpp).
  "accept-encoding",
  // The SDK's explicit `Connection: keep-alive` is HTTP/1.1's default; acsbatch keeps alive too.
  "connection",
  // acsbatch adds these optional idempotency headers to create_user when the run keeps a
  // journal (state.path); the service accepts them (docs/rest-contract.md §3) and the SDK never sends them.
  "repeatability-request-id",
  "repeatability-first-sent",
]);
/// Headers whose values differ by nature (who sends, when, which operation instance).
const perRequest = new Set(["user-agent", "x-ms-client-request-id", "x-ms-date"]);
const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const imfDate = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

function readCapture(file) {
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

/// Method, path with ids replaced, query, headers (lower-case name → value) and body.
function normalise(captured) {
  const headers = new Map();
  for (const [name, value] of captured.headers) headers.set(name.toLowerCase(), value);
  return {
    method: captured.method,
    path: captured.path.replace(/8%3Aacs%3A[^/]+/g, "{id}"),
    query: captured.query,
    headers,
    body: captured.body,
  };
}

function compare(name, sdkCaptured, oursCaptured) {
  const sdk = normalise(sdkCaptured);
  const ours = normalise(oursCaptured);
  assert.equal(ours.method, sdk.method, `${name}: method`);
  assert.equal(ours.path, sdk.path, `${name}: path`);
  assert.equal(ours.query, sdk.query, `${name}: query (api-version)`);
  assert.equal(ours.body, sdk.body, `${name}: body bytes`);
  const names = (h) => [...h.keys()].filter((n) => !notCompared.has(n));
  assert.deepEqual(names(ours.headers).sort(), names(sdk.headers).sort(), `${name}: header set`);
  for (const header of names(sdk.headers)) {
    if (perRequest.has(header)) continue;
    assert.equal(ours.headers.get(header), sdk.headers.get(header), `${name}: ${header}`);
  }
  for (const h of [sdk.headers, ours.headers]) {
    assert.match(h.get("x-ms-client-request-id"), uuidV4, `${name}: x-ms-client-request-id is a uuid v4`);
    assert.match(h.get("x-ms-date"), imfDate, `${name}: x-ms-date is an IMF-fixdate`);
    assert.match(h.get("authorization"), /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<redacted>$/);
  }
  assert.match(sdk.headers.get("user-agent"), /^azsdk-js-communication-identity\//);
}

/// Runs a one-user job with these steps against `connectionString`; returns when it succeeded.
function runJob(ctx, dir, name, steps, connectionString) {
  const job = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(job, [
    "version: 1",
    `name: ${name}`,
    'connection: { connection_string: "${COMMUNICATION_SERVICES_CONNECTION_STRING}", api_version: "2023-10-01" }',
    "users: { create: 1 }",
    "rate_limit: { per_operation: none }",
    "retry: { max_attempts: 1 }",
    "steps:",
    ...steps.map((s) => `  - ${s}`),
    "",
  ].join("\n"));
  const run = spawnSync(ctx.acsbatch, ["run", job, "--quiet", "--report", path.join(dir, `${name}.json`)], {
    encoding: "utf8",
    cwd: dir,
    env: { ...process.env, COMMUNICATION_SERVICES_CONNECTION_STRING: connectionString },
    timeout: 30000,
  });
  assert.equal(run.status, 0, `acsbatch run ${name}: exit ${run.status}\n${run.stdout}\n${run.stderr}`);
}

function register(ctx) {
  test("wire: acsbatch sends what the SDK sends, operation by operation", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "acsbatch-wire-"));
    try {
      const capture = path.join(dir, "capture.jsonl");
      const emulator = await ctx.startEmulator(["--capture", capture]);
      const client = new CommunicationIdentityClient(emulator.connectionString, { allowInsecureConnection: true });
      const user = await client.createUser();
      await client.createUserAndToken(["chat", "voip"]);
      await client.createUserAndToken(["voip"], { tokenExpiresInMinutes: 60 });
      await client.getToken(user, ["voip"]);
      await client.getToken(user, ["chat.join", "voip.join"], { tokenExpiresInMinutes: 120 });
      await client.revokeTokens(user);
      await client.deleteUser(user);
      const sdk = readCapture(capture);
      assert.equal(sdk.length, 7, "one request per SDK call");

      runJob(ctx, dir, "wire-one", ["create_user", "issue_token: { scopes: [voip] }",
        "issue_token: { scopes: [chat.join, voip.join], expires_in: 120m }", "revoke_tokens", "delete_user"], emulator.connectionString);
      runJob(ctx, dir, "wire-two", ["create_user_and_token: { scopes: [chat, voip] }"], emulator.connectionString);
      runJob(ctx, dir, "wire-three", ["create_user_and_token: { scopes: [voip], expires_in: 60m }"], emulator.connectionString);
      const ours = readCapture(capture).slice(sdk.length);
      assert.equal(ours.length, 7, "one request per acsbatch step");

      compare("createUser / create_user", sdk[0], ours[0]);
      compare("getToken voip / issue_token", sdk[3], ours[1]);
      compare("getToken 120 min / issue_token expires_in 120m", sdk[4], ours[2]);
      compare("revokeTokens / revoke_tokens", sdk[5], ours[3]);
      compare("deleteUser / delete_user", sdk[6], ours[4]);
      compare("createUserAndToken / create_user_and_token", sdk[1], ours[5]);
      compare("createUserAndToken 60 min / create_user_and_token expires_in 60m", sdk[2], ours[6]);

      // The capture holds no secret: no signature, no access key.
      const text = fs.readFileSync(capture, "utf8");
      assert.ok(!text.includes(emulator.key), "the access key is not in the capture");
      assert.ok(!/Signature=(?!<redacted>)/.test(text), "no signature in the capture");
      await emulator.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

module.exports = { register };
