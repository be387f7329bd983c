// The wrapper's size budget (issue 14: each wrapper at most 3 KB
// min+gzip over @sealpay/js), measured by js/scripts/wrapper-sizes.mjs,
// which make bench prints too.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

test("@sealpay/vue adds at most 3 KB min+gzip to @sealpay/js", () => {
  const script = fileURLToPath(new URL("../../scripts/wrapper-sizes.mjs", import.meta.url));
  const out = execFileSync(process.execPath, [script, "vue"], { encoding: "utf8" });
  const m = out.match(/^BenchmarkSize\/@sealpay\/vue 1 (\d+) min-bytes (\d+) gzip-bytes (\d+) added-min-bytes (\d+) added-gzip-bytes$/m);
  assert.ok(m, out);
  const [, , gzip, , added] = m.map(Number);
  assert.ok(gzip > 300, "the measured module is implausibly small: was it built?");
  assert.ok(gzip <= 3072 && added <= 3072, out);
});
