// @sealpay/react in a jsdom page: the frame is mounted once the provider
// has loaded Sealpay, every card element event reaches its prop, tokenize
// goes through the mounted frame, unmounting (and StrictMode's double
// mount) leaves no frame and no message listener, and hydration of the
// server's HTML matches.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EDGE, KEY, frame, iframes, installDOM, settle } from "./dom.mjs";

const page = installDOM();
const React = await import("react");
const { act, createElement: h, StrictMode, useEffect } = React;
const { createRoot, hydrateRoot } = await import("react-dom/client");
const { renderToString } = await import("react-dom/server");
const { SealpayProvider, CardElement, useSealpay, useCardElement } = await import("../dist/index.js");
const { SealpayUsageError } = await import("@sealpay/js");

const options = { edge: EDGE, key: KEY, locale: "en" };
const TOKEN = { token: "tok_" + "a".repeat(22), card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2031, fingerprint: "fp_x" }, extra: "dropped" };

/** render mounts an element into a new container; returns it and its root. */
async function render(el) {
  const container = document.createElement("div");
  document.body.appendChild(container);
  const root = createRoot(container);
  await act(async () => root.render(el));
  await act(settle);
  return { container, root, unmount: async () => { await act(async () => root.unmount()); container.remove(); } };
}

/** Probe exposes the hook's result to the test. */
function Probe({ out }) {
  const api = useSealpay();
  const card = useCardElement();
  useEffect(() => { out.api = api; out.card = card; });
  return null;
}

const clean = () => {
  assert.equal(iframes().length, 0, "a card frame is left in the page");
  assert.equal(page.listeners.active.size, 0, "a message listener is left on window");
};

test("renders one frame from the edge, with the options in its URL", async () => {
  const style = { base: { fontSize: "16px", color: "#1f2328" } };
  const r = await render(h(SealpayProvider, { options }, h(CardElement, { id: "card", className: "field", style, options: { hideName: true, locale: "ja" } })));
  const frames = iframes();
  assert.equal(frames.length, 1);
  const f = frames[0];
  assert.equal(f.parentElement.id, "card");
  assert.equal(f.parentElement.className, "field");
  const u = new URL(f.src);
  assert.equal(u.origin + u.pathname, `${EDGE}/v1/frame.html`);
  assert.equal(u.searchParams.get("origin"), "https://shop.test");
  assert.equal(u.searchParams.get("key"), KEY);
  assert.equal(u.searchParams.get("locale"), "ja");
  assert.equal(u.searchParams.get("hide_name"), "1");
  assert.deepEqual(JSON.parse(u.searchParams.get("style")), style);
  assert.equal(page.listeners.active.size, 1);
  assert.deepEqual(page.fetches, [`${EDGE}/v1/keys?key=${KEY}`]);
  await r.unmount();
  clean();
});

test("every card element event reaches its prop, the latest handler", async () => {
  const seen = [];
  const props = (tag) => ({
    onReady: (e) => seen.push([tag, "ready", e]),
    onChange: (e) => seen.push([tag, "change", e]),
    onFocus: (e) => seen.push([tag, "focus", e]),
    onBlur: (e) => seen.push([tag, "blur", e]),
    onComplete: (e) => seen.push([tag, "complete", e]),
    onError: (e) => seen.push([tag, "error", e]),
  });
  const r = await render(h(SealpayProvider, { options }, h(CardElement, props("first"))));
  const fr = frame(iframes()[0]);
  await act(async () => {
    fr.emit({ type: "ready", version: "0.1.0" });
    fr.emit({ type: "change", complete: false, empty: false, brand: "visa", error: { code: "invalid_card_number", message: "Your card number is invalid." } });
    fr.emit({ type: "focus", field: "number" });
    fr.emit({ type: "blur", field: "number" });
    fr.emit({ type: "complete", brand: "visa" });
    fr.emit({ type: "error", error: { code: "bad_request", message: "style: fontSize refused" } });
  });
  assert.deepEqual(seen, [
    ["first", "ready", {}],
    ["first", "change", { complete: false, empty: false, brand: "visa", error: { code: "invalid_card_number", message: "Your card number is invalid." } }],
    ["first", "focus", { field: "number" }],
    ["first", "blur", { field: "number" }],
    ["first", "complete", { brand: "visa" }],
    ["first", "error", { code: "bad_request", message: "style: fontSize refused" }],
  ]);
  // New handlers on a re-render are used without a new frame.
  const before = iframes()[0];
  await act(async () => r.root.render(h(SealpayProvider, { options }, h(CardElement, props("second")))));
  assert.equal(iframes()[0], before, "a new handler must not remount the frame");
  await act(async () => fr.emit({ type: "complete", brand: "mastercard" }));
  assert.deepEqual(seen.at(-1), ["second", "complete", { brand: "mastercard" }]);
  // A message from another origin or another window is ignored.
  await act(async () => window.dispatchEvent(new window.MessageEvent("message", { data: { sealpay: 1, channel: fr.url.searchParams.get("channel"), type: "complete", brand: "amex" }, origin: "https://evil.test", source: before.contentWindow })));
  assert.equal(seen.length, 7);
  await r.unmount();
  clean();
});

