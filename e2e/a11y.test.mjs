// Accessibility of the hosted fields and the storefront example, in headless
// Chromium against `sealpay demo` (docs/browser.md, "Accessibility"):
//
//   - axe-core (pinned in package.json) finds no WCAG 2.0/2.1/2.2 A or AA
//     violation and no best-practice one on the storefront page and inside
//     the card frame, in every state: empty, typing, invalid, complete, and
//     with an edge error shown;
//   - a purchase with the keyboard alone: Tab from the page into the frame,
//     type, Tab out to the page's Pay button, Enter — ending in a token;
//     Shift+Tab leaves the frame backwards, and comes back into it;
//   - errors are announced: the frame's aria-live region gets the localized
//     text (Japanese and Spanish), and the iframe's title is localized;
//   - the focus outline, the borders and the placeholder have the contrast
//     WCAG asks for; prefers-reduced-motion turns the transitions off;
//   - at 200 % zoom (640 device px wide: 320 CSS px) nothing is clipped and
//     the iframe is as tall as its content, errors included.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "./lib/browser.mjs";
import { buildSealpay, startDemo } from "./lib/demo.mjs";
import { AXE_VERSION, axeRun, contrast, describe as explain, injectAxe } from "./lib/a11y.mjs";

// Published test card (https://docs.stripe.com/testing).
const VISA = "4242424242424242";
// December, years ahead of the clock.
const EXPIRY = "12" + String((new Date().getUTCFullYear() + 4) % 100).padStart(2, "0");

// The frame's texts these tests expect (js/src/frame/i18n.ts).
const TEXT = {
  en: { title: "Secure card payment input", incomplete: "Your card number is incomplete.", expired: "Your card has expired.", failed: "Something went wrong. Please try again." },
  ja: { title: "安全なカード決済入力欄", incomplete: "カード番号が不完全です。", failed: "問題が発生しました。もう一度お試しください。" },
  es: { title: "Campos seguros de pago con tarjeta", incomplete: "El número de la tarjeta está incompleto.", failed: "Algo salió mal. Inténtalo de nuevo." },
};

let tmp, demo, urls, browser, zoomed;

before(async () => {
  browser = await launch(); // throws (and fails every test) when Chromium is missing
  // 200 % zoom on a 640 px wide window: 320 CSS px, two device pixels each.
  zoomed = await launch({ viewport: { width: 320, height: 720 }, deviceScaleFactor: 2 });
  tmp = mkdtempSync(join(tmpdir(), "sealpay-a11y-e2e-"));
  demo = startDemo(buildSealpay(tmp), join(tmp, "data"), 0);
  urls = await demo.ready;
});

after(async () => {
  await browser?.close();
  await zoomed?.close();
  await demo?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** open loads the storefront in lang and waits for the card frame to be ready. */
async function open(context, lang = "en") {
  const page = await context.newPage();
  await page.goto(`${urls.storefront}/?lang=${lang}&currency=USD`);
  await page.waitForFunction(() => !document.getElementById("pay").disabled, null, { timeout: 60_000 });
  const frame = await (await page.$("#card iframe")).contentFrame();
  await frame.locator("#number").waitFor({ state: "visible" });
  return { page, frame };
}

/** noViolations runs axe over the page and its frames and fails on any violation. */
async function noViolations(page, state) {
  const { violations: v, framed } = await axeRun(page);
  assert.equal(v.length, 0, `axe ${AXE_VERSION}, ${state}: ${v.length} violation(s)\n${explain(v)}`);
  // axe looked inside the card frame: its inputs passed the label and autocomplete rules there.
  for (const want of ["label #number", "label #cvc", "autocomplete-valid #number", "autocomplete-valid #expiry"]) {
    assert.ok(framed.includes(want), `${state}: axe did not check "${want}" inside the frame`);
  }
}

const active = (frame) => frame.evaluate(() => document.activeElement?.id ?? null);
const live = (frame) => frame.evaluate(() => document.getElementById("live").textContent.replace(/\u00a0$/, ""));

/** standIn makes the edge's POST /v1/tokens fail, as an edge outage would (a stand-in: the real edge is healthy). */
const standIn = (page) =>
  page.route(/\/v1\/tokens$/, (r) => r.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "upstream_error", message: "stand-in outage" } }) }));

