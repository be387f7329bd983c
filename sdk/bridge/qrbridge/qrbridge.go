// Package qrbridge is the QR module's half of Sealpay's browser bridge:
// [bridge.MethodVerifyQR], JSON in, JSON out, over sdk/qr. The browser
// loads this module only when a page first checks a QR code, so the card
// module stays free of sdk/qr's tables, golang.org/x/text and x/net/idna.
//
// For most uses, make a [Handler] with [New] once per page and call
// [Handler.Handle] with the registry's root keys in each request (the
// module pins none: the frame's script does, see docs/browser.md).
package qrbridge

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
)

// Options configure a [Handler].
type Options struct {
	// Roots are registry root keys' public JWKs (qr.RootKey.PublicJWK)
	// pinned for every request, in addition to the request's own.
	Roots [][]byte
}

// Handler answers [bridge.MethodVerifyQR]. It keeps the last trust bundle
// it loaded, so a page's codes are checked against one bundle without
// checking its signatures again.
type Handler struct{ h handler }

// New returns a Handler. It fails if a root key does not parse or is weak.
func New(opts Options) (*Handler, error) {
	h := handler{now: time.Now, trust: &trustCache{}}
	for _, jwk := range opts.Roots {
		k, err := qr.ParsePublicKey(jwk)
		if err != nil {
			return nil, err
		}
		h.roots = append(h.roots, k)
	}
	return &Handler{h: h}, nil
}

// Handle runs [bridge.MethodVerifyQR] on a JSON request and returns the
// verdict's JSON. Errors carry an errcode.Code (find it with errcode.Of).
func (h *Handler) Handle(ctx context.Context, method string, req []byte) ([]byte, error) {
	return h.h.methods().Handle(ctx, method, req)
}

// Methods returns the Handler's methods, for [bridge.Methods.Call].
func (h *Handler) Methods() bridge.Methods { return h.h.methods() }

// handler holds what a method may depend on; tests fix the clock.
type handler struct {
	now   func() time.Time
	roots []ed25519.PublicKey
	trust *trustCache // nil: load the trust bundle on every call
}

func (h handler) methods() bridge.Methods {
	return bridge.Methods{
		bridge.MethodVerifyQR: func(req []byte) ([]byte, error) {
			v, err := h.verifyQR(req)
			if err != nil {
				return nil, err
			}
			return json.Marshal(v)
		},
	}
}

func (h handler) handle(ctx context.Context, method string, req []byte) ([]byte, error) {
	return h.methods().Handle(ctx, method, req)
}

// VerifyQRRequest is the request of [bridge.MethodVerifyQR]:
//
//	{"payload":"000201…6304ABCD","bundle":"…GET /v1/qr/trust…","expect":{"amount":"12.50","currency":"THB"},"lang":"th"}
//
// Bundle is the registry's signed trust bundle, the document's text byte
// for byte (a string, not an embedded object: parsing and re-serializing it
// could change the signed bytes); it is accepted only if a pinned root key
// signed it. Roots are the registry root keys' public JWKs that the caller
// pins; the browser's frame sends the ones built into its script. They add
// to [Options.Roots].
type VerifyQRRequest struct {
	Payload string            `json:"payload"`
	Bundle  string            `json:"bundle"`
	Roots   []json.RawMessage `json:"roots,omitempty"`
	Expect  *QRExpectation    `json:"expect,omitempty"`
	Lang    string            `json:"lang,omitempty"`
}

// QRExpectation is what the checkout expects a code to say; empty members
// are not checked. Merchant is compared with the payee (see qr.Expectation).
type QRExpectation struct {
	Amount   string   `json:"amount,omitempty"`
	Currency string   `json:"currency,omitempty"`
	Merchant string   `json:"merchant,omitempty"`
	Domains  []string `json:"domains,omitempty"`
}

// maxPayload bounds a QR payload: a version 40 code holds at most 4,296
// alphanumeric characters.
const maxPayload = 4296

