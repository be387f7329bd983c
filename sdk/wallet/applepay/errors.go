package applepay

import "github.com/sealpay/sealpay/sdk/wallet"

// The errors [Decrypter.Decrypt] returns, in the order it checks. Each is
// wrapped with %w and a detail that names a field, never its value. Each
// also matches, with errors.Is, the sdk/wallet error it is a case of, and
// carries that error's code.
var (
	// ErrMalformed: the payment data is not a JSON object of the EC_v1 shape
	// (missing, unknown, duplicate or mistyped members, bad base64 or hex,
	// another version, over [MaxPaymentDataSize]). A [wallet.ErrMalformed].
	ErrMalformed = sentinel("applepay: malformed payment token", wallet.ErrMalformed)

	// ErrSignature: the signature is not a CMS SignedData with one signer,
	// SHA-256 and a signing time, or its ECDSA signature does not cover the
	// token's ephemeralPublicKey, data, transactionId and applicationData.
	// A [wallet.ErrBadSignature].
	ErrSignature = sentinel("applepay: invalid signature", wallet.ErrBadSignature)

	// ErrCertificate: the signing certificates lack Apple's marker OIDs or do
	// not chain, leaf → intermediate, to the Apple Root CA – G3. A
	// [wallet.ErrBadSignature]: no trusted key made the signature.
	ErrCertificate = sentinel("applepay: untrusted signing certificate", wallet.ErrBadSignature)

	// ErrCertificateExpired: the chain is Apple's, but one of its
	// certificates was not valid at the CMS signing time. A
	// [wallet.ErrKeyExpired].
	ErrCertificateExpired = sentinel("applepay: signing certificate expired", wallet.ErrKeyExpired)

	// ErrMessageExpired: the CMS signing time is further than
	// [Config.SigningTimeWindow] from the clock, in either direction. A
	// [wallet.ErrMessageExpired].
	ErrMessageExpired = sentinel("applepay: token signed outside the accepted time window", wallet.ErrMessageExpired)

	// ErrUnknownKey: no configured payment processing key has the token's
	// publicKeyHash. A [wallet.ErrUnknownKey].
	ErrUnknownKey = sentinel("applepay: no merchant key matches publicKeyHash", wallet.ErrUnknownKey)

	// ErrDecrypt: the ephemeral key is not a P-256 point, AES-256-GCM
	// authentication failed (a token for another merchant identifier, a
	// publicKeyHash pointed at another of the merchant's keys), or what
	// decrypted is not the payment data Apple documents. A
	// [wallet.ErrDecrypt].
	ErrDecrypt = sentinel("applepay: decryption failed", wallet.ErrDecrypt)
)

// sentinelError is an error of this package that is also a case of a
// sdk/wallet error: errors.Is matches both, and errcode.Of finds the
// wallet error's code.
type sentinelError struct {
	msg    string
	parent error
}

func sentinel(msg string, parent error) error { return &sentinelError{msg: msg, parent: parent} }

func (e *sentinelError) Error() string { return e.msg }
func (e *sentinelError) Unwrap() error { return e.parent }
