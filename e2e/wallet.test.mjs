// Wallets in headless Chromium against a real edge (`sealpay serve`) with
// Google Pay turned on for its merchant:
//
//   - the Google Pay button: the merchant's page mounts sp.walletButton; the
//     edge's wallet frame loads pay.js — a STAND-IN for Google's
//     (lib/payjs-standin.js), served through Playwright's request routing,
//     which gets each token from lib/googlepay.mjs, a stand-in for Google
//     that builds real ECv2 tokens for the merchant id and public key the
//     frame asked with — the shopper clicks, the frame sends Google's
//     token to the edge and the page gets a vault token;
//   - the card number and Google's token are in no message, DOM, console
//     line or request of the merchant's page; the page's CSP names no
//     Google origin, the wallet frame's names only Google's and a nonce,
//     the card frame's none, and nothing violated any of them;
//   - sp.tokenizeWallet with an Apple Pay token from the page: one made by
//     a stand-in for Apple (edge/internal/applepaystandin, over
//     sdk/wallet/applepay/applepaytest) becomes a vault token, once; one
//     that no Apple certificate signed is refused with a wallet_ code.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AXE_VERSION, axeRun, describe as explain } from "./lib/a11y.mjs";
import { launch } from "./lib/browser.mjs";
import { ROOT, sriHashes, startEdge } from "./lib/edge.mjs";
import { ecv2Token, googleRoot } from "./lib/googlepay.mjs";
import { startMerchant } from "./lib/merchant.mjs";

// A published test card: Stripe's "Visa (debit)" test number
// (https://docs.stripe.com/testing#cards), as the card in Google's token.
const PAN = "4000056655665556";
const PAN_FORMS = [PAN, "4000 0566 5566 5556", "4000-0566-5566-5556"];
const EXP_YEAR = new Date().getUTCFullYear() + 6;
const GOOGLE_MERCHANT_ID = "BCR2DN4TX7Q5ZZZZ";
const APPLE_MERCHANT_ID = "merchant.example.shop.sealpay";
// Sample3DS's cryptogram (sdk/wallet/applepay/applepaytest), in the Apple Pay token.
const APPLE_CRYPTOGRAM = "AgAAAAAABk4DWZ4C28yUQAAAAAA=";

const clean = (text, where) => {
  const found = PAN_FORMS.filter((f) => text.includes(f)).length;
  assert.ok(found === 0, `${where} holds the card number (${found} of its ${PAN_FORMS.length} forms)`);
};

const standin = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "lib", "payjs-standin.js"), "utf8");

let merchant, edge, browser, root, applePayToken;
/** What reached Google's origin through the routing, in order. */
const google = [];
/** The Google Pay tokens the stand-in handed out. */
const issued = [];

/**
 * walletConfig turns Google Pay and Apple Pay on for the edge's merchant
 * (startEdge's configure hook).
 */
async function walletConfig({ config, dir }, { apple = true } = {}) {
  // Google's root keys (the stand-in's), and the merchant's key set
  // as `sealpay wallet keys` writes it: a JWK Set of P-256 keys with
  // the merchant's id and the key's status.
  writeFileSync(join(dir, "gpay-roots.json"), JSON.stringify(root.keysFile));
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  const kid = createHash("sha256").update(point).digest().subarray(0, 16).toString("base64url");
  writeFileSync(join(dir, "gpay-keys.json"), JSON.stringify({ keys: [{ ...jwk, kid, mid: config.merchants[0].id, status: "primary" }] }), { mode: 0o600 });
  config.google_pay = { environment: "TEST", root_keys_file: "gpay-roots.json" };
  config.google_pay_keys_file = "gpay-keys.json";
  config.merchants[0].google_pay = { merchant_id: GOOGLE_MERCHANT_ID, merchant_name: "Shop Example" };
  if (!apple) return;
  // Apple Pay: a stand-in for Apple (edge/internal/applepaystandin)
  // makes the merchant's payment processing key and one token for
  // it; the edge trusts the stand-in's root instead of Apple's.
  const exp = `${String(EXP_YEAR % 100).padStart(2, "0")}1231`;
  await promisify(execFile)(process.env.GO ?? "go", ["run", "./edge/internal/applepaystandin", "-dir", dir, "-merchant", config.merchants[0].id,
    "-identifier", APPLE_MERCHANT_ID, "-pan", PAN, "-exp", exp], { cwd: ROOT });
  applePayToken = JSON.parse(readFileSync(join(dir, "token.json"), "utf8"));
  config.apple_pay = { unsafe_test_root_pem: readFileSync(join(dir, "apple-root.pem"), "utf8") };
  config.apple_pay_keys_file = "apple-pay-keys.json";
  config.merchants[0].apple_pay = { merchant_identifier: APPLE_MERCHANT_ID };
}

