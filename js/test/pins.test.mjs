// Module loading fails closed: a script whose module hashes were never
// filled in (the committed dist/, before js/scripts/build-wasm.mjs) loads
// nothing, and a filled one fetches every file against its hash.
import assert from "node:assert/strict";
import { test } from "node:test";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { fakeBrowser } from "./helpers.mjs";

/** bundle bundles src/direct.ts with the pins placeholder replaced by pins (undefined: left as the build leaves it). */
async function bundleDirect(pins) {
  const r = await build({
    entryPoints: [fileURLToPath(new URL("../src/direct.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    logLevel: "silent",
    define: {
      __SEALPAY_VERSION__: '"test"',
      __SEALPAY_MODULE_PINS__: JSON.stringify(pins === undefined ? "@@sealpay:module-pins@@" : JSON.stringify(pins)),
    },
  });
  return import("data:text/javascript;base64," + Buffer.from(r.outputFiles[0].text).toString("base64"));
}

const hash = (c) => "sha384-" + c.repeat(64);
const sealRequest = { keys: { keys: [] }, card: {}, merchant_id: "m", origin: "https://shop.example", ttl: 600 };

test("an unfilled build loads no module", async () => {
  const direct = await bundleDirect(undefined);
  const b = fakeBrowser({ fetch: () => assert.fail("fetched without hashes") });
  try {
    await assert.rejects(direct.seal("https://edge.example", sealRequest), { name: "SealpayError", code: "internal", message: /no module hashes/ });
    assert.deepEqual(b.appended, [], "no script was added");
    assert.deepEqual(b.calls, []);
  } finally {
    b.restore();
  }
});

test("a build missing one file's hash loads nothing", async () => {
  for (const pins of [{ "sealpay.wasm": hash("A") }, { "wasm_exec.js": hash("A") }, { "wasm_exec.js": hash("A"), "sealpay.wasm": "sha256-x" }]) {
    const direct = await bundleDirect(pins);
    const b = fakeBrowser({ fetch: () => assert.fail("fetched without a hash") });
    try {
      await assert.rejects(direct.seal("https://edge.example", sealRequest), { code: "internal", message: /no hash for/ }, JSON.stringify(pins));
      assert.deepEqual(b.appended, []);
    } finally {
      b.restore();
    }
  }
});

test("wasm_exec.js and the module are fetched against their hashes", async () => {
  const pins = { "wasm_exec.js": hash("E"), "sealpay.wasm": hash("C") };
  const direct = await bundleDirect(pins);
  const b = fakeBrowser({ fetch: async () => new Response("tampered", { status: 200 }) });
  globalThis.WebAssembly ??= WebAssembly;
  try {
    const sealing = direct.seal("https://edge.example", sealRequest);
    // The loader adds wasm_exec.js as a script with the pinned hash; the
    // browser would refuse it on a mismatch. Here it "loads" and defines Go.
    await new Promise((r) => setTimeout(r, 0));
    const script = b.appended.find((e) => e.tagName === "SCRIPT");
    assert.ok(script, "a script element was added");
    // Both come from their content-addressed URLs: the hash's bytes in base64url.
    const addressed = (file, pin) => `https://edge.example/v1/c/${Buffer.from(pin.slice(7), "base64").toString("base64url")}/${file}`;
    assert.deepEqual([script.src, script.integrity, script.crossOrigin], [addressed("wasm_exec.js", pins["wasm_exec.js"]), pins["wasm_exec.js"], "anonymous"]);
    globalThis.Go = class { importObject = {}; run() { return new Promise(() => {}); } };
    script.onload();
    // The fake fetch ignores integrity; the module then fails to compile.
    await assert.rejects(sealing, { code: "upstream_error", message: /^Failed to load sealpay\.wasm/ });
    assert.deepEqual(b.calls.map((c) => [c.url, c.init.integrity, c.init.credentials]), [[addressed("sealpay.wasm", pins["sealpay.wasm"]), pins["sealpay.wasm"], "same-origin"]]);
  } finally {
    delete globalThis.Go;
    b.restore();
  }
});
