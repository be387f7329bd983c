package envelope

import (
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// The errors [Open] returns, in the order it checks. Card errors from
// package card come last, after decryption.
var (
	// ErrUnsupportedVersion is returned by [Open] when the string does not
	// start with "sp1.".
	ErrUnsupportedVersion = errcode.New(errcode.UnsupportedVersion, "envelope: unsupported version (want prefix sp1.)")

	// ErrInvalidEnvelope is returned by [Open] when the envelope is longer
	// than [MaxEnvelopeSize], is not four dot-separated parts of canonical
	// base64url, has an enc that is not 32 bytes, or has a header that breaks
	// the header rules (duplicate or unknown members, invalid UTF-8, wrong
	// types, exp not after iat, a lifetime over one hour).
	ErrInvalidEnvelope = sealer.ErrInvalidEnvelope

	// ErrUnknownKey is returned by [Open] when no enabled key in the set has
	// the header's key ID; retired keys count as unknown. [KeySet.Promote],
	// [KeySet.Retire] and [KeySet.Remove] return it for a key ID not in the set.
	ErrUnknownKey = errcode.New(errcode.UnknownKey, "envelope: unknown key id")

	// ErrExpired is returned by [Open] when exp is more than 300 seconds
	// in the past.
	ErrExpired = errcode.New(errcode.EnvelopeExpired, "envelope: expired")

	// ErrNotYetValid is returned by [Open] when iat is more than 300 seconds
	// in the future.
	ErrNotYetValid = errcode.New(errcode.EnvelopeNotYetValid, "envelope: not yet valid")

	// ErrWrongMerchant is returned by [Open] when the caller names a merchant
	// and the header's mid is another.
	ErrWrongMerchant = errcode.New(errcode.WrongMerchant, "envelope: sealed for another merchant")

	// ErrWrongOrigin is returned by [Open] when the caller pins an origin and
	// the header's aud is another or missing.
	ErrWrongOrigin = errcode.New(errcode.WrongOrigin, "envelope: sealed on another origin")

	// ErrDecryptFailed is returned by [Open] when HPKE opening fails. It is
	// deliberately opaque: a wrong key, any flipped bit, a swapped header and
	// a low-order enc all return this same error, never wrapped.
	ErrDecryptFailed = errcode.New(errcode.DecryptFailed, "envelope: message authentication failed")

	// ErrInvalidKeySet is returned when a JWK Set or private key set file
	// breaks the rules of docs/envelope-v1.md, and by [Seal] for an empty set.
	ErrInvalidKeySet = sealer.ErrInvalidKeySet

	// ErrPrimaryKey is returned by [KeySet.Retire] and [KeySet.Remove] for
	// the primary key, which is always enabled.
	ErrPrimaryKey = errcode.New(errcode.BadRequest, "envelope: the primary key cannot be retired or removed")

	// ErrInsecureKeyFile is returned by [ReadKeySetFile] and
	// [CheckKeyFileMode] for a file that its group or other users can
	// read or write.
	ErrInsecureKeyFile = errcode.New(errcode.InsecureKeyFile, "envelope: key file is readable or writable by group or others")

	// ErrInvalidOptions is returned by [Seal] for a missing or malformed
	// merchant ID or origin, or a TTL outside (0, 1h].
	ErrInvalidOptions = sealer.ErrInvalidOptions
)
