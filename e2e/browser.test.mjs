// The browser SDK in headless Chromium against a real edge (`sealpay
// serve`), with the merchant's pages on another origin (another loopback
// port) under strict Content-Security-Policies:
//
//   - hosted fields: the shopper types a card into the edge's frame, the
//     page gets a token, and the number is in no request, response,
//     message, DOM or storage the merchant's page can reach;
//   - the merchant page's CSP has no unsafe-eval / wasm-unsafe-eval and no
//     violation fires;
//   - direct mode seals an envelope in the page that the edge tokenizes;
//   - QR verification gives verified / unsigned / rejected, with messages
//     from sdk/qr's table in several languages;
//   - modified copies of the snippet, direct.js, qrdecode.js and frame.js,
//     of wasm_exec.js and of both WebAssembly modules are refused by
//     Subresource Integrity (the snippet and frame.js pin the modules).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch } from "./lib/browser.mjs";
import { createHash } from "node:crypto";
import { GO_ASSETS, JS_ASSETS, ROOT, sriHashes, startEdge } from "./lib/edge.mjs";
import { startMerchant } from "./lib/merchant.mjs";

// A published test card: Stripe's "Visa (debit)" test number
// (https://docs.stripe.com/testing#cards). Its digits are rare enough that
// finding them anywhere means the number leaked.
const NUMBER = "4000056655665556";
const NUMBER_FORMS = [NUMBER, "4000 0566 5566 5556", "4000-0566-5566-5556", "4000\u00a00566\u00a05566\u00a05556"];

// A static Pix code from Banco Central do Brasil's BR Code manual (Manual de
// Padrões para Iniciação do Pix, Anexo II), also in sdk/qr/testdata/emv/pix.json:
// well-formed, from a scheme that carries no signature.
const PIX_STATIC = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";

/** leaks returns the forms of the card number found in text. */
const leaks = (text) => NUMBER_FORMS.filter((f) => text.includes(f));

/**
 * clean fails when text holds the card number. Failures never show a card
 * number, token or envelope: node's assert prints the actual value of a
 * failed equal, deepEqual or match even with a message of its own, so
 * checks on such values go through assert.ok with a message that
 * describes them.
 */
const clean = (text, where) => {
  const found = leaks(text).length;
  assert.ok(found === 0, `${where} holds the card number (${found} of its ${NUMBER_FORMS.length} forms)`);
};

/** safeURL is a URL for a failure message: no query, and no token id or long digit run in the path. */
const safeURL = (u) => {
  let x;
  try {
    x = new URL(u);
  } catch {
    return `(${String(u).length}-character URL)`;
  }
  if (x.protocol !== "http:" && x.protocol !== "https:") return `${x.protocol} URL of ${String(u).length} characters`;
  const path = x.pathname.replace(/tok_[0-9A-Za-z]+/g, "tok_…").replace(/[0-9][0-9 %-]{6,}[0-9]/g, "…");
  return x.origin + path + (x.search ? "?…" : "");
};

/** EXP_YEAR is the expiry year of the cards the tests type or seal: always years ahead of the clock. */
const EXP_YEAR = new Date().getUTCFullYear() + 8;

let merchant, edge, tampered, tamperedModules, tamperedWasmExec, browser;

/** marker prefixes a script with code that records that it ran. */
const marker = (name) => (bytes) => `;(globalThis.__sealpay_tampered=globalThis.__sealpay_tampered||[]).push(${JSON.stringify(name)});\n` + bytes;

/**
 * withCustomSection appends a custom section to a WebAssembly module: still
 * a valid module that runs exactly as before, so only its hash tells it
 * from the genuine one.
 */
const withCustomSection = (bytes) => {
  const name = Buffer.from("sealpay-tampered");
  const body = Buffer.concat([Buffer.from([name.length]), name, Buffer.from("x")]);
  return Buffer.concat([bytes, Buffer.from([0, body.length]), body]);
};

