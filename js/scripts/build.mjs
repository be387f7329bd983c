// Builds @sealpay/js into dist/ (or the directory given as the first
// argument): ESM and CJS entries, type declarations, and the browser assets
// the edge serves (sealpay.js, frame.html, frame.js, direct.js, qrdecode.js,
// extra.js, wallet.js), then
// writes sri.json with a sha384 Subresource Integrity hash of every file.
//
// The browser assets are committed so that a machine with only Go can run
// the demo; test/dist.test.mjs fails when they differ from a fresh build.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] ?? join(root, "dist"));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

// The placeholders that wasm/assets fills in the copies an edge serves: the
// SRI hashes of wasm_exec.js and the modules (direct.js, frame.js, and the
// npm entries) and the pinned QR roots (frame.js). See src/pins.ts.
const PINS_PLACEHOLDER = "@@sealpay:module-pins@@";
const ROOTS_PLACEHOLDER = "@@sealpay:qr-roots@@";

// The module and this package must agree on the version (sdk/bridge.Version).
const goVersion = readFileSync(join(root, "..", "sdk", "bridge", "bridge.go"), "utf8").match(/const Version = "([^"]+)"/)?.[1];
if (goVersion !== pkg.version) {
  throw new Error(`package.json version ${pkg.version} differs from sdk/bridge.Version ${goVersion}`);
}

// Start clean, but keep Go build outputs that an older scripts/build-wasm.mjs
// put beside the browser assets (it now writes to build/browser).
const goOutputs = new Set(["sealpay.wasm", "sealpay-qr.wasm", "wasm_exec.js"]);
for (const d of ["esm", "cjs", "types", "sri.json"]) rmSync(join(out, d), { recursive: true, force: true });
mkdirSync(join(out, "browser"), { recursive: true });
for (const f of readdirSync(join(out, "browser"))) if (!goOutputs.has(f)) rmSync(join(out, "browser", f), { recursive: true, force: true });

const sri = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");
const common = {
  bundle: true,
  charset: "utf8",
  legalComments: "none",
  logLevel: "warning",
  absWorkingDir: root,
  define: {
    __SEALPAY_VERSION__: JSON.stringify(pkg.version),
    __SEALPAY_MODULE_PINS__: JSON.stringify(PINS_PLACEHOLDER),
    __SEALPAY_QR_ROOTS__: JSON.stringify(ROOTS_PLACEHOLDER),
  },
};

// 1. Files the snippet loads on first use; their hashes are pinned in the snippet.
const browser = { format: "iife", minify: true, target: "es2022", mangleProps: /_$/ };
await build({ ...common, ...browser, entryPoints: ["src/qrdecode.ts"], outfile: join(out, "browser", "qrdecode.js") });
await build({ ...common, ...browser, entryPoints: ["src/direct-asset.ts"], outfile: join(out, "browser", "direct.js") });
common.define.__SEALPAY_QRDECODE_SRI__ = JSON.stringify(sri(readFileSync(join(out, "browser", "qrdecode.js"))));
common.define.__SEALPAY_DIRECT_SRI__ = JSON.stringify(sri(readFileSync(join(out, "browser", "direct.js"))));
// The loader's rarer paths (wallet button messages, tokenizeWallet, scanQR).
await build({ ...common, ...browser, entryPoints: ["src/extra-asset.ts"], outfile: join(out, "browser", "extra.js") });
common.define.__SEALPAY_EXTRA_SRI__ = JSON.stringify(sri(readFileSync(join(out, "browser", "extra.js"))));
// The wallet frame's Google Pay code, which frame.js loads in mode=wallet only.
await build({ ...common, ...browser, entryPoints: ["src/frame/wallet-asset.ts"], outfile: join(out, "browser", "wallet.js") });
common.define.__SEALPAY_WALLET_SRI__ = JSON.stringify(sri(readFileSync(join(out, "browser", "wallet.js"))));

// 2. The <script> snippet (window.Sealpay), with lazy.ts swapped for its
// script-loading twin, and the frame.
const lazySnippet = {
  name: "lazy-snippet",
  setup(b) {
    b.onResolve({ filter: /^\.\/lazy\.js$/ }, () => ({ path: join(root, "src", "lazy-snippet.ts") }));
  },
};
await build({ ...common, ...browser, entryPoints: ["src/snippet.ts"], outfile: join(out, "browser", "sealpay.js"), plugins: [lazySnippet] });
await build({ ...common, ...browser, entryPoints: ["src/frame/frame.ts"], outfile: join(out, "browser", "frame.js") });
const frameHTML = readFileSync(join(root, "src", "frame", "frame.html"), "utf8")
  .replace("__FRAME_JS_SRI__", sri(readFileSync(join(out, "browser", "frame.js"))));
writeFileSync(join(out, "browser", "frame.html"), frameHTML);

// 3. npm entries. pure holds all the code; index re-exports it, so both
// entries share one memoized load.
const pureExternal = (ext) => ({
  name: "pure-external",
  setup(b) {
    b.onResolve({ filter: /^\.\/pure\.js$/ }, () => ({ path: `./pure.${ext}`, external: true }));
  },
});
for (const [format, ext] of [["esm", "mjs"], ["cjs", "cjs"]]) {
  const dir = join(out, format);
  const npm = { format, platform: "neutral", target: "es2022", external: ["jsqr"] };
  await build({ ...common, ...npm, entryPoints: ["src/pure.ts"], outfile: join(dir, `pure.${ext}`) });
  await build({ ...common, ...npm, entryPoints: ["src/index.ts"], outfile: join(dir, `index.${ext}`), plugins: [pureExternal(ext)] });
}

// 4. Declarations: .d.ts for import, .d.cts (same text, .cjs specifiers) for require.
const types = join(out, "types");
execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.types.json", "--outDir", types], { cwd: root, stdio: "inherit" });
for (const f of walk(types)) {
  if (!f.endsWith(".d.ts")) continue;
  const text = readFileSync(f, "utf8").replace(/(from\s+["']\.{1,2}\/[^"']+)\.js(["'])/g, "$1.cjs$2");
  writeFileSync(f.replace(/\.d\.ts$/, ".d.cts"), text);
}

// Each placeholder must be in the output once, as a JSON string that
// wasm/assets replaces, and nowhere else. The snippet carries none: it
// pins direct.js, whose hash wasm/assets updates in it.
const count = (f, p) => readFileSync(join(out, f), "utf8").split(JSON.stringify(p)).length - 1;
for (const [f, pins, roots] of [["browser/sealpay.js", 0, 0], ["browser/frame.js", 1, 1], ["browser/direct.js", 1, 0], ["browser/qrdecode.js", 0, 0], ["browser/extra.js", 0, 0], ["browser/wallet.js", 0, 0], ["esm/pure.mjs", 1, 0], ["cjs/pure.cjs", 1, 0]]) {
  if (count(f, PINS_PLACEHOLDER) !== pins || count(f, ROOTS_PLACEHOLDER) !== roots) {
    throw new Error(`${f}: expected the module-pins placeholder ${pins} time(s) and the QR-roots placeholder ${roots} time(s)`);
  }
}

// 5. Subresource Integrity for every file.
const hashes = {};
for (const f of walk(out).sort()) {
  const name = relative(out, f).split(sep).join("/");
  if (!goOutputs.has(name.replace(/^browser\//, ""))) hashes[name] = sri(readFileSync(f));
}
writeFileSync(join(out, "sri.json"), JSON.stringify(hashes, null, 2) + "\n");
for (const [f, h] of Object.entries(hashes)) if (f.startsWith("browser/")) console.log(`${h}  ${f}`);

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
