package qr

import "github.com/sealpay/sealpay/sdk/errcode"

// The errors of the package. Each carries the [errcode.Code] that the
// command line, the edge and the JavaScript package report; test for them
// with errors.Is. [Verify] returns no error: its findings are reasons in
// the [Verdict].
var (
	// ErrMalformed is returned by [Parse] when a payload breaks the EMVCo data
	// object rules: a non-digit ID or length, a length running past the end of
	// its template, a duplicate ID, "00" not first, "63" missing, not last or
	// not four hex digits, more than 512 characters, invalid UTF-8, or — in
	// [Strict] mode — any deviation [Lenient] mode would list as a warning.
	// [Build] returns it for objects it cannot encode. The wrapped message names
	// the object (for example "object 62/05") and what is wrong with it.
	ErrMalformed = errcode.New(errcode.QRMalformed, "qr: malformed payload")

	// ErrBadCRC is returned by [Parse] when a well-formed payload's CRC (ID "63")
	// does not match the CRC-16 of its bytes.
	ErrBadCRC = errcode.New(errcode.QRBadCRC, "qr: CRC mismatch")

	// ErrCannotSign is returned by [Sign] when the request cannot make a valid
	// signed code: key and certificate do not match, the certificate is not
	// valid now, the TTL outlives it, the payee is not one of its names or an
	// account not one of its accounts, or an amount, currency or reference is
	// malformed.
	ErrCannotSign = errcode.New(errcode.BadRequest, "qr: cannot sign")

	// ErrInvalidKey is returned when a key file or an Ed25519 public key is
	// malformed or weak: not a JWK for an Ed25519 key, a wrong length, a
	// non-canonical encoding, a point of small order or outside the prime-order
	// subgroup, a private key that does not match its public key, or a key ID
	// that is not the key's.
	ErrInvalidKey = errcode.New(errcode.BadRequest, "qr: invalid or weak Ed25519 key")

	// ErrInvalidCertificate is returned by [RootKey.Certify] and
	// [ParseCertificate] for a certificate with a missing or malformed field:
	// merchant ID, names, domains, payee accounts, key, validity or signature.
	ErrInvalidCertificate = errcode.New(errcode.BadRequest, "qr: invalid merchant certificate")

	// ErrMalformedBundle is returned by [LoadTrustBundle] for a bundle that is
	// not well-formed: not JSON of the documented shape, duplicate members,
	// a weak key, a certificate with a bad field or signature, duplicate key
	// IDs, or an issue date far in the future.
	ErrMalformedBundle = errcode.New(errcode.QRMalformed, "qr: malformed trust bundle")

	// ErrUntrustedBundle is returned by [LoadTrustBundle] when no signature on
	// the bundle verifies under a pinned root key.
	ErrUntrustedBundle = errcode.New(errcode.QRUnknownKey, "qr: trust bundle not signed by a pinned root key")

	// ErrBundleRollback is returned by [TrustBundle.Update] for a bundle whose
	// version is lower than the loaded one, or equal to it with other contents:
	// an attacker who cannot forge a bundle could otherwise replay an old one
	// to bring back a revoked key.
	ErrBundleRollback = errcode.New(errcode.QRReplayed, "qr: trust bundle older than the one loaded")
)
