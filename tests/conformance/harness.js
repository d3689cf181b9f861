"use strict";
// A tiny sequential test runner: no dependency beyond the SDK under test.

const assert = require("node:assert/strict");

const tests = [];

/// Registers a test; `fn` is async and throws (assert) to fail.
function test(name, fn) {
  tests.push({ name, fn });
}

/// Runs every registered test whose name contains `filter`; resolves to the number of failures.
async function runAll(filter = "") {
  let failed = 0;
  let ran = 0;
  const started = Date.now();
  for (const { name, fn } of tests) {
    if (!name.includes(filter)) continue;
    ran++;
    const t0 = Date.now();
    try {
      await fn();
      console.log(`ok - ${name} (${Date.now() - t0} ms)`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name}\n  ${String(error && error.stack ? error.stack : error).replace(/\n/g, "\n  ")}`);
    }
  }
  console.log(`conformance: ${ran - failed} passed, ${failed} failed, ${Date.now() - started} ms`);
  if (ran === 0) {
    console.log(`conformance: no test matches '${filter}'`);
    return 1;
  }
  return failed;
}

/// Awaits `promise`, which must reject with the SDK's RestError of this status and code.
async function expectRestError(promise, statusCode, code, message) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected RestError ${statusCode} ${code}, but the call succeeded`);
  assert.equal(error.name, "RestError", `expected a RestError, got ${error.stack}`);
  assert.equal(error.statusCode, statusCode, `status of: ${error.message}`);
  assert.equal(error.code, code, `code of: ${error.message}`);
  if (message !== undefined) assert.equal(error.message, message);
  return error;
}

module.exports = { test, runAll, expectRestError, assert };
