// The React and Vue checkouts (examples/react-checkout, vue-checkout, as
// `make test` builds them with Vite) in headless Chromium against
// `sealpay demo`: each page is served from its own origin (allowed with
// the demo's --origin), mounts <CardElement> from @sealpay/react or
// @sealpay/vue, and a shopper types a test card into the edge's frame and
// pays; the receipt comes from the merchant backend through the edge's
// forward route; "Buy another" mounts the card fields again and pays
// again. The React app is also run as a development build, where
// StrictMode mounts, unmounts and mounts the remounted <CardElement>
// again: the page's `message` listeners are counted (one left, none after
// unmount). axe-core (pinned in package.json) audits each page, on the
// form (the card frame's contents too) and on the receipt, and must
// report no violation.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AXE_VERSION, axeRun, describe as describeViolations } from "./lib/a11y.mjs";
import { launch } from "./lib/browser.mjs";
import { buildSealpay, REPO, startDemo } from "./lib/demo.mjs";
import { serveStatic } from "./lib/static.mjs";

const VISA = "4242424242424242"; // a published test card (https://docs.stripe.com/testing)
const EXPIRY = "12" + String((new Date().getUTCFullYear() + 4) % 100).padStart(2, "0");
const examples = {
  react: join(REPO, "examples", "react-checkout", "dist"),
  vue: join(REPO, "examples", "vue-checkout", "dist"),
  "react-dev": join(REPO, "examples", "react-checkout", "dist-dev"), // npm run build:dev: React's development build
};

let tmp, demo, urls, site, browser;

