// The loader's size budget (docs/browser.md, Sizes): the <script> build's
// sealpay.js is at most 5 KB (5,120 bytes) gzip at level 9, as
// scripts/sizes.mjs measures it. The committed dist is a fresh build
// (dist.test.mjs), so this reads the file the edge serves, give or take
// direct.js's hash, which wasm/assets swaps for one of the same length.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gzipSync } from "node:zlib";

const budget = 5 * 1024;

test("sealpay.js stays within its 5 KB gzip budget", () => {
  const bytes = readFileSync(new URL("../dist/browser/sealpay.js", import.meta.url));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  assert.ok(gzip <= budget, `sealpay.js is ${gzip} bytes gzip, over its budget of ${budget} (docs/browser.md, Sizes)`);
});

test("the rarer paths are not in sealpay.js but in extra.js, which it pins", () => {
  const snippet = readFileSync(new URL("../dist/browser/sealpay.js", import.meta.url), "utf8");
  const extra = readFileSync(new URL("../dist/browser/extra.js", import.meta.url), "utf8");
  for (const text of ["tokenizeWallet: pass", "scanQR: pass", "verifyQR(payload)", "update(options): pass"]) {
    assert.ok(!snippet.includes(text), `sealpay.js still carries ${JSON.stringify(text)}`);
    assert.ok(extra.includes(text), `extra.js lacks ${JSON.stringify(text)}`);
  }
});
