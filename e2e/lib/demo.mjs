// Helpers for the demo's end-to-end test: build the sealpay binary once,
// run `sealpay demo` as a subprocess and wait for the URLs it prints.
import { execFileSync, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { onExit } from "./exit.mjs";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** buildSealpay builds ./cmd/sealpay into dir and returns the binary's path. */
export function buildSealpay(dir) {
  const bin = join(dir, "sealpay");
  execFileSync(process.env.GO || "go", ["build", "-o", bin, "./cmd/sealpay"], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
  return bin;
}

/**
 * startDemo runs `sealpay demo --data dataDir --port base` (0: free ports
 * the demo binds itself), plus extraArgs (e.g. ["--origin", url]), and
 * resolves once it prints the URLs (and the publishable key, as `key`).
 * output() returns everything it printed so far;
 * stop() sends SIGINT and resolves to the exit code.
 */
export function startDemo(bin, dataDir, base, timeoutMs = 240_000, extraArgs = []) {
  const child = spawn(bin, ["demo", "--data", dataDir, "--port", String(base), ...extraArgs], {
    cwd: REPO,
    env: { ...process.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (err += b));
  const exited = new Promise((res) => child.on("exit", (code, signal) => res(code ?? signal)));
  // The demo must not outlive this process, whatever happens to the test's cleanup.
  const cancelKill = onExit(() => child.kill("SIGKILL"));
  exited.then(cancelKill);
  const ready = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`sealpay demo printed no URL within ${timeoutMs / 1000}s:\n${out}\n${err}`)), timeoutMs);
    const check = () => {
      const open = out.match(/^Open (http:\/\/\S+?)\/?\s/m);
      if (!open) return;
      clearTimeout(timer);
      const url = (role) => out.match(new RegExp(`^\\s+${role}\\s+(http://\\S+?)/?\\s`, "m"))?.[1];
      res({
        storefront: open[1], poster: url("QR poster"), edge: url("Edge"), backend: url("Merchant backend"), provider: url("Sample provider"),
        key: out.match(/^\s+Publishable key\s+(pk_\w+)/m)?.[1],
      });
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