test("useSealpay().tokenize goes through the mounted frame and keeps only the token and card", async () => {
  const out = {};
  const r = await render(h(SealpayProvider, { options }, h(CardElement), h(Probe, { out })));
  assert.ok(out.api.sealpay, "Sealpay is loaded");
  assert.equal(out.api.loading, false);
  assert.equal(out.card, out.api.card);
  assert.equal(typeof out.card.focus, "function");
  const fr = frame(iframes()[0]);
  const posted = fr.next();
  const result = out.api.tokenize({ save: true });
  fr.emit({ type: "ready", version: "0.1.0" });
  const { data, target } = await posted;
  assert.equal(target, EDGE);
  assert.deepEqual(data.command, { type: "tokenize", save: true });
  fr.answer(data.id, TOKEN);
  assert.deepEqual(await result, { token: TOKEN.token, card: TOKEN.card });
  // A refused card rejects with the frame's code.
  const again = fr.next();
  const refused = out.api.tokenize();
  const cmd = await again;
  assert.deepEqual(cmd.data.command, { type: "tokenize" });
  fr.fail(cmd.data.id, { code: "invalid_card_number", message: "Your card number is invalid." });
  await assert.rejects(refused, { name: "SealpayError", code: "invalid_card_number" });
  await r.unmount();
  clean();
});

test("tokenize without a mounted <CardElement> says so; hooks outside a provider throw", async () => {
  const out = {};
  const r = await render(h(SealpayProvider, { options }, h(Probe, { out })));
  await assert.rejects(out.api.tokenize(), (e) => e instanceof SealpayUsageError && /no <CardElement> is mounted/.test(e.message));
  // seal and verifyQR reach the loaded Sealpay (its own checks answer).
  await assert.rejects(out.api.seal(null), (e) => e instanceof SealpayUsageError && /seal\(card\)/.test(e.message));
  await assert.rejects(out.api.verifyQR(42), (e) => e instanceof SealpayUsageError && /verifyQR\(payload\)/.test(e.message));
  await r.unmount();
  const root = createRoot(document.createElement("div"), { onUncaughtError: (e) => errors.push(e) });
  await assert.rejects(async () => act(async () => root.render(h(CardElement))), (e) => e instanceof SealpayUsageError && /<CardElement> must be used inside <SealpayProvider>/.test(e.message));
  clean();
});

test("unmounting removes the frame and its message listener", async () => {
  const added = page.listeners.added;
  const r = await render(h(SealpayProvider, { options }, h(CardElement)));
  assert.equal(iframes().length, 1);
  assert.equal(page.listeners.added - added, 1);
  await r.unmount();
  clean();
  assert.equal(page.listeners.added, page.listeners.removed);
});

