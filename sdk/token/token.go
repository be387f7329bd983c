// Package token keeps card numbers in a vault and hands out tokens for them.
//
// For most uses, open a database, call [Migrate] (SQLite; on Cloudflare D1
// wrangler applies the same migrations), build a [KEKSet] from
// [NewLocalKEK], then call [NewVault] on an executor (or [NewSQLVault] on
// a database/sql handle). [Vault.Tokenize] stores a card and
// returns its [Stored] metadata; [Vault.Get] and [Vault.Delete] manage it;
// [Vault.Fill] (built on [Vault.Reveal] and [FillPlaceholders]) puts card
// data into a request for the merchant's payment provider, and [Redact]
// masks card numbers in the provider's answer.
//
// Card numbers, names and CVCs are sealed at rest with XChaCha20-Poly1305
// under data keys wrapped by a [KEK]; rows record the KEK version, and
// [Vault.Rewrap] moves them to a new one while reads keep working. Every
// write is one atomic unit ([sqlunit.Unit]) on an executor: one savepoint
// natively (edge/sqlitedb), one batch() on D1.
// See docs/vault.md for the construction and the schema.
package token

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math/bits"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// Errors callers branch on. Every error from this package carries an
// [errcode.Code]; find it with [errcode.Of].
var (
	// ErrNotFound is returned when a token does not exist, has expired, was
	// used up, or belongs to another merchant: the four are indistinguishable.
	ErrNotFound = errcode.New(errcode.NotFound, "token: not found")

	// ErrReplayed is returned by [Vault.Tokenize] when the envelope's jti was
	// already used. Nothing is stored.
	ErrReplayed = errcode.New(errcode.Replayed, "token: envelope already used")

	// ErrBadTemplate is returned by [FillPlaceholders] and [Vault.Fill] for a
	// malformed placeholder, an unknown field, or a JSON template that would
	// not be valid JSON once filled.
	ErrBadTemplate = errcode.New(errcode.BadRequest, "token: bad relay template")

	// ErrNoCVC is returned by [Vault.Fill] when a template asks for a CVC
	// the vault no longer holds (expired, or already used once).
	ErrNoCVC = errcode.New(errcode.NotFound, "token: CVC no longer held")

	// ErrNoCryptogram is returned by [Vault.Fill] for a template that
	// asks for a wallet cryptogram or ECI the vault no longer holds:
	// taken by an earlier relay, expired, or never there (a card, or a
	// PAN_ONLY wallet payment).
	ErrNoCryptogram = errcode.New(errcode.NotFound, "token: wallet cryptogram no longer held")
)

// Errors for input the edge should already have refused; they carry the
// card package's codes so that callers see one vocabulary.
var (
	errBadNumber   = errcode.New(errcode.InvalidCardNumber, "token: invalid card number")
	errBadExpiry   = errcode.New(errcode.InvalidExpiry, "token: invalid expiry")
	errBadCVC      = errcode.New(errcode.InvalidCVC, "token: invalid CVC")
	errBadRequest  = errcode.New(errcode.BadRequest, "token: bad request")
	errInternal    = errcode.New(errcode.Internal, "token: internal error")
	errKeyMaterial = errcode.New(errcode.Internal, "token: vault key unavailable")
)

// Stored is what the vault tells about a token: metadata, never the number.
type Stored struct {
	Token       string // tok_…
	MerchantID  string
	Brand       string // brand id, e.g. "visa"
	Last4       string
	ExpMonth    int
	ExpYear     int
	Fingerprint string // fp_…, the same for the same card number and merchant
	SingleUse   bool
	Created     time.Time
	Expires     time.Time // zero for reusable tokens
}

const (
	tokenPrefix = "tok_"
	tokenDigits = 22 // ⌈128 / log2(62)⌉
	base62      = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// NewTokenID returns a fresh token id: "tok_" and 22 base62 characters
// encoding 128 bits from crypto/rand. It is never derived from card data.
func NewTokenID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails, per crypto/rand
	return encodeTokenID(b)
}

// ValidTokenID reports whether s has the exact shape [NewTokenID] produces:
// the prefix, 22 base62 characters, and a value below 2¹²⁸.
func ValidTokenID(s string) bool {
	_, ok := decodeTokenID(s)
	return ok
}

// encodeTokenID writes the 128-bit big-endian value b in base 62, most
// significant digit first, zero-padded to 22 digits.
func encodeTokenID(b [16]byte) string {
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [len(tokenPrefix) + tokenDigits]byte
	copy(out[:], tokenPrefix)
	for i := len(out) - 1; i >= len(tokenPrefix); i-- {
		var r uint64
		hi, r = bits.Div64(0, hi, 62)
		lo, r = bits.Div64(r, lo, 62)
		out[i] = base62[r]
	}
	return string(out[:])
}

// decodeTokenID is the inverse of encodeTokenID; it refuses any other shape
// and values of 2¹²⁸ or more, so every valid id has one spelling.
func decodeTokenID(s string) (b [16]byte, ok bool) {
	if len(s) != len(tokenPrefix)+tokenDigits || s[:len(tokenPrefix)] != tokenPrefix {
		return b, false
	}
	var hi, lo uint64
	for i := len(tokenPrefix); i < len(s); i++ {
		d := base62Value(s[i])
		if d < 0 {
			return b, false
		}
		// (hi, lo) = (hi, lo)*62 + d, refusing overflow past 128 bits.
		h1, h0 := bits.Mul64(hi, 62)
		l1, l0 := bits.Mul64(lo, 62)
		if h1 != 0 {
			return b, false
		}
		var c uint64
		lo, c = bits.Add64(l0, uint64(d), 0)
		hi, c = bits.Add64(h0, l1, c)
		if c != 0 {
			return b, false
		}
	}
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return b, true
}

func base62Value(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}

// internal is an internal error that keeps its cause for the operator's
// log; clients see only the code (the edge never shows an internal
// error's message).
func internal(what string, cause error) error {
	return fmt.Errorf("token: %s: %w: %w", what, errInternal, cause)
}