describe("accessibility in headless Chromium", () => {
  test(`axe-core ${AXE_VERSION}: no violation on the storefront and in the card frame, in every state`, async (t) => {
    const { page, frame } = await open(browser.context);
    const number = frame.locator("#number");
    try {
      t.diagnostic(`axe injected into the storefront by ${await injectAxe(page.mainFrame())}, into the card frame by ${await injectAxe(frame)}`);
      await noViolations(page, "empty");

      await number.pressSequentially("424242", { delay: 5 });
      await frame.waitForFunction(() => document.getElementById("number").value === "4242 42");
      await noViolations(page, "typing");

      // A number that fails Luhn (a Visa may have 19 digits: incomplete)
      // and a past expiry, each left with Tab: the fields say so.
      await number.fill("");
      await number.pressSequentially("4242424242424241", { delay: 5 });
      await page.keyboard.press("Tab");
      await frame.locator("#expiry").pressSequentially("012020", { delay: 5 });
      await page.keyboard.press("Tab");
      await frame.waitForFunction((t) => document.getElementById("expiry-error").textContent === t, TEXT.en.expired);
      assert.equal(await frame.getAttribute("#expiry", "aria-invalid"), "true");
      assert.equal(await number.getAttribute("aria-invalid"), "true");
      assert.equal(await frame.textContent("#number-error"), TEXT.en.incomplete);
      assert.equal(await frame.textContent("#expiry-error"), TEXT.en.expired);
      assert.deepEqual((await number.getAttribute("aria-describedby")).split(" "), ["number-error", "brand"]);
      await noViolations(page, "invalid");

      // Pay with fields missing: every field shows its error.
      await page.click("#pay");
      await frame.waitForFunction(() => document.getElementById("cvc-error").textContent !== "");
      await noViolations(page, "invalid, after Pay");

      await number.fill("");
      await number.pressSequentially(VISA, { delay: 5 });
      await frame.locator("#expiry").fill("");
      await frame.locator("#expiry").pressSequentially(EXPIRY, { delay: 5 });
      await frame.locator("#cvc").pressSequentially("123", { delay: 5 });
      await frame.locator("#name").fill("Ana Souza");
      await frame.waitForFunction(() => ["number", "expiry", "cvc"].every((id) => document.getElementById(id).classList.contains("complete")));
      assert.equal(await frame.locator("[aria-invalid=true]").count(), 0);
      await noViolations(page, "complete");

      // The edge fails the tokenize: the frame says so under the form.
      await standIn(page);
      await page.click("#pay");
      await frame.waitForFunction(() => document.getElementById("form-error").textContent !== "");
      assert.equal(await frame.textContent("#form-error"), TEXT.en.failed);
      assert.equal(await live(frame), TEXT.en.failed);
      await noViolations(page, "edge error");
    } finally {
      await page.close();
    }
  });

  test("a purchase with the keyboard alone: Tab into the frame, type, Tab out to Pay, Enter, a token", async () => {
    const { page, frame } = await open(browser.context);
    const forwarded = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/v1/forward/checkout")) forwarded.push(r.postData() ?? "");
    });
    try {
      // The element before the card fields in the tab order.
      await page.focus("#currency");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), "IFRAME", "Tab from the page enters the frame");
      assert.equal(await active(frame), "number");
      await page.keyboard.type(VISA, { delay: 5 });
      for (const [id, text] of [["expiry", EXPIRY], ["cvc", "123"], ["name", "Ana Souza"]]) {
        await page.keyboard.press("Tab");
        assert.equal(await active(frame), id, `Tab moves to ${id}`);
        await page.keyboard.type(text, { delay: 5 });
      }
      await frame.waitForFunction(() => document.getElementById("cvc").classList.contains("complete"));
      // Enter in a field submits nothing: the page's Pay button does.
      await page.keyboard.press("Enter");
      assert.equal(await active(frame), "name");
      assert.equal(forwarded.length, 0, "Enter in the frame paid");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "save-card", "Tab from the last field leaves the frame");
      // Back in and out again: no trap either way.
      await page.keyboard.press("Shift+Tab");
      assert.equal(await active(frame), "name", "Shift+Tab from the page re-enters the frame at its last field");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "pay");
      await page.keyboard.press("Enter");
      await page.locator("#receipt").waitFor({ state: "visible", timeout: 30_000 });
      assert.equal(await page.textContent("#r-card"), "Visa •••• 4242");
      assert.equal(forwarded.length, 1);
      assert.ok(/"token":"tok_[A-Za-z0-9]{22}"/.test(forwarded[0]), "the checkout was sent no token");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "receipt", "the receipt takes the focus");
    } finally {
      await page.close();
    }
  });

  test("Shift+Tab from the first field leaves the frame, back to the page", async () => {
    const { page, frame } = await open(browser.context);
    try {
      await page.focus("#currency");
      await page.keyboard.press("Tab");
      assert.equal(await active(frame), "number");
      await page.keyboard.press("Shift+Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "currency");
      assert.notEqual(await frame.evaluate(() => document.hasFocus()), true, "the frame kept the focus");
    } finally {
      await page.close();
    }
  });

  for (const lang of ["ja", "es"]) {
    test(`errors are announced in the shopper's language (${lang}), and the iframe is titled in it`, async () => {
      const { page, frame } = await open(browser.context, lang);
      try {
        assert.equal(await page.getAttribute("#card iframe", "title"), TEXT[lang].title);
        assert.equal(await frame.evaluate(() => document.documentElement.lang), lang);
        assert.equal(await frame.getAttribute("#live", "aria-live"), "polite");
        await frame.locator("#number").pressSequentially("4242", { delay: 5 });
        await page.click("#pay");
        await frame.waitForFunction(() => document.getElementById("live").textContent !== "");
        assert.equal(await live(frame), TEXT[lang].incomplete);
        assert.equal(await frame.textContent("#number-error"), TEXT[lang].incomplete);
        assert.equal(await frame.getAttribute("#number", "aria-invalid"), "true");
        // The same error again is read again.
        const before = await frame.textContent("#live");
        await page.click("#pay");
        await frame.waitForFunction((b) => document.getElementById("live").textContent !== b, before);
        assert.equal(await live(frame), TEXT[lang].incomplete);
        // An edge failure too.
        await frame.locator("#number").fill("");
        await frame.locator("#number").pressSequentially(VISA, { delay: 5 });
        await frame.locator("#expiry").pressSequentially(EXPIRY, { delay: 5 });
        await frame.locator("#cvc").pressSequentially("123", { delay: 5 });
        await frame.waitForFunction(() => document.getElementById("cvc").classList.contains("complete"));
        await standIn(page);
        await page.click("#pay");
        await frame.waitForFunction((t) => document.getElementById("live").textContent.startsWith(t), TEXT[lang].failed);
        assert.equal(await live(frame), TEXT[lang].failed);
      } finally {
        await page.close();
      }
    });
  }

  test("contrast of the default style: focus outline and borders 3:1, text and placeholder 4.5:1", async () => {
    const { page, frame } = await open(browser.context);
    try {
      // The frame is transparent: the storefront's checkout box shows through.
      const bg = await page.evaluate(() => getComputedStyle(document.getElementById("checkout")).backgroundColor);
      await page.focus("#currency");
      await page.keyboard.press("Tab"); // keyboard focus, so :focus-visible applies
      const s = await frame.evaluate(() => {
        const n = document.getElementById("number");
        const c = getComputedStyle(n);
        const p = getComputedStyle(n, "::placeholder");
        return { outline: c.outlineColor, style: c.outlineStyle, width: parseFloat(c.outlineWidth), border: c.borderTopColor, placeholder: p.color, label: getComputedStyle(document.getElementById("number-label")).color, error: getComputedStyle(document.getElementById("number-error")).color };
      });
      assert.equal(s.style, "solid");
      assert.ok(s.width >= 2, `focus outline ${s.width}px`);
      for (const [what, color, min] of [["focus outline", s.outline, 3], ["border", s.border, 3], ["placeholder", s.placeholder, 4.5], ["label", s.label, 4.5], ["error text", s.error, 4.5]]) {
        const r = contrast(color, bg);
        assert.ok(r >= min, `${what} ${color} on ${bg}: ${r.toFixed(2)}:1, want ${min}:1`);
      }
      // The outline is inside the frame: the iframe's edge does not clip it.
      const fits = await frame.evaluate(() => {
        const r = document.getElementById("number").getBoundingClientRect();
        const w = parseFloat(getComputedStyle(document.getElementById("number")).outlineWidth);
        return r.left - w >= 0 && r.top - w >= 0 && r.right + w <= document.documentElement.clientWidth;
      });
      assert.ok(fits, "the focus outline reaches outside the frame");
    } finally {
      await page.close();
    }
  });

  test("a shopper who prefers dark: the frame keeps its light palette on the light page, no axe violation", async () => {
    const { page, frame } = await open(browser.context);
    try {
      await page.emulateMedia({ colorScheme: "dark" });
      await frame.waitForFunction(() => matchMedia("(prefers-color-scheme: dark)").matches);
      // A dark palette of its own would put light labels, and the shop's
      // dark input text, on a dark box in the middle of the white page.
      const c = await frame.evaluate(() => ({ scheme: getComputedStyle(document.documentElement).colorScheme, label: getComputedStyle(document.getElementById("number-label")).color }));
      assert.equal(c.scheme, "light");
      assert.ok(contrast(c.label, "rgb(255, 255, 255)") >= 4.5, `label ${c.label} on white`);
      await frame.locator("#number").pressSequentially("4242", { delay: 5 });
      await page.click("#pay");
      await frame.waitForFunction(() => document.getElementById("cvc-error").textContent !== "");
      await noViolations(page, "dark, errors");
    } finally {
      await page.close();
    }
  });

  test("prefers-reduced-motion: reduce turns the transitions off", async () => {
    const { page, frame } = await open(browser.context);
    try {
      const duration = () => frame.evaluate(() => getComputedStyle(document.getElementById("number")).transitionDuration);
      assert.notEqual(await duration(), "0s", "the default style has a transition (else this test proves nothing)");
      await page.emulateMedia({ reducedMotion: "reduce" });
      await frame.waitForFunction(() => matchMedia("(prefers-reduced-motion: reduce)").matches);
      assert.equal(await duration(), "0s");
      const all = await frame.evaluate(() => [...document.querySelectorAll("*")].filter((e) => getComputedStyle(e).transitionDuration.split(",").some((d) => parseFloat(d) > 0) || getComputedStyle(e).animationName !== "none").length);
      assert.equal(all, 0, "elements that still move");
    } finally {
      await page.close();
    }
  });

  test("200 % zoom (320 CSS px): nothing clipped, and the iframe as tall as its content, errors included", async () => {
    const { page, frame } = await open(zoomed.context, "pt-BR");
    try {
      assert.equal(await page.evaluate(() => [window.innerWidth, window.devicePixelRatio].join()), "320,2");
      const check = async (state) => {
        const pageFits = await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
        assert.ok(pageFits, `${state}: the storefront scrolls sideways at 320 px`);
        const inner = await frame.evaluate(() => ({
          clipped: [...document.querySelectorAll("input, label, .error")].filter((e) => e.offsetParent !== null && e.scrollWidth > e.clientWidth).map((e) => e.id || e.htmlFor),
          wide: document.documentElement.scrollWidth > document.documentElement.clientWidth,
          content: Math.ceil(document.getElementById("card").getBoundingClientRect().height),
          scroll: document.documentElement.scrollHeight,
        }));
        assert.deepEqual(inner.clipped, [], `${state}: clipped in the frame`);
        assert.equal(inner.wide, false, `${state}: the frame scrolls sideways`);
        const height = await page.evaluate(() => document.querySelector("#card iframe").getBoundingClientRect().height);
        assert.ok(height >= inner.content && height >= inner.scroll, `${state}: the iframe is ${height} px tall, its content ${inner.content} px`);
        return height;
      };
      const empty = await check("empty");
      // The expiry and CVC stack in a narrow frame.
      const [x1, x2] = await Promise.all(["#expiry", "#cvc"].map((s) => frame.locator(s).evaluate((e) => e.getBoundingClientRect().left)));
      assert.equal(x1, x2, "expiry and CVC side by side at 320 px");
      // Errors in every field (long ones, in Portuguese, wrapping): the iframe grows with them.
      await frame.locator("#number").pressSequentially("4242", { delay: 5 });
      await page.click("#pay");
      await frame.waitForFunction(() => document.getElementById("cvc-error").textContent !== "");
      await page.waitForFunction((h) => document.querySelector("#card iframe").getBoundingClientRect().height > h, empty);
      await check("errors");
      await noViolations(page, "200 % zoom, errors");
      // And shrinks back once the card is right.
      await frame.locator("#number").pressSequentially(VISA.slice(4), { delay: 5 });
      await frame.locator("#expiry").pressSequentially(EXPIRY, { delay: 5 });
      await frame.locator("#cvc").pressSequentially("123", { delay: 5 });
      await frame.waitForFunction(() => document.querySelectorAll("[aria-invalid=true]").length === 0);
      await check("complete");
      // The longest brand name, with the card number that goes with it
      // (Stripe's American Express test card): the brand covers no digit.
      await frame.locator("#number").fill("");
      await frame.locator("#number").pressSequentially("378282246310005", { delay: 5 });
      await frame.waitForFunction(() => document.getElementById("brand").textContent === "American Express");
      const covered = await frame.evaluate(() => {
        const [n, b] = ["number", "brand"].map((id) => document.getElementById(id).getBoundingClientRect());
        return b.left < n.right && n.left < b.right && b.top < n.bottom && n.top < b.bottom;
      });
      assert.equal(covered, false, "the brand's name covers the card number's input");
      await frame.locator("#number").fill("");
      await frame.locator("#number").pressSequentially(VISA, { delay: 5 });
      await frame.waitForFunction(() => document.getElementById("brand").textContent === "Visa");
      await check("complete, Visa again");
      await page.waitForFunction((h) => document.querySelector("#card iframe").getBoundingClientRect().height === h, empty, { timeout: 5_000 });
    } finally {
      await page.close();
    }
  });
});
