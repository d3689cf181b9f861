"use strict";
// Starts `acsbatch emulator` on 127.0.0.1:0 as a child process and stops it again; the
// first stdout line is its connection string (README, "acsbatch emulator").

const { spawn } = require("node:child_process");
const readline = require("node:readline");

/// Resolves to { connectionString, endpoint, key, stats(), post(path, body), stop() }.
/// `args` are extra flags (`--faults 429@1s:0.5 --seed 7`, `--capture FILE`).
function startEmulator(binary, args = [], env = {}) {
  const child = spawn(binary, ["emulator", "--listen", "127.0.0.1:0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the emulator printed no connection string within 20 s; stderr:\n${stderr}`));
    }, 20000);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (code ${code}, signal ${signal}) before it printed its connection string; stderr:\n${stderr}`));
    });
    lines.once("line", (line) => {
      clearTimeout(timer);
      const match = /^endpoint=(http:\/\/127\.0\.0\.1:\d+\/);accesskey=(\S+)$/.exec(line);
      if (!match) {
        child.kill("SIGKILL");
        reject(new Error("the emulator's first stdout line is not a connection string"));
        return;
      }
      const endpoint = match[1];
      resolve({
        connectionString: line,
        endpoint,
        key: match[2],
        stats: async () => (await fetch(`${endpoint}emulator/stats`)).json(),
        post: async (path, body) => {
          const res = await fetch(`${endpoint}${path}`, { method: "POST", body: JSON.stringify(body) });
          return res.json();
        },
        /// SIGTERM, then the exit status: 0 is a clean stop (and, under ASan, no leak).
        stop: async () => {
          child.kill("SIGTERM");
          const { code, signal } = await exited;
          if (code !== 0) throw new Error(`the emulator stopped with code ${code}, signal ${signal}; stderr:\n${stderr}`);
        },
        stderr: () => stderr,
        /// For the runner's cleanup after a failed test: no-op once the child has exited.
        kill: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        },
      });
    });
  });
}

module.exports = { startEmulator };