// ErrNoRoots is returned by [Handler.Handle] when no root key is pinned:
// neither built into the handler nor passed in the request.
var ErrNoRoots = errcode.New(errcode.BadRequest, "bridge: no pinned QR root key")

func (h handler) verifyQR(req []byte) (*qr.Verdict, error) {
	var r VerifyQRRequest
	if err := bridge.Decode(req, &r); err != nil {
		return nil, err
	}
	if len(r.Payload) > maxPayload {
		return nil, fmt.Errorf("bridge: QR payload longer than %d characters: %w", maxPayload, bridge.ErrBadRequest)
	}
	if len(r.Bundle) == 0 {
		return nil, fmt.Errorf("bridge: verifyQR needs the trust bundle: %w", bridge.ErrBadRequest)
	}
	roots := append([]ed25519.PublicKey(nil), h.roots...)
	for _, raw := range r.Roots {
		k, err := h.trust.parseRoot(raw)
		if err != nil {
			return nil, err
		}
		roots = append(roots, k)
	}
	if len(roots) == 0 {
		return nil, ErrNoRoots
	}
	now := h.now()
	trust, err := h.trust.load(r.Bundle, roots, now)
	if err != nil {
		return nil, err
	}
	opts := qr.VerifyOptions{Now: now, Lang: r.Lang}
	if e := r.Expect; e != nil {
		opts.Expect = &qr.Expectation{Payee: e.Merchant, Amount: e.Amount, Currency: e.Currency, Domains: e.Domains}
	}
	// Replay (qr_replayed) needs memory across scans, which a page does not
	// keep; the edge's POST /v1/qr/verify checks it.
	return qr.Verify(r.Payload, trust, opts), nil
}

// trustCache keeps the last trust bundle a [Handler] loaded, with the roots
// it was checked against. A page verifies its codes against one bundle, and
// checking the bundle's signatures is most of a verifyQR call's time in the
// browser. Reusing a loaded bundle is safe: it is only read by qr.Verify,
// and the one time check of qr.LoadTrustBundle (not issued more than a day
// in the future) can only pass more easily later.
type trustCache struct {
	mu     sync.Mutex
	bundle string
	roots  []byte // the pinned keys, concatenated
	loaded *qr.TrustBundle
	// keys holds the root JWKs the frame sends with every request, parsed:
	// qr.ParsePublicKey checks the point, which costs as much as a
	// verification in the browser. At most maxKeys are kept.
	keys map[string]ed25519.PublicKey
}

// maxKeys bounds trustCache.keys; a page pins a root or two.
const maxKeys = 8

// parseRoot returns qr.ParsePublicKey(raw), from the cache when raw was
// parsed before. A nil cache parses every time. Only keys that parsed are
// kept, so an error is never cached.
func (c *trustCache) parseRoot(raw []byte) (ed25519.PublicKey, error) {
	if c == nil {
		return qr.ParsePublicKey(raw)
	}
	c.mu.Lock()
	k, ok := c.keys[string(raw)]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	k, err := qr.ParsePublicKey(raw)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= maxKeys {
		c.keys = map[string]ed25519.PublicKey{}
	}
	c.keys[string(raw)] = k
	return k, nil
}

// load returns the bundle checked against roots, from the cache when the
// bundle text and the roots are the ones last loaded. A nil cache loads
// every time.
func (c *trustCache) load(bundle string, roots []ed25519.PublicKey, now time.Time) (*qr.TrustBundle, error) {
	if c == nil {
		return qr.LoadTrustBundle([]byte(bundle), roots, now)
	}
	var key []byte
	for _, r := range roots {
		key = append(key, r...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded != nil && c.bundle == bundle && bytes.Equal(c.roots, key) {
		return c.loaded, nil
	}
	t, err := qr.LoadTrustBundle([]byte(bundle), roots, now)
	if err != nil {
		return nil, err
	}
	c.bundle, c.roots, c.loaded = bundle, key, t
	return t, nil
}
