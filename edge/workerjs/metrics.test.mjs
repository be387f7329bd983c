// Tests of metrics.mjs (node --test edge/workerjs/); the entry's use of
// it under wrangler dev is tested by edge/worker_test.go (TestWorkerMetrics).
import assert from "node:assert/strict";
import { test } from "node:test";
import { binding, dataPoint, write } from "./metrics.mjs";

test("a point in Analytics Engine's layout", () => {
  for (const [name, point, status, want] of [
    ["success", "POST /v1/tokens\n\n\n\n3.25", 201,
      { indexes: ["POST /v1/tokens"], blobs: ["POST /v1/tokens", "201", "", "", ""], doubles: [3.25, 201] }],
    ["refusal", "POST /v1/tokens\nrate_limited\nblocked\nclient_cards\n0.5", 429,
      { indexes: ["POST /v1/tokens"], blobs: ["POST /v1/tokens", "429", "rate_limited", "blocked", "client_cards"], doubles: [0.5, 429] }],
    ["unknown path", "/\nnot_found\n\n\n0", 404,
      { indexes: ["/"], blobs: ["/", "404", "not_found", "", ""], doubles: [0, 404] }],
  ]) {
    assert.deepEqual(dataPoint(point, status), want, name);
  }
  for (const bad of ["", "POST /v1/tokens", "a\nb\nc\nd", "a\nb\nc\nd\ne\nf", "\n\n\n\n1", "r\n\n\n\nsoon"]) {
    assert.equal(dataPoint(bad, 200), null, JSON.stringify(bad));
  }
});

test("within Analytics Engine's limits", () => {
  // https://developers.cloudflare.com/analytics/analytics-engine/limits/:
  // at most 20 blobs (16 KB in all), 20 doubles, one index of at most 96 bytes.
  const p = dataPoint("DELETE /v1/tokens/{token}\nidempotency_in_progress\nblocked\nclient_failures\n20000", 409);
  assert.ok(p.blobs.length <= 20 && p.doubles.length <= 20 && p.indexes.length === 1);
  assert.ok(new TextEncoder().encode(p.indexes[0]).length <= 96);
  assert.ok(p.blobs.reduce((n, b) => n + new TextEncoder().encode(b).length, 0) <= 16 << 10);
});

test("write", () => {
  const written = [];
  const env = { [binding]: { writeDataPoint: (p) => written.push(p) } };
  write(env, "GET /v1/keys\n\n\n\n1", 200);
  write(env, "", 200); // Go sent none
  write(env, undefined, 200);
  write({}, "GET /v1/keys\n\n\n\n1", 200); // no binding
  write(undefined, "GET /v1/keys\n\n\n\n1", 200);
  assert.deepEqual(written, [{ indexes: ["GET /v1/keys"], blobs: ["GET /v1/keys", "200", "", "", ""], doubles: [1, 200] }]);
  // A throwing dataset never fails the request.
  const errors = console.error;
  console.error = () => {};
  try {
    write({ [binding]: { writeDataPoint: () => { throw new Error("quota"); } } }, "GET /v1/keys\n\n\n\n1", 200);
  } finally {
    console.error = errors;
  }
});
