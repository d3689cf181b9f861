"use strict";
// Conformance of the acsbatch emulator (and of acsbatch itself) with the official Azure
// Communication Services Identity SDK. Usage: node run.js --acsbatch BIN [--signer BIN] [FILTER]

// Node 18 (Debian 12's) has Web Crypto only as require("node:crypto").webcrypto; Node ≥ 19, which
// the SDK's runtime assumes, also has it as the global `crypto`. Provide the same global here.
globalThis.crypto ??= require("node:crypto").webcrypto;

const { startEmulator } = require("./emulator");
const { runAll } = require("./harness");

function parseArgs(argv) {
  const out = { filter: "" };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--acsbatch") out.acsbatch = argv[++i];
    else if (argv[i] === "--signer") out.signer = argv[++i];
    else out.filter = argv[i];
  }
  if (!out.acsbatch) throw new Error("usage: node run.js --acsbatch BIN [--signer BIN] [FILTER]");
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = [];
  const ctx = {
    ...args,
    startEmulator: async (flags, env) => {
      const emulator = await startEmulator(args.acsbatch, flags, env);
      started.push(emulator);
      return emulator;
    },
  };
  require("./sdk_surface").register(ctx);
  require("./sdk_retry").register(ctx);
  require("./signer").register(ctx);
  require("./wire").register(ctx);
  try {
    process.exitCode = (await runAll(args.filter)) === 0 ? 0 : 1;
  } finally {
    // A failed test may leave its emulator running; it must not outlive the run.
    for (const emulator of started) emulator.kill();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
