// Tests of assets.mjs with a fake ASSETS binding (node --test
// edge/workerjs/); the shared suite checks the real Worker under wrangler
// against the native server (edge/edgetest/assets.go).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { Assets, assetPath, assetTypes, codings, negotiate } from "./assets.mjs";

const files = {
  "sealpay.js": "/* snippet */",
  "sealpay.wasm": "\0asm module bytes",
  "frame.html": "<!doctype html>",
};
// What wasm/assets writes: each file, its .br and .gz copies, and the manifest.
const stored = {};
const manifest = { files: {} };
for (const [name, body] of Object.entries(files)) {
  const copies = { identity: Buffer.from(body), br: brotliCompressSync(body), gzip: gzipSync(body) };
  manifest.files[name] = {
    sha256: createHash("sha256").update(body).digest("hex"),
    digest: createHash("sha384").update(body).digest("base64url"),
    codings: Object.fromEntries(Object.entries(copies).map(([c, b]) => [c, b.length])),
  };
  for (const c of codings) stored[name + c.suffix] = copies[c.name];
}
const etag = (name, coding = "identity") => `"${manifest.files[name].sha256.slice(0, 32)}${coding === "identity" ? "" : "-" + coding}"`;
const addressed = (name) => `/v1/c/${manifest.files[name].digest}/${name}`;

/** fakeBinding serves the stored files at /v1/{name} and records the requests it got. */
function fakeBinding(overrides = {}) {
  const b = { requests: [] };
  b.fetch = async (input) => {
    const req = new Request(input);
    b.requests.push(req);
    const name = new URL(req.url).pathname.slice(4);
    if (name in overrides) return new Response("nope", { status: overrides[name] });
    if (!(name in stored)) return new Response("not found", { status: 404 });
    return new Response(stored[name], { headers: { "Content-Type": "application/octet-stream", ETag: '"cf-own"' } });
  };
  return b;
}

const get = (path, init) => new Request("https://edge.example" + path, init);

test("an asset comes with the native server's headers and the binding's bytes", async () => {
  const env = { ASSETS: fakeBinding() };
  const res = await new Assets(manifest).serve(get("/v1/sealpay.js", { headers: { "Accept-Encoding": "identity", Range: "bytes=0-1", "If-None-Match": '"other"' } }), env);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), files["sealpay.js"]);
  assert.deepEqual(Object.fromEntries(res.headers), {
    "access-control-allow-origin": "*",
    "cache-control": "public, max-age=300, must-revalidate",
    "content-length": String(files["sealpay.js"].length),
    "content-type": "text/javascript; charset=utf-8",
    "cross-origin-resource-policy": "cross-origin",
    etag: etag("sealpay.js"),
    vary: "Accept-Encoding",
    "x-content-type-options": "nosniff",
  });
  // The binding got a plain GET for the whole file: no Range, no conditional.
  assert.equal(env.ASSETS.requests.length, 1);
  const sent = env.ASSETS.requests[0];
  assert.equal(new URL(sent.url).pathname, "/v1/sealpay.js");
  assert.equal(sent.method, "GET");
  assert.deepEqual([...sent.headers], []);
});

test("each coding is its own representation, sent as stored", async () => {
  for (const [accept, coding] of [["br, gzip", "br"], ["gzip", "gzip"], ["x-gzip;q=0.5, br;q=0.1", "gzip"], ["zstd", "identity"]]) {
    const env = { ASSETS: fakeBinding() };
    const res = await new Assets(manifest).serve(get("/v1/sealpay.wasm", { headers: { "Accept-Encoding": accept } }), env);
    const suffix = codings.find((c) => c.name === coding).suffix;
    assert.equal(res.status, 200, accept);
    assert.equal(res.headers.get("content-encoding"), coding === "identity" ? null : coding, accept);
    assert.equal(res.headers.get("etag"), etag("sealpay.wasm", coding), accept);
    assert.equal(res.headers.get("content-length"), String(stored["sealpay.wasm" + suffix].length), accept);
    assert.equal(new URL(env.ASSETS.requests[0].url).pathname, "/v1/sealpay.wasm" + suffix, accept);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(stored["sealpay.wasm" + suffix]), `${accept}: the stored bytes`);
  }
});

test("Accept-Encoding is negotiated as edge/contentcoding does (its vectors)", () => {
  const { cases } = JSON.parse(readFileSync(new URL("../contentcoding/testdata/negotiate.json", import.meta.url), "utf8"));
  assert.ok(cases.length > 30);
  for (const tc of cases) {
    const reps = tc.available.map((coding) => ({ coding }));
    // Headers joins repeated fields with ", ".
    const field = tc.accept_encoding === null ? null : tc.accept_encoding.join(", ");
    assert.equal(negotiate(field, reps)?.coding ?? "", tc.want, tc.name);
  }
});

test("no acceptable coding is a 406 in the native server's words", async () => {
  const res = await new Assets(manifest).serve(get("/v1/sealpay.js", { headers: { "Accept-Encoding": "*;q=0" } }), { ASSETS: fakeBinding() });
  assert.equal(res.status, 406);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal((await res.json()).error.code, "not_acceptable");
});