before(async () => {
  merchant = await startMerchant();
  root = googleRoot();
  const started = await Promise.allSettled([
    startEdge({
      origins: [merchant.origin],
      configure: walletConfig,
    }).then((e) => (edge = e)),
    launch().then((b) => (browser = b)),
  ]);
  const failed = started.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  Object.assign(merchant.vars, { EDGE: edge.url, PK: edge.pk, SNIPPET_SRI: sriHashes(edge.assets)["sealpay.js"], EXTRA_SRI: sriHashes(edge.assets)["extra.js"] });
});

after(async () => {
  await Promise.allSettled([browser?.close(), edge?.stop(), merchant?.stop()]);
});

/**
 * openPage opens path with Google's origin routed to the stand-in (ready:
 * what isReadyToPay answers; cancel: the shopper closes the sheet) and
 * records console lines of the page and its frames, requests and responses.
 */
async function openPage(path, { ready = true, cancel = false } = {}) {
  const page = await browser.context.newPage();
  await page.route("https://pay.google.com/**", async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    google.push({ method: req.method(), path: url.pathname, frame: req.frame().url(), body: req.postData() ?? "" });
    if (req.method() === "GET" && url.pathname === "/gp/p/js/pay.js") {
      return route.fulfill({ status: 200, contentType: "text/javascript", body: standin.replace('"@@STANDIN_SETTINGS@@"', JSON.stringify(JSON.stringify({ ready, cancel }))) });
    }
    if (req.method() === "POST" && url.pathname === "/standin/token") {
      const r = JSON.parse(req.postData());
      const { publicKey } = r.allowedPaymentMethods[0].tokenizationSpecification.parameters;
      const token = ecv2Token({ root, merchantId: r.merchantInfo.merchantId, publicKey, card: { pan: PAN, expirationMonth: 12, expirationYear: EXP_YEAR, authMethod: "PAN_ONLY" } });
      issued.push(token);
      return route.fulfill({ status: 200, contentType: "application/json", headers: { "access-control-allow-origin": edge.url }, body: JSON.stringify({ token, last4: PAN.slice(-4) }) });
    }
    return route.abort();
  });
  const log = [];
  page.on("console", (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => log.push(`pageerror: ${e.message}`));
  const requests = [];
  const responses = [];
  page.on("request", (r) => requests.push(r.allHeaders().catch(() => ({})).then((headers) => ({ url: r.url(), method: r.method(), headers, postData: r.postData() ?? "", frame: r.frame().url() }))));
  page.on("response", (r) => responses.push(Promise.all([r.allHeaders().catch(() => ({})), r.body().catch(() => Buffer.alloc(0))]).then(([headers, body]) => ({ url: r.url(), status: r.status(), headers, body }))));
  const doc = await page.goto(merchant.origin + path);
  assert.equal(doc.status(), 200, `GET ${path}`);
  return { page, doc, log, requests: () => Promise.all(requests), responses: () => Promise.all(responses) };
}

const waitShop = (page, predicate, arg) =>
  page.waitForFunction(predicate, arg, { timeout: 20_000 }).catch(async () => {
    const state = await page.evaluate(() => ({ events: window.shop?.events.map((e) => e.type), error: window.shop?.error }));
    assert.fail(`the page never got there: ${JSON.stringify(state)}`);
  });

