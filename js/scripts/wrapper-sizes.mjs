// Prints the size of each framework wrapper (@sealpay/react, @sealpay/vue)
// as a shop's bundle pays for it: minified (esbuild) and gzip (level 9),
// the framework left out (the page has it anyway). Two figures per
// wrapper: its own module with @sealpay/js left out too, and what it adds
// to a bundle that already holds @sealpay/js (both bundled, minus
// @sealpay/js alone). Fails when a wrapper adds more than 3 KB gzip.
//
//   node js/scripts/wrapper-sizes.mjs [react] [vue]   (after npm run build in each)
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const js = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const budget = 3 * 1024;
const frameworks = ["react", "react-dom", "react/jsx-runtime", "vue", "jsqr"];

async function bundle(dir, contents, external) {
  const r = await build({
    stdin: { contents, resolveDir: dir, loader: "js" },
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    external,
    legalComments: "none",
    logLevel: "error",
  });
  const b = Buffer.from(r.outputFiles[0].contents);
  return { min: b.length, gzip: gzipSync(b, { level: 9 }).length };
}

const kb = (n) => (n / 1024).toFixed(2).padStart(7);
let over = false;
console.log(`${"package".padEnd(16)} ${"min KB".padStart(7)} ${"gzip KB".padStart(7)}  adds to @sealpay/js (min / gzip KB)  budget`);
const names = process.argv.length > 2 ? process.argv.slice(2) : ["react", "vue"];
for (const [i, name] of names.entries()) {
  const dir = join(js, name);
  if (!existsSync(join(dir, "dist", "index.js"))) throw new Error(`js/${name}/dist is missing: run npm run build in js/${name}`);
  const alone = await bundle(dir, `export * from "./dist/index.js";`, [...frameworks, "@sealpay/js"]);
  const base = await bundle(dir, `export * from "@sealpay/js";`, frameworks);
  const both = await bundle(dir, `export * from "./dist/index.js"; export * from "@sealpay/js";`, frameworks);
  const added = { min: both.min - base.min, gzip: both.gzip - base.gzip };
  const ok = alone.gzip <= budget && added.gzip <= budget;
  over ||= !ok;
  const pkg = `@sealpay/${name}`;
  console.log(`${pkg.padEnd(16)} ${kb(alone.min)} ${kb(alone.gzip)}  ${kb(added.min)} / ${kb(added.gzip)}${" ".repeat(15)}3 KB ${ok ? "ok" : "OVER"}`);
  if (i === 0) console.log(`${"@sealpay/js".padEnd(16)} ${kb(base.min)} ${kb(base.gzip)}  (the whole npm entry, jsqr left out)`);
  // One line per figure in Go's benchmark format, for benchstat.
  console.log(`BenchmarkSize/${pkg} 1 ${alone.min} min-bytes ${alone.gzip} gzip-bytes ${added.min} added-min-bytes ${added.gzip} added-gzip-bytes`);
}
if (over) {
  console.error("a wrapper is over its 3 KB (min+gzip) budget");
  process.exit(1);
}
