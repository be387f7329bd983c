// The edge as a Cloudflare Worker for the browser tests: edge/build.sh
// builds it with the assets of a native edge from ./edge.mjs (the same
// bytes), and `wrangler dev` runs it offline on a free loopback port with a
// local D1, the native edge's configuration, keys and KEK as secrets
// (`sealpay serve --dev-vars`).
//
//   const edge = await startEdge({ origins });
//   const worker = await startWorker(edge);
//   worker.url, worker.logs(); await worker.stop();
//
// wrangler and the Node 22 it needs come from edge/node_modules (`npm ci` in
// edge/, which `make test` runs); a missing one is an error, never a skip.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, freePort } from "./edge.mjs";
import { onExit } from "./exit.mjs";

const run = promisify(execFile);
const EDGE = join(ROOT, "edge");
const WRANGLER = join(EDGE, "node_modules", ".bin", "wrangler");
const NODE_BIN = join(EDGE, "node_modules", "node", "bin");

/**
 * startWorker builds the Worker into a temporary directory, serving the
 * browser assets of edge (a native edge from startEdge), applies the D1
 * migrations and starts wrangler dev. It resolves once GET /healthz
 * answers 200.
 */
export async function startWorker(edge, { timeoutMs = 90_000 } = {}) {
  for (const p of [WRANGLER, join(NODE_BIN, "node")]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: run 'make test' (npm ci in edge/)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "sealpay-e2e-worker-"));
  // Its vault and keys go with it even when a signal ends this process.
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    PATH: `${NODE_BIN}:${process.env.PATH}`,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    DO_NOT_TRACK: "1",
    CI: "true",
    XDG_CONFIG_HOME: join(dir, "xdg"),
    WRANGLER_LOG_PATH: join(dir, "xdg", "logs"),
  };
  const fail = (what, e) => {
    rmSync(dir, { recursive: true, force: true });
    return new Error(`${what} failed:\n${e.stderr ?? ""}${e.stdout ?? ""}${e.message}`);
  };
  const build = join(dir, "build");
  try {
    const { GOOS, GOARCH, ...buildEnv } = env;
    await run("bash", [join(EDGE, "build.sh"), build], { env: { ...buildEnv, SEALPAY_ASSETS: edge.assets }, maxBuffer: 1 << 24 });
  } catch (e) {
    throw fail("edge/build.sh", e);
  }
  // As edge/wrangler.toml, with this build and a placeholder D1 id.
  const toml = `name = "sealpay-edge-e2e"
main = ${JSON.stringify(join(build, "worker.mjs"))}
compatibility_date = "2026-11-01"

[assets]
directory = ${JSON.stringify(join(build, "assets"))}
binding = "ASSETS"
run_worker_first = true
html_handling = "none"
not_found_handling = "none"

[[d1_databases]]
binding = "DB"
database_name = "sealpay"
database_id = "00000000-0000-0000-0000-000000000000"
migrations_dir = ${JSON.stringify(join(ROOT, "edge", "migrations"))}
`;
  const config = join(dir, "wrangler.toml");
  writeFileSync(config, toml);
  writeFileSync(join(dir, ".dev.vars"), await edge.cli("serve", "--config", "config.json", "--dev-vars"), { mode: 0o600 });
  const state = join(dir, "state");
  try {
    await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state, "-c", config], { cwd: dir, env, maxBuffer: 1 << 24 });
  } catch (e) {
    throw fail("wrangler d1 migrations apply", e);
  }

  // freePort's port is free only until it is closed: another process may
  // take it before wrangler binds it, and wrangler then exits. It is
  // started again on another port; any other early exit is an error.
  let dev;
  for (let attempt = 1; ; attempt++) {
    dev = await runDev({ dir, config, state, env, timeoutMs });
    if (dev.running) break;
    if (!/address already in use/i.test(dev.logs()) || attempt === 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`wrangler dev ${dev.error}:\n${dev.logs()}`);
    }
  }
  const stopDev = dev.stop;
  const stop = async () => {
    await stopDev();
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: dev.url, logs: dev.logs, stop };
}

/**
 * runDev starts wrangler dev on a free port and waits for GET /healthz.
 * It resolves to {running: true, url, logs, stop}, or to {running: false,
 * error, logs} once wrangler has exited or been stopped at the deadline.
 */
async function runDev({ dir, config, state, env, timeoutMs }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Its own process group: wrangler starts workerd, and stop() ends both.
  const child = spawn(WRANGLER, ["dev", "-c", config, "--local", "--ip", "127.0.0.1", "--port", String(port),
    "--persist-to", state, "--inspector-port", "0", "--show-interactive-dev-session=false"], {
    cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"],
  });
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const cancelKill = onExit(() => killGroup("SIGKILL"));
  let logs = "";
  child.stdout.on("data", (d) => (logs += d));
  child.stderr.on("data", (d) => (logs += d));
  const exited = new Promise((r) => child.on("exit", r));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup("SIGTERM");
      const t = setTimeout(() => killGroup("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    }
    killGroup("SIGKILL"); // workerd, if it outlived wrangler
    cancelKill();
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      return { running: false, error: `exited (${child.exitCode ?? child.signalCode}) before answering /healthz`, logs: () => logs };
    }
    try {
      // A short timeout: whatever took the port may never answer.
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      return { running: false, error: `did not answer /healthz within ${timeoutMs / 1000} s`, logs: () => logs };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { running: true, url, logs: () => logs, stop };
}
