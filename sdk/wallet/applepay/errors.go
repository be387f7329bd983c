package applepay

import "github.com/sealpay/sealpay/sdk/errcode"

// The errors [Decrypter.Decrypt] returns, in the order it checks. Each is
// wrapped with %w and a detail that names a field, never its value.
var (
	// ErrMalformed: the payment data is not a JSON object of the EC_v1 shape
	// (missing or mistyped members, duplicate members, bad base64 or hex,
	// another version, over [MaxPaymentDataSize]), or the decrypted payment
	// data is not what Apple documents.
	ErrMalformed = errcode.New(codeMalformed, "applepay: malformed payment token")

	// ErrSignature: the signature is not a CMS SignedData with one signer
	// and a signing time, or its ECDSA signature does not cover the token's
	// ephemeralPublicKey, data, transactionId and applicationData.
	ErrSignature = errcode.New(codeSignature, "applepay: invalid signature")

	// ErrCertificate: the signing certificates lack Apple's marker OIDs or do
	// not chain, leaf → intermediate, to the Apple Root CA – G3.
	ErrCertificate = errcode.New(codeCertificate, "applepay: untrusted signing certificate")

	// ErrCertificateExpired: a certificate of the chain was not valid at the
	// CMS signing time.
	ErrCertificateExpired = errcode.New(codeCertificateExpired, "applepay: signing certificate expired")

	// ErrMessageExpired: the CMS signing time is further than
	// [Config.SigningTimeWindow] from the clock, in either direction.
	ErrMessageExpired = errcode.New(codeMessageExpired, "applepay: token signed outside the accepted time window")

	// ErrUnknownKey: no configured payment processing key has the token's
	// publicKeyHash.
	ErrUnknownKey = errcode.New(codeUnknownKey, "applepay: no merchant key matches publicKeyHash")

	// ErrDecrypt: the ephemeral key is not a P-256 point, or AES-256-GCM
	// authentication failed (a key of another merchant identifier, a
	// tampered ciphertext). Deliberately opaque.
	ErrDecrypt = errcode.New(codeDecrypt, "applepay: decryption failed")
)