const walletFrame = (page) => page.frames().find((f) => f.url().startsWith(`${edge.url}/v1/frame.html?`) && new URL(f.url()).searchParams.get("mode") === "wallet");

describe("Google Pay button", () => {
  let p, result, messages, probe, requests, responses, frameViolations, inFrame;

  before(async () => {
    google.length = 0;
    p = await openPage("/wallet.html");
    await waitShop(p.page, () => window.shop.events.some((e) => e.type === "ready") || window.shop.error);
    const frame = walletFrame(p.page);
    assert.ok(frame, "the page has a wallet frame");
    // The frame records its own policy violations from here on (none
    // happened before: the console lines below would show them).
    await frame.evaluate(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
    });
    // The shopper clicks Google's button, in the frame.
    await p.page.frameLocator("#wallet iframe").locator("#gpay-standin").click();
    await waitShop(p.page, () => window.shop.result || window.shop.events.some((e) => e.type === "error"));
    result = await p.page.evaluate(() => ({ result: window.shop.result, events: window.shop.events, shown: document.getElementById("result").textContent }));
    messages = await p.page.evaluate(() => window.spy.messages);
    probe = await p.page.evaluate(() => {
      const i = document.querySelector("#wallet iframe");
      return { html: document.documentElement.outerHTML, text: document.body.innerText, allow: i.allow, height: i.getBoundingClientRect().height };
    });
    frameViolations = await frame.evaluate(() => window.__violations);
    inFrame = await frame.evaluate(() => ({ standin: window.__standin, styled: getComputedStyle(document.getElementById("gpay-standin")).backgroundColor, scripts: [...document.scripts].map((s) => s.src), integrity: [...document.scripts].filter((s) => !s.src.endsWith("/frame.js")).map((s) => s.integrity) }));
    requests = await p.requests();
    responses = await p.responses();
  });

  after(() => p?.page.close());

  test("the shopper's Google Pay card becomes a vault token for the page", async () => {
    const errors = result.events.filter((e) => e.type === "error");
    assert.deepEqual(errors, [], "no error event");
    assert.deepEqual(result.events.find((e) => e.type === "ready"), { type: "ready", wallets: ["google_pay"] });
    const r = result.result;
    assert.ok(/^tok_[A-Za-z0-9]{22}$/.test(r.token), `the token has the tok_ shape (${String(r.token).length} characters)`);
    assert.deepEqual({ ...r, token: undefined, card: { ...r.card, fingerprint: undefined } }, {
      token: undefined,
      card: { brand: "visa", last4: "5556", exp_month: 12, exp_year: EXP_YEAR, fingerprint: undefined },
      wallet: "google_pay",
      auth_method: "PAN_ONLY",
    });
    assert.match(r.card.fingerprint, /^fp_/);
    assert.ok(result.shown.includes("ending 5556"), "the page shows what it may");
    // The merchant's server can use the token: it stands for this card.
    const res = await fetch(`${edge.url}/v1/tokens/${r.token}`, { headers: { authorization: `Bearer ${edge.sk}` } });
    assert.equal(res.status, 200);
    const meta = await res.json();
    assert.equal(meta.card.last4, "5556");
    assert.equal(meta.single_use, true, "a token made in the frame without save is single-use");
  });

  test("the frame asked Google for a DIRECT ECv2 token to the edge's key, and sent it to the edge itself", async () => {
    const asked = google.filter((g) => g.path === "/standin/token");
    assert.equal(asked.length, 1);
    assert.ok(asked[0].frame.startsWith(`${edge.url}/v1/frame.html?`), "Google was asked from the edge's frame");
    const req = JSON.parse(asked[0].body);
    const wallets = await (await fetch(`${edge.url}/v1/wallets`, { headers: { authorization: `Bearer ${edge.pk}`, origin: merchant.origin } })).json();
    assert.deepEqual(req.allowedPaymentMethods[0].tokenizationSpecification, { type: "DIRECT", parameters: { protocolVersion: "ECv2", publicKey: wallets.google_pay.public_key } });
    assert.deepEqual(req.merchantInfo, { merchantId: GOOGLE_MERCHANT_ID, merchantName: "Shop Example" });
    assert.deepEqual(req.transactionInfo, { totalPriceStatus: "FINAL", totalPrice: "49.90", currencyCode: "EUR", countryCode: "DE", checkoutOption: "COMPLETE_IMMEDIATE_PURCHASE" });
    assert.deepEqual(inFrame.standin, { environment: "TEST", nonce: "string" }, "the frame gave Google's client its nonce");

    const posts = requests.filter((r) => r.method === "POST" && new URL(r.url).pathname === "/v1/tokens");
    assert.equal(posts.length, 1);
    assert.ok(posts[0].frame.startsWith(`${edge.url}/v1/frame.html?`), "the token went to the edge from the frame");
    const body = JSON.parse(posts[0].postData);
    assert.deepEqual(Object.keys(body), ["wallet", "payment_data"]);
    assert.equal(body.wallet, "google_pay");
    assert.ok(body.payment_data === issued.at(-1), "the frame sent Google's token as it came");
  });

  test("the page's messages, DOM and console hold neither the number nor Google's token", async () => {
    const tokenParts = (t) => {
      const o = JSON.parse(t);
      return [t, o.signedMessage, JSON.parse(o.signedMessage).encryptedMessage, o.signature];
    };
    const secrets = tokenParts(issued.at(-1));
    assert.ok(messages.length >= 3, `only ${messages.length} messages seen`);
    for (const [i, m] of messages.entries()) {
      assert.equal(m.origin, edge.url, "only the edge's frame posts to the page");
      clean(m.data, `message ${i}`);
      assert.ok(!secrets.some((s) => m.data.includes(s)), `message ${i} holds Google's token`);
    }
    const withToken = messages.filter((m) => m.data.includes(result.result.token));
    assert.equal(withToken.length, 1, "one message carries the vault token");
    assert.deepEqual(Object.keys(JSON.parse(withToken[0].data).value).sort(), ["auth_method", "card", "token", "wallet"]);
    for (const [where, text] of Object.entries({ html: probe.html, text: probe.text, console: p.log.join("\n") })) {
      clean(text, where);
      assert.ok(!secrets.some((s) => text.includes(s)), `${where} holds Google's token`);
    }
    // What the merchant's page itself sent and received (not its frames).
    for (const r of requests.filter((r) => r.frame.startsWith(merchant.origin))) {
      clean([r.url, r.postData, ...Object.entries(r.headers).flat()].join("\n"), `${r.method} ${new URL(r.url).pathname} from the page`);
    }
    for (const r of responses) clean(r.body.toString("latin1"), `response body of ${new URL(r.url).pathname}`);
  });

  test("the merchant's page loads nothing from Google, and no policy was violated", async () => {
    const csp = p.doc.headers()["content-security-policy"];
    assert.doesNotMatch(csp, /google|gstatic/);
    assert.deepEqual(await p.page.evaluate(() => window.watch.violations), []);
    assert.deepEqual(merchant.reports.filter((r) => r["document-uri"]?.endsWith("/wallet.html")), []);
    for (const g of google) assert.ok(g.frame.startsWith(`${edge.url}/v1/frame.html?`), `${g.method} ${g.path} came from the page, not the frame`);
    assert.deepEqual(frameViolations, []);
    assert.deepEqual(p.log.filter((c) => /Content Security Policy|integrity/i.test(c)), []);
    assert.equal(inFrame.styled, "rgb(0, 0, 0)", "the stand-in's nonced style applied");
    assert.equal(probe.allow, "payment");
    assert.equal(probe.height, 48);
  });

  test("the wallet frame's policy admits Google's origins and its nonce, and nothing more", () => {
    const doc = responses.find((r) => r.url.startsWith(`${edge.url}/v1/frame.html?`));
    const csp = doc.headers["content-security-policy"];
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 22, "the policy has a nonce");
    assert.equal(csp, "default-src 'none'; " +
      `script-src 'self' 'nonce-${nonce}' https://pay.google.com; ` +
      "connect-src 'self' https://pay.google.com https://google.com/pay; " +
      "frame-src https://pay.google.com; " +
      `style-src 'self' 'nonce-${nonce}'; ` +
      "img-src 'self' data: https://www.gstatic.com; " +
      `base-uri 'none'; form-action 'none'; frame-ancestors ${merchant.origin}`);
    assert.doesNotMatch(csp, /unsafe|wasm/);
    assert.equal(doc.headers["cache-control"], "no-store");
    assert.ok(doc.body.toString().includes(`nonce="${nonce}"`), "the frame's script element carries the policy's nonce");
    // The frame loads frame.js, its Google Pay code (wallet.js, by its
    // content address and pinned hash) and Google's script, and no module.
    assert.ok(!requests.some((r) => /\.wasm$|wasm_exec\.js$/.test(new URL(r.url).pathname)), "the wallet frame loads no module");
    const hash = sriHashes(edge.assets)["wallet.js"];
    const address = hash.slice("sha384-".length).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    assert.deepEqual(inFrame.scripts.filter((s) => !s.endsWith("/frame.js")), [`${edge.url}/v1/c/${address}/wallet.js`, "https://pay.google.com/gp/p/js/pay.js"]);
    assert.deepEqual(inFrame.integrity, [hash, ""], "wallet.js is pinned; pay.js cannot be");
  });

  test("each wallet frame gets its own nonce; the card frame's policy has no Google origin", async () => {
    const q = (mode) => `${edge.url}/v1/frame.html?${new URLSearchParams({ origin: merchant.origin, key: edge.pk, channel: "0123456789abcdef01234567", mode, locale: "en" })}`;
    const a = (await fetch(q("wallet"))).headers.get("content-security-policy");
    const b = (await fetch(q("wallet"))).headers.get("content-security-policy");
    assert.notEqual(/'nonce-[^']+'/.exec(a)[0], /'nonce-[^']+'/.exec(b)[0]);
    const card = (await fetch(q("card"))).headers.get("content-security-policy");
    assert.equal(card, "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; img-src 'self' data:; " +
      `base-uri 'none'; form-action 'none'; frame-ancestors ${merchant.origin}`);
  });
});

