// The benchmark page's code, driven by e2e/bench.mjs through window.bench:
// the module's time to ready once its bytes are in hand, and per-call times
// of seal (next to @hpke/core sealing the same envelope) and verifyQR.
// Times come from performance.now(), at 5 µs resolution on this
// cross-origin-isolated page; fast calls are timed in batches.
import { CipherSuite, DhkemX25519HkdfSha256 as WebCryptoX25519, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { DhkemX25519HkdfSha256 as NobleX25519 } from "@hpke/dhkem-x25519";

const te = new TextEncoder();
const INFO = te.encode("sealpay/envelope/v1");

const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.crossOrigin = "anonymous";
    s.onload = resolve;
    s.onerror = () => reject(new Error(`failed to load ${src}`));
    document.head.appendChild(s);
  });
}

let core = null; // the card module
let qrCore = null; // the QR module

/** hpkeSealer returns a function sealing an envelope v1 with @hpke/core and the given X25519 KEM. */
function hpkeSealer(Kem) {
  const suite = new CipherSuite({ kem: new Kem(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  return async ({ keys, card, merchant_id, origin, ttl }) => {
    // Like the module, start from the JWK Set each time: import the key,
    // write the header, seal the card JSON with the header as AAD.
    const jwk = keys.keys[0];
    const pk = await suite.kem.importKey("raw", unb64(jwk.x).buffer, true);
    const iat = Math.floor(Date.now() / 1000);
    const jti = crypto.getRandomValues(new Uint8Array(16));
    const header = JSON.stringify({ kid: jwk.kid, mid: merchant_id, iat, exp: iat + ttl, jti: b64(jti), aud: origin });
    const head = "sp1." + b64(te.encode(header));
    const { ct, enc } = await suite.seal({ recipientPublicKey: pk, info: INFO }, te.encode(JSON.stringify(card)), te.encode(head));
    return `${head}.${b64(new Uint8Array(enc))}.${b64(new Uint8Array(ct))}`;
  };
}

const sealers = {
  sealpay: async (req) => JSON.parse(await core.seal(JSON.stringify(req))).envelope,
  "hpke-js-webcrypto": hpkeSealer(WebCryptoX25519),
  "hpke-js-noble": hpkeSealer(NobleX25519),
};

/** batches runs fn per×batches times after warmup calls; it returns the mean ms per call of each batch. */
async function batches(fn, { warmup = 20, batches = 30, per = 10 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const out = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) await fn();
    out.push((performance.now() - t0) / per);
  }
  return out;
}

window.bench = {
  isolated: () => window.crossOriginIsolated,

  /**
   * ready fetches a module (the card module, sealpay.wasm, or the QR
   * module, sealpay-qr.wasm), then times compile+instantiate and the run
   * until the module says ready.
   */
  async ready(edge, file = "sealpay.wasm") {
    const bytes = await (await fetch(`${edge}/v1/${file}`)).arrayBuffer();
    if (!globalThis.Go) await loadScript(`${edge}/v1/wasm_exec.js`);
    const readyName = file === "sealpay.wasm" ? "__sealpay_card_ready" : "__sealpay_qr_ready";
    const t0 = performance.now();
    const go = new globalThis.Go();
    const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
    const t1 = performance.now();
    const obj = await new Promise((resolve, reject) => {
      globalThis[readyName] = resolve;
      go.run(instance).then(() => reject(new Error(`${file} exited`)), reject);
    });
    const t2 = performance.now();
    if (file === "sealpay.wasm") core = obj;
    else qrCore = obj;
    return { instantiate: t1 - t0, ready: t2 - t0, version: obj.version };
  },

  /** seal returns one envelope from each implementation (to check them at the edge). */
  async sealOnce(req) {
    const out = {};
    for (const [name, seal] of Object.entries(sealers)) out[name] = await seal(req);
    return out;
  },

  /**
   * sealTimes times each implementation on the same request. Batches are
   * interleaved, so that load from elsewhere on the machine hits all
   * implementations alike.
   */
  async sealTimes(req, { rounds = 30, ...opts } = {}) {
    const out = {};
    for (const name of Object.keys(sealers)) out[name] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [name, seal] of Object.entries(sealers)) {
        out[name].push(...(await batches(() => seal(req), { ...opts, warmup: r === 0 ? 20 : 0, batches: 1 })));
      }
    }
    return out;
  },

  /** verifyTimes times the QR module's verifyQR (load it with ready first); it checks the verdict first. */
  async verifyTimes(req, want, opts) {
    const got = JSON.parse(await qrCore.verifyQR(JSON.stringify(req)));
    if (got.status !== want) throw new Error(`verifyQR gave ${got.status}, want ${want}`);
    return batches(() => qrCore.verifyQR(JSON.stringify(req)), opts);
  },
};
