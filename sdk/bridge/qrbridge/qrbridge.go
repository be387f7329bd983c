package bridge

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
)

// VerifyQRRequest is the request of [MethodVerifyQR]:
//
//	{"payload":"000201…6304ABCD","bundle":"…GET /v1/qr/trust…","expect":{"amount":"12.50","currency":"THB"},"lang":"th"}
//
// Bundle is the registry's signed trust bundle, the document's text byte
// for byte (a string, not an embedded object: parsing and re-serializing it
// could change the signed bytes); it is accepted only if a pinned root key
// signed it. Roots are pinned when the [Handler] is made
// ([Options.Roots], built into the browser module) and may be added per
// request (the root keys' public JWKs), for a page that pins its own.
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

// ErrNoRoots is returned by [MethodVerifyQR] when no root key is pinned:
// neither built into the handler nor passed in the request.
var ErrNoRoots = errcode.New(errcode.BadRequest, "bridge: no pinned QR root key")

func (h handler) verifyQR(req []byte) (*qr.Verdict, error) {
	var r VerifyQRRequest
	if err := decode(req, &r); err != nil {
		return nil, err
	}
	if len(r.Payload) > maxPayload {
		return nil, fmt.Errorf("bridge: QR payload longer than %d characters: %w", maxPayload, ErrBadRequest)
	}
	if len(r.Bundle) == 0 {
		return nil, fmt.Errorf("bridge: verifyQR needs the trust bundle: %w", ErrBadRequest)
	}
	roots := append([]ed25519.PublicKey(nil), h.roots...)
	for _, raw := range r.Roots {
		k, err := qr.ParsePublicKey(raw)
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