before(async () => {
  merchant = await startMerchant();
  // Three more edges serve modified copies of what the SDK pins: the
  // scripts; the two modules; wasm_exec.js. Each is otherwise genuine,
  // built from the same sources as the first edge.
  const scripts = {};
  // extra.js stays genuine there: scanQR reaches qrdecode.js only through
  // it (a modified extra.js is refused before, as "Failed to load extra.js").
  for (const f of JS_ASSETS.filter((f) => f.endsWith(".js") && f !== "extra.js")) scripts[f] = marker(f);
  // Each is assigned as soon as it is up, so that after() stops whatever
  // started even when another failed.
  const started = await Promise.allSettled([
    startEdge({ origins: [merchant.origin] }).then((e) => (edge = e)),
    startEdge({ origins: [merchant.origin], overrides: scripts }).then((e) => (tampered = e)),
    startEdge({ origins: [merchant.origin], overrides: { "sealpay.wasm": withCustomSection, "sealpay-qr.wasm": withCustomSection } }).then((e) => (tamperedModules = e)),
    startEdge({ origins: [merchant.origin], overrides: { "wasm_exec.js": marker("wasm_exec.js") } }).then((e) => (tamperedWasmExec = e)),
    launch().then((b) => (browser = b)),
  ]);
  const failed = started.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  Object.assign(merchant.vars, {
    EDGE: edge.url,
    PK: edge.pk,
    TAMPERED_EDGE: tampered.url,
    PK_TAMPERED: tampered.pk,
    MODULES_EDGE: tamperedModules.url,
    PK_MODULES: tamperedModules.pk,
    WASMEXEC_EDGE: tamperedWasmExec.url,
    PK_WASMEXEC: tamperedWasmExec.pk,
    SNIPPET_SRI: sriHashes(edge.assets)["sealpay.js"],
    EXTRA_SRI: sriHashes(edge.assets)["extra.js"],
  });
});

after(async () => {
  await Promise.allSettled([browser?.close(), edge?.stop(), tampered?.stop(), tamperedModules?.stop(), tamperedWasmExec?.stop(), merchant?.stop()]);
});

/** openPage opens path on the merchant's origin, recording console messages and every request and response. */
async function openPage(path) {
  const page = await browser.context.newPage();
  const console_ = [];
  const requests = [];
  const responses = [];
  page.on("console", (m) => console_.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => console_.push(`pageerror: ${e.message}`));
  // Pages closed before their records are read reject these promises;
  // the records of a page that is read are complete (it is still open).
  const closed = (e) => ({ closed: String(e) });
  page.on("request", (r) => {
    requests.push(r.allHeaders().catch(closed).then((headers) => ({
      url: r.url(),
      method: r.method(),
      headers,
      postData: r.postData() ?? "",
      frame: r.frame().url(),
    })));
  });
  page.on("response", (r) => {
    responses.push(Promise.all([r.allHeaders().catch(closed), r.body().catch(() => Buffer.alloc(0))]).then(([headers, body]) => ({
      url: r.url(),
      status: r.status(),
      headers,
      body,
    })));
  });
  const doc = await page.goto(merchant.origin + path);
  assert.equal(doc.status(), 200, `GET ${path}`);
  return {
    page,
    doc,
    console: console_,
    requests: () => Promise.all(requests),
    responses: () => Promise.all(responses),
  };
}

/** waitEvent waits until the page's card element has emitted an event of type. */
async function waitEvent(page, type, timeout = 20_000) {
  await page.waitForFunction((t) => window.shop?.events.some((e) => e.type === t) || window.shop?.error, type, { timeout });
  const err = await page.evaluate(() => window.shop.error);
  assert.equal(err, null, `the page failed before the card element's "${type}" event`);
}

