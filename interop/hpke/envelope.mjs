// Sealpay envelope v1, written from docs/envelope-v1.md alone on @hpke/core:
// an independent implementation that the Go tests check against sdk/envelope
// in both directions. It seals and opens envelopes; it does not validate
// card numbers (that is package card's job in Go), so card-level checks are
// out of its scope.

import { CipherSuite } from "@hpke/core";
import { DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/dhkem-x25519";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305, mode_base.
const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});

const PREFIX = "sp1.";
const INFO = new TextEncoder().encode("sealpay/envelope/v1");
const MAX_ENVELOPE = 8192;
const SKEW = 300;
const MAX_LIFETIME = 3600;
const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 - 1

/** An error with one of the codes of docs/error-codes.md. */
export class EnvelopeError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const fail = (code, message) => {
  throw new EnvelopeError(code, message);
};

// --- base64url ---------------------------------------------------------------

export function b64(bytes) {
  return Buffer.from(bytes).toString("base64url");
}

/** Decodes canonical base64url without padding, or returns null. */
export function unb64(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  const b = Buffer.from(s, "base64url");
  // Node's decoder is lenient: the re-encoding must give s back.
  if (b64(b) !== s) return null;
  return new Uint8Array(b);
}

const ab = (u8) => u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength);

// --- header JSON -------------------------------------------------------------

/**
 * Parses the header: one JSON object whose values are strings or numbers,
 * refusing duplicate names (after unescaping). JSON.parse would silently
 * keep the last duplicate, so the object is scanned by hand. Returns a Map
 * from name to {type: "string"|"number", value, raw}.
 */
function parseFlatObject(text) {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const bad = (what) => fail("invalid_envelope", `envelope: header: ${what}`);
  const str = () => {
    if (text[i] !== '"') bad("expected a string");
    let j = i + 1;
    while (j < text.length && text[j] !== '"') {
      if (text[j] === "\\") j++;
      j++;
    }
    if (j >= text.length) bad("unterminated string");
    const raw = text.slice(i, j + 1);
    i = j + 1;
    try {
      return JSON.parse(raw); // checks escapes and control characters
    } catch {
      bad("malformed string");
    }
  };
  const members = new Map();
  ws();
  if (text[i] !== "{") bad("not a JSON object");
  i++;
  ws();
  if (text[i] === "}") {
    i++;
  } else {
    for (;;) {
      ws();
      const name = str();
      if (members.has(name)) bad("duplicate member");
      ws();
      if (text[i] !== ":") bad("expected ':'");
      i++;
      ws();
      let member;
      if (text[i] === '"') {
        member = { type: "string", value: str() };
      } else {
        const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
        if (!m) bad("value is not a string or a number");
        member = { type: "number", raw: m[0] };
        i += m[0].length;
      }
      members.set(name, member);
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        break;
      }
      bad("expected ',' or '}'");
    }
  }
  ws();
  if (i !== text.length) bad("data after the object");
  return members;
}

const B64URL_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MERCHANT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const ORIGIN = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/; // printable ASCII but '"' and '\'

/** Decodes and checks header bytes; returns {kid, mid, iat, exp, jti, aud}. */
export function parseHeader(bytes) {
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    fail("invalid_envelope", "envelope: header is not valid UTF-8");
  }
  const members = parseFlatObject(text);
  const h = {};
  for (const [name, m] of members) {
    const bad = () => fail("invalid_envelope", `envelope: header member ${name} is malformed`);
    switch (name) {
      case "kid":
      case "mid":
      case "jti":
      case "aud":
        if (m.type !== "string") bad();
        h[name] = m.value;
        break;
      case "iat":
      case "exp":
        if (m.type !== "number" || !/^(0|[1-9][0-9]*)$/.test(m.raw)) bad();
        h[name] = Number(m.raw);
        if (!(h[name] <= MAX_SAFE)) bad();
        break;
      default:
        fail("invalid_envelope", "envelope: unknown header member");
    }
  }
  for (const name of ["kid", "mid", "iat", "exp", "jti"]) {
    if (!(name in h)) fail("invalid_envelope", `envelope: header member ${name} is missing`);
  }
  const jti = unb64(h.jti);
  if (
    !B64URL_ID.test(h.kid) || !MERCHANT_ID.test(h.mid) || jti === null || jti.length !== 16 ||
    ("aud" in h && !ORIGIN.test(h.aud))
  ) {
    fail("invalid_envelope", "envelope: header member out of its character set or length");
  }
  if (h.exp <= h.iat || h.exp - h.iat > MAX_LIFETIME) {
    fail("invalid_envelope", "envelope: exp must be after iat, by at most 3600 s");
  }
  return h;
}

// --- keys --------------------------------------------------------------------

/** The RFC 7638 thumbprint of an X25519 public key: the key ID. */
export async function thumbprint(x) {
  const json = `{"crv":"X25519","kty":"OKP","x":"${b64(x)}"}`;
  return b64(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(json))));
}

/** Reads the primary (first) key of a public JWK Set. */
export async function primaryPublicKey(jwksText) {
  const set = JSON.parse(jwksText);
  const k = set?.keys?.[0];
  if (!k || k.kty !== "OKP" || k.crv !== "X25519" || ("use" in k && k.use !== "enc") || "d" in k) {
    fail("bad_request", "envelope: the key set's first key is not a public X25519 encryption key");
  }
  const x = unb64(k.x);
  if (x === null || x.length !== 32) fail("bad_request", "envelope: x is not 32 bytes of canonical base64url");
  if (k.kid !== (await thumbprint(x))) fail("bad_request", "envelope: kid is not the thumbprint of x");
  return { kid: k.kid, key: await suite.kem.importKey("raw", ab(x), true) };
}

