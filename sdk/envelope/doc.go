// Package envelope seals one payment card to an edge's public key and opens
// it again: Sealpay's envelope format v1, built on HPKE ([RFC 9180]).
//
// For most uses, call [Seal] in the browser with a [PublicKeySet] from
// [ParsePublicKeySet], and [Open] at the edge with a [KeySet] from
// [ReadKeySetFile]:
//
//	env, err := envelope.Seal(jwks, c, envelope.SealOptions{MerchantID: "m_demo", Origin: "https://shop.example"})
//	opened, err := envelope.Open(keys, env, envelope.OpenOptions{MerchantID: "m_demo"})
//
// An envelope is the string
//
//	"sp1." B64(header) "." B64(enc) "." B64(ciphertext)
//
// with mode_base HPKE DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20Poly1305, the info string "sealpay/envelope/v1" and, as additional
// data, everything before the second ".". docs/envelope-v1.md specifies it
// byte by byte, with test vectors; any RFC 9180 implementation can open it.
//
// # Sealing without crypto/hpke
//
// Seal does not use crypto/hpke: it composes the same RFC 9180 base-mode
// sender from crypto/ecdh, crypto/hkdf and
// golang.org/x/crypto/chacha20poly1305 (sdk/internal/hpkesender, held to
// the RFC 9180 vectors and to crypto/hpke byte for byte). Open uses
// crypto/hpke. The sealing half lives in sdk/internal/sealer, which the
// browser's card module imports instead of this package, so that it links
// no crypto/hpke.
//
// # Keys
//
// A [KeySet] holds X25519 private keys and rotates like Tink key sets: one
// primary key, which browsers seal to, and other keys that still open
// envelopes until they are retired. [KeySet.Public] gives the JWK Set
// ([RFC 7517], [RFC 8037]) to publish. Key IDs are RFC 7638 thumbprints.
//
// # Errors
//
// Every error carries an [errcode.Code]; test for the exported sentinels
// with errors.Is. Messages never contain card data or key material.
//
// [RFC 9180]: https://www.rfc-editor.org/rfc/rfc9180.html
// [RFC 7517]: https://www.rfc-editor.org/rfc/rfc7517.html
// [RFC 8037]: https://www.rfc-editor.org/rfc/rfc8037.html
package envelope
