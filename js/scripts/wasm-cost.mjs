// Prints what each Go package costs in a WebAssembly module built by Go:
// code bytes per package, from the code section and the "name" section
// (build without -s -w so the names are there). `go tool nm` does not read
// wasm, hence this script.
//
//   GOOS=js GOARCH=wasm go build -trimpath -o /tmp/sealpay-names.wasm ./wasm
//   node js/scripts/wasm-cost.mjs /tmp/sealpay-names.wasm [top]
//   node js/scripts/wasm-cost.mjs /tmp/sealpay-names.wasm --pkg time [top]   (the package's largest functions)
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
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