describe("Google Pay button, accessibility", () => {
  // The button is the stand-in's <button> (lib/payjs-standin.js), labelled
  // as Google's is; what is ours is the frame around it.
  const mounted = async () => {
    const p = await openPage("/wallet.html");
    await waitShop(p.page, () => window.shop.events.some((e) => e.type === "ready") || window.shop.error);
    await p.page.frameLocator("#wallet iframe").locator("#gpay-standin").waitFor();
    return p;
  };

  test("axe finds no violation on the page with the wallet button, and looked inside the frame", async () => {
    const p = await mounted();
    try {
      const { violations: v, framed } = await axeRun(p.page);
      assert.equal(v.length, 0, `axe ${AXE_VERSION}: ${v.length} violation(s)\n${explain(v)}`);
      assert.ok(framed.some((f) => f.includes("#gpay-standin")), `axe did not check the button inside the frame: ${framed.join(", ")}`);
    } finally {
      await p.page.close();
    }
  });

  test("the wallet iframe's title is the frame's, in the frame's language", async () => {
    const p = await mounted();
    try {
      const title = await p.page.evaluate(() => document.querySelector("#wallet iframe").title);
      const frame = walletFrame(p.page);
      const inner = await frame.evaluate(() => ({ title: document.title, lang: document.documentElement.lang }));
      assert.ok(inner.title, "the wallet frame has a title");
      assert.equal(title, inner.title, "the loader took the frame's localized title");
      assert.equal(inner.lang, new URL(frame.url()).searchParams.get("locale"));
    } finally {
      await p.page.close();
    }
  });

  for (const key of ["Enter", "Space"]) {
    test(`the button is reached with Tab and pays with ${key}`, async () => {
      const p = await mounted();
      try {
        const frame = walletFrame(p.page);
        let focused = false;
        for (let i = 0; i < 10 && !focused; i++) {
          await p.page.keyboard.press("Tab");
          focused = await frame.evaluate(() => document.hasFocus() && document.activeElement?.id === "gpay-standin");
        }
        assert.ok(focused, "Tab never reached the wallet button");
        await p.page.keyboard.press(key);
        await waitShop(p.page, () => window.shop.result || window.shop.events.some((e) => e.type === "error"));
        const r = await p.page.evaluate(() => window.shop.result);
        assert.ok(/^tok_[A-Za-z0-9]{22}$/.test(r?.token ?? ""), `${key} on the button gave no token`);
      } finally {
        await p.page.close();
      }
    });
  }
});