// --- seal and open -----------------------------------------------------------

/**
 * Seals plaintext card JSON (a string) to the primary key of a JWK Set.
 * opts: {merchant, origin?, ttl? (seconds, default 900), now? (Unix seconds),
 * jti? (16 bytes), ekm? (a CryptoKeyPair: a fixed ephemeral key, for test
 * vectors only)}.
 */
export async function seal(jwksText, cardJSON, opts) {
  const { kid, key } = await primaryPublicKey(jwksText);
  const iat = opts.now ?? Math.floor(Date.now() / 1000);
  const ttl = opts.ttl ?? 900;
  if (!MERCHANT_ID.test(opts.merchant ?? "")) fail("bad_request", "envelope: bad merchant id");
  if (opts.origin && !ORIGIN.test(opts.origin)) fail("bad_request", "envelope: bad origin");
  if (!(ttl >= 1 && ttl <= MAX_LIFETIME)) fail("bad_request", "envelope: ttl must be 1 to 3600 s");
  const jti = opts.jti ?? crypto.getRandomValues(new Uint8Array(16));
  // The members in the order of docs/envelope-v1.md; the character sets
  // need no JSON escaping.
  let header = `{"kid":"${kid}","mid":"${opts.merchant}","iat":${iat},"exp":${iat + ttl},"jti":"${b64(jti)}"`;
  if (opts.origin) header += `,"aud":"${opts.origin}"`;
  header += "}";
  const aad = PREFIX + b64(new TextEncoder().encode(header));
  const sender = await suite.createSenderContext({ recipientPublicKey: key, info: INFO, ekm: opts.ekm });
  const ct = await sender.seal(ab(new TextEncoder().encode(cardJSON)), ab(new TextEncoder().encode(aad)));
  return `${aad}.${b64(new Uint8Array(sender.enc))}.${b64(new Uint8Array(ct))}`;
}

/**
 * Opens an envelope with a private key set file (its text), checking in the
 * order of docs/envelope-v1.md. opts: {merchant?, origin?, now? (Unix
 * seconds)}. Returns {header, card} with the card JSON as a string.
 */
export async function open(keySetText, envelope, opts = {}) {
  if (!envelope.startsWith(PREFIX)) fail("unsupported_version", "envelope: not sp1");
  if (Buffer.byteLength(envelope, "utf8") > MAX_ENVELOPE) fail("invalid_envelope", "envelope: too long");
  const parts = envelope.slice(PREFIX.length).split(".");
  if (parts.length !== 3 || parts.some((p) => p === "")) fail("invalid_envelope", "envelope: want four parts");
  const [hb, enc, ct] = parts.map(unb64);
  if (hb === null || enc === null || ct === null || enc.length !== 32 || ct.length < 16) {
    fail("invalid_envelope", "envelope: parts are not canonical base64url of the right sizes");
  }
  const h = parseHeader(hb);

  const keys = JSON.parse(keySetText).keys ?? [];
  const k = keys.find((k) => k.kid === h.kid && k.status !== "retired");
  if (!k) fail("unknown_key", "envelope: unknown key id");

  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (now > h.exp + SKEW) fail("envelope_expired", "envelope: expired");
  if (now < h.iat - SKEW) fail("envelope_not_yet_valid", "envelope: not yet valid");
  if (opts.merchant && h.mid !== opts.merchant) fail("wrong_merchant", "envelope: another merchant");
  if (opts.origin && h.aud !== opts.origin) fail("wrong_origin", "envelope: another origin");

  const d = unb64(k.d);
  if (d === null || d.length !== 32) fail("bad_request", "envelope: bad private key");
  const aad = envelope.slice(0, PREFIX.length + parts[0].length);
  let pt;
  try {
    const recipient = await suite.createRecipientContext({
      recipientKey: await suite.kem.importKey("raw", ab(d), false),
      enc: ab(enc),
      info: INFO,
    });
    pt = await recipient.open(ab(ct), ab(new TextEncoder().encode(aad)));
  } catch {
    fail("decrypt_failed", "envelope: message authentication failed");
  }
  let card;
  try {
    card = new TextDecoder("utf-8", { fatal: true }).decode(pt);
    if (typeof JSON.parse(card) !== "object") throw new Error();
  } catch {
    fail("bad_request", "envelope: the sealed card is not a JSON object");
  }
  return { header: h, card };
}

/** Imports a fixed ephemeral key pair from raw private and public bytes. */
export async function ephemeralKeyPair(sk, pk) {
  return {
    privateKey: await suite.kem.importKey("raw", ab(sk), false),
    publicKey: await suite.kem.importKey("raw", ab(pk), true),
  };
}

/** Reads all of stdin as a string. */
export async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

/** Prints an error as {"error":{"code","message"}} on stderr and exits 1. */
export function exitWithError(e) {
  const code = e instanceof EnvelopeError ? e.code : "internal";
  process.stderr.write(JSON.stringify({ error: { code, message: e.message } }) + "\n");
  process.exit(1);
}
