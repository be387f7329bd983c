// The shopper's first load, as `make bench` measures it: `sealpay demo`'s
// storefront in headless Chromium with the network emulated through the
// DevTools protocol (loopback, 4G, Fast 3G), cold and warm cache. Per run:
// the time until the card fields are visible, the time until the first
// token (the card typed as soon as the fields show, Pay clicked at once),
// and the bytes each asset moved on the wire; then Lighthouse's mobile
// performance score of the checkout page, with its compression and cache
// findings.
//
//   node e2e/bench/firstload.mjs [-runs N] [-networks loopback,4g,3g] [-no-lighthouse] [-lighthouse-runs N] [-no-preload] [-same-site]
//
// -no-preload takes frame.html's preload links out (before the edge first
// reads it), to measure what they earn.
//
// It prints Go benchmark lines (scripts/benchtable.awk makes the medians)
// and a table of bytes per asset. Lighthouse comes from e2e/lighthouse
// (npm ci there; `make bench` does it).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { launch, CHROMIUM } from "../lib/browser.mjs";
import { buildSealpay, REPO, startDemo } from "../lib/demo.mjs";

const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  return i < 0 ? def : args[i + 1];
};
const runs = Number(flag("-runs", "5"));
const lighthouse = !args.includes("-no-lighthouse");

// Chromium's emulation: latency is the added round-trip time, throughputs in bytes/s.
const NETWORKS = {
  loopback: null,
  "4g": { latency: 85, downloadThroughput: (9e6 / 8) | 0, uploadThroughput: (1.5e6 / 8) | 0 },
  "3g": { latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (0.75e6 / 8) | 0 },
};
const networks = flag("-networks", "loopback,4g,3g").split(",");

const CARD = { number: "4242424242424242", expiry: `12${String((new Date().getUTCFullYear() + 5) % 100).padStart(2, "0")}`, cvc: "123" };

/** line prints one Go benchmark line: name, 1 iteration, then value-unit pairs. */
const line = (name, pairs) => console.log(`Benchmark${name} 1 ${pairs.map(([v, u]) => `${v} ${u}`).join(" ")}`);

/** loadOnce opens the storefront in page and measures one load. */
async function loadOnce(context, page, url, net) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (net) await cdp.send("Network.emulateNetworkConditions", { offline: false, ...net });
  const bytes = new Map(); // url -> encoded bytes on the wire
  const urls = new Map();
  const timeline = [];
  let tokenAt = 0;
  cdp.on("Network.requestWillBeSent", (e) => timeline.push({ id: e.requestId, url: e.request.url, start: Date.now() - t0 }));
  cdp.on("Network.responseReceived", (e) => {
    urls.set(e.requestId, e.response.url);
    // The first token: the edge's answer to the frame's POST /v1/tokens.
    if (!tokenAt && e.response.url.endsWith("/v1/tokens") && e.response.status === 201) tokenAt = Date.now() - t0;
  });
  cdp.on("Network.loadingFinished", (e) => {
    const u = urls.get(e.requestId);
    if (u) bytes.set(u, (bytes.get(u) ?? 0) + e.encodedDataLength);
    const t = timeline.find((x) => x.id === e.requestId);
    if (t) t.end = Date.now() - t0;
  });
  let t0 = Date.now();
  t0 = Date.now();
  await page.goto(url, { waitUntil: "commit" });
  const frame = page.frameLocator("#card iframe");
  await frame.locator("#number").waitFor({ state: "visible", timeout: 120_000 });
  const visible = Date.now() - t0;
  await frame.locator("#number").fill(CARD.number);
  await frame.locator("#expiry").fill(CARD.expiry);
  await frame.locator("#cvc").fill(CARD.cvc);
  await frame.locator("#name").fill("A. Shopper");
  await page.waitForFunction(() => !document.getElementById("pay").disabled, null, { timeout: 120_000 });
  await page.click("#pay");
  await page.locator("#receipt").waitFor({ state: "visible", timeout: 120_000 });
  const paid = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 200)); // the last loadingFinished events
  await cdp.detach();
  if (args.includes("-timeline")) {
    for (const t of timeline) console.log(`#   ${String(t.start).padStart(5)} → ${String(t.end ?? "").padStart(5)} ms  ${t.url.replace(/\?.*/, "").slice(0, 100)}`);
    console.log(`#   fields visible at ${visible} ms, token at ${tokenAt} ms, receipt at ${paid} ms`);
  }
  return { visible, token: tokenAt, paid, bytes };
}

/** assetName names an edge asset by its file (content-addressed or not), or null. */
function assetName(u, edge) {
  if (!u.startsWith(edge + "/v1/")) return null;
  const name = new URL(u).pathname.split("/").pop();
  return /\.(js|wasm|html)$/.test(name) ? name : null;
}