describe("hosted fields", () => {
  let p, result, probe, requests, responses, violations, frameValue;

  before(async () => {
    p = await openPage("/hosted.html");
    await waitEvent(p.page, "ready");
    const frame = p.page.frameLocator("#card iframe");
    // Real keystrokes, one at a time, as a shopper types them.
    await frame.locator("#number").pressSequentially(NUMBER);
    await frame.locator("#expiry").pressSequentially("12" + String(EXP_YEAR % 100).padStart(2, "0"));
    await frame.locator("#cvc").pressSequentially("123");
    await frame.locator("#name").pressSequentially("A. Shopper");
    await waitEvent(p.page, "complete");
    frameValue = await frame.locator("#number").inputValue();
    await p.page.click("#pay");
    await p.page.waitForFunction(() => window.shop.result || window.shop.error, null, { timeout: 20_000 });
    result = await p.page.evaluate(() => ({ result: window.shop.result, error: window.shop.error, shown: document.getElementById("result").textContent }));
    probe = await p.page.evaluate(() => window.spy.probe());
    violations = await p.page.evaluate(() => window.watch.violations);
    requests = await p.requests();
    responses = await p.responses();
  });

  after(() => p?.page.close());

  test("the shopper's card becomes a token for the page", async () => {
    assert.equal(result.error, null, `tokenize failed: ${JSON.stringify(result.error)}`);
    assert.ok(/^tok_[A-Za-z0-9]{22}$/.test(result.result.token), `the token has the tok_ shape (${String(result.result.token).length} characters)`);
    clean(JSON.stringify(result.result), "the tokenize result");
    assert.deepEqual({ ...result.result.card, fingerprint: undefined }, { brand: "visa", last4: "5556", exp_month: 12, exp_year: EXP_YEAR, fingerprint: undefined });
    assert.match(result.result.card.fingerprint, /^fp_/);
    // The token stands for this very card: the merchant's server can read its metadata.
    const res = await fetch(`${edge.url}/v1/tokens/${result.result.token}`, { headers: { authorization: `Bearer ${edge.sk}` } });
    assert.equal(res.status, 200);
    const meta = await res.json();
    assert.equal(meta.card.last4, "5556");
    assert.equal(meta.card.brand, "visa");
  });

  test("the number was typed into the frame (the checks below would catch it)", () => {
    // A positive control: the frame, and only the frame, holds the number.
    const typed = frameValue.replace(/\D/g, "");
    assert.ok(typed === NUMBER, `the frame's number field holds ${typed.length} digits, not the typed number`);
  });

  test("the frame posts an envelope, not the number", () => {
    const posts = requests.filter((r) => r.method === "POST" && new URL(r.url).pathname === "/v1/tokens");
    assert.equal(posts.length, 1, `POST /v1/tokens requests: ${posts.length}`);
    const post = posts[0];
    assert.equal(new URL(post.url).origin, edge.url);
    assert.equal(new URL(post.frame).origin, edge.url, "the POST comes from the edge's frame");
    assert.equal(post.headers.origin, edge.url);
    const body = JSON.parse(post.postData);
    assert.deepEqual(Object.keys(body), ["envelope"]);
    assert.ok(/^sp1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(body.envelope), `the envelope has the sp1 shape (${String(body.envelope).length} characters)`);
    const header = JSON.parse(Buffer.from(body.envelope.split(".")[1], "base64url").toString());
    assert.equal(header.mid, edge.merchant);
    assert.equal(header.aud, merchant.origin);
    // Response bodies were recorded (the scan below reads them): the edge's answer holds the token.
    const answer = responses.find((r) => r.url === post.url && r.status === 201);
    assert.ok(answer?.body.toString().includes(result.result.token), "the 201 answer to POST /v1/tokens was recorded");
  });

  test("no request or response of the page or its frames carries the number", () => {
    assert.ok(requests.length >= 8, `only ${requests.length} requests recorded`);
    for (const r of requests) {
      const text = [r.url, r.postData, ...Object.entries(r.headers).flat()].join("\n");
      clean(text, `${r.method} ${safeURL(r.url)} (from ${safeURL(r.frame)})`);
    }
    for (const r of responses) {
      clean(r.body.toString("latin1"), `response body of ${safeURL(r.url)}`);
      clean(Object.entries(r.headers).flat().join("\n"), `response headers of ${safeURL(r.url)}`);
    }
  });

  test("the merchant page's script cannot reach into the frame", () => {
    const t = probe.tries;
    assert.deepEqual(t["frames[0].document"], { ok: false, error: "SecurityError" });
    assert.deepEqual(t["iframe.contentWindow.document"], { ok: false, error: "SecurityError" });
    assert.deepEqual(t["frames[0].number input"], { ok: false, error: "SecurityError" });
    assert.deepEqual(t["frames[0].location.href"], { ok: false, error: "SecurityError" });
    assert.equal(t["iframe.contentDocument"].ok, false, "contentDocument of a cross-origin frame is null");
  });

  test("no DOM, text, input or storage of the page holds the number", () => {
    for (const [where, text] of Object.entries({ html: probe.html, text: probe.text, inputs: probe.values.join("\n"), storage: probe.storage })) {
      clean(text, where);
    }
    assert.ok(probe.text.includes("ending 5556"), "the page shows what it may: brand and last 4");
  });

  test("the page's message listener sees the token and no number", async () => {
    const msgs = await p.page.evaluate(() => window.spy.messages);
    assert.ok(msgs.length >= 5, `only ${msgs.length} messages seen`);
    for (const [i, m] of msgs.entries()) {
      assert.equal(m.origin, edge.url, "only the edge's frame posts to the page");
      clean(m.data, `message ${i} (${m.data.length} characters)`);
    }
    const withToken = msgs.filter((m) => m.data.includes(result.result.token));
    assert.equal(withToken.length, 1, "one message carries the token");
    const tokenMsg = JSON.parse(withToken[0].data);
    assert.equal(tokenMsg.type, "result");
    assert.deepEqual(Object.keys(tokenMsg.value).sort(), ["card", "token"]);
    assert.deepEqual(Object.keys(tokenMsg.value.card).sort(), ["brand", "exp_month", "exp_year", "fingerprint", "last4"]);
  });

  test("the page's strict CSP holds and nothing violated it", async () => {
    const csp = p.doc.headers()["content-security-policy"];
    assert.match(csp, /script-src 'self' 'sha384-[A-Za-z0-9+/=]+' 'sha384-[A-Za-z0-9+/=]+';/);
    assert.doesNotMatch(csp, /unsafe-eval|wasm-unsafe-eval|unsafe-inline/);
    assert.doesNotMatch(csp.match(/script-src[^;]*/)[0], /http/, "no host allowed to run scripts: only the snippet's and extra.js's hashes");
    assert.deepEqual(violations, []);
    assert.deepEqual(merchant.reports.filter((r) => r["document-uri"]?.endsWith("/hosted.html")), []);
    assert.deepEqual(p.console.filter((c) => /Content Security Policy|integrity/i.test(c)), []);
  });

  test("the frame is styled under style-src 'self' and only this page may embed it", async () => {
    const frameDoc = responses.find((r) => r.url.startsWith(`${edge.url}/v1/frame.html?`));
    assert.ok(frameDoc, "the page loaded the frame");
    const csp = frameDoc.headers["content-security-policy"];
    assert.match(csp, /(^|; )style-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, new RegExp(`frame-ancestors ${merchant.origin.replace(/[.]/g, "\\.")}$`));
    // The constructed style sheets apply: no inline style is needed.
    const frame = p.page.frames().find((f) => f.url().startsWith(`${edge.url}/v1/frame.html?`));
    const style = await frame.evaluate(() => {
      const s = getComputedStyle(document.getElementById("number"));
      return { sheets: document.adoptedStyleSheets.length, padding: s.paddingTop, radius: s.borderTopLeftRadius };
    });
    assert.ok(style.sheets >= 1, "the frame adopted its style sheets");
    assert.deepEqual({ padding: style.padding, radius: style.radius }, { padding: "8px", radius: "4px" });
  });

  test("a frame for another origin or an unknown key cannot be embedded", async () => {
    for (const [name, origin, key] of [
      ["another origin", "https://other.example", edge.pk],
      ["an unknown key", merchant.origin, "pk_UNKNOWN"],
    ]) {
      const src = `${edge.url}/v1/frame.html?${new URLSearchParams({ origin, key, channel: "0123456789abcdef01234567", mode: "card", locale: "en" })}`;
      const refused = p.page.waitForEvent("console", { predicate: (m) => /frame-ancestors 'none'/.test(m.text()), timeout: 10_000 });
      await p.page.evaluate((u) => {
        const f = document.createElement("iframe");
        f.src = u;
        document.body.append(f);
      }, src);
      await refused.catch(() => assert.fail(`${name}: Chromium did not refuse the frame under frame-ancestors 'none'`));
    }
  });
});

