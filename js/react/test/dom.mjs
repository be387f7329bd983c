// Test helpers: a jsdom window as the page (installed as the globals React
// DOM and @sealpay/js use), a count of its `message` listeners, and a
// stand-in for the two things outside this package: the edge's
// GET /v1/keys (a fetch that answers a key set) and the hosted frame's side
// of the postMessage protocol (js/src/protocol.ts), which tests drive by
// hand. The real edge and frame are exercised in Chromium by
// e2e/frameworks.test.mjs.
import { JSDOM } from "jsdom";

export const EDGE = "https://edge.test";
export const KEY = "pk_test_react";
export const keySet = { keys: [{ kty: "OKP", crv: "X25519", use: "enc", kid: "k1", x: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }], merchant: "m_demo" };

/** installDOM makes a jsdom page the global window; returns counters and helpers. */
export function installDOM() {
  const dom = new JSDOM('<!doctype html><html><body><div id="root"></div></body></html>', { url: "https://shop.test/checkout", pretendToBeVisual: true });
  const w = dom.window;
  const listeners = { active: new Set(), added: 0, removed: 0 };
  const add = w.addEventListener.bind(w);
  const remove = w.removeEventListener.bind(w);
  w.addEventListener = (type, fn, opts) => {
    if (type === "message") {
      listeners.added++;
      listeners.active.add(fn);
    }
    return add(type, fn, opts);
  };
  w.removeEventListener = (type, fn, opts) => {
    if (type === "message" && listeners.active.delete(fn)) listeners.removed++;
    return remove(type, fn, opts);
  };
  for (const k of ["window", "document", "navigator", "HTMLElement", "Element", "Node", "MessageEvent", "MutationObserver"]) {
    Object.defineProperty(globalThis, k, { configurable: true, writable: true, value: k === "window" ? w : w[k] });
  }
  globalThis.IS_REACT_ACT_ENVIRONMENT = true;
  const fetches = [];
  globalThis.fetch = async (url) => {
    fetches.push(String(url));
    const u = new URL(String(url));
    if (u.origin === EDGE && u.pathname === "/v1/keys" && u.searchParams.get("key") === KEY) {
      return new Response(JSON.stringify(keySet), { status: 200, headers: { "content-type": "application/json" } });
    }
    return new Response('{"error":{"code":"unauthorized","message":"unknown key"}}', { status: 401 });
  };
  return { window: w, document: w.document, listeners, fetches };
}

/** iframes returns the page's iframes on the edge, card frames first. */
export function iframes(mode = "card") {
  return [...document.querySelectorAll("iframe")].filter((f) => new URL(f.src).searchParams.get("mode") === mode);
}

/**
 * frame takes the frame side of one iframe: commands posts what the page
 * sent it, emit sends it an event, answer a command's result.
 */
export function frame(iframe) {
  const url = new URL(iframe.src);
  const channel = url.searchParams.get("channel");
  const commands = [];
  const waiters = [];
  iframe.contentWindow.postMessage = (data, target) => {
    commands.push({ data, target });
    for (const w of waiters.splice(0)) w();
  };
  const emit = (event) => {
    window.dispatchEvent(new window.MessageEvent("message", {
      data: { sealpay: 1, channel, ...event },
      origin: url.origin,
      source: iframe.contentWindow,
    }));
  };
  return {
    url,
    commands,
    emit,
    /** next resolves with the next command the page posts. */
    next: () => new Promise((r) => waiters.push(() => r(commands[commands.length - 1]))),
    answer: (id, value) => emit({ type: "result", id, ok: true, value }),
    fail: (id, error) => emit({ type: "result", id, ok: false, error }),
  };
}

/** settle lets pending promises (the load, React's effects) run. */
export const settle = () => new Promise((r) => setTimeout(r, 0));