describe("Google Pay, other outcomes", () => {
  test("a wallet.js that is not the one frame.js pins does not run", async () => {
    // A proxy in front of an otherwise genuine edge serves a modified
    // wallet.js (a CDN gone bad): the frame's pin refuses it.
    const marker = (bytes) => ";globalThis.__sealpay_tampered=true;\n" + bytes;
    const bad = await startEdge({ origins: [merchant.origin], overrides: { "wallet.js": marker }, configure: (o) => walletConfig(o, { apple: false }) });
    const vars = { ...merchant.vars };
    Object.assign(merchant.vars, { EDGE: bad.url, PK: bad.pk, SNIPPET_SRI: sriHashes(bad.assets)["sealpay.js"], EXTRA_SRI: sriHashes(bad.assets)["extra.js"] });
    try {
      const { page, log } = await openPage("/wallet.html");
      try {
        await waitShop(page, () => window.shop.events.some((e) => e.type === "ready" || e.type === "error"));
        const events = await page.evaluate(() => window.shop.events);
        assert.deepEqual(events.map((e) => [e.type, e.code]), [["error", "upstream_error"]]);
        const frame = page.frames().find((f) => f.url().startsWith(`${bad.url}/v1/frame.html?`));
        assert.equal(await frame.evaluate(() => globalThis.__sealpay_tampered ?? false), false, "the modified wallet.js ran");
        assert.ok(log.some((l) => /integrity/i.test(l) && l.includes("wallet.js")), "Chromium reports the integrity failure");
        assert.ok(!google.some((g) => g.frame.startsWith(bad.url)), "no Google script was loaded");
      } finally {
        await page.close();
      }
    } finally {
      Object.assign(merchant.vars, vars);
      await bad.stop();
    }
  });

  test("the card fields of the same merchant load neither wallet.js nor anything from Google", async () => {
    const p = await openPage("/hosted.html");
    try {
      await p.page.waitForFunction(() => window.shop?.events.some((e) => e.type === "ready") || window.shop?.error, null, { timeout: 20_000 });
      await p.page.waitForTimeout(500);
      const urls = (await p.requests()).map((r) => r.url);
      assert.ok(urls.some((u) => u.includes("/v1/frame.html?")), "the card frame loaded");
      assert.deepEqual(urls.filter((u) => u.endsWith("/wallet.js") || u.includes("google")), []);
    } finally {
      await p.page.close();
    }
  });

  test("a shopper who cannot pay with Google Pay gets no button", async () => {
    const { page } = await openPage("/wallet.html", { ready: false });
    try {
      await waitShop(page, () => window.shop.events.some((e) => e.type === "ready") || window.shop.error);
      assert.deepEqual(await page.evaluate(() => window.shop.events), [{ type: "ready", wallets: [] }]);
      assert.equal(await page.frameLocator("#wallet iframe").locator("#gpay-standin").count(), 0);
    } finally {
      await page.close();
    }
  });

  test("a closed sheet is a cancel event and no token", async () => {
    const { page } = await openPage("/wallet.html", { cancel: true });
    try {
      await waitShop(page, () => window.shop.events.some((e) => e.type === "ready"));
      await page.frameLocator("#wallet iframe").locator("#gpay-standin").click();
      await waitShop(page, () => window.shop.events.some((e) => e.type === "cancel" || e.type === "error"));
      assert.deepEqual((await page.evaluate(() => window.shop.events)).map((e) => e.type), ["ready", "cancel"]);
    } finally {
      await page.close();
    }
  });
});

