package envelope

import (
	"fmt"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// prefix starts every envelope v1. A new format gets a new prefix.
const prefix = sealer.Prefix

// MaxEnvelopeSize is the longest envelope [Open] reads, in bytes: 8 KiB.
// A card seals to about 400.
const MaxEnvelopeSize = sealer.MaxEnvelopeSize

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
	if pub == nil {
		return sealer.Seal(nil, c, sealer.SealOptions(opts))
	}
	return sealer.Seal(&pub.set, c, sealer.SealOptions(opts))
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
	hb, ok := sealer.DecodeB64(hs)
	if !ok {
		return nil, fmt.Errorf("envelope: header is not canonical base64url: %w", ErrInvalidEnvelope)
	}
	enc, ok := sealer.DecodeB64(es)
	if !ok || len(enc) != sealer.X25519Size {
		return nil, fmt.Errorf("envelope: enc is not the canonical base64url of 32 bytes: %w", ErrInvalidEnvelope)
	}
	ct, ok := sealer.DecodeB64(cs)
	if !ok || len(ct) < v1TagSize {
		return nil, fmt.Errorf("envelope: ciphertext is not canonical base64url of at least 16 bytes: %w", ErrInvalidEnvelope)
	}
	h, err := parseHeader(hb)
	if err != nil {
		return nil, fmt.Errorf("envelope: header: %v: %w", err, ErrInvalidEnvelope)
	}

	key := ks.opener(h.Kid)
	if key == nil {
		return nil, fmt.Errorf("envelope: no enabled key with id %q: %w", h.Kid, ErrUnknownKey)
	}

	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	now := opts.Now.Unix()
	if now > h.Exp+clockSkew {
		return nil, ErrExpired
	}
	if now < h.Iat-clockSkew {
		return nil, ErrNotYetValid
	}
	if opts.MerchantID != "" && h.Mid != opts.MerchantID {
		return nil, ErrWrongMerchant
	}
	if opts.Origin != "" && h.Aud != opts.Origin {
		return nil, ErrWrongOrigin
	}

	// The AAD is the envelope's own bytes up to the second dot, so the
	// header is authenticated exactly as sent.
	aad := envelope[:len(prefix)+len(hs)]
	r, err := v1Suite.recipient(key.sk, enc, []byte(sealer.Info))
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
	return &Opened{Header: exportHeader(h), Card: c}, nil
}

// v1TagSize is the ChaCha20Poly1305 tag size: the shortest ciphertext.
const v1TagSize = 16
