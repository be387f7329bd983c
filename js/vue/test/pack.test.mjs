// What npm publishes: the ES module, its types, the README and
// package.json, and nothing else (no sources, tests or lockfile).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

test("npm pack holds dist/index.js, dist/index.d.ts and the README only", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const [info] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  assert.equal(info.name, "@sealpay/vue");
  assert.deepEqual(info.files.map((f) => f.path).sort(), ["README.md", "dist/index.d.ts", "dist/index.js", "package.json"]);
  const pkg = JSON.parse(execFileSync("npm", ["pkg", "get", "peerDependencies", "dependencies", "--json"], { cwd: root, encoding: "utf8" }));
  assert.ok(pkg.peerDependencies["@sealpay/js"], "@sealpay/js is a peer dependency: one loadSealpay memo per page");
  assert.deepEqual(pkg.dependencies ?? {}, {}, "no runtime dependency of its own");
});
