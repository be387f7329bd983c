// The hosted fields in headless Chromium against the edge as a Cloudflare
// Worker under `wrangler dev` (workerd, local D1, static assets): the
// snippet, the frame, its script, wasm_exec.js and the card module come
// from the Worker, pass Subresource Integrity and the frame's policy, and
// the shopper's card becomes a token the Worker's vault holds. The Worker
// serves the very bytes of a native edge built from the same assets.
// (browser.test.mjs checks the hosted fields in depth against `sealpay
// serve`; the HTTP details of the assets are edge/edgetest/assets.go's.)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch } from "./lib/browser.mjs";
import { sriHashes, startEdge } from "./lib/edge.mjs";
import { startMerchant } from "./lib/merchant.mjs";
import { startWorker } from "./lib/worker.mjs";

// Stripe's "Mastercard" test number (https://docs.stripe.com/testing#cards).
const NUMBER = "5555555555554444";
// The typed expiry, MMYY: years after today, never a fixed year that passes.
const EXPIRY = "12" + String((new Date().getUTCFullYear() + 8) % 100).padStart(2, "0");

let merchant, edge, worker, browser;

before(async () => {
  merchant = await startMerchant();
  // Assigned as each comes up, so that after() stops whatever started.
  const started = await Promise.allSettled([
    startEdge({ origins: [merchant.origin] }).then((e) => (edge = e)).then((e) => startWorker(e)).then((w) => (worker = w)),
    launch().then((b) => (browser = b)),
  ]);
  const failed = started.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  Object.assign(merchant.vars, { EDGE: worker.url, PK: edge.pk, SNIPPET_SRI: sriHashes(edge.assets)["sealpay.js"], EXTRA_SRI: sriHashes(edge.assets)["extra.js"] });
});

after(async () => {
  await Promise.allSettled([browser?.close(), worker?.stop(), edge?.stop(), merchant?.stop()]);
});

describe("hosted fields from the Worker", () => {
  let page, result, violations, loadErrors, console_, responses;

  before(async () => {
    page = await browser.context.newPage();
    console_ = [];
    const recorded = [];
    page.on("console", (m) => console_.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => console_.push(`pageerror: ${e.message}`));
    page.on("response", (r) => {
      recorded.push(Promise.all([r.allHeaders().catch(() => ({})), r.body().catch(() => null)]).then(([headers, body]) => ({
        url: r.url(), status: r.status(), headers, body,
      })));
    });
    const doc = await page.goto(merchant.origin + "/hosted.html");
    assert.equal(doc.status(), 200);
    const frame = page.frameLocator("#card iframe");
    await page.waitForFunction(() => window.shop?.events.some((e) => e.type === "ready") || window.shop?.error, null, { timeout: 30_000 });
    await frame.locator("#number").pressSequentially(NUMBER);
    await frame.locator("#expiry").pressSequentially(EXPIRY);
    await frame.locator("#cvc").pressSequentially("123");
    await page.waitForFunction(() => window.shop.events.some((e) => e.type === "complete") || window.shop.error, null, { timeout: 20_000 });
    await page.click("#pay");
    await page.waitForFunction(() => window.shop.result || window.shop.error, null, { timeout: 20_000 });
    result = await page.evaluate(() => ({ result: window.shop.result, error: window.shop.error }));
    ({ violations, loadErrors } = await page.evaluate(() => window.watch));
    responses = await Promise.all(recorded);
  });

  after(() => page?.close());

  test("the shopper's card becomes a token in the Worker's vault", async () => {
    assert.equal(result.error, null, `tokenize failed: ${JSON.stringify(result.error)}`);
    // assert.ok: a failed match would print the token.
    assert.ok(/^tok_[A-Za-z0-9]{22}$/.test(result.result.token), `the token has the tok_ shape (${String(result.result.token).length} characters)`);
    assert.equal(result.result.card.brand, "mastercard");
    assert.equal(result.result.card.last4, "4444");
    const res = await fetch(`${worker.url}/v1/tokens/${result.result.token}`, { headers: { authorization: `Bearer ${edge.sk}` } });
    assert.equal(res.status, 200, "the Worker knows the token");
    assert.equal((await res.json()).card.last4, "4444");
    // The native edge built from the same configuration has its own vault.
    const native = await fetch(`${edge.url}/v1/tokens/${result.result.token}`, { headers: { authorization: `Bearer ${edge.sk}` } });
    assert.equal(native.status, 404, "the token is not in the native edge's vault");
  });

  test("the snippet, frame, scripts and card module came from the Worker, as built", () => {
    const fromWorker = new Map();
    for (const r of responses) {
      const u = new URL(r.url);
      // By name: /v1/{name}, or /v1/c/{digest}/{name} for what the snippet and the frame load by content address.
      if (u.origin === worker.url && u.pathname.startsWith("/v1/") && r.status === 200 && r.body) fromWorker.set(u.pathname.split("/").pop(), r);
    }
    for (const name of ["sealpay.js", "frame.html", "frame.js", "wasm_exec.js", "sealpay.wasm"]) {
      const r = fromWorker.get(name);
      assert.ok(r, `the page loaded ${name} from the Worker (loaded: ${[...fromWorker.keys()].join(", ")})`);
      assert.ok(r.body.equals(readFileSync(join(edge.assets, name))), `${name} from the Worker is the native edge's file`);
    }
    const csp = fromWorker.get("frame.html").headers["content-security-policy"] ?? "";
    assert.match(csp, new RegExp(`frame-ancestors ${merchant.origin.replace(/[.]/g, "\\.")}$`));
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  });

  test("nothing was refused: no integrity error, no CSP violation, no failed load", () => {
    assert.deepEqual(violations, []);
    assert.deepEqual(loadErrors, []);
    assert.deepEqual(console_.filter((c) => /Content Security Policy|integrity|pageerror/i.test(c)), []);
  });
});
