"use strict";
// What a user would write instead of acsbatch: the official SDK (@azure/communication-identity,
// pinned by tests/conformance/package-lock.json) doing N operations with C concurrent promises.
// Usage: node sdk_bench.js create_user|issue_token COUNT CONCURRENCY [IDS_FILE]
// The connection string comes from COMMUNICATION_SERVICES_CONNECTION_STRING. issue_token issues
// a voip token to each identity of IDS_FILE (one id a line), in order, cycling when COUNT is larger.
// Prints one JSON line: {"op", "count", "ok", "failed", "seconds", "ops_per_s"}; CPU time and peak
// RSS are measured from outside (/usr/bin/time), like acsbatch's.

const fs = require("node:fs");
const { CommunicationIdentityClient } = require("@azure/communication-identity");

async function main() {
  const [op, countText, concurrencyText, idsFile] = process.argv.slice(2);
  const count = Number(countText);
  const concurrency = Number(concurrencyText);
  const connectionString = process.env.COMMUNICATION_SERVICES_CONNECTION_STRING;
  if (!["create_user", "issue_token"].includes(op) || !(count > 0) || !(concurrency > 0) || !connectionString) {
    console.error("usage: COMMUNICATION_SERVICES_CONNECTION_STRING=… node sdk_bench.js create_user|issue_token COUNT CONCURRENCY [IDS_FILE]");
    process.exit(64);
  }
  // The emulator serves plain HTTP on loopback; the SDK refuses that unless told.
  const client = new CommunicationIdentityClient(connectionString, { allowInsecureConnection: true });
  const ids = op === "issue_token" ? fs.readFileSync(idsFile, "utf8").split("\n").filter((l) => l.trim()) : [];
  if (op === "issue_token" && ids.length === 0) throw new Error(`${idsFile}: no identity ids`);

  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError;
  const one = op === "create_user"
    ? () => client.createUser()
    : (i) => client.getToken({ communicationUserId: ids[i % ids.length] }, ["voip"]);
  // C workers, each taking the next index when its previous operation settles: at most C in flight.
  async function worker() {
    for (let i = next++; i < count; i = next++) {
      try {
        await one(i);
        ok++;
      } catch (error) {
        failed++;
        firstError ??= String(error && error.message ? error.message : error);
      }
    }
  }
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ op, count, ok, failed, seconds, ops_per_s: ok / seconds, first_error: firstError }));
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`sdk_bench: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
