// Package sealer is the sending half of Sealpay's envelope format v1: public
// key sets, headers, the card plaintext and sealing, with the strict JSON
// and base64url rules that the opening half shares.
//
// Package envelope is the public API and builds its opening half on this
// one. The split exists for the browser's card module, which only seals:
// this package seals with sdk/internal/hpkesender, so the module does not
// link crypto/hpke, while envelope opens with crypto/hpke.
//
// For most uses, call [Seal] with a [PublicKeySet] from [ParsePublicKeySet].
package sealer

import (
	"crypto/ecdh"
	"crypto/rand"
	"strconv"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/internal/hpkesender"
)

// Prefix starts every envelope v1. A new format gets a new prefix.
const Prefix = "sp1."

// Info is the HPKE info string of envelope v1. It separates these HPKE
// contexts from any other use of the same keys.
const Info = "sealpay/envelope/v1"

// MaxEnvelopeSize is the longest envelope, in bytes. A card seals to about
// 400.
const MaxEnvelopeSize = 8 << 10

// Envelope lifetimes for [SealOptions].TTL.
const (
	defaultTTL = 15 * time.Minute
	maxTTL     = MaxLifetime * time.Second
)

// SealOptions says whom an envelope is for and how long it lives; package
// envelope's SealOptions documents the fields.
type SealOptions struct {
	MerchantID string
	Origin     string
	TTL        time.Duration
	Now        time.Time
}

// Seal validates c with [card.Card.Validate] and seals it to the primary key
// of pub, for the merchant and origin in opts.
func Seal(pub *PublicKeySet, c card.Card, opts SealOptions) (string, error) {
	var jti [JTISize]byte
	rand.Read(jti[:]) // never fails since Go 1.24
	return SealWithJTI(pub, c, opts, B64.EncodeToString(jti[:]))
}

// SealWithJTI is [Seal] with the jti given, so tests can fix it. Never call
// it outside tests: the edge accepts each jti once. The ephemeral HPKE key
// always comes from crypto/rand; tests fix it with
// testing/cryptotest.SetGlobalRandom.
func SealWithJTI(pub *PublicKeySet, c card.Card, opts SealOptions, jti string) (string, error) {
	if pub == nil || len(pub.Keys) == 0 {
		return "", wrap("envelope: seal: no public key: ", ErrInvalidKeySet, "")
	}
	if !ValidMerchantID(opts.MerchantID) {
		return "", wrap("envelope: seal: merchant ID must be 1 to 64 characters from A-Z, a-z, 0-9 and _-.: (", ErrInvalidOptions, ")")
	}
	if opts.Origin != "" && !ValidOrigin(opts.Origin) {
		return "", wrap("envelope: seal: origin must be at most 256 printable ASCII characters without spaces, quotes or backslashes (", ErrInvalidOptions, ")")
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = defaultTTL
	}
	if ttl < time.Second || ttl > maxTTL {
		return "", wrap("envelope: seal: TTL "+opts.TTL.String()+" is not between 1s and 1h: ", ErrInvalidOptions, "")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	h := Header{
		Kid: pub.Keys[0].KeyID,
		Mid: opts.MerchantID,
		Iat: now.Unix(),
		JTI: jti,
		Aud: opts.Origin,
	}
	h.Exp = h.Iat + int64(ttl/time.Second)
	if h.Iat < 0 || h.Exp > MaxSafeInteger {
		return "", wrap("envelope: seal: time out of range: ", ErrInvalidOptions, "")
	}

	pt, err := CardJSON(c, now)
	if err != nil {
		return "", err
	}

	return SealTo(pub.Keys[0], h.Marshal(), pt)
}

// SealTo seals plaintext pt under the header bytes hb to pk, with no checks
// of either: [Seal] makes them.
func SealTo(pk PublicKey, hb, pt []byte) (string, error) {
	aad := Prefix + B64.EncodeToString(hb)
	pub, err := ecdh.X25519().NewPublicKey(pk.X)
	if err != nil {
		return "", wrap("envelope: seal: ", err, "")
	}
	// hpkesender draws a fresh ephemeral key for every call, so each
	// envelope has its own enc and AEAD key, and the one nonce it uses never
	// repeats under one key. It refuses a low-order pk.
	enc, ct, err := hpkesender.Seal(pub, []byte(Info), []byte(aad), pt)
	if err != nil {
		return "", wrap("envelope: seal: ", err, "")
	}
	env := aad + "." + B64.EncodeToString(enc) + "." + B64.EncodeToString(ct)
	if len(env) > MaxEnvelopeSize {
		return "", wrap("envelope: seal: envelope would be "+strconv.Itoa(len(env))+" bytes, over "+strconv.Itoa(MaxEnvelopeSize)+": ", ErrInvalidEnvelope, "")
	}
	return env, nil
}

// CardJSON checks c the way Open will and returns the plaintext: the card
// as package card parses it, in its one JSON shape.
func CardJSON(c card.Card, now time.Time) ([]byte, error) {
	parsed, err := card.Parse(AppendCard(nil, c))
	if err != nil {
		return nil, err
	}
	if err := parsed.Validate(now); err != nil {
		return nil, err
	}
	return AppendCard(nil, parsed), nil
}

// AppendCard appends c in its one JSON shape:
//
//	{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","name":"A. Shopper"}
//
// with "cvc" and "name" left out when empty, strings quoted by
// [AppendString]. It is what json.Marshal(c) writes, except that '<', '>',
// '&', U+2028 and U+2029 in the name are written as themselves, not
// escaped (the tests compare them). It is written with jsontext so that
// sealing, which the browser's card module does, links no encoding/json.
func AppendCard(b []byte, c card.Card) []byte {
	b = append(b, `{"number":`...)
	b = AppendString(b, c.Number)
	b = append(b, `,"exp_month":`...)
	b = strconv.AppendInt(b, int64(c.ExpMonth), 10)
	b = append(b, `,"exp_year":`...)
	b = strconv.AppendInt(b, int64(c.ExpYear), 10)
	if c.CVC != "" {
		b = append(b, `,"cvc":`...)
		b = AppendString(b, c.CVC)
	}
	if c.Name != "" {
		b = append(b, `,"name":`...)
		b = AppendString(b, c.Name)
	}
	return append(b, '}')
}

// AppendString appends s as a JSON string in its shortest form
// (jsontext.AppendQuote, [RFC 8785] Section 3.2.2.2: only '"', '\' and
// control characters escaped). Invalid UTF-8 becomes U+FFFD, as
// json.Marshal does; the error that says so is dropped, because every
// caller reads or checks what it wrote.
//
// [RFC 8785]: https://www.rfc-editor.org/rfc/rfc8785.html
func AppendString(b []byte, s string) []byte {
	b, _ = jsontext.AppendQuote(b, s)
	return b
}
