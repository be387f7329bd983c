import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeBrowser, fresh, jsonResponse, keySet } from "./helpers.mjs";

const opts = { edge: "https://edge.example", key: "pk_test_abc", locale: "ja" };

async function mounted(b, elementOpts) {
  const { load, SealpayUsageError } = await fresh("esm/pure.mjs");
  const sp = await load(opts);
  const card = sp.cardElement(elementOpts);
  card.mount("#card");
  const iframe = b.mountPoint.children[0];
  const channel = new URL(iframe.src).searchParams.get("channel");
  return { sp, card, iframe, channel, SealpayUsageError };
}

test("the frame URL names the parent origin, key, locale and channel", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { iframe } = await mounted(b, { style: { base: { fontSize: "16px" } } });
    const u = new URL(iframe.src);
    assert.equal(u.origin + u.pathname, "https://edge.example/v1/frame.html");
    assert.equal(u.searchParams.get("origin"), "https://shop.example");
    assert.equal(u.searchParams.get("key"), "pk_test_abc");
    assert.equal(u.searchParams.get("locale"), "ja");
    assert.equal(u.searchParams.get("mode"), "card");
    assert.match(u.searchParams.get("channel"), /^[0-9a-f]{24}$/);
    assert.deepEqual(JSON.parse(u.searchParams.get("style")), { base: { fontSize: "16px" } });
  } finally {
    b.restore();
  }
});

test("events are accepted only from the edge origin and the frame's window", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { card, iframe, channel } = await mounted(b);
    const seen = [];
    card.on("change", (e) => seen.push(e));
    const data = { sealpay: 1, channel, type: "change", complete: false, empty: false, brand: "visa" };
    b.dispatch({ origin: "https://evil.example", source: iframe.contentWindow, data });
    b.dispatch({ origin: "https://edge.example", source: {}, data });
    b.dispatch({ origin: "https://edge.example", source: iframe.contentWindow, data: { ...data, channel: "other" } });
    b.dispatch({ origin: "https://edge.example", source: iframe.contentWindow, data: { ...data, sealpay: 2 } });
    assert.equal(seen.length, 0);
    b.dispatch({ origin: "https://edge.example", source: iframe.contentWindow, data: { ...data, number: "4242424242424242" } });
    // assert.ok first: a failed deepEqual would print the number it guards against.
    assert.ok(!JSON.stringify(seen).includes("4242424242424242"), "a change event passed the card number on");
    assert.deepEqual(seen, [{ complete: false, empty: false, brand: "visa" }]);
  } finally {
    b.restore();
  }
});

test("tokenize sends one command to the edge origin and keeps only token fields", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { card, iframe, channel } = await mounted(b);
    const ev = (data) => b.dispatch({ origin: "https://edge.example", source: iframe.contentWindow, data: { sealpay: 1, channel, ...data } });
    const p = card.tokenize();
    ev({ type: "ready", version: "test" });
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(b.posted.length, 1);
    const { data, target } = b.posted[0];
    assert.equal(target, "https://edge.example");
    assert.equal(data.command.type, "tokenize");
    // A reply from elsewhere is ignored; the real one resolves.
    b.dispatch({ origin: "https://evil.example", source: iframe.contentWindow, data: { sealpay: 1, channel, type: "result", id: data.id, ok: true, value: { token: "tok_" + "E".repeat(22), card: {} } } });
    const token = "tok_" + "a1B2".repeat(5) + "xy";
    ev({ type: "result", id: data.id, ok: true, value: { token, card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030, fingerprint: "fp_x", number: "4242424242424242" }, extra: 1 } });
    const r = await p;
    // assert.ok first: a failed deepEqual would print the number it guards against.
    assert.ok(!JSON.stringify(r).includes("4242424242424242"), "tokenize passed the card number on");
    assert.ok(r.token === token, "tokenize resolved to another token"); // tokens are not printed either
    assert.deepEqual({ ...r, token: undefined }, { token: undefined, card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030, fingerprint: "fp_x" } });
  } finally {
    b.restore();
  }
});

