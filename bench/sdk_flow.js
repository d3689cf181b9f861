"use strict";
// The official SDK doing what a bulk job does, as a user would write it without acsbatch: COUNT
// users, CONCURRENCY promises, each createUser → getToken(voip, 60 min) → deleteUser, with the
// SDK's own retry policy (retryOptions.maxRetries; it waits Retry-After on 429/503).
// Usage: node sdk_flow.js COUNT CONCURRENCY MAX_RETRIES
// The connection string comes from COMMUNICATION_SERVICES_CONNECTION_STRING. Prints one JSON
// line: {"count","ok","failed","seconds","items_per_s","first_error"}. Identities left live by
// failed items are counted by the caller from the emulator's /emulator/stats.

const { CommunicationIdentityClient } = require("@azure/communication-identity");

async function main() {
  const [countText, concurrencyText, retriesText] = process.argv.slice(2);
  const count = Number(countText);
  const concurrency = Number(concurrencyText);
  const maxRetries = Number(retriesText);
  const connectionString = process.env.COMMUNICATION_SERVICES_CONNECTION_STRING;
  if (!(count > 0) || !(concurrency > 0) || !(maxRetries >= 0) || !connectionString) {
    console.error("usage: COMMUNICATION_SERVICES_CONNECTION_STRING=… node sdk_flow.js COUNT CONCURRENCY MAX_RETRIES");
    process.exit(64);
  }
  const client = new CommunicationIdentityClient(connectionString, {
    allowInsecureConnection: true,  // the emulator serves plain HTTP on loopback
    retryOptions: { maxRetries },
  });
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError;
  async function worker() {
    for (let i = next++; i < count; i = next++) {
      try {
        const user = await client.createUser();
        await client.getToken(user, ["voip"], { tokenExpiresInMinutes: 60 });
        await client.deleteUser(user);
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
  console.log(JSON.stringify({ count, ok, failed, seconds, items_per_s: ok / seconds, first_error: firstError }));
}

main().catch((error) => {
  console.error(`sdk_flow: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
