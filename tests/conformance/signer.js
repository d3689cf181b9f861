"use strict";
// Cross-check of the HMAC signer: the SDK's own credential policy signs N random requests,
// acsbatch's signer (conformance_signer) signs the same ones; every header must be equal.

const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const { createCommunicationAccessKeyCredentialPolicy, parseClientArguments } = require("@azure/communication-common");
const { createPipelineRequest, createHttpHeaders } = require("@azure/core-rest-pipeline");
const { test, assert } = require("./harness");

const requestCount = 500;

/// A deterministic stream (mulberry32), so a failure names a request that can be replayed.
function randomStream(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRequests(random) {
  const pick = (items) => items[Math.floor(random() * items.length)];
  const int = (n) => Math.floor(random() * n);
  // Letters, digits, URL delimiters, spaces, accents, CJK and an emoji (whole code points only:
  // a lone surrogate has no UTF-8 form for either side to hash).
  const alphabet = [..."abcXYZ019-_.~:;/?#[]@!$&'()*+,= %\"{}é漢字😀"];
  const text = (max) => Array.from({ length: int(max) }, () => pick(alphabet)).join("");
  const hosts = ["127.0.0.1:8089", "my-resource.communication.azure.com", "localhost:3000", "[::1]:8443", "contoso.unitedstates.communication.azure.com"];
  const requests = [];
  for (let i = 0; i < requestCount; i++) {
    const segments = Array.from({ length: 1 + int(4) }, () => {
      const s = encodeURIComponent(text(12)) || "identities";
      return s === "." || s === ".." ? "x" : s;
    });
    const path = "/" + segments.join("/");
    const params = new URLSearchParams([["api-version", pick(["2023-10-01", "2025-06-30", "2025-03-02-preview"])]]);
    for (let p = int(3); p > 0; p--) params.append(text(6) || "k", text(10));
    const query = params.toString();
    const bodyKind = int(3);
    const body = bodyKind === 0 ? "" : bodyKind === 1 ? JSON.stringify({ scopes: [text(8), text(8)], expiresInMinutes: 60 + int(1381) }) : text(200);
    const host = pick(hosts);
    requests.push({ method: pick(["GET", "POST", "PUT", "PATCH", "DELETE"]), host, target: `${path}?${query}`, body });
  }
  return requests;
}

function register(ctx) {
  test(`signer: the SDK's credential policy and acsbatch's signer agree on ${requestCount} random requests`, async () => {
    assert.ok(ctx.signer, "run.js needs --signer (the conformance_signer helper)");
    const key = crypto.randomBytes(64).toString("base64");
    // The credential exactly as the SDK's client builds it from a connection string.
    const { credential } = parseClientArguments(`endpoint=https://my-resource.communication.azure.com/;accesskey=${key}`);
    const policy = createCommunicationAccessKeyCredentialPolicy(credential);
    const requests = makeRequests(randomStream(20261125));
    const sdk = [];
    for (const r of requests) {
      const scheme = r.host.startsWith("my-resource") ? "https" : "http";
      const url = `${scheme}://${r.host}${r.target}`;
      const parsed = new URL(url);
      // Only requests whose URL the SDK sends as written: the comparison is about signing,
      // not about URL normalisation.
      assert.equal(`${parsed.pathname}?${parsed.searchParams.toString()}`, r.target, `URL not canonical: ${url}`);
      assert.equal(parsed.host, r.host);
      const request = createPipelineRequest({ url, method: r.method, body: r.body, headers: createHttpHeaders() });
      let signed;
      await policy.sendRequest(request, async (req) => {
        signed = req.headers;
        return { request: req, status: 200, headers: createHttpHeaders() };
      });
      r.date = signed.get("x-ms-date");
      assert.equal(signed.get("host"), r.host);
      sdk.push({ content_sha256: signed.get("x-ms-content-sha256"), authorization: signed.get("authorization") });
    }
    const input = requests.map((r) => JSON.stringify({ method: r.method, target: r.target, host: r.host, date: r.date, body: r.body })).join("\n") + "\n";
    const run = spawnSync(ctx.signer, [key], { input, encoding: "utf8", maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, `conformance_signer failed: ${run.error || run.stderr}`);
    const ours = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(ours.length, requests.length);
    let bodies = 0;
    for (let i = 0; i < requests.length; i++) {
      assert.deepEqual(ours[i], sdk[i], `request ${i} differs: ${JSON.stringify(requests[i])}`);
      if (requests[i].body) bodies++;
    }
    assert.ok(bodies > requestCount / 2, "most requests have a body");
  });
}

module.exports = { register };
