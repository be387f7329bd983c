// Prints what each Go package costs in a WebAssembly module built by Go:
// code bytes per package, from the code section and the "name" section
// (build without -s -w so the names are there). `go tool nm` does not read
// wasm, hence this script.
//
//   GOOS=js GOARCH=wasm go build -trimpath -o /tmp/sealpay-names.wasm ./wasm
//   node js/scripts/wasm-cost.mjs /tmp/sealpay-names.wasm [top]
//   node js/scripts/wasm-cost.mjs /tmp/sealpay-names.wasm --pkg time [top]   (the package's largest functions)
//   node js/scripts/wasm-cost.mjs --imports   (what each import adds: probe programs built like the modules)
//   node js/scripts/wasm-cost.mjs --commits C1 C2 …   (both modules as each commit builds them, side by side)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const args = process.argv.slice(2);
if (args[0] === "--imports") {
  imports();
  process.exit(0);
}
if (args[0] === "--commits") {
  commits(args.slice(1));
  process.exit(0);
}
const pkgAt = args.indexOf("--pkg");
const onlyPkg = pkgAt >= 0 ? args.splice(pkgAt, 2)[1] : null;
const file = args[0];
const top = Number(args[1] ?? 30);
if (!file) {
  console.error("usage: node wasm-cost.mjs MODULE.wasm [--pkg PACKAGE] [top]");
  process.exit(2);
}
const buf = readFileSync(file);
let pos = 8;
const u32 = () => {
  let r = 0, shift = 0, b;
  do {
    b = buf[pos++];
    r |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return r >>> 0;
};
let imported = 0;
const bodies = [];
const names = new Map();
const sections = {};
while (pos < buf.length) {
  const id = buf[pos++];
  const size = u32();
  const end = pos + size;
  sections[id] = (sections[id] ?? 0) + size;
  if (id === 2) {
    for (let n = u32(), i = 0; i < n; i++) {
      // module and field names ("pos += u32()" would read pos before u32 moves it)
      for (let k = 0; k < 2; k++) {
        const len = u32();
        pos += len;
      }
      const kind = buf[pos++];
      if (kind === 0) { u32(); imported++; }
      else if (kind === 1) { pos++; const f = buf[pos++]; u32(); if (f & 1) u32(); }
      else if (kind === 2) { const f = buf[pos++]; u32(); if (f & 1) u32(); }
      else if (kind === 3) { pos += 2; }
    }
  } else if (id === 10) {
    for (let n = u32(), i = 0; i < n; i++) {
      const s = u32();
      bodies.push(s);
      pos += s;
    }
  } else if (id === 0) {
    const nlen = u32();
    const name = buf.toString("utf8", pos, pos + nlen);
    pos += nlen;
    if (name === "name") {
      while (pos < end) {
        const sub = buf[pos++];
        const ssize = u32();
        const send = pos + ssize;
        if (sub === 1) {
          for (let n = u32(), i = 0; i < n; i++) {
            const idx = u32();
            const l = u32();
            names.set(idx, buf.toString("utf8", pos, pos + l));
            pos += l;
          }
        }
        pos = send;
      }
    }
  }
  pos = end;
}
if (names.size === 0) {
  console.error("no name section: build without -ldflags='-s -w'");
  process.exit(1);
}
const byPkg = new Map();
const funcs = [];
bodies.forEach((size, i) => {
  const name = names.get(i + imported) ?? "?";
  // Go writes "/" in import paths as "_" here; skip a leading host
  // ("github.com_") so its dot does not end the package name.
  const host = name.match(/^[a-z0-9-]+\.(com|org|net|io|dev|in)_/)?.[0].length ?? 0;
  const dot = name.indexOf(".", host);
  const pkg = dot > 0 ? name.slice(0, dot) : name;
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + size);
  if (pkg === onlyPkg) funcs.push([name, size]);
});
if (onlyPkg) {
  for (const [name, size] of funcs.sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(size).padStart(9)}  ${name}`);
  process.exit(0);
}
const total = bodies.reduce((a, b) => a + b, 0);
console.log(`code ${total} bytes in ${bodies.length} functions; data ${sections[11] ?? 0} bytes; file ${buf.length} bytes`);
for (const [pkg, size] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${String(size).padStart(9)}  ${(100 * size / total).toFixed(1).padStart(5)}%  ${pkg}`);
}