before(async () => {
  for (const [name, dir] of Object.entries(examples)) {
    if (!existsSync(join(dir, "index.html"))) {
      throw new Error(`${dir} is missing: run make test (or make examples), which builds the examples`);
    }
  }
  browser = await launch(); // throws (and fails every test) when Chromium is missing
  site = await serveStatic(Object.fromEntries(Object.entries(examples).map(([name, dir]) => [`/${name}/`, dir])));
  tmp = mkdtempSync(join(tmpdir(), "sealpay-frameworks-e2e-"));
  demo = startDemo(buildSealpay(tmp), join(tmp, "data"), 0, 240_000, ["--origin", site.origin]);
  urls = await demo.ready;
  assert.match(urls.key ?? "", /^pk_/, "the demo banner prints the publishable key");
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  await site?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// axe-core adds a message listener of its own (its frame messenger) when
// it is injected: the counts below leave it out.
const axeListeners = new WeakMap();

/** listeners returns the page's `message` listeners (counted by countListeners), axe-core's left out. */
async function listeners(page) {
  const c = await page.evaluate(() => window.__messageListeners());
  const axe = axeListeners.get(page) ?? 0;
  return { added: c.added - axe, removed: c.removed, active: c.active - axe };
}

/**
 * audit runs axe-core (lib/a11y.mjs) in the page and, with a card frame
 * mounted, inside it too, and fails on any violation.
 */
let auditing = false;
async function audit(page, what) {
  auditing = true;
  try {
    return await auditOnce(page, what);
  } finally {
    auditing = false;
  }
}

async function auditOnce(page, what) {
  const before = await page.evaluate(() => window.__messageListeners());
  const r = await axeRun(page);
  const after = await page.evaluate(() => window.__messageListeners());
  axeListeners.set(page, (axeListeners.get(page) ?? 0) + after.added - before.added);
  assert.equal(r.violations.length, 0, `axe-core ${AXE_VERSION} found violations on the ${what}:\n${describeViolations(r.violations)}`);
  if ((await page.locator("iframe").count()) > 0) {
    assert.ok(r.framed.length > 0, `axe-core did not look inside the card frame on the ${what}`);
  }
  return r;
}

/** countListeners makes every page count the `message` listeners added to and removed from its window. */
function countListeners(page) {
  return page.addInitScript(() => {
    const active = new Set();
    const c = { added: 0, removed: 0 };
    const add = window.addEventListener;
    const remove = window.removeEventListener;
    window.addEventListener = function (type, fn, o) {
      if (type === "message" && this === window) {
        c.added++;
        active.add(fn);
      }
      return add.call(this, type, fn, o);
    };
    window.removeEventListener = function (type, fn, o) {
      if (type === "message" && this === window && active.delete(fn)) c.removed++;
      return remove.call(this, type, fn, o);
    };
    window.__messageListeners = () => ({ ...c, active: active.size });
  });
}

/** pay types the test card into the frame, pays and waits for the receipt. */
async function pay(page) {
  const frame = page.frameLocator("#card iframe");
  await frame.locator("#number").waitFor({ state: "visible", timeout: 60_000 });
  await frame.locator("#number").pressSequentially(VISA, { delay: 5 });
  await frame.locator("#expiry").pressSequentially(EXPIRY, { delay: 5 });
  await frame.locator("#cvc").pressSequentially("123", { delay: 5 });
  await frame.locator("#name").fill("Ana Souza");
  await page.waitForFunction(() => !document.getElementById("pay").disabled, null, { timeout: 60_000 });
  await page.click("#pay");
  await page.locator("#receipt").waitFor({ state: "visible", timeout: 60_000 });
  assert.equal(await page.textContent("#receipt-heading"), "Thank you! Your payment was approved");
  assert.equal((await page.textContent("#r-amount")).trim(), "38.00 USD");
  assert.equal((await page.textContent("#r-card")).trim(), "Visa •••• 4242");
  const order = await page.textContent("#r-order");
  assert.match(order, /^ord_/);
  return order;
}

for (const name of ["react", "vue", "react-dev"]) {
  const strict = name === "react-dev";
  describe(`examples/${name.replace("-dev", "")}-checkout${strict ? ", development build (StrictMode)" : ""}`, () => {
    let page;
    const errors = [];
    before(async () => {
      page = await browser.context.newPage();
      await countListeners(page);
      page.on("pageerror", (e) => errors.push(String(e)));
      // While axe is injected, the card frame's CSP refuses its script tag
      // (lib/a11y.mjs then evaluates it): that refusal is the test's own.
      page.on("console", (m) => m.type() === "error" && !auditing && errors.push(m.text()));
      page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    });
    after(() => page?.close());

    test("mounts the card fields from the edge and passes axe-core", async () => {
      const q = new URLSearchParams({ edge: urls.edge, key: urls.key });
      await page.goto(`${site.origin}/${name}/?${q}`);
      const frame = page.frameLocator("#card iframe");
      await frame.locator("#number").waitFor({ state: "visible", timeout: 60_000 });
      // One frame and nothing else on the edge: no second mount left behind.
      assert.equal(await page.locator("iframe").count(), 1);
      assert.equal((await listeners(page)).active, 1);
      assert.equal(await page.getAttribute("#card iframe", "title"), "Secure card payment input");
      assert.ok(await page.isDisabled("#pay"), "Pay waits for a complete card");
      await audit(page, `${name} checkout form`);
      assert.equal(AXE_VERSION, "4.11.0");
    });

    test("a shopper pays with a test card and sees the receipt", async () => {
      await pay(page);
      // The receipt replaced the form: the card element was unmounted with it.
      assert.equal(await page.locator("iframe").count(), 0);
      assert.equal((await listeners(page)).active, 0, "a message listener is left after unmount");
      // The page never held the number.
      assert.ok(!(await page.content()).includes(VISA), "card number found in the merchant's page");
      if (!strict) await audit(page, `${name} receipt`);
    });

    test("Buy another mounts the card fields again, once, and pays again", async () => {
      const before = await listeners(page);
      const first = await page.textContent("#r-order");
      await page.click("#new-order");
      await page.frameLocator("#card iframe").locator("#number").waitFor({ state: "visible", timeout: 60_000 });
      assert.equal(await page.locator("iframe").count(), 1);
      const now = await listeners(page);
      assert.equal(now.active, 1, "one message listener while the card fields are mounted");
      // With Sealpay loaded, StrictMode's double mount creates a frame,
      // destroys it and creates the one that stays.
      assert.equal(now.added - before.added, strict ? 2 : 1);
      assert.equal(now.removed - before.removed, strict ? 1 : 0);
      assert.notEqual(await pay(page), first);
      assert.equal((await listeners(page)).active, 0);
      assert.deepEqual(errors, []);
    });
  });
}
