// Builds the browser module with the Go toolchain and copies that
// toolchain's wasm_exec.js beside it (it must match the compiler; it is
// never edited). Default output: dist/browser/, next to the JS assets, so
// the edge can serve one directory. Neither file is committed.
//
//   node scripts/build-wasm.mjs [OUTDIR] [--qr-roots FILE]
//
// --qr-roots names a JSON array of registry root public JWKs to pin in the
// module for verifyQR.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let out = join(root, "dist", "browser");
let roots = "";
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--qr-roots") roots = JSON.stringify(JSON.parse(readFileSync(args[++i], "utf8")));
  else out = resolve(args[i]);
}
mkdirSync(out, { recursive: true });
const go = process.env.GO ?? "go";
const ldflags = ["-s", "-w"];
if (roots) ldflags.push(`-X=main.qrRoots=${roots}`);
execFileSync(go, ["build", "-trimpath", `-ldflags=${ldflags.join(" ")}`, "-o", join(out, "sealpay.wasm"), "./wasm"], {
  cwd: join(root, ".."),
  env: { ...process.env, GOOS: "js", GOARCH: "wasm" },
  stdio: "inherit",
});
const goroot = execFileSync(go, ["env", "GOROOT"], { encoding: "utf8" }).trim();
copyFileSync(join(goroot, "lib", "wasm", "wasm_exec.js"), join(out, "wasm_exec.js"));
console.log(`built ${join(out, "sealpay.wasm")} and copied wasm_exec.js`);
