// npm pack, install the tarball into an empty project, and load its ESM
// and CJS entries in plain Node: importing must not touch window, and
// loading on the server must resolve null.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

test("the packed package loads as ESM and CJS without a window", () => {
  const dir = mkdtempSync(join(tmpdir(), "sealpay-pack-"));
  try {
    const out = execFileSync(npm, ["pack", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const [info] = JSON.parse(out);
    const names = info.files.map((f) => f.path).sort();
    assert.ok(names.includes("dist/esm/index.mjs") && names.includes("dist/cjs/pure.cjs") && names.includes("dist/types/index.d.cts"));
    assert.ok(names.includes("dist/browser/sealpay.js") && names.includes("dist/browser/frame.html"));
    assert.ok(!names.some((n) => n.startsWith("src/") || n.startsWith("test/") || n.includes("node_modules")), "files whitelist leaks sources");

    // Unpack into node_modules/@sealpay/js of an empty project; jsqr is
    // linked from ours (it is imported only by scanQR's fallback).
    const app = join(dir, "app");
    const pkgDir = join(app, "node_modules", "@sealpay", "js");
    mkdirSync(pkgDir, { recursive: true });
    execFileSync("tar", ["-xzf", join(dir, info.filename), "-C", pkgDir, "--strip-components=1"]);
    writeFileSync(join(app, "package.json"), '{"name":"app","private":true}');

    const trap = `Object.defineProperty(globalThis, "window", { configurable: true, get() { throw new Error("touched window at import"); } });`;
    const untrap = `delete globalThis.window;`;
    const esm = `${trap}
      const a = await import("@sealpay/js");
      const b = await import("@sealpay/js/pure");
      ${untrap}
      if (a.loadSealpay !== b.load) throw new Error("entries do not share load");
      const r = await a.loadSealpay({ edge: "https://edge.example", key: "pk_test_1" });
      if (r !== null) throw new Error("load on the server did not resolve null");
      console.log("esm ok", a.VERSION);`;
    const cjs = `${trap}
      const a = require("@sealpay/js");
      const b = require("@sealpay/js/pure");
      ${untrap}
      if (a.loadSealpay !== b.load) throw new Error("entries do not share load");
      a.loadSealpay({ edge: "https://edge.example", key: "pk_test_1" }).then((r) => {
        if (r !== null) throw new Error("load on the server did not resolve null");
        console.log("cjs ok", a.VERSION);
      });`;
    const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
    assert.equal(execFileSync(process.execPath, ["--input-type=module", "-e", esm], { cwd: app, encoding: "utf8" }).trim(), `esm ok ${version}`);
    assert.equal(execFileSync(process.execPath, ["-e", cjs], { cwd: app, encoding: "utf8" }).trim(), `cjs ok ${version}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
