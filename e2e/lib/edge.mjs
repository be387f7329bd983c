// A real edge for the browser tests: `sealpay serve` on a free loopback
// port, with a fresh configuration, envelope key set, KEK and QR registry in
// a temporary directory, serving the browser assets that
// js/scripts/build-wasm.mjs builds from the committed scripts
// (js/dist/browser): both modules, wasm_exec.js, and sealpay.js and
// frame.js with the modules' hashes and the registry's root pinned.
//
//   const edge = await startEdge({ origins: ["http://127.0.0.1:4000"] });
//   edge.url, edge.pk, edge.sk, edge.merchant, edge.sealpay(...args), edge.assets
//   await edge.stop();
//
// The sealpay binary and the module are built once per process; Go's build
// cache makes a rebuild with another pinned root a relink only.
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHTTPServer, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { onExit } from "./exit.mjs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository's root directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The scripts the edge serves, besides the Go outputs. */
export const JS_ASSETS = ["sealpay.js", "frame.html", "frame.js", "direct.js", "qrdecode.js", "extra.js", "wallet.js"];

/** The modules and wasm_exec.js, the Go outputs the edge serves. */
export const GO_ASSETS = ["sealpay.wasm", "sealpay-qr.wasm", "wasm_exec.js"];

/** sriHashes returns the SRI hashes of the files in an assets directory (its sri.json, written by the build). */
export function sriHashes(assets) {
  return JSON.parse(readFileSync(join(assets, "sri.json"), "utf8"));
}

const buildDir = mkdtempSync(join(tmpdir(), "sealpay-e2e-build-"));
onExit(() => rmSync(buildDir, { recursive: true, force: true }));
let binary = null;

/** sealpayBinary builds cmd/sealpay once per process and resolves to its path. */
export function sealpayBinary() {
  if (!binary) {
    const out = join(buildDir, "sealpay");
    binary = run(process.env.GO ?? "go", ["build", "-o", out, "./cmd/sealpay"], { cwd: ROOT, maxBuffer: 1 << 24 })
      .then(() => out, (e) => {
        binary = null;
        throw new Error(`go build ./cmd/sealpay failed:\n${e.stderr ?? e.message}`);
      });
  }
  return binary;
}

/**
 * sealpay runs the CLI with args and resolves to its standard output; a
 * non-zero exit rejects, even with output (a half-written .dev.vars, say,
 * must not pass for a whole one).
 */
export async function sealpay(args, { cwd } = {}) {
  const bin = await sealpayBinary();
  try {
    const { stdout } = await run(bin, args, { cwd, maxBuffer: 1 << 24 });
    return stdout;
  } catch (e) {
    throw new Error(`sealpay ${args[0]} ${args[1] ?? ""} failed: ${e.stderr ?? e.message}`);
  }
}

let building = Promise.resolve();

/**
 * buildModule builds the browser assets into dir, the frame pinning roots
 * (a file with a JSON array of JWKs). Builds run one at a time: after the
 * first, Go's build cache makes the next one instant (the modules are the
 * same for every edge; only frame.js differs).
 */
export function buildModule(dir, rootsFile) {
  const args = [join(ROOT, "js", "scripts", "build-wasm.mjs"), dir];
  if (rootsFile) args.push("--qr-roots", rootsFile);
  const build = building.then(() => run(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 24 })).catch((e) => {
    throw new Error(`building the browser assets failed:\n${e.stderr ?? e.message}`);
  });
  building = build.catch(() => {});
  return build;
}

/** freePort resolves to a loopback TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

/** apiKey returns a fresh "pk_"/"sk_" key: 26 base32 characters of 128+ random bits, like edge.NewAPIKeys. */
function apiKey(prefix) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return prefix + Array.from(randomBytes(26), (b) => alphabet[b & 31]).join("");
}

const hashKey = (k) => "sha256:" + createHash("sha256").update(k).digest("hex");

/**
 * startEdge writes a configuration for one merchant ("m_shop") whose pages
 * may come from origins, and starts `sealpay serve`. overrides maps asset
 * names to replacement bytes, or to a function of the built bytes (for
 * tampering tests). configure({config, dir, cli}), if given, may change
 * the configuration (and write files into dir) before the edge starts.
 */
