// Test helpers: fresh copies of the built package (module state is per
// copy), and a minimal browser stand-in (window, document, fetch) that
// records what the package does with it.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

let n = 0;
const dist = new URL("../dist/", import.meta.url);

/** fresh imports a new instance of a built entry, e.g. "esm/pure.mjs". */
export function fresh(entry) {
  return import(new URL(`${entry}?copy=${++n}`, dist).href);
}

/**
 * bundleSource bundles an internal source file for direct tests. Each call
 * with fresh set gets its own instance (module state is per instance).
 */
export async function bundleSource(file, { fresh = false } = {}) {
  const r = await build({
    entryPoints: [fileURLToPath(new URL(`../src/${file}`, import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    logLevel: "silent",
    define: { __SEALPAY_VERSION__: '"test"' },
  });
  const code = r.outputFiles[0].text + (fresh ? `\n// copy ${++n}\n` : "");
  return import("data:text/javascript;base64," + Buffer.from(code).toString("base64"));
}

/** fakeBrowser installs window, document and fetch; call the result to remove them. */
export function fakeBrowser({ origin = "https://shop.example", fetch } = {}) {
  const listeners = new Map();
  const appended = [];
  const posted = [];
  const makeElement = (tag) => {
    const el = {
      tagName: tag.toUpperCase(),
      style: {},
      attributes: {},
      children: [],
      setAttribute(k, v) { this.attributes[k] = v; },
      appendChild(c) { this.children.push(c); appended.push(c); c.parent = this; return c; },
      remove() { if (this.parent) this.parent.children = this.parent.children.filter((x) => x !== this); this.removed = true; },
    };
    if (tag === "iframe") {
      el.contentWindow = { postMessage: (data, target) => posted.push({ data, target }) };
    }
    return el;
  };
  const body = makeElement("body");
  const head = makeElement("head");
  const mountPoint = makeElement("div");
  const win = {
    location: { origin },
    addEventListener(type, fn) { (listeners.get(type) ?? listeners.set(type, new Set()).get(type)).add(fn); },
    removeEventListener(type, fn) { listeners.get(type)?.delete(fn); },
  };
  const doc = {
    body,
    head,
    createElement: makeElement,
    querySelector: (sel) => (sel === "#card" ? mountPoint : null),
  };
  const saved = { window: globalThis.window, document: globalThis.document, fetch: globalThis.fetch };
  globalThis.window = win;
  globalThis.document = doc;
  const calls = [];
  globalThis.fetch = async (url, init) => {
    calls.push({ url: String(url), init });
    if (!fetch) throw new Error("no fetch in this test");
    return fetch(String(url), init, calls.length);
  };
  const restore = () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete globalThis[k];
      else globalThis[k] = v;
    }
  };
  /** dispatch sends a message event to the window's listeners. */
  const dispatch = (ev) => {
    for (const fn of listeners.get("message") ?? []) fn(ev);
  };
  return { restore, calls, posted, appended, mountPoint, dispatch, listeners };
}

/** jsonResponse builds a fetch Response. */
export function jsonResponse(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export const keySet = { keys: [{ kty: "OKP", crv: "X25519", use: "enc", kid: "k1", x: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }], merchant: "m_demo" };