describe("tokenizeWallet", () => {
  test("an Apple Pay token from the merchant's own session becomes a vault token", async () => {
    const { page, log } = await openPage("/wallet.html");
    try {
      const r = await page.evaluate((d) => window.shop.tokenizeWallet({ wallet: "apple_pay", paymentData: d }), applePayToken);
      assert.equal(r.error, undefined, `tokenizeWallet failed: ${r.error?.code}`);
      assert.ok(/^tok_[A-Za-z0-9]{22}$/.test(r.result.token), "a vault token");
      assert.deepEqual({ ...r.result, token: undefined, card: { ...r.result.card, fingerprint: undefined } }, {
        token: undefined,
        card: { brand: "visa", last4: "5556", exp_month: 12, exp_year: EXP_YEAR, fingerprint: undefined },
        wallet: "apple_pay",
        auth_method: "CRYPTOGRAM_3DS",
      });
      const text = JSON.stringify(r.result) + log.join("\n") + (await page.evaluate(() => document.documentElement.outerHTML));
      clean(text, "the result, console and DOM");
      assert.ok(!text.includes(APPLE_CRYPTOGRAM), "the cryptogram reached the page");
      // The merchant's server reads the token back; one Apple Pay
      // transaction is one token: the same paymentData again is refused.
      const meta = await (await fetch(`${edge.url}/v1/tokens/${r.result.token}`, { headers: { authorization: `Bearer ${edge.sk}` } })).json();
      assert.equal(meta.card.last4, "5556");
      assert.equal(meta.single_use, undefined, "a token the page asked for is reusable, as direct mode's");
      const again = await page.evaluate((d) => window.shop.tokenizeWallet({ wallet: "apple_pay", paymentData: d }), applePayToken);
      assert.equal(again.error?.code, "replayed", `the same token again: ${again.error?.code ?? "a second vault token"}`);
    } finally {
      await page.close();
    }
  });

  test("an Apple Pay token the edge cannot open is refused with a wallet code", async () => {
    const { page } = await openPage("/wallet.html");
    try {
      // A well-formed EC_v1 paymentData whose signature no Apple
      // certificate made: the edge must refuse it, whatever Apple Pay
      // support it has.
      const paymentData = {
        version: "EC_v1",
        data: Buffer.from("not a real ciphertext").toString("base64"),
        signature: Buffer.from("not a real signature").toString("base64"),
        header: { ephemeralPublicKey: Buffer.alloc(91, 1).toString("base64"), publicKeyHash: Buffer.alloc(32, 2).toString("base64"), transactionId: "ab".repeat(32) },
      };
      const r = await page.evaluate((d) => window.shop.tokenizeWallet({ wallet: "apple_pay", paymentData: d }), paymentData);
      assert.equal(r.error?.name, "SealpayError", `tokenizeWallet resolved with ${r.result ? "a vault token" : "nothing"}`);
      assert.match(r.error.code, /^wallet_/);
    } finally {
      await page.close();
    }
  });

  test("a Google Pay token from the page's own session becomes a vault token", async () => {
    const { page } = await openPage("/wallet.html");
    try {
      const wallets = await (await fetch(`${edge.url}/v1/wallets`, { headers: { authorization: `Bearer ${edge.pk}`, origin: merchant.origin } })).json();
      const token = ecv2Token({ root, merchantId: GOOGLE_MERCHANT_ID, publicKey: wallets.google_pay.public_key, card: { pan: PAN, expirationMonth: 12, expirationYear: EXP_YEAR, authMethod: "PAN_ONLY" } });
      const r = await page.evaluate((t) => window.shop.tokenizeWallet({ wallet: "google_pay", paymentData: t }), token);
      assert.equal(r.error, undefined, `tokenizeWallet failed: ${r.error?.code}`);
      assert.equal(r.result.wallet, "google_pay");
      assert.equal(r.result.card.last4, "5556");
      clean(JSON.stringify(r.result), "the result");
    } finally {
      await page.close();
    }
  });
});
