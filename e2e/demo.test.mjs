// `sealpay demo` end to end in headless Chromium: a shopper picks a
// language and currency, types a test card into the hosted fields (inside
// the edge's iframe), pays and sees the receipt; a returning shopper pays
// with the saved card; the QR poster's signed code verifies and its
// tampered copy is rejected, in two languages. Then the test checks where
// the card number went: to the sample provider through the relay, and
// nowhere else — not the merchant backend, the vault file, the audit log,
// the logs or the merchant's page.
//
// SEALPAY_SCREENSHOTS=1 saves docs/img/storefront-receipt.png and
// docs/img/qr-rejected.png.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "./lib/browser.mjs";
import { buildSealpay, REPO, startDemo } from "./lib/demo.mjs";

// Published test cards (https://docs.stripe.com/testing).
const VISA = "4242424242424242";
const DECLINED = "4000000000000002";
const SHOTS = process.env.SEALPAY_SCREENSHOTS === "1";
// The expiry typed into the hosted fields, MMYY: December, years ahead of
// the clock (a fixed year would expire the test card one day).
const EXPIRY = "12" + String((new Date().getUTCFullYear() + 4) % 100).padStart(2, "0");
const IMG = join(REPO, "docs", "img");

let tmp, data, bin, demo, urls, browser, page;
const posted = []; // every request body the browser sent, from any frame

