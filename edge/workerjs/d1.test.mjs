// Tests of d1.mjs's wire conversions (node --test edge/workerjs/); the
// real D1 is tested under wrangler dev by edge/worker_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import { column } from "./d1.mjs";

test("column values in wire form", () => {
  const bytes = [0, 1, 127, 128, 255];
  const b64 = Buffer.from(bytes).toString("base64");
  for (const [name, v, want] of [
    ["null", null, null],
    ["integer", 42, 42],
    ["real", 1.5, 1.5],
    ["text", "tok_x", "tok_x"],
    ["empty text", "", ""],
    ["blob as an array", bytes, { $b: b64 }],
    ["blob as an ArrayBuffer", new Uint8Array(bytes).buffer, { $b: b64 }],
    ["blob as a view", new Uint8Array([9, ...bytes, 9]).subarray(1, 6), { $b: b64 }],
    ["empty blob", new ArrayBuffer(0), { $b: "" }],
  ]) {
    assert.deepEqual(column(v), want, name);
  }
  assert.throws(() => column({ a: 1 }), TypeError);
});
