// Prints the sizes that have budgets (DESIGN.md): the browser module raw,
// gzip and brotli, and the loader and the other browser assets gzipped.
// Builds the module into a temporary directory unless given one:
//
//   node js/scripts/sizes.mjs [path/to/sealpay.wasm]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const budgets = { "sealpay.wasm": 900 * 1024, "sealpay.js": 5 * 1024 };

const sizes = (b) => ({
  raw: b.length,
  gzip: gzipSync(b, { level: 9 }).length,
  brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length,
});

let wasmPath = process.argv[2];
let tmp = "";
if (!wasmPath) {
  tmp = mkdtempSync(join(tmpdir(), "sealpay-sizes-"));
  execFileSync(process.execPath, [join(root, "scripts", "build-wasm.mjs"), tmp], { stdio: ["ignore", "ignore", "inherit"] });
  wasmPath = join(tmp, "sealpay.wasm");
}
const rows = [["sealpay.wasm", readFileSync(wasmPath)]];
for (const f of ["sealpay.js", "frame.js", "frame.html", "direct.js", "qrdecode.js"]) {
  rows.push([f, readFileSync(join(root, "dist", "browser", f))]);
}
if (tmp) rmSync(tmp, { recursive: true, force: true });

const kb = (n) => (n / 1024).toFixed(1).padStart(8);
console.log(`${"file".padEnd(14)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)} ${"br KB".padStart(8)}  budget (gzip)`);
for (const [name, bytes] of rows) {
  const s = sizes(bytes);
  const budget = budgets[name];
  const verdict = budget ? `${(budget / 1024).toFixed(0)} KB ${s.gzip <= budget ? "ok" : "OVER"}` : "";
  console.log(`${name.padEnd(14)} ${kb(s.raw)} ${kb(s.gzip)} ${kb(s.brotli)}  ${verdict}`);
  // One line per figure in Go's benchmark format, for benchstat.
  console.log(`BenchmarkSize/${name} 1 ${s.raw} raw-bytes ${s.gzip} gzip-bytes ${s.brotli} br-bytes`);
}