describe("direct mode", () => {
  test("seal in a page whose CSP allows wasm-unsafe-eval; the edge tokenizes the envelope", async () => {
    const { page, console: log } = await openPage("/direct.html");
    try {
      const sealed = await page.evaluate(([n, y]) => window.shop.seal({ number: n, exp_month: 12, exp_year: y, cvc: "123" }), [NUMBER, EXP_YEAR]);
      assert.equal(sealed.error, undefined, `seal failed: ${JSON.stringify(sealed.error)} ${log.join("\n")}`);
      const parts = sealed.envelope.split(".");
      assert.equal(parts[0], "sp1");
      assert.equal(parts.length, 4);
      const header = JSON.parse(Buffer.from(parts[1], "base64url").toString());
      assert.equal(header.mid, edge.merchant, "the merchant id comes from GET /v1/keys?key=pk_…");
      assert.equal(header.aud, merchant.origin);
      assert.equal(header.exp - header.iat, 600);
      assert.equal(Buffer.from(parts[2], "base64url").length, 32, "enc is an X25519 public key");
      // On failure, the answer's error code: a 201's body holds a token.
      const first = await page.evaluate((env) => window.shop.tokenize(env), sealed.envelope);
      assert.equal(first.status, 201, `tokenize: ${first.body?.error?.code}`);
      assert.equal(first.body.card.last4, "5556");
      const again = await page.evaluate((env) => window.shop.tokenize(env), sealed.envelope);
      assert.equal(again.status, 409, `tokenize again: ${again.body?.error?.code}`);
      assert.equal(again.body.error.code, "replayed");
      assert.deepEqual(await page.evaluate(() => window.watch.violations), []);
    } finally {
      await page.close();
    }
  });

  test("seal refuses a card the module rejects, with its code", async () => {
    const { page } = await openPage("/direct.html");
    try {
      const bad = await page.evaluate((y) => window.shop.seal({ number: "4000056655665557", exp_month: 12, exp_year: y }), EXP_YEAR);
      assert.deepEqual({ name: bad.error?.name, code: bad.error?.code }, { name: "SealpayError", code: "invalid_card_number" });
      clean(bad.error.message, "the error message");
      const past = await page.evaluate((n) => window.shop.seal({ number: n, exp_month: 1, exp_year: 2020 }), NUMBER);
      assert.equal(past.error?.code, "card_expired");
    } finally {
      await page.close();
    }
  });

  test("without wasm-unsafe-eval the module is refused and the violation is seen", async () => {
    const { page } = await openPage("/nowasm.html");
    try {
      const r = await page.evaluate(([n, y]) => window.shop.seal({ number: n, exp_month: 12, exp_year: y }), [NUMBER, EXP_YEAR]);
      assert.equal(r.error?.name, "SealpayError");
      assert.equal(r.error.code, "upstream_error");
      assert.match(r.error.message, /^Failed to load sealpay\.wasm/);
      assert.match(r.error.message, /wasm-unsafe-eval/, "the message says what to do");
      const v = await page.evaluate(() => window.watch.violations);
      assert.deepEqual(v.map((x) => [x.directive, x.blocked]), [["script-src", "wasm-eval"]]);
      // The violation listener and the report endpoint both work: the empty
      // lists of the hosted-fields test are not an accident.
      await waitFor(() => merchant.reports.some((r) => r["document-uri"]?.endsWith("/nowasm.html")));
    } finally {
      await page.close();
    }
  });
});