test("tokenize passes save on only when the shopper saves the card", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { card, iframe, channel } = await mounted(b);
    const ev = (data) => b.dispatch({ origin: "https://edge.example", source: iframe.contentWindow, data: { sealpay: 1, channel, ...data } });
    ev({ type: "ready", version: "test" });
    const cases = [
      [undefined, undefined],
      [{}, undefined],
      [{ save: false }, undefined],
      [{ save: true }, true],
    ];
    for (const [options, want] of cases) {
      const before = b.posted.length;
      const p = card.tokenize(options);
      await new Promise((r) => setTimeout(r, 0));
      assert.equal(b.posted.length, before + 1);
      const { data } = b.posted[before];
      assert.equal(data.command.type, "tokenize");
      assert.equal(data.command.save, want, `tokenize(${JSON.stringify(options)}) sent save=${data.command.save}`);
      ev({ type: "result", id: data.id, ok: true, value: { token: "tok_" + "a".repeat(22), card: {} } });
      await p;
    }
    await assert.rejects(card.tokenize({ save: "yes" }), /save must be true or false/);
    await assert.rejects(card.tokenize(null), /options must be an object/);
  } finally {
    b.restore();
  }
});

test("a failed tokenize rejects with the frame's code", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { card, iframe, channel } = await mounted(b);
    const ev = (data) => b.dispatch({ origin: "https://edge.example", source: iframe.contentWindow, data: { sealpay: 1, channel, ...data } });
    ev({ type: "ready", version: "test" });
    const p = card.tokenize();
    await new Promise((r) => setTimeout(r, 0));
    ev({ type: "result", id: b.posted[0].data.id, ok: false, error: { code: "invalid_cvc", message: "セキュリティコードが不完全です。" } });
    await assert.rejects(p, { name: "SealpayError", code: "invalid_cvc" });
  } finally {
    b.restore();
  }
});

test("misuse of the element throws usage errors", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { sp, card, SealpayUsageError } = await mounted(b);
    assert.throws(() => card.mount("#card"), SealpayUsageError);
    assert.throws(() => card.on("submit", () => {}), SealpayUsageError);
    assert.throws(() => card.on("change", "nope"), SealpayUsageError);
    const other = sp.cardElement();
    assert.throws(() => other.mount("#missing"), /no element matches/);
    await assert.rejects(other.tokenize(), /Call "mount" before "tokenize"/);
    assert.throws(() => sp.cardElement({ style: "color:red" }), SealpayUsageError);
    assert.throws(() => sp.cardElement({ locale: "xx" }), SealpayUsageError);
    card.destroy();
    assert.throws(() => card.mount("#card"), /destroyed/);
    assert.equal(b.listeners.get("message").size, 0);
  } finally {
    b.restore();
  }
});

test("seal needs a merchant id", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, { keys: keySet.keys }) });
  try {
    const { load } = await fresh("esm/pure.mjs");
    const sp = await load(opts);
    await assert.rejects(sp.seal({ number: "4242424242424242", exp_month: 12, exp_year: 2030 }), { code: "bad_request", message: /merchant/ });
  } finally {
    b.restore();
  }
});

test("a command to a frame that never becomes ready times out instead of hanging", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { card } = await mounted(b);
    const p = card.tokenize();
    const settled = p.then(() => "resolved", (e) => e);
    await new Promise((r) => setImmediate(r));
    t.mock.timers.tick(59_999);
    await new Promise((r) => setImmediate(r));
    assert.equal(b.posted.length, 0, "no command is posted to a frame that is not ready");
    t.mock.timers.tick(1);
    const e = await settled;
    assert.equal(e?.name, "SealpayError");
    assert.equal(e.code, "upstream_error");
    assert.match(e.message, /never became ready/);
  } finally {
    b.restore();
  }
});

test("the card iframe takes its title, in the shopper's language, from the frame's ready event", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { iframe, channel } = await mounted(b);
    const ev = (origin, data) => b.dispatch({ origin, source: iframe.contentWindow, data: { sealpay: 1, channel, ...data } });
    assert.equal(iframe.title, "Secure card payment input", "an English title until the frame is ready");
    ev("https://evil.example", { type: "ready", version: "test", title: "Not the frame" });
    assert.equal(iframe.title, "Secure card payment input", "a title from another origin was taken");
    ev("https://edge.example", { type: "ready", version: "test", title: "安全なカード決済入力欄" });
    assert.equal(iframe.title, "安全なカード決済入力欄");
    ev("https://edge.example", { type: "ready", version: "test", title: "x".repeat(500) });
    assert.equal(iframe.title.length, 100, "a title is cut at 100 characters");
    ev("https://edge.example", { type: "ready", version: "test", title: 42 });
    assert.equal(iframe.title.length, 100, "a title that is not a string is ignored");
  } finally {
    b.restore();
  }
});