/**
 * imports builds small programs, each adding one import to another one (the
 * row it names) and using it, with the modules' flags, and prints each
 * one's size and what it added. The probes live under js/build/_probe (a
 * "_" directory: ./... patterns skip it) inside the module, so they can
 * import sdk/ packages.
 */
function imports() {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const head = `//go:build js && wasm\n\npackage main\n\n`;
  const use = (imps, body) => `${head}import (\n${imps.map((i) => `\t"${i}"\n`).join("")})\n\nfunc main() {\n${body}\n\tselect {}\n}\n`;
  const fn = (body) => `\tjs.Global().Set("f", js.FuncOf(func(this js.Value, a []js.Value) any {\n${body}\n\t\treturn nil\n\t}))`;
  const hpkeSeal = `\t\tpk, _ := ecdh.X25519().NewPublicKey([]byte(a[1].String()))\n\t\thpk, _ := hpke.NewDHKEMPublicKey(pk)\n\t\tenc, s, _ := hpke.NewSender(hpk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), nil)\n\t\tct, _ := s.Seal(nil, enc)\n`;
  const sdkSeal = `\t\tpub, _ := envelope.ParsePublicKeySet([]byte(a[0].String()))\n\t\tc, _ := card.Parse([]byte(a[1].String()))\n\t\tenv, _ := envelope.Seal(pub, c, envelope.SealOptions{MerchantID: "m", Now: time.Now()})\n`;
  // [name, source or null, package if no source, the row it adds to]
  const probes = [
    ["syscall/js (a bare program)", use(["syscall/js"], fn(""))],
    ["+ crypto/hpke sealing to X25519", use(["crypto/ecdh", "crypto/hpke", "syscall/js"], fn(`${hpkeSeal}\t\ta[1].Set("x", string(ct))`)), null, 0],
    // Not a way to seal (Sealpay uses crypto/hpke): what the same
    // primitives cost alone, hence what crypto/hpke's other KEMs cost.
    ["+ X25519, HKDF, ChaCha20Poly1305 alone", use(["crypto/ecdh", "crypto/hkdf", "crypto/rand", "crypto/sha256", "golang.org/x/crypto/chacha20poly1305", "syscall/js"], fn(`\t\tpk, _ := ecdh.X25519().NewPublicKey([]byte(a[1].String()))\n\t\tsk, _ := ecdh.X25519().GenerateKey(rand.Reader)\n\t\tz, _ := sk.ECDH(pk)\n\t\tk, _ := hkdf.Key(sha256.New, z, nil, "x", 32)\n\t\taead, _ := chacha20poly1305.New(k)\n\t\ta[1].Set("x", string(aead.Seal(nil, make([]byte, 12), z, nil)))`)), null, 0],
    ["+ sdk/card, sdk/envelope (seal)", use(["syscall/js", "time", "github.com/sealpay/sealpay/sdk/card", "github.com/sealpay/sealpay/sdk/envelope"], fn(`${sdkSeal}\t\ta[1].Set("x", env)`)), null, 1],
    ["the card module (./wasm)", null, "./wasm", 3],
    ["  (+ encoding/json, for comparison)", use(["encoding/json", "syscall/js", "time", "github.com/sealpay/sealpay/sdk/card", "github.com/sealpay/sealpay/sdk/envelope"], fn(`${sdkSeal}\t\tvar v map[string]any\n\t\tjson.Unmarshal([]byte(a[2].String()), &v)\n\t\tb, _ := json.Marshal(v)\n\t\ta[1].Set("x", env+string(b))`)), null, 3],
    ["  (+ fmt.Errorf, for comparison)", use(["errors", "fmt", "syscall/js", "time", "github.com/sealpay/sealpay/sdk/card", "github.com/sealpay/sealpay/sdk/envelope"], fn(`${sdkSeal}\t\ta[1].Set("x", fmt.Errorf("seal %d: %w", len(env), errors.ErrUnsupported).Error())`)), null, 3],
    ["syscall/js + sdk/qr (Verify)", use(["crypto/ed25519", "encoding/json", "syscall/js", "time", "github.com/sealpay/sealpay/sdk/qr"], fn(`\t\tk, _ := qr.ParsePublicKey([]byte(a[0].String()))\n\t\tt, _ := qr.LoadTrustBundle([]byte(a[1].String()), []ed25519.PublicKey{k}, time.Now())\n\t\tb, _ := json.Marshal(qr.Verify(a[2].String(), t, qr.VerifyOptions{}))\n\t\ta[1].Set("x", string(b))`)), null, 0],
    ["the QR module (./wasm/qr)", null, "./wasm/qr", 7],
  ];
  const dir = join(repo, "js", "build", "_probe");
  const out = mkdtempSync(join(tmpdir(), "sealpay-probe-"));
  const kb = (n) => (n / 1024).toFixed(1).padStart(8);
  const { GOFLAGS, GOWASM, ...env } = process.env;
  console.log(`${"program".padEnd(40)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)} ${"br KB".padStart(8)} ${"+gzip KB".padStart(9)}`);
  const gzips = [];
  try {
    probes.forEach(([name, src, pkg, base], i) => {
      if (src) {
        mkdirSync(join(dir, String(i)), { recursive: true });
        writeFileSync(join(dir, String(i), "main_js.go"), src);
        pkg = `./js/build/_probe/${i}`;
      }
      const file = join(out, `${i}.wasm`);
      execFileSync(process.env.GO ?? "go", ["build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", file, pkg], { cwd: repo, env: { ...env, GOOS: "js", GOARCH: "wasm" }, stdio: ["ignore", "ignore", "inherit"] });
      const b = readFileSync(file);
      const gz = gzipSync(b, { level: 9 }).length;
      const br = brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length;
      const delta = base === undefined ? "" : ((gz - gzips[base]) / 1024).toFixed(1).padStart(9);
      console.log(`${name.padEnd(40)} ${kb(b.length)} ${kb(gz)} ${kb(br)} ${delta}`);
      gzips.push(gz);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * commits builds the card and QR modules of each commit, from `git archive`
 * into a temporary directory with the modules' flags, and prints their
 * sizes in one table: what a series of commits bought, measured in one run
 * on one toolchain.
 */
function commits(list) {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const { GOFLAGS, GOWASM, ...env } = process.env;
  const kb = (n) => (n / 1024).toFixed(1).padStart(8);
  console.log(`${"commit".padEnd(12)} ${"module".padEnd(16)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)} ${"br KB".padStart(8)}  subject`);
  for (const commit of list) {
    const dir = mkdtempSync(join(tmpdir(), "sealpay-commit-"));
    try {
      execFileSync("sh", ["-c", `git -C "$0" archive "$1" | tar -x -C "$2"`, repo, commit, dir], { stdio: ["ignore", "ignore", "inherit"] });
      const [hash, subject] = execFileSync("git", ["-C", repo, "log", "-1", "--format=%h%n%s", commit]).toString().split("\n");
      for (const [name, pkg] of [["sealpay.wasm", "./wasm"], ["sealpay-qr.wasm", "./wasm/qr"]]) {
        const file = join(dir, name);
        execFileSync(process.env.GO ?? "go", ["build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", file, pkg], { cwd: dir, env: { ...env, GOOS: "js", GOARCH: "wasm" }, stdio: ["ignore", "ignore", "inherit"] });
        const b = readFileSync(file);
        const gz = gzipSync(b, { level: 9 }).length;
        const br = brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length;
        console.log(`${hash.padEnd(12)} ${name.padEnd(16)} ${kb(b.length)} ${kb(gz)} ${kb(br)}  ${name === "sealpay.wasm" ? subject.slice(0, 80) : ""}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