export async function startEdge({ origins, merchant = "m_shop", overrides = {}, configure } = {}) {
  if (!origins?.length) throw new Error("startEdge: origins are required");
  const dir = mkdtempSync(join(tmpdir(), "sealpay-e2e-edge-"));
  // Its vault and keys go with it even when a signal ends this process.
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const assets = join(dir, "assets");
  mkdirSync(assets);
  const cli = (...args) => sealpay(args, { cwd: dir });

  // Envelope keys, the vault's KEK, and a QR registry with one certified merchant.
  await cli("keys", "new", "--out", "keys.json");
  writeFileSync(join(dir, "kek.secret"), `k1:${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  writeFileSync(join(dir, "audit.secret"), `a1:${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  await cli("registry", "init", "--out", "registry");
  await cli("registry", "certify", "--root", "registry/root.jwk", "--merchant", merchant, "--name", "Shop Example",
    "--payee", "SHOP EXAMPLE", "--domain", "shop.example", "--account", "br.gov.bcb.pix=shop@example.com", "--key-out", "shop-qr.jwk", "--cert-out", `registry/certs/${merchant}.json`);
  await cli("registry", "bundle", "--root", "registry/root.jwk", "--certs", "registry/certs", "--out", "trust.json");
  const rootPub = JSON.parse(readFileSync(join(dir, "registry", "root.pub.jwk"), "utf8"));
  writeFileSync(join(dir, "roots.json"), JSON.stringify([rootPub]));

  await buildModule(assets, join(dir, "roots.json"));

  const pk = apiKey("pk_");
  const sk = apiKey("sk_");
  const config = {
    database: "sealpay.db",
    keys_file: "keys.json",
    kek_file: "kek.secret",
    audit_key_file: "audit.secret",
    trust_bundle_file: "trust.json",
    qr_root_files: ["registry/root.pub.jwk"],
    assets_dir: "assets",
    merchants: [{
      id: merchant,
      publishable_keys: [hashKey(pk)],
      secret_keys: [hashKey(sk)],
      allowed_origins: origins,
    }],
  };
  if (configure) await configure({ config, dir, cli });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2), { mode: 0o600 });

  const bin = await sealpayBinary();
  let server;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await serve(bin, dir);
      break;
    } catch (e) {
      // freePort's port is free only until it is closed: another process
      // can take it first, and serve exits saying so. Another port, then.
      if (!e.addressInUse || attempt === 3) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  const { logs } = server;
  let url = server.url;
  let proxy = null;
  if (Object.keys(overrides).length > 0) {
    // The edge itself refuses to serve other bytes under a file's content
    // address; what can still change them is what stands between it and
    // the browser (a CDN, a proxy). That is where the tampering happens.
    const tampered = Object.fromEntries(Object.entries(overrides).map(([f, b]) => [f, typeof b === "function" ? b(readFileSync(join(assets, f))) : b]));
    proxy = await startTamperingProxy(server.url, tampered);
    url = proxy.url;
  }
  const stop = async () => {
    await proxy?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  return {
    url,
    dir,
    assets,
    merchant,
    pk,
    sk,
    /** logs returns what the server printed so far. */
    logs,
    /** cli runs the sealpay CLI in the edge's directory (registry/, shop-qr.jwk, trust.json). */
    cli,
    stop,
  };
}

/**
 * startTamperingProxy serves on a free loopback port what the edge at
 * target serves, except that a 200 answer for a file named in tampered
 * (by its last path segment, at /v1/{name} or /v1/c/{digest}/{name})
 * carries tampered[name] instead, uncompressed: a compromised CDN in front
 * of the edge.
 */
async function startTamperingProxy(target, tampered) {
  const server = createHTTPServer((req, res) => {
    const up = httpRequest(new URL(req.url, target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (upRes) => {
      const name = new URL(req.url, target).pathname.split("/").pop();
      if (upRes.statusCode !== 200 || !(name in tampered)) {
        res.writeHead(upRes.statusCode, upRes.headers);
        upRes.pipe(res);
        return;
      }
      upRes.resume();
      const headers = { ...upRes.headers, "content-length": String(Buffer.byteLength(tampered[name])) };
      delete headers["content-encoding"];
      res.writeHead(200, headers);
      res.end(req.method === "HEAD" ? undefined : tampered[name]);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const cancel = onExit(() => server.close());
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => {
      cancel();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/**
 * serve starts `sealpay serve` with dir's config.json on a free loopback
 * port and resolves once /healthz answers; it rejects, stopping the
 * server, when it exits first (err.addressInUse when its port was taken)
 * or does not answer within 20 s.
 */
async function serve(bin, dir) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ["serve", "--config", join(dir, "config.json"), "--addr", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // A server must not outlive this process, whatever happens to the test's cleanup.
  const cancelKill = onExit(() => child.kill("SIGKILL"));
  let logs = "";
  child.stdout.on("data", (d) => (logs += d));
  child.stderr.on("data", (d) => (logs += d));
  const exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    cancelKill();
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      const e = new Error(`sealpay serve exited (${child.exitCode}):\n${logs}`);
      e.addressInUse = logs.includes("already in use");
      throw e;
    }
    try {
      // Each probe has its own timeout: whatever holds the port may accept and never answer.
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`sealpay serve did not answer /healthz within 20 s:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, logs: () => logs, stop };
}
