"use strict";
// The SDK's whole surface against the emulator, asserting every result and every error the
// way the service answers (statuses and codes as in the REST contract the emulator follows).

const { CommunicationIdentityClient } = require("@azure/communication-identity");
const { test, expectRestError, assert } = require("./harness");

const rawIdPattern = /^8:acs:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}_[0-9a-f-]{36}$/;
const allScopes = ["chat", "voip", "chat.join", "chat.join.limited", "voip.join"];
const minute = 60 * 1000;

function payloadOf(token) {
  const parts = token.split(".");
  assert.equal(parts.length, 3, "an access token is a JWT: header.payload.signature");
  return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
}

/// The token is a JWT for `userId` with these scopes, expiring `minutes` after now (±1 min),
/// and expiresOn is its `exp` claim.
function checkToken({ token, expiresOn }, userId, scopes, minutes) {
  assert.ok(expiresOn instanceof Date && !Number.isNaN(expiresOn.getTime()), "expiresOn is a Date");
  const claims = payloadOf(token);
  assert.equal(claims.skypeid, userId.slice(2), "skypeid is the id without its 8: prefix");
  assert.deepEqual(claims.acsScope.split(","), scopes);
  assert.ok(Math.abs(claims.exp * 1000 - expiresOn.getTime()) < 1000, "expiresOn matches the exp claim");
  const expected = Date.now() + minutes * minute;
  assert.ok(Math.abs(expiresOn.getTime() - expected) < minute, `expires in ${minutes} min, not at ${expiresOn.toISOString()}`);
}