describe("QR verification", () => {
  let page, signed, table;

  before(async () => {
    ({ page } = await openPage("/hosted.html"));
    signed = (await edge.cli("qr", "sign", "--key", "shop-qr.jwk", "--cert", `registry/certs/${edge.merchant}.json`,
      "--amount", "49.90", "--currency", "BRL", "--ref", "ORDER-1", "--city", "SAO PAULO", "--country", "BR", "--png", "signed.png")).trim();
    merchant.serve("/signed.png", "image/png", readFileSync(join(edge.dir, "signed.png")));
    table = qrMessages();
  });

  after(() => page?.close());

  const verify = (payload, options) => page.evaluate(([p, o]) => window.shop.verifyQR(p, o), [payload, options]);

  test("the CRC helper agrees with sdk/qr", () => {
    assert.equal(withCRC(signed), signed);
    assert.equal(withCRC(PIX_STATIC), PIX_STATIC);
  });

  const cases = () => [
    { name: "signed by a certified merchant", payload: signed, status: "verified", codes: [] },
    { name: "a Pix code without signature", payload: PIX_STATIC, status: "unsigned", codes: ["qr_unsigned"] },
    { name: "amount changed, CRC recomputed", payload: withCRC(signed.replace("540549.90", "540599.90")), status: "rejected", codes: ["qr_bad_signature"] },
    { name: "one character changed, CRC not", payload: signed.replace("ORDER-1", "ORDER-2"), status: "rejected", codes: ["qr_bad_crc"] },
  ];

  for (const lang of ["en", "ja", "de", "pt-BR"]) {
    test(`verdicts in ${lang}`, async () => {
      for (const c of cases()) {
        const v = await verify(c.payload, { lang });
        assert.equal(v.error, undefined, `${c.name}: ${JSON.stringify(v.error)}`);
        assert.equal(v.status, c.status, `${c.name}: status`);
        assert.deepEqual(v.reasons.map((r) => r.code), c.codes, `${c.name}: reason codes`);
        assert.equal(v.lang, lang);
        for (const r of v.reasons) assert.equal(r.message, table[r.code][lang], `${c.name}: message of ${r.code} in ${lang}`);
        const headline = table[`headline.${c.status}`][lang]
          .replace("{merchant}", v.merchant ?? "")
          .replace("{reason}", v.reasons[0]?.message ?? "");
        assert.equal(v.headline, headline, `${c.name}: headline in ${lang}`);
        if (c.status === "verified") {
          assert.deepEqual([v.merchant, v.merchant_id, v.amount, v.currency], ["Shop Example", edge.merchant, "49.90", "BRL"]);
        }
      }
    });
  }

  test("the languages' texts differ", async () => {
    for (const c of cases()) {
      const headlines = new Set();
      for (const lang of ["en", "ja", "de", "pt-BR"]) headlines.add((await verify(c.payload, { lang })).headline);
      assert.equal(headlines.size, 4, `${c.name}: ${[...headlines].join(" | ")}`);
    }
  });

  test("a code for another amount than the checkout expects is rejected", async () => {
    const v = await verify(signed, { lang: "en", expect: { amount: "10.00", currency: "BRL" } });
    assert.equal(v.status, "rejected");
    assert.ok(v.reasons.some((r) => r.code === "qr_mismatch"), JSON.stringify(v.reasons));
  });

  test("the edge's POST /v1/qr/verify gives the same verdicts", async () => {
    for (const c of cases()) {
      const res = await fetch(`${edge.url}/v1/qr/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ payload: c.payload, lang: "ja" }) });
      const v = await res.json();
      const b = await verify(c.payload, { lang: "ja" });
      assert.deepEqual([v.status, v.headline], [b.status, b.headline], c.name);
    }
  });

  test("scanQR reads the rendered code with the SRI-pinned decoder", async () => {
    const { page: direct } = await openPage("/direct.html");
    try {
      const r = await direct.evaluate(() => window.shop.scanQR("/signed.png"));
      assert.deepEqual(r, { text: signed });
    } finally {
      await direct.close();
    }
  });
});

describe("Subresource Integrity", () => {
  test("a modified snippet does not run", async () => {
    const { page, console: log } = await openPage("/tampered-snippet.html");
    try {
      await page.waitForLoadState("load");
      const state = await page.evaluate(() => ({ sealpay: typeof window.Sealpay, tampered: window.__sealpay_tampered ?? null, watch: window.watch }));
      assert.deepEqual({ sealpay: state.sealpay, tampered: state.tampered }, { sealpay: "undefined", tampered: null });
      assert.deepEqual(state.watch.loadErrors, [{ tag: "SCRIPT", src: `${tampered.url}/v1/sealpay.js` }]);
      assert.deepEqual(state.watch.violations, [], "the CSP allowed it; SRI refused it");
      assert.ok(log.some((l) => /integrity/.test(l) && l.includes("/v1/sealpay.js")), `no integrity error in the console:\n${log.join("\n")}`);
    } finally {
      await page.close();
    }
  });

  test("a modified direct.js does not run and seal rejects", async () => {
    const { page, console: log } = await openPage("/tampered-assets.html");
    try {
      const r = await page.evaluate(([n, y]) => window.shop.seal({ number: n, exp_month: 12, exp_year: y }), [NUMBER, EXP_YEAR]);
      assert.deepEqual(r.error, { name: "SealpayError", code: "upstream_error", message: "Failed to load direct.js" });
      assert.deepEqual(await page.evaluate(() => [window.__sealpay_tampered ?? null, typeof window.__sealpay_direct]), [null, "undefined"]);
      assert.ok(log.some((l) => /integrity/.test(l) && byAddress(l, "direct.js")), log.join("\n"));
    } finally {
      await page.close();
    }
  });

  test("a modified qrdecode.js does not run and scanQR rejects", async () => {
    const { page, console: log } = await openPage("/tampered-assets.html");
    try {
      const r = await page.evaluate(() => window.shop.scanQR("/signed.png"));
      assert.deepEqual(r.error, { name: "SealpayError", code: "upstream_error", message: "Failed to load qrdecode.js" });
      assert.deepEqual(await page.evaluate(() => [window.__sealpay_tampered ?? null, typeof window.__sealpay_qrdecode]), [null, "undefined"]);
      assert.ok(log.some((l) => /integrity/.test(l) && byAddress(l, "qrdecode.js")), log.join("\n"));
    } finally {
      await page.close();
    }
  });

  test("a modified frame.js does not run in the frame", async () => {
    const { page, console: log } = await openPage("/tampered-assets.html");
    try {
      const iframe = await page.waitForSelector("#card iframe", { state: "attached" });
      const frame = await iframe.contentFrame();
      await frame.waitForLoadState("load");
      assert.equal(new URL(frame.url()).origin, tampered.url);
      // Privileged look inside the frame: the script never ran.
      const inside = await frame.evaluate(() => ({ tampered: window.__sealpay_tampered ?? null, hidden: document.body.hidden }));
      assert.deepEqual(inside, { tampered: null, hidden: true });
      assert.ok(log.some((l) => /integrity/.test(l) && byAddress(l, "frame.js")), log.join("\n"));
    } finally {
      await page.close();
    }
  });

  test("a modified wasm_exec.js does not run and seal rejects", async () => {
    const { page, console: log } = await openPage("/tampered-wasmexec.html");
    try {
      const r = await page.evaluate(([n, y]) => window.shop.seal({ number: n, exp_month: 12, exp_year: y }), [NUMBER, EXP_YEAR]);
      assert.deepEqual(r.error, { name: "SealpayError", code: "upstream_error", message: "Failed to load wasm_exec.js" });
      assert.deepEqual(await page.evaluate(() => [window.__sealpay_tampered ?? null, typeof window.Go]), [null, "undefined"]);
      assert.ok(log.some((l) => /integrity/.test(l) && byAddress(l, "wasm_exec.js")), log.join("\n"));
    } finally {
      await page.close();
    }
  });

  test("a modified wasm_exec.js does not run in the frame, which reports an error", async () => {
    const { page } = await openPage("/tampered-wasmexec.html");
    try {
      // The fields show (ready); the refused download is reported, tried
      // once more, and reported again.
      await page.waitForFunction(() => window.shop?.events.filter((e) => e.type === "error").length >= 2, null, { timeout: 20_000 });
      const events = await page.evaluate(() => window.shop.events);
      const refused = { type: "error", code: "upstream_error", message: "Failed to load wasm_exec.js" };
      assert.deepEqual(events.filter((e) => e.type === "error" || e.type === "ready"), [{ type: "ready" }, refused, refused]);
      const frame = await (await page.waitForSelector("#card iframe", { state: "attached" })).contentFrame();
      assert.equal(new URL(frame.url()).origin, tamperedWasmExec.url);
      assert.deepEqual(await frame.evaluate(() => [window.__sealpay_tampered ?? null, typeof window.Go]), [null, "undefined"]);
    } finally {
      await page.close();
    }
  });

  test("a modified card module is refused in direct mode", async () => {
    const { page, console: log } = await openPage("/tampered-modules.html");
    try {
      const r = await page.evaluate(([n, y]) => window.shop.seal({ number: n, exp_month: 12, exp_year: y }), [NUMBER, EXP_YEAR]);
      assert.deepEqual(r.error, { name: "SealpayError", code: "upstream_error", message: "Failed to load sealpay.wasm" });
      assert.equal(await page.evaluate(() => typeof window.__sealpay_card), "undefined", "the module never ran");
      assert.ok(log.some((l) => /integrity/.test(l) && byAddress(l, "sealpay.wasm")), log.join("\n"));
    } finally {
      await page.close();
    }
  });

  test("a modified card module is refused by the frame", async () => {
    const { page } = await openPage("/tampered-modules.html");
    try {
      // The fields show (ready); the refused download is reported, tried
      // once more, and reported again.
      await page.waitForFunction(() => window.shop?.events.filter((e) => e.type === "error").length >= 2, null, { timeout: 20_000 });
      const events = await page.evaluate(() => window.shop.events);
      const refused = { type: "error", code: "upstream_error", message: "Failed to load sealpay.wasm" };
      assert.deepEqual(events.filter((e) => e.type === "error" || e.type === "ready"), [{ type: "ready" }, refused, refused]);
    } finally {
      await page.close();
    }
  });

  test("a modified QR module is refused by the frame and verifyQR rejects", async () => {
    const { page } = await openPage("/tampered-modules.html");
    try {
      const v = await page.evaluate((p) => window.shop.verifyQR(p, { lang: "en" }), PIX_STATIC);
      assert.deepEqual(v.error, { name: "SealpayError", code: "upstream_error", message: "Failed to load sealpay-qr.wasm" });
    } finally {
      await page.close();
    }
  });

  test("the tampered edges really serve different bytes, and the modules still are valid WebAssembly", async () => {
    // Guards the tests above: without a difference they would prove nothing.
    const get = (u, f) => fetch(`${u}/v1/${f}`).then(async (r) => Buffer.from(await r.arrayBuffer()));
    for (const [bad, files] of [[tampered, ["sealpay.js", "direct.js", "qrdecode.js", "frame.js"]], [tamperedWasmExec, ["wasm_exec.js"]]]) {
      for (const f of files) {
        const [g, b] = await Promise.all([get(edge.url, f), get(bad.url, f)]);
        assert.ok(!g.equals(b), f);
        assert.ok(b.toString().includes("__sealpay_tampered"), f);
      }
    }
    for (const f of ["sealpay.wasm", "sealpay-qr.wasm"]) {
      const [g, b] = await Promise.all([get(edge.url, f), get(tamperedModules.url, f)]);
      assert.ok(!g.equals(b), f);
      assert.ok(WebAssembly.validate(b), `the modified ${f} is a valid module: only its hash can refuse it`);
      assert.notEqual(sri(b), sriHashes(edge.assets)[f]);
    }
  });

  test("the modules and wasm_exec.js are byte-identical for every edge", async () => {
    // Four edges, four registries with their own roots: the modules do not
    // change, so the snippet's pins fit every deployment; frame.js differs.
    const all = [edge, tampered, tamperedModules, tamperedWasmExec];
    for (const f of GO_ASSETS) {
      const hashes = new Set(all.map((e) => sriHashes(e.assets)[f]));
      assert.equal(hashes.size, 1, `${f}: ${[...hashes].join(" ")}`);
      assert.equal(sri(readFileSync(join(edge.assets, f))), sriHashes(edge.assets)[f]);
    }
    assert.equal(new Set(all.map((e) => sriHashes(e.assets)["sealpay.js"])).size, 1, "sealpay.js is the same everywhere");
    assert.equal(new Set(all.map((e) => sriHashes(e.assets)["frame.js"])).size, all.length, "each frame.js pins its edge's roots");
  });
});

/** byAddress reports whether a console line names file by its content-addressed URL (/v1/c/{digest}/file). */
function byAddress(line, file) {
  return new RegExp(`/v1/c/[A-Za-z0-9_-]{64}/${file.replace(".", "\\.")}`).test(line);
}

/** sri returns the Subresource Integrity value of bytes. */
function sri(bytes) {
  return "sha384-" + createHash("sha384").update(bytes).digest("base64");
}

/** waitFor polls cond for up to 30 s: a bound on a hang, not a measure (Chromium sends CSP reports in the background). */
async function waitFor(cond) {
  for (const end = Date.now() + 30_000; !cond(); ) {
    if (Date.now() > end) assert.fail("condition not met within 30 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** crc16 is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as EMVCo MPM uses it, upper-case hex. */
function crc16(s) {
  let crc = 0xffff;
  for (const b of Buffer.from(s, "utf8")) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, "0");
}

/** withCRC recomputes a payload's CRC (object 63, last). */
function withCRC(payload) {
  const head = payload.slice(0, payload.lastIndexOf("6304") + 4);
  return head + crc16(head);
}

/**
 * qrMessages reads sdk/qr's message table (messages.go) into
 * {key: {lang: text}}, with errcode constants resolved to their codes.
 */
function qrMessages() {
  const consts = {};
  for (const m of readFileSync(join(ROOT, "sdk", "errcode", "errcode.go"), "utf8").matchAll(/^\s*(\w+)\s+Code\s*=\s*"([a-z_]+)"/gm)) consts[m[1]] = m[2];
  const src = readFileSync(join(ROOT, "sdk", "qr", "messages.go"), "utf8");
  const body = src.slice(src.indexOf("var messages = map[string]map[string]string{"));
  const table = {};
  for (const m of body.matchAll(/^\t(?:"([^"]+)"|string\(errcode\.(\w+)\)): \{\n((?:\t\t.*\n)+?)\t\},/gm)) {
    const key = m[1] ?? consts[m[2]];
    table[key] = {};
    for (const l of m[3].matchAll(/^\t\t"([A-Za-z-]+)":\s+(".*"),$/gm)) table[key][l[1]] = JSON.parse(l[2]);
  }
  for (const k of ["headline.verified", "headline.unsigned", "headline.rejected", "qr_unsigned", "qr_bad_signature", "qr_bad_crc"]) {
    assert.equal(Object.keys(table[k] ?? {}).length, 12, `sdk/qr message table: ${k} has no 12 languages`);
  }
  return table;
}
