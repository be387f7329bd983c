// @sealpay/vue in a jsdom page: the frame is mounted once the provider
// has loaded Sealpay, every card element event is emitted, tokenize goes
// through the mounted frame, unmounting (twice over) leaves no frame and
// no message listener, and hydration of the server's HTML matches.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EDGE, KEY, frame, iframes, installDOM, settle } from "./dom.mjs";

const page = installDOM();
const { createApp, createSSRApp, defineComponent, h, nextTick, ref } = await import("vue");
const { renderToString } = await import("@vue/server-renderer");
const { SealpayProvider, CardElement, useSealpay, useCardElement } = await import("../dist/index.js");
const { SealpayUsageError } = await import("@sealpay/js");

const options = { edge: EDGE, key: KEY, locale: "en" };
const TOKEN = { token: "tok_" + "b".repeat(22), card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2031, fingerprint: "fp_y" }, extra: "dropped" };

const flush = async () => {
  for (let i = 0; i < 3; i++) {
    await settle();
    await nextTick();
  }
};

/** render mounts a root component; returns the app and an unmount. */
async function render(setupRender, { errors } = {}) {
  const container = document.createElement("div");
  document.body.appendChild(container);
  const app = createApp(defineComponent({ setup: () => setupRender }));
  if (errors) app.config.errorHandler = (e) => errors.push(e);
  app.config.warnHandler = (msg) => { throw new Error(`Vue warned: ${msg}`); };
  app.mount(container);
  await flush();
  return { container, app, unmount: async () => { app.unmount(); container.remove(); await flush(); } };
}

/** Probe exposes the composable's result to the test. */
const Probe = defineComponent({
  props: { out: Object },
  setup(props) {
    props.out.api = useSealpay();
    props.out.card = useCardElement();
    return () => null;
  },
});

const provider = (opts, ...children) => h(SealpayProvider, { options: opts }, { default: () => children });

const clean = () => {
  assert.equal(iframes().length, 0, "a card frame is left in the page");
  assert.equal(page.listeners.active.size, 0, "a message listener is left on window");
};