test("a content-addressed URL is cached for a year; another digest is not found", async () => {
  const env = { ASSETS: fakeBinding() };
  const res = await new Assets(manifest).serve(get(addressed("sealpay.wasm")), env);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(res.headers.get("content-type"), "application/wasm");
  const other = await new Assets(manifest).serve(get(`/v1/c/${manifest.files["sealpay.js"].digest}/sealpay.wasm`), env);
  assert.equal(other.status, 404);
  assert.deepEqual(await other.json(), { error: { code: "not_found", message: "edge: not found" } });
  assert.equal(env.ASSETS.requests.length, 1);
});

test("a matching If-None-Match gives 304 without a body or Content-Type, and no asset fetch", async () => {
  const env = { ASSETS: fakeBinding() };
  const res = await new Assets(manifest).serve(get("/v1/sealpay.js", { headers: { "Accept-Encoding": "br", "If-None-Match": etag("sealpay.js", "br") } }), env);
  assert.equal(res.status, 304);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("content-type"), null);
  assert.equal(res.headers.get("etag"), etag("sealpay.js", "br"));
  assert.equal(env.ASSETS.requests.length, 0);
  // Another representation's tag does not match.
  const full = await new Assets(manifest).serve(get("/v1/sealpay.js", { headers: { "Accept-Encoding": "br", "If-None-Match": etag("sealpay.js") } }), env);
  assert.equal(full.status, 200);
});

test("HEAD answers the headers without fetching the file", async () => {
  const env = { ASSETS: fakeBinding() };
  const res = await new Assets(manifest).serve(get("/v1/sealpay.js", { method: "HEAD", headers: { "Accept-Encoding": "gzip" } }), env);
  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("etag"), etag("sealpay.js", "gzip"));
  assert.equal(res.headers.get("content-length"), String(stored["sealpay.js.gz"].length));
  assert.equal(env.ASSETS.requests.length, 0);
});

test("everything else is left to Go", () => {
  const assets = new Assets(manifest);
  const env = { ASSETS: fakeBinding() };
  for (const [what, req, e] of [
    ["frame.html (its policy comes from the configuration)", get("/v1/frame.html?key=pk_x"), env],
    ["an API route", get("/v1/keys"), env],
    ["POST", get("/v1/sealpay.js", { method: "POST", body: "{}" }), env],
    ["OPTIONS", get("/v1/sealpay.js", { method: "OPTIONS" }), env],
    ["a file without a manifest entry", get("/v1/frame.js"), env],
    ["an unknown name", get("/v1/sri.json"), env],
    ["a deeper path", get("/v1/x/sealpay.js"), env],
    ["a trailing slash", get("/v1/sealpay.js/"), env],
    ["no ASSETS binding", get("/v1/sealpay.js"), {}],
  ]) {
    assert.equal(assets.serve(req, e), null, what);
  }
  assert.equal(env.ASSETS.requests.length, 0);
});

test("a manifest entry without a SHA-256 of 64 hex digits is ignored", () => {
  const bad = { files: { "sealpay.js": { ...manifest.files["sealpay.js"], sha256: "ABC" }, "sealpay.wasm": { ...manifest.files["sealpay.wasm"], sha256: manifest.files["sealpay.wasm"].sha256.toUpperCase() } } };
  const assets = new Assets(bad);
  const env = { ASSETS: fakeBinding() };
  assert.equal(assets.serve(get("/v1/sealpay.js"), env), null);
  assert.equal(assets.serve(get("/v1/sealpay.wasm"), env), null);
});

test("a file the binding lost is an error, not an empty answer", async () => {
  const env = { ASSETS: fakeBinding({ "sealpay.js.br": 404 }) };
  await assert.rejects(new Assets(manifest).serve(get("/v1/sealpay.js"), env), /sealpay\.js\.br answered 404/);
});

test("the types are those of edge/assets.go, without frame.html", () => {
  assert.equal(assetTypes["frame.html"], undefined);
  for (const [name, type] of Object.entries(assetTypes)) {
    assert.equal(type, name.endsWith(".wasm") ? "application/wasm" : "text/javascript; charset=utf-8", name);
  }
  assert.equal(Object.keys(assetTypes).length, 9);
});

test("assetPath decodes the path as Go's router does", () => {
  for (const [path, want] of [
    ["/v1/sealpay.js", { name: "sealpay.js" }],
    ["/v1/sealpay%2Ejs", { name: "sealpay.js" }],
    ["/v1/c/abc/sealpay.js", { name: "sealpay.js", digest: "abc" }],
    ["/v1/c/a%62c/sealpay%2Ejs", { name: "sealpay.js", digest: "abc" }],
    ["/v1/sealpay%2", null],
    ["/v1/a/b", null],
    ["/v1/c//sealpay.js", null],
    ["/v1/c/abc/", null],
    ["/v1/c/abc/x/sealpay.js", null],
    ["/v2/sealpay.js", null],
    ["/sealpay.js", null],
  ]) {
    assert.deepEqual(assetPath(path), want, path);
  }
});