before(async () => {
  browser = await launch(); // throws (and fails every test) when Chromium is missing
  tmp = mkdtempSync(join(tmpdir(), "sealpay-demo-e2e-"));
  data = join(tmp, "data");
  bin = buildSealpay(tmp);
  // --port 0: the demo binds free ports itself and prints them. (Ports
  // found free here could be taken by another process before it binds.)
  demo = startDemo(bin, data, 0);
  urls = await demo.ready;
  page = await browser.context.newPage();
  page.on("request", (r) => {
    const body = r.postData();
    if (body) posted.push({ url: r.url(), body });
  });
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** cardFrame is the hosted fields' iframe, served by the edge. */
const cardFrame = () => page.frameLocator("#card iframe");

async function openShop(lang, currency) {
  await page.goto(`${urls.storefront}/`);
  // Choose the language and currency the way a shopper does: the selects
  // (each change reloads the page in the new language or currency).
  for (const [sel, value] of [["#lang", lang], ["#currency", currency]]) {
    if ((await page.inputValue(sel)) === value) continue;
    await Promise.all([page.waitForURL(new RegExp(`[?&]${sel.slice(1)}=${value}`)), page.selectOption(sel, value)]);
  }
  assert.equal(await page.getAttribute("html", "lang"), lang);
  await cardFrame().locator("#number").waitFor({ state: "visible", timeout: 60_000 });
  await page.waitForFunction(() => !document.getElementById("pay").disabled, null, { timeout: 60_000 });
}

async function typeCard(number) {
  const f = cardFrame();
  await f.locator("#number").pressSequentially(number, { delay: 5 });
  await f.locator("#expiry").pressSequentially(EXPIRY, { delay: 5 });
  await f.locator("#cvc").pressSequentially("123", { delay: 5 });
  await f.locator("#name").fill("Ana Souza");
}

async function receipt() {
  await page.locator("#receipt").waitFor({ state: "visible", timeout: 30_000 });
  return {
    heading: await page.textContent("#receipt-heading"),
    amount: await page.textContent("#r-amount"),
    card: await page.textContent("#r-card"),
    fingerprint: await page.textContent("#r-fingerprint"),
    notes: await page.textContent("#r-notes"),
  };
}

let firstFingerprint;

describe("sealpay demo in headless Chromium", () => {
  test("the storefront page is served under a strict CSP", async () => {
    const res = await page.goto(`${urls.storefront}/`);
    const csp = res.headers()["content-security-policy"];
    assert.match(csp, new RegExp(`frame-src ${urls.edge}`));
    assert.doesNotMatch(csp, /unsafe-eval|wasm-unsafe-eval|unsafe-inline/);
    const snippet = page.locator(`script[src="${urls.edge}/v1/sealpay.js"]`);
    assert.match(await snippet.getAttribute("integrity"), /^sha384-/);
  });

  test("a shopper pays in Brazilian Portuguese and reais with the hosted fields", async () => {
    await openShop("pt-BR", "BRL");
    assert.match(await page.textContent("#price"), /R\$\s?189,90/);
    await typeCard(VISA);
    await page.check("#save-card");
    await page.click("#pay");
    const r = await receipt();
    assert.equal(r.heading, "Obrigado! Seu pagamento foi aprovado");
    assert.match(r.amount, /R\$\s?189,90/);
    assert.equal(r.card, "Visa •••• 4242");
    assert.match(r.fingerprint, /^fp_/);
    assert.match(r.notes, /Seu cartão foi salvo/);
    firstFingerprint = r.fingerprint;
    // The merchant's page never held the number: only the edge's frame
    // did. (The demo banner's test-card hint is left out of the check.)
    const html = await page.evaluate(() => {
      const doc = document.documentElement.cloneNode(true);
      doc.querySelector(".banner").remove();
      return doc.outerHTML;
    });
    assert.ok(!html.includes(VISA) && !html.includes("4242 4242 4242 4242"), "the shop page's DOM holds the card number");
    if (SHOTS) {
      mkdirSync(IMG, { recursive: true });
      await page.screenshot({ path: join(IMG, "storefront-receipt.png") });
    }
  });

  test("a returning shopper pays again with the saved card, in Spanish and euros", async () => {
    await openShop("es", "EUR");
    const again = page.locator("#pay-saved");
    await again.waitFor({ state: "visible", timeout: 15_000 });
    assert.equal(await again.textContent(), "Volver a pagar con Visa •••• 4242");
    await again.click();
    const r = await receipt();
    assert.equal(r.heading, "¡Gracias! Tu pago se ha aprobado");
    assert.match(r.amount, /35,00\s?€/);
    assert.equal(r.card, "Visa •••• 4242");
    assert.equal(r.fingerprint, firstFingerprint, "the saved card's fingerprint should be the first card's");
    assert.match(r.notes, /Pagado con tu tarjeta guardada/);
    assert.match(r.notes, /la huella coincide/);
  });

  test("a declined card shows a clear message in English", async () => {
    await openShop("en", "USD");
    await typeCard(DECLINED);
    await page.click("#pay");
    await page.waitForFunction(() => document.getElementById("error").textContent.length > 0, null, { timeout: 30_000 });
    assert.equal(await page.textContent("#error"), "Your card was declined. Please try another card.");
    assert.ok(await page.locator("#receipt").isHidden());
  });

  for (const [lang, verified, rejected] of [
    ["en", "Verified: Hikari Ceramics", /^Do not pay: The QR code’s signature is not valid/],
    ["ja", "確認済み：Hikari Ceramics", /^支払わないでください：QRコードの署名が無効です/],
    ["es", "Verificado: Hikari Ceramics", /^No pagues: La firma del código QR no es válida/],
  ]) {
    test(`the QR poster: the signed code verifies and the tampered copy is rejected (${lang})`, async () => {
      const res = await page.goto(`${urls.poster}/?lang=${lang}`);
      assert.doesNotMatch(res.headers()["content-security-policy"], /unsafe/);
      await page.waitForSelector("body[data-ready='1']", { timeout: 60_000 });
      await page.click("#scan-genuine");
      // The first check loads the module into the edge's hidden frame.
      await page.waitForSelector("#result[data-status='verified']", { timeout: 60_000 });
      assert.equal(await page.textContent("#headline"), verified);
      const genuine = await page.inputValue("#paste");
      assert.match(genuine, /^000201/);

      await page.click("#scan-tampered");
      await page.waitForSelector("#result[data-status='rejected']", { timeout: 20_000 });
      assert.match(await page.textContent("#headline"), rejected);
      const tampered = await page.inputValue("#paste");
      assert.notEqual(tampered, genuine);

      // Pasted text takes the same path.
      await page.fill("#paste", genuine);
      await page.click("#check");
      await page.waitForSelector("#result[data-status='verified']", { timeout: 20_000 });
      if (SHOTS && lang === "es") {
        await page.fill("#paste", tampered);
        await page.click("#check");
        await page.waitForSelector("#result[data-status='rejected']", { timeout: 20_000 });
        await page.locator("#tampered").scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(IMG, "qr-rejected.png"), fullPage: true });
      }
    });
  }

  test("Ctrl-C stops the demo cleanly", async () => {
    assert.equal(await demo.stop(), 0, "sealpay demo should exit 0 on Ctrl-C (graceful shutdown)");
    assert.match(demo.output().stdout, /^Stopped\.$/m);
  });

  test("the card number went only to the sample provider, through the relay", () => {
    // The demo has stopped: the vault's WAL is checkpointed into vault.db.
    // The checks use assert.ok: node's assert prints the actual value of a
    // failed equal or match, which here would be a card number or a token.
    const variants = [VISA, "4242 4242 4242 4242", VISA.slice(0, 12), DECLINED];
    const holds = (text) => variants.some((v) => text.includes(v));
    // The provider received it, as the relay filled it in: it approves
    // only a whole, Luhn-valid number, and records the last four and an
    // HMAC under a key of its own process, never a plain hash (which would
    // give the number back).
    const sha = createHash("sha256").update(VISA).digest("hex");
    const chargeLog = readFileSync(join(data, "logs", "provider-charges.jsonl"), "utf8");
    assert.ok(!chargeLog.includes(sha), "the provider's log holds the card number's SHA-256");
    const charges = chargeLog.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(charges.filter((c) => c.last4 === VISA.slice(-4) && /^[0-9a-f]{64}$/.test(c.number_hmac) && c.status === "approved").length, 2);
    assert.ok(charges.every((c) => c.user_agent === "Sealpay-Edge/1"), "every charge should come through the edge's relay");
    // The merchant backend got tokens, never the number.
    const requests = readFileSync(join(data, "logs", "backend-requests.jsonl"), "utf8");
    assert.ok(/"token":"tok_[0-9A-Za-z]{22}"/.test(requests), "the merchant backend's request log has no token: the check below would prove nothing");
    assert.ok(!holds(requests), "the merchant backend received the card number");
    // Nor does any file of the demo: the vault (SQLite and its WAL), the
    // audit log (in the same database), the keys, the logs.
    const files = [];
    const walk = (d) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(data);
    assert.ok(files.some((f) => f.endsWith("vault.db")), "no vault file found to scan");
    // The audit log (in the vault's database) is intact and was written.
    const audit = JSON.parse(execFileSync(bin, ["audit", "verify", "--db", join(data, "vault.db"), "--key-file", join(data, "audit.secret")], { encoding: "utf8" }));
    assert.equal(audit.ok, true, "the audit log's keyed chain should verify");
    assert.ok(audit.entries >= 8, `the audit log has ${audit.entries} entries, want one per tokenize, forward, relay and delete`);
    for (const f of files) {
      const text = readFileSync(f).toString("latin1");
      assert.ok(!holds(text), `${f} holds the card number`);
    }
    // Nor the demo's own output once it is running (its banner lists the
    // test cards before any request).
    const { stdout, stderr } = demo.output();
    const running = stdout.slice(stdout.search(/^Open http/m)) + stderr;
    assert.ok(!holds(running), "the demo's output holds the card number");
    assert.ok(!/tok_[0-9A-Za-z]{22}/.test(running), "the demo's output holds a token");
    // And no request the browser made carried it in the clear: the
    // frame sent an envelope, the page a token.
    assert.ok(posted.some((p) => p.url.endsWith("/v1/tokens") && p.body.includes('"envelope":"sp1.')));
    for (const p of posted) assert.ok(!holds(p.body), `a request to ${new URL(p.url).pathname.replace(/tok_[0-9A-Za-z]+/g, "tok_…")} carried the card number`);
  });
});