test("renders one frame from the edge, with the options in its URL and the attributes on its div", async () => {
  const style = { base: { fontSize: "16px", color: "#1f2328" } };
  const r = await render(() => provider(options, h(CardElement, { id: "card", class: "field", style, options: { hideName: true, locale: "ja" } })));
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

test("every card element event is emitted", async () => {
  const seen = [];
  const on = Object.fromEntries(["Ready", "Change", "Focus", "Blur", "Complete", "Error"].map((n) => [`on${n}`, (e) => seen.push([n.toLowerCase(), e])]));
  const r = await render(() => provider(options, h(CardElement, on)));
  const fr = frame(iframes()[0]);
  fr.emit({ type: "ready", version: "0.1.0" });
  fr.emit({ type: "change", complete: true, empty: false, brand: "visa" });
  fr.emit({ type: "focus", field: "cvc" });
  fr.emit({ type: "blur", field: "cvc" });
  fr.emit({ type: "complete", brand: "visa" });
  fr.emit({ type: "error", error: { code: "upstream_error", message: "Failed to load sealpay.wasm" } });
  fr.emit({ type: "resize", height: 300 });
  assert.deepEqual(seen, [
    ["ready", {}],
    ["change", { complete: true, empty: false, brand: "visa" }],
    ["focus", { field: "cvc" }],
    ["blur", { field: "cvc" }],
    ["complete", { brand: "visa" }],
    ["error", { code: "upstream_error", message: "Failed to load sealpay.wasm" }],
  ]);
  assert.equal(iframes()[0].style.height, "300px");
  await r.unmount();
  clean();
});

test("useSealpay().tokenize goes through the mounted frame and keeps only the token and card", async () => {
  const out = {};
  const r = await render(() => provider(options, h(CardElement), h(Probe, { out })));
  assert.ok(out.api.sealpay.value, "Sealpay is loaded");
  assert.equal(out.api.loading.value, false);
  assert.equal(out.card.value, out.api.card.value);
  const fr = frame(iframes()[0]);
  const posted = fr.next();
  const result = out.api.tokenize({ save: true });
  fr.emit({ type: "ready", version: "0.1.0" });
  const { data, target } = await posted;
  assert.equal(target, EDGE);
  assert.deepEqual(data.command, { type: "tokenize", save: true });
  fr.answer(data.id, TOKEN);
  assert.deepEqual(await result, { token: TOKEN.token, card: TOKEN.card });
  const again = fr.next();
  const refused = out.api.tokenize();
  const cmd = await again;
  fr.fail(cmd.data.id, { code: "card_expired", message: "Your card has expired." });
  await assert.rejects(refused, { name: "SealpayError", code: "card_expired" });
  await r.unmount();
  clean();
});

test("tokenize without a mounted <CardElement> says so; composables outside a provider throw", async () => {
  const out = {};
  const r = await render(() => provider(options, h(Probe, { out })));
  await assert.rejects(out.api.tokenize(), (e) => e instanceof SealpayUsageError && /no <CardElement> is mounted/.test(e.message));
  await assert.rejects(out.api.seal(null), (e) => e instanceof SealpayUsageError && /seal\(card\)/.test(e.message));
  await assert.rejects(out.api.verifyQR(42), (e) => e instanceof SealpayUsageError && /verifyQR\(payload\)/.test(e.message));
  await r.unmount();
  const errors = [];
  const r2 = await render(() => h(CardElement), { errors });
  // The setup's error (Vue then reports the component it could not render).
  assert.ok(errors[0] instanceof SealpayUsageError, String(errors[0]));
  assert.match(errors[0].message, /<CardElement> must be used inside <SealpayProvider>/);
  assert.equal(iframes().length, 0);
  await r2.unmount();
  clean();
});

test("mounting and unmounting twice leaves no frame and no message listener", async () => {
  const show = ref(true);
  const added = page.listeners.added;
  const r = await render(() => provider(options, show.value ? h(CardElement) : null));
  for (let i = 0; i < 2; i++) {
    assert.equal(iframes().length, 1);
    assert.equal(page.listeners.active.size, 1);
    show.value = false;
    await flush();
    clean();
    show.value = true;
    await flush();
  }
  assert.equal(page.listeners.added - added, 3);
  await r.unmount();
  clean();
  assert.equal(page.listeners.added, page.listeners.removed);
});

test("new options mount a new frame in place of the old one", async () => {
  const color = ref("#111111");
  const r = await render(() => provider({ ...options }, h(CardElement, { style: { base: { color: color.value } } })));
  const first = iframes()[0];
  // A re-render with equal options keeps the frame.
  color.value = "#111111";
  r.app._instance.proxy.$forceUpdate();
  await flush();
  assert.equal(iframes()[0], first);
  color.value = "#222222";
  await flush();
  const frames = iframes();
  assert.equal(frames.length, 1);
  assert.notEqual(frames[0], first);
  assert.equal(JSON.parse(new URL(frames[0].src).searchParams.get("style")).base.color, "#222222");
  assert.equal(page.listeners.active.size, 1);
  await r.unmount();
  clean();
});

test("Sealpay is loaded once per page; other options are reported as an error", async () => {
  const a = {};
  const b = {};
  const r = await render(() => h("div", [provider(options, h(Probe, { out: a })), provider({ ...options }, h(Probe, { out: b }))]));
  assert.ok(a.api.sealpay.value);
  assert.equal(a.api.sealpay.value, b.api.sealpay.value);
  assert.equal(page.fetches.length, 1, "GET /v1/keys once for the whole page");
  await r.unmount();
  const c = {};
  const r2 = await render(() => provider({ ...options, locale: "de" }, h(Probe, { out: c })));
  assert.equal(c.api.sealpay.value, null);
  assert.ok(c.api.error.value instanceof SealpayUsageError);
  await r2.unmount();
});

test("hydrating the server's HTML matches, then mounts the frame", async () => {
  const Root = defineComponent({ setup: () => () => provider(options, h("p", "Card"), h(CardElement, { id: "card" })) });
  const html = await renderToString(createSSRApp(Root));
  assert.equal(html, "<!--[--><p>Card</p><!----><!--]-->");
  const container = document.createElement("div");
  container.innerHTML = html;
  document.body.appendChild(container);
  const app = createSSRApp(Root);
  const warnings = [];
  app.config.warnHandler = (msg) => warnings.push(msg);
  const hydrationErrors = [];
  const orig = console.error;
  console.error = (...a) => hydrationErrors.push(a.join(" "));
  app.mount(container);
  await flush();
  console.error = orig;
  assert.deepEqual(warnings, []);
  assert.deepEqual(hydrationErrors, []);
  assert.equal(container.querySelector("#card iframe")?.tagName, "IFRAME");
  app.unmount();
  await flush();
  clean();
});

// Last: verifyQR's hidden frame belongs to the loaded Sealpay and stays
// for the page's life (as without the wrapper).
test("useSealpay().verifyQR waits for the load and asks the QR frame", async () => {
  const out = {};
  const r = await render(() => provider(options, h(Probe, { out })));
  const verdict = out.api.verifyQR("00020101021229370016A000000677010111", { lang: "ko" });
  await flush();
  const [core] = iframes("core");
  assert.ok(core, "the QR frame is in the page");
  const fr = frame(core);
  const posted = fr.next();
  fr.emit({ type: "ready", version: "0.1.0" });
  const { data } = await posted;
  assert.deepEqual(data.command, { type: "verifyQR", payload: "00020101021229370016A000000677010111", expect: undefined, lang: "ko" });
  const answer = { status: "rejected", headline: "결제하지 마세요", reasons: [{ code: "qr_bad_crc", message: "…" }], lang: "ko" };
  fr.answer(data.id, answer);
  assert.deepEqual(await verdict, answer);
  await r.unmount();
  assert.equal(iframes().length, 0, "no card frame is left");
});
