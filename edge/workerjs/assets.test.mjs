// Tests of assets.mjs with a fake ASSETS binding (node --test
// edge/workerjs/); the shared suite checks the real Worker under wrangler
// against the native server (edge/edgetest/assets.go).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { Assets, assetName, assetTypes, queryValue } from "./assets.mjs";

const files = {
  "sealpay.js": "/* snippet */",
  "sealpay.wasm": "\0asm module bytes",
  "frame.html": "<!doctype html>",
};
const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const digests = Object.fromEntries(Object.entries(files).map(([name, body]) => [name, sha256(body)]));
const etag = (name) => `"${digests[name].slice(0, 32)}"`;

/** fakeBinding serves files at /v1/{name} and records the requests it got. */
function fakeBinding(overrides = {}) {
  const b = { requests: [] };
  b.fetch = async (input) => {
    const req = new Request(input);
    b.requests.push(req);
    const name = new URL(req.url).pathname.slice(4);
    if (name in overrides) return new Response("nope", { status: overrides[name] });
    if (!(name in files)) return new Response("not found", { status: 404 });
    return new Response(files[name], { headers: { "Content-Type": "application/octet-stream", ETag: '"cf-own"' } });
  };
  return b;
}

const get = (path, init) => new Request("https://edge.example" + path, init);

test("an asset comes with the native server's headers and the binding's bytes", async () => {
  const env = { ASSETS: fakeBinding() };
  const res = await new Assets(digests).serve(get("/v1/sealpay.js", { headers: { Range: "bytes=0-1", "If-None-Match": '"other"' } }), env);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), files["sealpay.js"]);
  assert.deepEqual(Object.fromEntries(res.headers), {
    "access-control-allow-origin": "*",
    "cache-control": "public, max-age=300, must-revalidate",
    "content-type": "text/javascript; charset=utf-8",
    "cross-origin-resource-policy": "cross-origin",
    etag: etag("sealpay.js"),
    "x-content-type-options": "nosniff",
  });
  // The binding got a plain GET for the whole file: no Range, no conditional.
  assert.equal(env.ASSETS.requests.length, 1);
  const sent = env.ASSETS.requests[0];
  assert.equal(new URL(sent.url).pathname, "/v1/sealpay.js");
  assert.equal(sent.method, "GET");
  assert.deepEqual([...sent.headers], []);
});

test("a versioned URL is cached for a year", async () => {
  const res = await new Assets(digests).serve(get("/v1/sealpay.wasm?v=abc"), { ASSETS: fakeBinding() });
  assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(res.headers.get("content-type"), "application/wasm");
});

test("a matching If-None-Match gives 304 without a body or Content-Type, and no asset fetch", async () => {
  const env = { ASSETS: fakeBinding() };
  const res = await new Assets(digests).serve(get("/v1/sealpay.js", { headers: { "If-None-Match": etag("sealpay.js") } }), env);
  assert.equal(res.status, 304);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("content-type"), null);
  assert.equal(res.headers.get("etag"), etag("sealpay.js"));
  assert.equal(env.ASSETS.requests.length, 0);
});

test("HEAD answers the headers without fetching the file", async () => {
  const env = { ASSETS: fakeBinding() };
  const res = await new Assets(digests).serve(get("/v1/sealpay.js", { method: "HEAD" }), env);
  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("etag"), etag("sealpay.js"));
  assert.equal(env.ASSETS.requests.length, 0);
});

test("everything else is left to Go", () => {
  const assets = new Assets(digests);
  const env = { ASSETS: fakeBinding() };
  for (const [what, req, e] of [
    ["frame.html (its policy comes from the configuration)", get("/v1/frame.html?key=pk_x"), env],
    ["an API route", get("/v1/keys"), env],
    ["POST", get("/v1/sealpay.js", { method: "POST", body: "{}" }), env],
    ["OPTIONS", get("/v1/sealpay.js", { method: "OPTIONS" }), env],
    ["a file without a digest", get("/v1/frame.js"), env],
    ["an unknown name", get("/v1/sri.json"), env],
    ["a deeper path", get("/v1/x/sealpay.js"), env],
    ["a trailing slash", get("/v1/sealpay.js/"), env],
    ["no ASSETS binding", get("/v1/sealpay.js"), {}],
  ]) {
    assert.equal(assets.serve(req, e), null, what);
  }
  assert.equal(env.ASSETS.requests.length, 0);
});

test("a digest that is not 64 hex digits is ignored", () => {
  const assets = new Assets({ "sealpay.js": "ABC", "sealpay.wasm": digests["sealpay.wasm"].toUpperCase() });
  const env = { ASSETS: fakeBinding() };
  assert.equal(assets.serve(get("/v1/sealpay.js"), env), null);
  assert.equal(assets.serve(get("/v1/sealpay.wasm"), env), null);
});

test("a file the binding lost is an error, not an empty answer", async () => {
  const env = { ASSETS: fakeBinding({ "sealpay.js": 404 }) };
  await assert.rejects(new Assets(digests).serve(get("/v1/sealpay.js"), env), /sealpay\.js answered 404/);
});

test("the types are those of edge/assets.go, without frame.html", () => {
  assert.equal(assetTypes["frame.html"], undefined);
  for (const [name, type] of Object.entries(assetTypes)) {
    assert.equal(type, name.endsWith(".wasm") ? "application/wasm" : "text/javascript; charset=utf-8", name);
  }
  assert.equal(Object.keys(assetTypes).length, 7);
});

test("assetName decodes the name as Go's router does", () => {
  for (const [path, want] of [
    ["/v1/sealpay.js", "sealpay.js"],
    ["/v1/sealpay%2Ejs", "sealpay.js"],
    ["/v1/sealpay%2", ""],
    ["/v1/a/b", ""],
    ["/v2/sealpay.js", ""],
    ["/sealpay.js", ""],
  ]) {
    assert.equal(assetName(path), want, path);
  }
});

test("queryValue reads a query as Go's url.ParseQuery does", () => {
  for (const [raw, want] of [
    ["v=1", "1"],
    ["x=1&v=2", "2"],
    ["%76=1", "1"],
    ["v=+", " "],
    ["v=a+b%20c", "a b c"],
    ["v=%ff", "\xff"],
    ["v", ""],
    ["v=", ""],
    ["v=&v=1", ""],
    ["V=1", undefined],
    ["v=1;x=2", undefined],
    ["x=1;y=2&v=3", "3"],
    ["v=%zz", undefined],
    ["v=%zz&v=2", "2"],
    ["v%=1", undefined],
    ["&&v=1&", "1"],
    ["", undefined],
  ]) {
    assert.equal(queryValue(raw, "v"), want, raw);
  }
});
