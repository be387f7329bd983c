package envelope

import (
	"crypto/hpke"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sealpay/sealpay/sdk/card"
)

// prefix starts every envelope v1. A new format gets a new prefix.
const prefix = "sp1."

// MaxEnvelopeSize is the longest envelope [Open] reads, in bytes. A card
// seals to about 400.
const MaxEnvelopeSize = 8 << 10

// Envelope lifetimes for [SealOptions.TTL].
const (
	defaultTTL = 15 * time.Minute
	maxTTL     = maxLifetime * time.Second
)

// SealOptions says whom an envelope is for and how long it lives.
type SealOptions struct {
	// MerchantID is the merchant the card is for ("mid"); required.
	MerchantID string
	// Origin is the origin of the page that seals, e.g.
	// "https://shop.example" ("aud"); optional.
	Origin string
	// TTL is how long the envelope stays valid: 0 means 15 minutes; more
	// than 1 hour is refused.
	TTL time.Duration
	// Now is the sealing time; zero means time.Now().
	Now time.Time
}

// OpenOptions says what [Open] checks beyond the cryptography.
type OpenOptions struct {
	// MerchantID, if not empty, must equal the header's mid.
	MerchantID string
	// Origin, if not empty, must equal the header's aud.
	Origin string
	// Now is the opening time; zero means time.Now().
	Now time.Time
}

// Opened is an opened envelope: its header and the card. The card's String
// method redacts the number and CVC.
type Opened struct {
	Header Header
	Card   card.Card
}

// Seal validates c with [card.Card.Validate] and seals it to the primary key
// of pub, for the merchant and origin in opts.
func Seal(pub *PublicKeySet, c card.Card, opts SealOptions) (string, error) {
	var jti [jtiSize]byte
	rand.Read(jti[:]) // never fails since Go 1.24
	return seal(pub, c, opts, b64.EncodeToString(jti[:]))
}