function register(ctx) {
  let emulator;
  let client;
  const validity = async (token) => (await emulator.post("emulator/tokens:validate", { token })).reason;
  const unknownUser = () => ({ communicationUserId: `8:acs:${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}_00000000-0000-4000-8000-000000000001` });

  test("sdk: start the emulator", async () => {
    emulator = await ctx.startEmulator([]);
    client = new CommunicationIdentityClient(emulator.connectionString, { allowInsecureConnection: true });
  });

  test("sdk: createUser returns an 8:acs: identity", async () => {
    const user = await client.createUser();
    assert.deepEqual(Object.keys(user), ["communicationUserId"]);
    assert.match(user.communicationUserId, rawIdPattern);
  });

  test("sdk: createUserAndToken without tokenExpiresInMinutes: 24 h token", async () => {
    const result = await client.createUserAndToken(["chat", "voip"]);
    assert.deepEqual(Object.keys(result).sort(), ["expiresOn", "token", "user"]);
    assert.match(result.user.communicationUserId, rawIdPattern);
    checkToken(result, result.user.communicationUserId, ["chat", "voip"], 1440);
    assert.equal(await validity(result.token), "valid");
  });

  test("sdk: createUserAndToken with tokenExpiresInMinutes 60 and 1440 (the bounds)", async () => {
    const short = await client.createUserAndToken(["voip"], { tokenExpiresInMinutes: 60 });
    checkToken(short, short.user.communicationUserId, ["voip"], 60);
    const long = await client.createUserAndToken(["chat"], { tokenExpiresInMinutes: 1440 });
    checkToken(long, long.user.communicationUserId, ["chat"], 1440);
  });

  test("sdk: getToken for each scope, alone and together, default and custom expiry", async () => {
    const user = await client.createUser();
    for (const scope of allScopes) {
      const token = await client.getToken(user, [scope]);
      checkToken(token, user.communicationUserId, [scope], 1440);
      assert.equal(await validity(token.token), "valid");
    }
    const joined = await client.getToken(user, ["chat.join", "voip.join"], { tokenExpiresInMinutes: 120 });
    checkToken(joined, user.communicationUserId, ["chat.join", "voip.join"], 120);
    const every = await client.getToken(user, allScopes, { tokenExpiresInMinutes: 61 });
    checkToken(every, user.communicationUserId, allScopes, 61);
  });

  test("sdk: revokeTokens revokes the tokens issued before it, not those after", async () => {
    const { user, token } = await client.createUserAndToken(["voip"]);
    const issued = await client.getToken(user, ["chat"]);
    assert.equal(await client.revokeTokens(user), undefined);
    assert.equal(await validity(token), "revoked");
    assert.equal(await validity(issued.token), "revoked");
    const fresh = await client.getToken(user, ["chat"]);
    assert.equal(await validity(fresh.token), "valid");
  });

  test("sdk: deleteUser deletes; the user is then unknown (404 IdentityNotFound)", async () => {
    const { user, token } = await client.createUserAndToken(["chat"]);
    assert.equal(await client.deleteUser(user), undefined);
    assert.notEqual(await validity(token), "valid");
    await expectRestError(client.getToken(user, ["chat"]), 404, "IdentityNotFound");
    await expectRestError(client.revokeTokens(user), 404, "IdentityNotFound");
    await expectRestError(client.deleteUser(user), 404, "IdentityNotFound");
  });

  test("sdk: bad scope is 400 ValidationError (getToken, createUserAndToken, empty list)", async () => {
    const user = await client.createUser();
    const e = await expectRestError(client.getToken(user, ["voip", "telepathy"]), 400, "ValidationError");
    assert.equal(e.details.error.target, "scopes");
    const c = await expectRestError(client.createUserAndToken(["admin"]), 400, "ValidationError");
    assert.equal(c.details.error.target, "createTokenWithScopes");
    await expectRestError(client.getToken(user, []), 400, "ValidationError");
  });

  test("sdk: expiry outside [60,1440] minutes is 400 ValidationError", async () => {
    const user = await client.createUser();
    for (const minutes of [59, 1441, 0]) {
      const e = await expectRestError(client.getToken(user, ["voip"], { tokenExpiresInMinutes: minutes }), 400, "ValidationError");
      assert.equal(e.details.error.target, "expiresInMinutes");
      await expectRestError(client.createUserAndToken(["voip"], { tokenExpiresInMinutes: minutes }), 400, "ValidationError");
    }
  });

  test("sdk: unknown user is 404 IdentityNotFound for getToken, revokeTokens, deleteUser", async () => {
    await expectRestError(client.getToken(unknownUser(), ["voip"]), 404, "IdentityNotFound");
    await expectRestError(client.revokeTokens(unknownUser()), 404, "IdentityNotFound");
    await expectRestError(client.deleteUser(unknownUser()), 404, "IdentityNotFound");
  });

  test("sdk: wrong access key is 401 Denied on every operation", async () => {
    const wrongKey = Buffer.alloc(64, 7).toString("base64");
    const intruder = new CommunicationIdentityClient(`endpoint=${emulator.endpoint};accesskey=${wrongKey}`, { allowInsecureConnection: true });
    const user = await client.createUser();
    const denied = "Denied by the resource provider.";
    await expectRestError(intruder.createUser(), 401, "Denied", denied);
    await expectRestError(intruder.createUserAndToken(["voip"]), 401, "Denied", denied);
    await expectRestError(intruder.getToken(user, ["voip"]), 401, "Denied", denied);
    await expectRestError(intruder.revokeTokens(user), 401, "Denied", denied);
    await expectRestError(intruder.deleteUser(user), 401, "Denied", denied);
    // Nothing happened to the user.
    await client.getToken(user, ["voip"]);
  });

  test("sdk: the emulator counted exactly what the SDK did", async () => {
    const stats = await emulator.stats();
    assert.deepEqual(stats.requests.create_user, { 201: 5, 401: 1 });
    assert.deepEqual(stats.requests.create_user_and_token, { 201: 5, 400: 4, 401: 1 });
    assert.deepEqual(stats.requests.issue_token, { 200: 10, 400: 5, 401: 1, 404: 2 });
    assert.deepEqual(stats.requests.revoke_tokens, { 204: 1, 401: 1, 404: 2 });
    assert.deepEqual(stats.requests.delete_user, { 204: 1, 401: 1, 404: 2 });
    await emulator.stop();
  });
}

module.exports = { register };
