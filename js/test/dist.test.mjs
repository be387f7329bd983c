// The built files are committed (a machine with only Go runs the demo from
// them); this fails when they differ from a fresh build of the sources.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function files(dir) {
  return walk(dir).map((p) => relative(dir, p).split(sep).join("/"));
}

// Outputs of the Go build that an older build-wasm.mjs left in dist/ (see .gitignore).
const goOutputs = new Set(["browser/sealpay.wasm", "browser/sealpay-qr.wasm", "browser/wasm_exec.js"]);

test("committed dist/ matches a fresh build", () => {
  const out = mkdtempSync(join(tmpdir(), "sealpay-dist-"));
  try {
    execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), out], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    const want = files(out).sort();
    const got = files(join(root, "dist")).filter((f) => !goOutputs.has(f)).sort();
    assert.deepEqual(got, want, "file list differs: run npm run build and commit dist/");
    for (const f of want) {
      const a = readFileSync(join(root, "dist", f));
      const b = readFileSync(join(out, f));
      assert.ok(a.equals(b), `dist/${f} differs from a fresh build: run npm run build and commit dist/`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("sri.json holds a sha384 hash of every file", async () => {
  const { createHash } = await import("node:crypto");
  const sri = JSON.parse(readFileSync(join(root, "dist", "sri.json"), "utf8"));
  const listed = Object.keys(sri).sort();
  const present = files(join(root, "dist")).filter((f) => f !== "sri.json" && !goOutputs.has(f)).sort();
  assert.deepEqual(listed, present);
  for (const [f, h] of Object.entries(sri)) {
    const want = "sha384-" + createHash("sha384").update(readFileSync(join(root, "dist", f))).digest("base64");
    assert.equal(h, want, f);
  }
  // The frame page pins frame.js, the snippet its lazy files, and extra.js
  // (scanQR's home) the QR decoder.
  const html = readFileSync(join(root, "dist", "browser", "frame.html"), "utf8");
  assert.ok(html.includes(`integrity="${sri["browser/frame.js"]}"`));
  const snippet = readFileSync(join(root, "dist", "browser", "sealpay.js"), "utf8");
  assert.ok(snippet.includes(sri["browser/direct.js"]));
  assert.ok(snippet.includes(sri["browser/extra.js"]));
  const extra = readFileSync(join(root, "dist", "browser", "extra.js"), "utf8");
  assert.ok(extra.includes(sri["browser/qrdecode.js"]));
  assert.ok(!snippet.includes(sri["browser/qrdecode.js"]), "the snippet no longer needs qrdecode.js's hash");
});

test("the scripts that load modules carry the placeholders wasm/assets fills, once", () => {
  // The committed scripts pin no module: the modules' hashes exist only
  // once they are built (js/scripts/build-wasm.mjs), and a script left
  // unfilled loads none (test/pins.test.mjs).
  const want = {
    "browser/sealpay.js": [0, 0],
    "browser/direct.js": [1, 0],
    "browser/frame.js": [1, 1],
    "browser/qrdecode.js": [0, 0],
    "esm/pure.mjs": [1, 0],
    "cjs/pure.cjs": [1, 0],
  };
  for (const [f, [pins, roots]] of Object.entries(want)) {
    const text = readFileSync(join(root, "dist", f), "utf8");
    const count = (p) => text.split(`"${p}"`).length - 1;
    assert.deepEqual([count("@@sealpay:module-pins@@"), count("@@sealpay:qr-roots@@")], [pins, roots], f);
  }
});
