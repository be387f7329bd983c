// The React and Vue checkouts (examples/react-checkout, vue-checkout, as
// `make test` builds them with Vite) in headless Chromium against
// `sealpay demo`: each page is served from its own origin (allowed with
// the demo's --origin), mounts <CardElement> from @sealpay/react or
// @sealpay/vue, and a shopper types a test card into the edge's frame and
// pays; the receipt comes from the merchant backend through the edge's
// forward route. axe-core (pinned in package.json) audits each page, on
// the form and on the receipt, and must report no violation. (The card
// frame is another origin with its own CSP; its contents are audited
// separately, not here.)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "./lib/browser.mjs";
import { buildSealpay, REPO, startDemo } from "./lib/demo.mjs";
import { serveStatic } from "./lib/static.mjs";

const VISA = "4242424242424242"; // a published test card (https://docs.stripe.com/testing)
const EXPIRY = "12" + String((new Date().getUTCFullYear() + 4) % 100).padStart(2, "0");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const examples = { react: join(REPO, "examples", "react-checkout", "dist"), vue: join(REPO, "examples", "vue-checkout", "dist") };

let tmp, demo, urls, site, browser;

before(async () => {
  for (const [name, dir] of Object.entries(examples)) {
    if (!existsSync(join(dir, "index.html"))) {
      throw new Error(`examples/${name}-checkout is not built: run make test (or make examples)`);
    }
  }
  browser = await launch(); // throws (and fails every test) when Chromium is missing
  site = await serveStatic({ "/react/": examples.react, "/vue/": examples.vue });
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

/** audit runs axe-core in the page and fails on any violation. */
async function audit(page, what) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { iframes: false, resultTypes: ["violations"] }));
  const found = r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(found, [], `axe-core ${r.testEngine.version} found violations on the ${what}`);
  return r;
}

for (const name of ["react", "vue"]) {
  describe(`examples/${name}-checkout`, () => {
    let page;
    const errors = [];
    before(async () => {
      page = await browser.context.newPage();
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
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
      assert.equal(await page.getAttribute("#card iframe", "title"), "Secure card payment input");
      assert.ok(await page.isDisabled("#pay"), "Pay waits for a complete card");
      const r = await audit(page, `${name} checkout form`);
      assert.equal(r.testEngine.version, "4.11.0");
    });

    test("a shopper pays with a test card and sees the receipt", async () => {
      const frame = page.frameLocator("#card iframe");
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
      assert.match(await page.textContent("#r-order"), /^ord_/);
      // The receipt replaced the form: the card element was unmounted with it.
      assert.equal(await page.locator("iframe").count(), 0);
      // The page never held the number.
      assert.ok(!(await page.content()).includes(VISA), "card number found in the merchant's page");
      await audit(page, `${name} receipt`);
      assert.deepEqual(errors, []);
    });
  });
}
