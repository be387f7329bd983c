import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeBrowser, fresh, jsonResponse, keySet } from "./helpers.mjs";

const opts = { edge: "https://edge.example", key: "pk_test_abc" };

test("resolves null on the server without touching the network", async () => {
  const { load } = await fresh("esm/pure.mjs");
  let fetched = false;
  const saved = globalThis.fetch;
  globalThis.fetch = () => { fetched = true; throw new Error("no"); };
  try {
    assert.equal(typeof window, "undefined");
    assert.equal(await load(opts), null);
    assert.equal(fetched, false);
  } finally {
    globalThis.fetch = saved;
  }
});

test("misuse throws a usage error that says what to do", async () => {
  const { load, SealpayUsageError } = await fresh("esm/pure.mjs");
  const cases = [
    [undefined, /needs options/],
    [{ edge: "https://edge.example" }, /"key" option is missing/],
    [{ ...opts, key: "sk_live_secret" }, /secret key/],
    [{ ...opts, key: "tok_123" }, /publishable key, "pk_…"/],
    [{ key: opts.key }, /"edge" option is missing/],
    [{ ...opts, edge: "http://edge.example" }, /https origin/],
    [{ ...opts, edge: "https://edge.example/v1" }, /https origin with no path/],
    [{ ...opts, locale: "xx-YY" }, /unsupported locale/],
    [{ ...opts, merchant: "m 1" }, /merchant id/],
  ];
  for (const [o, re] of cases) {
    assert.throws(() => load(o), (e) => e instanceof SealpayUsageError && re.test(e.message), `load(${JSON.stringify(o)})`);
  }
  // The secret key never appears in the message.
  assert.throws(() => load({ ...opts, key: "sk_live_secret" }), (e) => !e.message.includes("sk_live_secret"));
});

test("accepts http on loopback and a trailing slash", async () => {
  const { load } = await fresh("esm/pure.mjs");
  assert.equal(await load({ edge: "http://127.0.0.1:8787/", key: "pk_test_abc" }), null);
});

test("memoizes one promise and refuses different options", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { load, SealpayUsageError } = await fresh("esm/pure.mjs");
    const p1 = load(opts);
    const p2 = load({ ...opts });
    assert.equal(p1, p2);
    const sp = await p1;
    assert.ok(sp);
    assert.equal(typeof sp.cardElement, "function");
    assert.equal(b.calls.length, 1);
    assert.match(b.calls[0].url, /^https:\/\/edge\.example\/v1\/keys\?key=pk_test_abc$/);
    assert.equal(b.calls[0].init.credentials, "omit");
    assert.throws(() => load({ ...opts, locale: "ja" }), SealpayUsageError);
    assert.equal(await load(opts), sp);
  } finally {
    b.restore();
  }
});

test("forgets a failed load so the caller can retry", async () => {
  let attempt = 0;
  const b = fakeBrowser({
    fetch: () => {
      attempt++;
      if (attempt === 1) throw new TypeError("network down");
      return jsonResponse(200, keySet);
    },
  });
  try {
    const { load, SealpayError } = await fresh("esm/pure.mjs");
    await assert.rejects(load(opts), (e) => {
      assert.ok(e instanceof SealpayError);
      assert.equal(e.code, "upstream_error");
      assert.match(e.message, /Failed to load Sealpay keys/);
      assert.ok(e.cause instanceof TypeError);
      return true;
    });
    // A retry may even use other options: the failed promise is gone.
    const sp = await load(opts);
    assert.ok(sp);
    assert.equal(attempt, 2);
  } finally {
    b.restore();
  }
});

test("passes the edge's error code through", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(401, { error: { code: "unauthorized", message: "edge: unknown publishable key" } }) });
  try {
    const { load } = await fresh("esm/pure.mjs");
    await assert.rejects(load(opts), { code: "unauthorized" });
  } finally {
    b.restore();
  }
});

test("refuses an empty key set", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, { keys: [] }) });
  try {
    const { load } = await fresh("esm/pure.mjs");
    await assert.rejects(load(opts), { code: "upstream_error", message: /empty key set/ });
  } finally {
    b.restore();
  }
});

test("index and pure share one memo", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const copy = await fresh("esm/index.mjs");
    const pure = await import("../dist/esm/pure.mjs");
    assert.equal(copy.loadSealpay, pure.load);
    assert.equal(copy.load, pure.load);
  } finally {
    b.restore();
  }
});
