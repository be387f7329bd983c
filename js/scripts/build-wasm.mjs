// Builds what an edge serves from its assets directory: the card module
// (sealpay.wasm), the QR module (sealpay-qr.wasm), wasm_exec.js from the
// same Go toolchain (never edited) and the committed scripts of
// dist/browser with the modules' SRI hashes and the pinned QR roots
// filled in, plus sri.json (publish its sealpay.js hash for the snippet).
// It runs the Go package wasm/assets, which `sealpay demo` uses too.
// Default output: build/browser/ (not committed).
//
//   node scripts/build-wasm.mjs [OUTDIR] [--qr-roots FILE] [--package PKGDIR]
//
// --qr-roots names a JSON array of the QR registry roots' public JWKs for
// the frame's verifyQR. The modules are the same for every deployment.
// --package writes a copy of dist/ whose npm entries pin these modules
// (direct mode from npm): publish that copy, with the edges serving the
// same modules.
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let out = join(root, "build", "browser");
const flags = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--qr-roots") flags.push("-qr-roots", resolve(args[++i]));
  else if (args[i] === "--package") flags.push("-package", resolve(args[++i]));
  else out = resolve(args[i]);
}
const go = process.env.GO ?? "go";
// A host build of the tool: GOOS/GOARCH from the caller's environment must not leak in.
const { GOOS, GOARCH, ...env } = process.env;
execFileSync(go, ["run", "./wasm/assets/buildassets", "-out", out, ...flags], { cwd: join(root, ".."), env, stdio: "inherit" });
console.log(`built the browser assets into ${out}`);
