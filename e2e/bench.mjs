// Browser benchmarks for `make bench`: headless Chromium on loopback, the
// module served by a real edge (`sealpay serve`), the page served by a
// small cross-origin-isolated server (5 µs timers).
//
//   node e2e/bench.mjs [-runs N]
//
// Prints Go benchmark lines on stdout — one line per run or batch, so
// benchstat computes medians and confidence intervals — and a summary
// table of medians with the DESIGN.md budgets on stderr:
//
//   BenchmarkBrowserReady          time from card-module bytes in hand to the module's ready call (≤ 300 ms)
//   BenchmarkBrowserInstantiate    the compile+instantiate part of it
//   BenchmarkBrowserReadyQR        the same for the QR module (loaded by the frame on the first verifyQR)
//   BenchmarkBrowserSeal/sealpay   seal after ready (≤ 5 ms), next to @hpke/core sealing the same envelope:
//   BenchmarkBrowserSeal/hpke-js-webcrypto   with the browser's WebCrypto X25519
//   BenchmarkBrowserSeal/hpke-js-noble       with @hpke/dhkem-x25519 (pure JS)
//   BenchmarkBrowserVerifyQR/sealpay  verifyQR of a signed code, the trust bundle cached after the first call (≤ 1 ms)
//   BenchmarkSize/*                both modules' and the assets' sizes (js/scripts/sizes.mjs)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { dirname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM, launch } from "./lib/browser.mjs";
import { ROOT, startEdge } from "./lib/edge.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const argRuns = process.argv.indexOf("-runs");
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 15;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The bench page and the @hpke packages' ESM files, cross-origin isolated.
const files = { "/bench.html": join(here, "bench", "bench.html"), "/bench.js": join(here, "bench", "bench.js") };
const modules = resolve(here, "node_modules", "@hpke");
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://bench.invalid").pathname;
  let file = files[path];
  if (!file && path.startsWith("/node_modules/@hpke/")) {
    const f = normalize(join(modules, path.slice("/node_modules/@hpke/".length)));
    if (f.startsWith(modules + sep) && f.endsWith(".js")) file = f;
  }
  let body;
  try {
    body = file && readFileSync(file);
  } catch {
    body = null;
  }
  if (!body) return void res.writeHead(404).end();
  res.writeHead(200, {
    "content-type": file.endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
    "cache-control": "no-store",
  }).end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;

const lines = [];
const bench = (name, n, ...metrics) => lines.push(`Benchmark${name} \t${n}\t${metrics.join("\t")}`);
const ns = (ms) => `${Math.round(ms * 1e6)} ns/op`;
const summary = [];

