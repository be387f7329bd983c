// Prints the sizes that have budgets (DESIGN.md): both WebAssembly modules
// raw, gzip and brotli, and the loader and the other browser assets. The
// files are read from an assets directory as the edge serves them (the
// output of build-wasm.mjs); without one, it builds one in a temporary
// directory.
//
//   node js/scripts/sizes.mjs [ASSETS_DIR]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The first target for a module is 900 KB gzip; the loader's is 5 KB gzip.
const budgets = { "sealpay.wasm": 900 * 1024, "sealpay-qr.wasm": 900 * 1024, "sealpay.js": 5 * 1024 };

const sizes = (b) => ({
  raw: b.length,
  gzip: gzipSync(b, { level: 9 }).length,
  brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length,
});

let dir = process.argv[2];
let tmp = "";
if (!dir) {
  tmp = mkdtempSync(join(tmpdir(), "sealpay-sizes-"));
  execFileSync(process.execPath, [join(root, "scripts", "build-wasm.mjs"), tmp], { stdio: ["ignore", "ignore", "inherit"] });
  dir = tmp;
}
const files = ["sealpay.wasm", "sealpay-qr.wasm", "wasm_exec.js", "sealpay.js", "frame.js", "frame.html", "direct.js", "qrdecode.js", "extra.js", "wallet.js"];
const rows = files.map((f) => [f, readFileSync(join(dir, f))]);
if (tmp) rmSync(tmp, { recursive: true, force: true });

const kb = (n) => (n / 1024).toFixed(1).padStart(8);
console.log(`${"file".padEnd(16)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)} ${"br KB".padStart(8)}  budget (gzip)`);
for (const [name, bytes] of rows) {
  const s = sizes(bytes);
  const budget = budgets[name];
  const verdict = budget ? `${(budget / 1024).toFixed(0)} KB ${s.gzip <= budget ? "ok" : "OVER"}` : "";
  console.log(`${name.padEnd(16)} ${kb(s.raw)} ${kb(s.gzip)} ${kb(s.brotli)}  ${verdict}`);
  // One line per figure in Go's benchmark format, for benchstat.
  console.log(`BenchmarkSize/${name} 1 ${s.raw} raw-bytes ${s.gzip} gzip-bytes ${s.brotli} br-bytes`);
}
