// A STAND-IN FOR GOOGLE in the browser tests: Google's side of Google Pay's
// payment data cryptography, written from Google's published spec
// (https://developers.google.com/pay/api/processors/guides/implementation/validate-payment-data-cryptography,
// protocol ECv2) with Node's crypto, independently of the edge's Go code:
//
//   - a root signing key, written as a root key file in Google's JSON shape
//     ({"keys":[{"keyValue","protocolVersion","keyExpiration"}]}) for the
//     edge's configuration, standing in for Google's published test keys;
//   - ECv2 tokens: a fresh intermediate signing key signed by the root over
//     "Google" ‖ "ECv2" ‖ signedKey, a message encrypted to the merchant's
//     public key (ECIES-KEM: ECDH on P-256, HKDF-SHA256 over the ephemeral
//     point ‖ the shared secret with info "Google", AES-256-CTR with a zero
//     IV, HMAC-SHA256 tag) and signed by the intermediate key over "Google"
//     ‖ "merchant:<id>" ‖ "ECv2" ‖ signedMessage, each part preceded by its
//     length as 4 bytes little-endian.
//
// What a real Google Pay would return as paymentMethodData.tokenizationData.token.
import { createCipheriv, createECDH, createHmac, createSign, generateKeyPairSync, hkdfSync, randomBytes } from "node:crypto";

const spki = (key) => key.export({ type: "spki", format: "der" }).toString("base64");

/** googleRoot makes a root signing key and the root key file that names it. */
export function googleRoot({ expires = Date.now() + 365 * 86400_000 } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    privateKey,
    keysFile: { keys: [{ keyValue: spki(publicKey), protocolVersion: "ECv2", keyExpiration: String(expires) }] },
  };
}

/** signedString is ECv2's byte string to sign: each part preceded by its UTF-8 length, 4 bytes little-endian. */
function signedString(...parts) {
  return Buffer.concat(parts.flatMap((p) => {
    const b = Buffer.from(p, "utf8");
    const n = Buffer.alloc(4);
    n.writeUInt32LE(b.length);
    return [n, b];
  }));
}

const sign = (key, data) => createSign("sha256").update(data).sign({ key, dsaEncoding: "der" }).toString("base64");

/**
 * ecv2Token returns a Google Pay ECv2 token (the JSON string) for merchant
 * merchantId (the recipient is "merchant:" + merchantId), encrypted to
 * publicKey (base64 of the uncompressed P-256 point, as the merchant gives
 * it to Google in tokenizationSpecification), holding card, e.g.
 * {pan, expirationMonth, expirationYear, authMethod: "PAN_ONLY"}.
 */
export function ecv2Token({ root, merchantId, publicKey, card, messageExpiration = Date.now() + 3600_000, keyExpiration = Date.now() + 86400_000 }) {
  const inter = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signedKey = JSON.stringify({ keyValue: spki(inter.publicKey), keyExpiration: String(keyExpiration) });
  const keySignature = sign(root.privateKey, signedString("Google", "ECv2", signedKey));

  const message = JSON.stringify({
    messageExpiration: String(messageExpiration),
    messageId: randomBytes(16).toString("hex"),
    paymentMethod: "CARD",
    paymentMethodDetails: card,
  });
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const eph = ecdh.getPublicKey(); // uncompressed, 65 bytes
  const shared = ecdh.computeSecret(Buffer.from(publicKey, "base64"));
  const keys = Buffer.from(hkdfSync("sha256", Buffer.concat([eph, shared]), Buffer.alloc(0), "Google", 64));
  const cipher = createCipheriv("aes-256-ctr", keys.subarray(0, 32), Buffer.alloc(16));
  const encrypted = Buffer.concat([cipher.update(message, "utf8"), cipher.final()]);
  const tag = createHmac("sha256", keys.subarray(32)).update(encrypted).digest();
  const signedMessage = JSON.stringify({ encryptedMessage: encrypted.toString("base64"), ephemeralPublicKey: eph.toString("base64"), tag: tag.toString("base64") });
  const signature = sign(inter.privateKey, signedString("Google", "merchant:" + merchantId, "ECv2", signedMessage));

  return JSON.stringify({ signature, intermediateSigningKey: { signedKey, signatures: [keySignature] }, protocolVersion: "ECv2", signedMessage });
}