let sizes = "";
let edge, browser;
try {
  edge = await startEdge({ origins: [origin] });
  browser = await launch();
  const { context } = browser;
  const keySet = await (await fetch(`${edge.url}/v1/keys?key=${edge.pk}`)).json();
  const bundle = await (await fetch(`${edge.url}/v1/qr/trust`)).text();
  const roots = [JSON.parse(readFileSync(join(edge.dir, "registry", "root.pub.jwk"), "utf8"))];
  const signed = (await edge.cli("qr", "sign", "--key", "shop-qr.jwk", "--cert", `registry/certs/${edge.merchant}.json`,
    "--amount", "49.90", "--currency", "BRL", "--ref", "BENCH-1", "--city", "SAO PAULO", "--country", "BR", "--ttl", "1h")).trim();
  const card = { number: "4000056655665556", exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: "123", name: "A. Shopper" };
  const sealReq = { keys: { keys: keySet.keys }, card, merchant_id: keySet.merchant, origin, ttl: 600 };

  // 1. Time to ready, each run in a fresh page (a fresh Go runtime and compile).
  const ready = [];
  const inst = [];
  const readyQR = [];
  let page;
  for (let i = 0; i < RUNS; i++) {
    await page?.close();
    page = await context.newPage();
    await page.goto(`${origin}/bench.html`);
    await page.waitForFunction(() => window.bench);
    if (i === 0 && !(await page.evaluate(() => window.bench.isolated()))) throw new Error("the bench page is not cross-origin isolated");
    const r = await page.evaluate((e) => window.bench.ready(e), edge.url);
    ready.push(r.ready);
    inst.push(r.instantiate);
    bench("BrowserReady", 1, ns(r.ready));
    bench("BrowserInstantiate", 1, ns(r.instantiate));
    const q = await page.evaluate((e) => window.bench.ready(e, "sealpay-qr.wasm"), edge.url);
    readyQR.push(q.ready);
    bench("BrowserReadyQR", 1, ns(q.ready));
  }

  // 2. The envelopes of all three sealers open at the edge: they do the same work.
  const envs = await page.evaluate((req) => window.bench.sealOnce(req), sealReq);
  for (const [name, env] of Object.entries(envs)) {
    const res = await fetch(`${edge.url}/v1/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${edge.pk}`, origin, "content-type": "application/json" },
      body: JSON.stringify({ envelope: env }),
    });
    if (res.status !== 201) throw new Error(`${name}'s envelope: POST /v1/tokens = ${res.status} ${await res.text()}`);
  }

  // 3. Seal and verify, in the last page, after ready.
  const per = 10;
  const seal = await page.evaluate((req) => window.bench.sealTimes(req, { rounds: 30, per: 10 }), sealReq);
  for (const [name, xs] of Object.entries(seal)) for (const x of xs) bench(`BrowserSeal/${name}`, per, ns(x));
  const verify = await page.evaluate(([payload, bundle, roots]) => window.bench.verifyTimes({ payload, bundle, roots, lang: "en" }, "verified", { batches: 30, per: 20 }), [signed, bundle, roots]);
  for (const x of verify) bench("BrowserVerifyQR/sealpay", 20, ns(x));
  await page.close();

  summary.push(["ready after fetch (compile+instantiate+run)", median(ready), 300, RUNS]);
  summary.push(["  of which compile+instantiate", median(inst), null, RUNS]);
  summary.push(["QR module ready after fetch", median(readyQR), null, RUNS]);
  for (const [name, xs] of Object.entries(seal)) summary.push([`seal: ${name}`, median(xs), name === "sealpay" ? 5 : null, xs.length * per]);
  summary.push(["verifyQR: sealpay (signed code)", median(verify), 1, verify.length * 20]);

  // 4. Sizes of both modules and of the scripts as this edge serves them.
  sizes = execFileSync(process.execPath, [join(ROOT, "js", "scripts", "sizes.mjs"), edge.assets], { encoding: "utf8" });
} finally {
  await browser?.close();
  await edge?.stop().catch(() => {});
  server.close();
}

const chromium = execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();

console.log("goos: linux");
console.log(`goarch: ${process.arch === "x64" ? "amd64" : process.arch}`);
console.log("pkg: github.com/sealpay/sealpay/e2e");
console.log(`cpu: ${cpus()[0]?.model ?? "unknown"}`);
console.log(`browser: ${chromium}`);
for (const l of lines) console.log(l);
for (const l of sizes.split("\n")) if (l.startsWith("Benchmark")) console.log(l);

const pad = (s, n) => String(s).padEnd(n);
console.error(`\n${pad("median (headless Chromium, loopback)", 46)} ${"ms".padStart(9)}  budget   n`);
for (const [name, ms, budget, n] of summary) {
  const verdict = budget == null ? "" : `≤ ${budget} ms ${ms <= budget ? "ok" : "OVER"}`;
  console.error(`${pad(name, 46)} ${ms.toFixed(3).padStart(9)}  ${pad(verdict, 14)} ${n}`);
}
console.error("");
for (const l of sizes.split("\n")) if (l && !l.startsWith("Benchmark")) console.error(l);
