// Checks this implementation against the envelope v1 test vectors
// (sdk/envelope/testdata/envelope-v1-vectors.json, shown in
// docs/envelope-v1.md): it reproduces every valid envelope byte for byte
// from the published inputs, and opens every Open case with its outcome.
// Card-level outcomes (invalid_card_number, card_expired, ...) are package
// card's checks, which this implementation does not make: for those it
// expects the envelope to open.
//
//   node vectors.mjs FILE

import { readFileSync } from "node:fs";
import { ephemeralKeyPair, open, seal, unb64 } from "./envelope.mjs";

const cardCodes = new Set(["invalid_card_number", "unsupported_brand", "invalid_expiry", "card_expired", "invalid_cvc"]);
const vf = JSON.parse(readFileSync(process.argv[2], "utf8"));
const keySet = JSON.stringify({
  keys: [{ kty: "OKP", crv: "X25519", kid: vf.recipient.kid, x: vf.recipient.x, d: vf.recipient.d, status: "primary" }],
});
let passed = 0;
let failed = 0;
const check = (ok, what) => {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${what}`);
  }
};

for (const v of vf.valid) {
  const hex = (s) => new Uint8Array(Buffer.from(s, "hex"));
  const env = await seal(vf.recipient.jwks, v.card, {
    merchant: v.mid,
    origin: v.aud || undefined,
    now: v.iat,
    ttl: v.exp - v.iat,
    jti: unb64(v.jti),
    ekm: await ephemeralKeyPair(hex(v.skE), hex(v.pkE)),
  });
  check(env === v.envelope, `seal: ${v.name}`);
  const { card } = await open(keySet, v.envelope, { merchant: v.mid, origin: v.aud || undefined, now: v.iat });
  check(card === v.card, `open: ${v.name}`);
}

for (const c of vf.open) {
  let got = "ok";
  try {
    await open(keySet, c.envelope, { merchant: c.merchant || undefined, origin: c.origin || undefined, now: c.now });
  } catch (e) {
    got = e.code ?? `exception: ${e.message}`;
  }
  const want = cardCodes.has(c.expect) ? "ok" : c.expect;
  check(got === want, `open case "${c.name}": got ${got}, want ${want}`);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