async function main() {
  const tmp = mkdtempSync(join(tmpdir(), "sealpay-firstload-"));
  const demo = startDemo(buildSealpay(tmp), join(tmp, "data"), 0);
  try {
    const urls = await demo.ready;
    if (args.includes("-no-preload")) stripPreloads(join(tmp, "data", "assets"));
    // The timed loads open the shop on the edge's site (127.0.0.1), so the
    // frame shares the page's process and the page's emulated network.
    // A merchant's shop and its edge are different sites in production
    // (shop.example, edge.example), and Chromium runs the frame in a
    // process of its own: Lighthouse opens the shop as localhost (an
    // origin the demo allows) to score that, or on 127.0.0.1 with
    // -same-site. (Chromium's per-page network emulation does not reach an
    // out-of-process frame, so the timed loads stay on one site.)
    const shop = `${urls.storefront}/`;
    const scored = args.includes("-same-site") ? shop : `${urls.storefront.replace("127.0.0.1", "localhost")}/`;
    console.log(`# first load of ${shop} (edge ${urls.edge}); ${runs} runs per network and cache state`);
    const table = [];
    for (const netName of networks) {
      const net = NETWORKS[netName];
      if (net === undefined) throw new Error(`unknown network ${netName}`);
      for (let i = 0; i < runs; i++) {
        // A new profile is a cold cache; the second load in it a warm one.
        const browser = await launch();
        try {
          const page = await browser.context.newPage();
          const cold = await loadOnce(browser.context, page, shop, net);
          const warm = await loadOnce(browser.context, page, shop, net);
          for (const [state, r] of [["Cold", cold], ["Warm", warm]]) {
            let module = 0;
            let edgeBytes = 0;
            for (const [u, b] of r.bytes) {
              const name = assetName(u, urls.edge);
              if (!name) continue;
              edgeBytes += b;
              if (name === "sealpay.wasm") module += b;
              if (i === 0) table.push({ network: netName, cache: state.toLowerCase(), asset: name, bytes: b });
            }
            line(`FirstLoad/${netName}/${state}`, [[r.visible, "ms-fields-visible"], [r.token, "ms-first-token"], [r.paid, "ms-receipt"], [module, "module-bytes"], [edgeBytes, "edge-asset-bytes"]]);
          }
        } finally {
          await browser.close();
        }
      }
    }
    console.log("\n# bytes on the wire per edge asset (first run)");
    for (const r of table) console.log(`#   ${r.network.padEnd(8)} ${r.cache.padEnd(4)} ${r.asset.padEnd(16)} ${String(r.bytes).padStart(9)}`);
    // Lighthouse's simulated throttling replays this machine's CPU timings: its score moves from run to run.
    if (lighthouse) for (let i = 0; i < Number(flag("-lighthouse-runs", "3")); i++) await runLighthouse(scored);
  } finally {
    await demo.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** stripPreloads removes frame.html's <link rel=preload>s in dir, and writes its copies anew. */
function stripPreloads(dir) {
  const file = join(dir, "frame.html");
  const html = readFileSync(file, "utf8").replace(/<link rel="preload"[^>]*>/g, "");
  writeFileSync(file, html);
  writeFileSync(file + ".br", brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(file + ".gz", gzipSync(html, { level: 9 }));
  console.log("# frame.html without preloads");
}

/** runLighthouse prints the mobile performance score and the findings on compression and cache lifetimes. */
async function runLighthouse(url) {
  const bin = join(REPO, "e2e", "lighthouse", "node_modules", ".bin", "lighthouse");
  if (!existsSync(bin)) {
    console.log("# (lighthouse not installed: cd e2e/lighthouse && npm ci)");
    return;
  }
  const profile = mkdtempSync(join(tmpdir(), "sealpay-lh-"));
  try {
    const { stdout } = await promisify(execFile)(bin, [url, "--output=json", "--quiet", "--only-categories=performance",
      `--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=${profile}`],
    { env: { ...process.env, CHROME_PATH: CHROMIUM }, maxBuffer: 1 << 28 });
    const lhr = JSON.parse(stdout);
    const audit = (id) => lhr.audits[id];
    const score = lhr.categories.performance.score;
    const findings = (id) => (audit(id)?.details?.items ?? []).length;
    line("Lighthouse/mobile", [[score, "score"], [audit("largest-contentful-paint").numericValue | 0, "ms-LCP"],
      [audit("first-contentful-paint").numericValue | 0, "ms-FCP"], [audit("total-blocking-time").numericValue | 0, "ms-TBT"],
      [audit("speed-index").numericValue | 0, "ms-SI"], [audit("cumulative-layout-shift").numericValue, "CLS"],
      [audit("total-byte-weight").numericValue | 0, "total-bytes"], [findings("uses-text-compression"), "compression-findings"], [findings("uses-long-cache-ttl"), "cache-ttl-findings"]]);
    for (const id of ["uses-text-compression", "uses-long-cache-ttl"]) {
      for (const item of audit(id)?.details?.items ?? []) console.log(`#   ${id}: ${item.url}`);
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

await main();
