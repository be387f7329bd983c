// Helpers for the demo's end-to-end test: build the sealpay binary once,
// find five free consecutive loopback ports, run `sealpay demo` as a
// subprocess and wait for the URL it prints.
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** buildSealpay builds ./cmd/sealpay into dir and returns the binary's path. */
export function buildSealpay(dir) {
  const bin = join(dir, "sealpay");
  execFileSync(process.env.GO || "go", ["build", "-o", bin, "./cmd/sealpay"], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
  return bin;
}

function portFree(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });
}

/** freePorts returns a base port p such that p … p+n-1 are free on 127.0.0.1. */
export async function freePorts(n) {
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

/**
 * startDemo runs `sealpay demo --data dataDir --port base` and resolves
 * once it prints the URLs. output() returns everything it printed so far;
 * stop() sends SIGINT and resolves to the exit code.
 */
export function startDemo(bin, dataDir, base, timeoutMs = 240_000) {
  const child = spawn(bin, ["demo", "--data", dataDir, "--port", String(base)], {
    cwd: REPO,
    env: { ...process.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (err += b));
  const exited = new Promise((res) => child.on("exit", (code, signal) => res(code ?? signal)));
  const ready = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`sealpay demo printed no URL within ${timeoutMs / 1000}s:\n${out}\n${err}`)), timeoutMs);
    const check = () => {
      const open = out.match(/^Open (http:\/\/\S+?)\/?\s/m);
      if (!open) return;
      clearTimeout(timer);
      const url = (role) => out.match(new RegExp(`^\\s+${role}\\s+(http://\\S+?)/?\\s`, "m"))?.[1];
      res({ storefront: open[1], poster: url("QR poster"), edge: url("Edge"), backend: url("Merchant backend"), provider: url("Sample provider") });
    };
    child.stdout.on("data", check);
    exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`sealpay demo exited (${code}) before printing a URL:\n${out}\n${err}`));
    });
  });
  return {
    ready,
    output: () => ({ stdout: out, stderr: err }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