test("StrictMode's double mount leaves one frame and one listener, and none after unmount", async () => {
  const added = page.listeners.added;
  const removed = page.listeners.removed;
  const seen = [];
  const tree = (card) => h(StrictMode, null, h(SealpayProvider, { options }, card ? h(CardElement, { onComplete: (e) => seen.push(e) }) : null));
  // The provider loads first; then the checkout step shows the card
  // fields, which StrictMode mounts, unmounts and mounts again.
  const r = await render(tree(false));
  await act(async () => r.root.render(tree(true)));
  assert.equal(page.listeners.added - added, 2);
  assert.equal(page.listeners.removed - removed, 1);
  assert.equal(iframes().length, 1);
  assert.equal(page.listeners.active.size, 1);
  // The frame left standing is the live one.
  await act(async () => frame(iframes()[0]).emit({ type: "complete", brand: "visa" }));
  assert.deepEqual(seen, [{ brand: "visa" }]);
  await r.unmount();
  clean();
});

test("new options mount a new frame in place of the old one", async () => {
  const r = await render(h(SealpayProvider, { options }, h(CardElement, { style: { base: { color: "#111111" } } })));
  const first = iframes()[0];
  // The same options in a new object: no remount.
  await act(async () => r.root.render(h(SealpayProvider, { options: { ...options } }, h(CardElement, { style: { base: { color: "#111111" } } }))));
  assert.equal(iframes()[0], first);
  await act(async () => r.root.render(h(SealpayProvider, { options }, h(CardElement, { style: { base: { color: "#222222" } } }))));
  const frames = iframes();
  assert.equal(frames.length, 1);
  assert.notEqual(frames[0], first);
  assert.equal(JSON.parse(new URL(frames[0].src).searchParams.get("style")).base.color, "#222222");
  assert.equal(page.listeners.active.size, 1);
  await r.unmount();
  clean();
});

test("Sealpay is loaded once per page, whatever the number of providers", async () => {
  const outA = {};
  const outB = {};
  const r = await render(h("div", null, h(SealpayProvider, { options }, h(Probe, { out: outA })), h(SealpayProvider, { options: { ...options } }, h(Probe, { out: outB }))));
  assert.equal(outA.api.sealpay, outB.api.sealpay);
  assert.equal(page.fetches.length, 1, "GET /v1/keys once for the whole page");
  await r.unmount();
  // Other options than the first load's are a usage error, reported by the hook.
  const out = {};
  const r2 = await render(h(SealpayProvider, { options: { ...options, locale: "de" } }, h(Probe, { out })));
  assert.equal(out.api.sealpay, null);
  assert.ok(out.api.error instanceof SealpayUsageError);
  assert.match(out.api.error.message, /already called with different options/);
  await r2.unmount();
});

test("hydrating the server's HTML matches, then mounts the frame", async () => {
  const tree = () => h(SealpayProvider, { options }, h("p", null, "Card"), h(CardElement, { id: "card" }));
  const html = renderToString(tree());
  assert.equal(html, "<p>Card</p>");
  const container = document.createElement("div");
  container.innerHTML = html;
  document.body.appendChild(container);
  const problems = [];
  let root;
  await act(async () => {
    root = hydrateRoot(container, tree(), { onRecoverableError: (e) => problems.push(e) });
  });
  await act(settle);
  assert.deepEqual(problems, []);
  assert.equal(container.querySelector("#card iframe")?.tagName, "IFRAME");
  await act(async () => root.unmount());
  clean();
});

// Last: verifyQR's hidden frame belongs to the loaded Sealpay and stays
// for the page's life (as without the wrapper).
test("useSealpay().verifyQR waits for the load and asks the QR frame", async () => {
  const out = {};
  const r = await render(h(SealpayProvider, { options }, h(Probe, { out })));
  const verdict = out.api.verifyQR("00020101021229370016A000000677010111", { lang: "ja", expect: { amount: "12.50" } });
  await act(settle);
  const [core] = iframes("core");
  assert.ok(core, "the QR frame is in the page");
  const fr = frame(core);
  const posted = fr.next();
  fr.emit({ type: "ready", version: "0.1.0" });
  const { data } = await posted;
  assert.deepEqual(data.command, { type: "verifyQR", payload: "00020101021229370016A000000677010111", expect: { amount: "12.50" }, lang: "ja" });
  const answer = { status: "unsigned", headline: "署名がありません", reasons: [{ code: "qr_unsigned", message: "…" }], lang: "ja" };
  fr.answer(data.id, answer);
  assert.deepEqual(await verdict, answer);
  await r.unmount();
  assert.equal(iframes().length, 0, "no card frame is left");
});
