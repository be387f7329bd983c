// The shopper's first load in headless Chromium: the hosted fields show
// and take input before the card module has arrived, keep what was typed
// and tokenize it once the module is ready, report a module that failed to
// load and try it once more, and never move the merchant's page.
//
// The card module's download is held back with Playwright's request
// routing, which stands in for a slow network (the real network figures
// come from e2e/bench/firstload.mjs in `make bench`).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launch } from "./lib/browser.mjs";
import { startEdge } from "./lib/edge.mjs";
import { startMerchant } from "./lib/merchant.mjs";

const NUMBER = "4000056655665556";
const EXP_YEAR = new Date().getUTCFullYear() + 8;

let merchant, edge, browser;

before(async () => {
  merchant = await startMerchant();
  const started = await Promise.allSettled([
    startEdge({ origins: [merchant.origin] }).then((e) => (edge = e)),
    launch().then((b) => (browser = b)),
  ]);
  const failed = started.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  Object.assign(merchant.vars, {
    EDGE: edge.url,
    PK: edge.pk,
    SNIPPET_SRI: JSON.parse(readFileSync(join(edge.assets, "sri.json"), "utf8"))["sealpay.js"],
    EXTRA_SRI: JSON.parse(readFileSync(join(edge.assets, "sri.json"), "utf8"))["extra.js"],
  });
});

after(async () => {
  await Promise.allSettled([browser?.close(), edge?.stop(), merchant?.stop()]);
});

/**
 * holdModule routes the card module's requests in a fresh page: each is
 * answered by answer(n) for the n-th request (1-based), which returns
 * "continue", a status to fail with, or a promise of either.
 */
async function openHeld(answer) {
  const page = await browser.context.newPage();
  let n = 0;
  const seen = [];
  await page.route("**/sealpay.wasm", async (route) => {
    const a = await answer(++n);
    seen.push(a);
    if (a === "continue") await route.continue();
    else await route.fulfill({ status: a, body: "unavailable" });
  });
  // Layout shifts of the merchant's page, as Chromium scores them (CLS).
  await page.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__shifts.push({ value: e.value, recent: e.hadRecentInput });
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(merchant.origin + "/hosted.html");
  return { page, frame: page.frameLocator("#card iframe"), requests: () => n, seen };
}

const events = (page, type) => page.evaluate((t) => window.shop.events.filter((e) => e.type === t), type);
const waitFor = (page, fn, arg, timeout = 20_000) => page.waitForFunction(fn, arg, { timeout });

describe("before the card module is ready", () => {
  let release;
  const held = new Promise((r) => (release = r));
  let p;

  before(async () => {
    p = await openHeld(async () => {
      await held;
      return "continue";
    });
  });
  after(() => p?.page.close());

  test("the fields are visible and take input while the module is still on its way", async () => {
    await waitFor(p.page, () => window.shop?.events.some((e) => e.type === "ready"));
    await p.frame.locator("#number").waitFor({ state: "visible" });
    await p.frame.locator("#number").pressSequentially(NUMBER);
    await p.frame.locator("#expiry").pressSequentially("12" + String(EXP_YEAR % 100).padStart(2, "0"));
    await p.frame.locator("#cvc").pressSequentially("123");
    // Not formatted yet: no module has checked it.
    assert.equal(await p.frame.locator("#number").inputValue(), NUMBER);
    assert.equal((await events(p.page, "change")).length, 0, "no change event before the module checks the card");
    assert.equal(p.requests(), 1, "the module download started (and is held)");
  });

  test("tokenize() before the module is ready waits for it, then the typed card becomes a token", async () => {
    await p.page.click("#pay");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await p.page.evaluate(() => window.shop.result), null, "no token before the module is ready");
    release();
    await waitFor(p.page, () => window.shop.result || window.shop.error);
    const { result, error } = await p.page.evaluate(() => ({ result: window.shop.result, error: window.shop.error }));
    assert.equal(error, null, `tokenize failed: ${JSON.stringify(error)}`);
    assert.match(result.token, /^tok_[A-Za-z0-9]{22}$/);
    assert.deepEqual([result.card.brand, result.card.last4, result.card.exp_year], ["visa", "5556", EXP_YEAR]);
    // What was typed meanwhile is formatted as soon as the module is ready.
    assert.equal(await p.frame.locator("#number").inputValue(), "4000 0566 5566 5556");
    assert.equal(p.requests(), 1, "the preloaded download is the one the frame used");
  });

  test("the merchant's page never moved: the frame is as tall as its form from the first paint", async () => {
    const shifts = await p.page.evaluate(() => window.__shifts);
    const cls = shifts.filter((s) => !s.recent).reduce((a, s) => a + s.value, 0);
    assert.equal(cls, 0, `layout shifts: ${JSON.stringify(shifts)}`);
    const [outer, inner] = await Promise.all([
      p.page.locator("#card iframe").evaluate((f) => f.getBoundingClientRect().height),
      p.frame.locator("html").evaluate((h) => h.scrollHeight),
    ]);
    assert.equal(outer, inner, "the iframe's height is the form's");
  });
});

describe("a card module that fails to load", () => {
  let p;
  before(async () => {
    p = await openHeld(async (n) => (n === 1 ? 503 : "continue"));
  });
  after(() => p?.page.close());

  test("is reported with an error event and tried once more, and the fields then work", async () => {
    await waitFor(p.page, () => window.shop?.events.some((e) => e.type === "error"));
    const [err] = await events(p.page, "error");
    assert.equal(err.code, "upstream_error");
    assert.match(err.message, /sealpay\.wasm/);
    await p.frame.locator("#number").pressSequentially(NUMBER);
    await p.frame.locator("#expiry").pressSequentially("12" + String(EXP_YEAR % 100).padStart(2, "0"));
    await p.frame.locator("#cvc").pressSequentially("123");
    await waitFor(p.page, () => window.shop.events.some((e) => e.type === "complete"));
    await p.page.click("#pay");
    await waitFor(p.page, () => window.shop.result || window.shop.error);
    const { result, error } = await p.page.evaluate(() => ({ result: window.shop.result, error: window.shop.error }));
    assert.equal(error, null, `tokenize failed: ${JSON.stringify(error)}`);
    assert.equal(result.card.last4, "5556");
    assert.deepEqual(p.seen, [503, "continue"], "one failed download, one retry");
  });
});

describe("a card module that never loads", () => {
  let p;
  before(async () => {
    p = await openHeld(async () => 503);
  });
  after(() => p?.page.close());

  test("makes tokenize() reject with the load error, after the one retry", async () => {
    await p.frame.locator("#number").pressSequentially(NUMBER);
    await waitFor(p.page, (n) => window.shop?.events.filter((e) => e.type === "error").length >= n, 2);
    await p.page.click("#pay");
    await waitFor(p.page, () => window.shop.result || window.shop.error);
    const error = await p.page.evaluate(() => window.shop.error);
    assert.equal(error?.code, "upstream_error");
    // The tokenize tried once more itself: two loads, then one more.
    assert.ok(p.seen.length >= 3, `downloads: ${JSON.stringify(p.seen)}`);
    assert.ok(!JSON.stringify(error).includes(NUMBER));
  });
});