// seal is Seal with the jti given, so tests can fix it. The ephemeral HPKE
// key always comes from crypto/rand; tests fix it with
// testing/cryptotest.SetGlobalRandom.
func seal(pub *PublicKeySet, c card.Card, opts SealOptions, jti string) (string, error) {
	if pub == nil || len(pub.keys) == 0 {
		return "", wrap("envelope: seal: no public key: ", ErrInvalidKeySet, "")
	}
	if !validMerchantID(opts.MerchantID) {
		return "", wrap("envelope: seal: merchant ID must be 1 to 64 characters from A-Z, a-z, 0-9 and _-.: (", ErrInvalidOptions, ")")
	}
	if opts.Origin != "" && !validOrigin(opts.Origin) {
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
	h := header{
		kid: pub.keys[0].kid,
		mid: opts.MerchantID,
		iat: now.Unix(),
		jti: jti,
		aud: opts.Origin,
	}
	h.exp = h.iat + int64(ttl/time.Second)
	if h.iat < 0 || h.exp > maxSafeInteger {
		return "", wrap("envelope: seal: time out of range: ", ErrInvalidOptions, "")
	}

	pt, err := cardJSON(c, now)
	if err != nil {
		return "", err
	}

	return sealTo(pub.keys[0].pk, h.marshal(), pt)
}

// sealTo seals plaintext pt under the header bytes hb to pk.
func sealTo(pk hpke.PublicKey, hb, pt []byte) (string, error) {
	aad := prefix + b64.EncodeToString(hb)
	enc, sender, err := v1Suite.sender(pk, []byte(envelopeInfo))
	if err != nil {
		return "", wrap("envelope: seal: ", err, "")
	}
	ct, err := sender.Seal([]byte(aad), pt)
	if err != nil {
		return "", wrap("envelope: seal: ", err, "")
	}
	env := aad + "." + b64.EncodeToString(enc) + "." + b64.EncodeToString(ct)
	if len(env) > MaxEnvelopeSize {
		return "", wrap("envelope: seal: envelope would be "+strconv.Itoa(len(env))+" bytes, over "+strconv.Itoa(MaxEnvelopeSize)+": ", ErrInvalidEnvelope, "")
	}
	return env, nil
}

// cardJSON checks c the way [Open] will and returns the plaintext: the card
// as package card parses it, in its one JSON shape.
func cardJSON(c card.Card, now time.Time) ([]byte, error) {
	parsed, err := card.Parse(appendCard(nil, c))
	if err != nil {
		return nil, err
	}
	if err := parsed.Validate(now); err != nil {
		return nil, err
	}
	return appendCard(nil, parsed), nil
}

// appendCard appends c in its one JSON shape:
//
//	{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","name":"A. Shopper"}
//
// with "cvc" and "name" left out when empty, strings quoted by
// [appendString]. It is what json.Marshal(c) writes, except that '<', '>',
// '&', U+2028 and U+2029 in the name are written as themselves, not
// escaped (the tests compare them). It is written with jsontext so that
// sealing, which the browser's card module does, links no encoding/json.
func appendCard(b []byte, c card.Card) []byte {
	b = append(b, `{"number":`...)
	b = appendString(b, c.Number)
	b = append(b, `,"exp_month":`...)
	b = strconv.AppendInt(b, int64(c.ExpMonth), 10)
	b = append(b, `,"exp_year":`...)
	b = strconv.AppendInt(b, int64(c.ExpYear), 10)
	if c.CVC != "" {
		b = append(b, `,"cvc":`...)
		b = appendString(b, c.CVC)
	}
	if c.Name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, c.Name)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string in its shortest form
// (jsontext.AppendQuote, [RFC 8785] Section 3.2.2.2: only '"', '\' and
// control characters escaped). Invalid UTF-8 becomes U+FFFD, as
// json.Marshal does; the error that says so is dropped, because every
// caller reads or checks what it wrote.
//
// [RFC 8785]: https://www.rfc-editor.org/rfc/rfc8785.html
func appendString(b []byte, s string) []byte {
	b, _ = jsontext.AppendQuote(b, s)
	return b
}

// Open checks and opens an envelope with the key set ks. It checks, in this
// order, and stops at the first failure:
//
//  1. the "sp1." prefix ([ErrUnsupportedVersion]);
//  2. the size, shape and canonical base64url of the parts ([ErrInvalidEnvelope]);
//  3. the header rules ([ErrInvalidEnvelope]);
//  4. an enabled key with the header's key ID ([ErrUnknownKey]);
//  5. the time window, with 300 s of clock skew either way ([ErrExpired],
//     [ErrNotYetValid]);
//  6. the merchant, if opts names one ([ErrWrongMerchant]);
//  7. the origin, if opts pins one ([ErrWrongOrigin]);
//  8. HPKE decryption, binding the header ([ErrDecryptFailed]);
//  9. the card, with package card's errors.
//
// Open does not detect replays: the caller records each accepted
// [Header].JTI until [Header].ExpiresAt plus the skew.
func Open(ks *KeySet, envelope string, opts OpenOptions) (*Opened, error) {
	if !strings.HasPrefix(envelope, prefix) {
		return nil, ErrUnsupportedVersion
	}
	if len(envelope) > MaxEnvelopeSize {
		return nil, fmt.Errorf("envelope: longer than %d bytes: %w", MaxEnvelopeSize, ErrInvalidEnvelope)
	}
	hs, rest, _ := strings.Cut(envelope[len(prefix):], ".")
	es, cs, _ := strings.Cut(rest, ".")
	if hs == "" || es == "" || cs == "" || strings.Contains(cs, ".") {
		return nil, fmt.Errorf("envelope: want four parts separated by dots: %w", ErrInvalidEnvelope)
	}
	hb, ok := decodeB64(hs)
	if !ok {
		return nil, fmt.Errorf("envelope: header is not canonical base64url: %w", ErrInvalidEnvelope)
	}
	enc, ok := decodeB64(es)
	if !ok || len(enc) != x25519Size {
		return nil, fmt.Errorf("envelope: enc is not the canonical base64url of 32 bytes: %w", ErrInvalidEnvelope)
	}
	ct, ok := decodeB64(cs)
	if !ok || len(ct) < v1TagSize {
		return nil, fmt.Errorf("envelope: ciphertext is not canonical base64url of at least 16 bytes: %w", ErrInvalidEnvelope)
	}
	h, err := parseHeader(hb)
	if err != nil {
		return nil, fmt.Errorf("envelope: header: %v: %w", err, ErrInvalidEnvelope)
	}

	key := ks.opener(h.kid)
	if key == nil {
		return nil, fmt.Errorf("envelope: no enabled key with id %q: %w", h.kid, ErrUnknownKey)
	}

	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	now := opts.Now.Unix()
	if now > h.exp+clockSkew {
		return nil, ErrExpired
	}
	if now < h.iat-clockSkew {
		return nil, ErrNotYetValid
	}
	if opts.MerchantID != "" && h.mid != opts.MerchantID {
		return nil, ErrWrongMerchant
	}
	if opts.Origin != "" && h.aud != opts.Origin {
		return nil, ErrWrongOrigin
	}

	// The AAD is the envelope's own bytes up to the second dot, so the
	// header is authenticated exactly as sent.
	aad := envelope[:len(prefix)+len(hs)]
	r, err := v1Suite.recipient(key.sk, enc, []byte(envelopeInfo))
	if err != nil {
		// A low-order enc fails here rather than in Open: same error.
		return nil, ErrDecryptFailed
	}
	pt, err := r.Open([]byte(aad), ct)
	if err != nil {
		return nil, ErrDecryptFailed
	}

	c, err := card.Parse(pt)
	if err != nil {
		return nil, fmt.Errorf("envelope: sealed card: %w", err)
	}
	if err := c.Validate(opts.Now); err != nil {
		return nil, fmt.Errorf("envelope: sealed card: %w", err)
	}
	return &Opened{Header: h.export(), Card: c}, nil
}

// v1TagSize is the ChaCha20Poly1305 tag size: the shortest ciphertext.
const v1TagSize = 16
