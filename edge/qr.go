package edge

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/sdk/qr/qrpng"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// QRConfig is a merchant's QR signing set-up for POST /v1/qr: its signing
// key (a private Ed25519 JWK from `sealpay registry certify`), its
// certificate, and the base EMVCo payload (typically the static code its
// bank issued) that signed codes are made from. Key and Certificate may be
// given inline or, natively, as files.
type QRConfig struct {
	Key             json.RawMessage `json:"key,omitempty"`
	KeyFile         string          `json:"key_file,omitempty"`
	Certificate     json.RawMessage `json:"certificate,omitempty"`
	CertificateFile string          `json:"certificate_file,omitempty"`
	BasePayload     string          `json:"base_payload"`
}

// staleWarning is how long before its trust bundle expires the edge warns
// when it loads it.
const staleWarning = 7 * 24 * time.Hour

var errQRDisabled = errcode.New(errcode.NotFound, "edge: QR codes are not configured on this edge")

// qrState is loaded on first use: a Worker starts a Go runtime per request,
// and most requests never touch QR codes.
type qrState struct {
	once  sync.Once
	trust *qr.TrustBundle
	err   error
	// staleLogged is set once an expired bundle has been logged while
	// verifying, so that the log gets one line, not one per request.
	staleLogged atomic.Bool
	keysMu      sync.Mutex
	keys        map[string]*merchantQR
}

type merchantQR struct {
	key  *qr.MerchantKey
	cert *qr.Certificate
}

// trustBundle returns the loaded trust bundle, checked against the pinned
// roots of the configuration.
func (h *Handler) trustBundle() (*qr.TrustBundle, error) {
	h.qr.once.Do(func() {
		if h.trust == nil || len(h.cfg.QRRoots) == 0 {
			h.qr.err = errQRDisabled
			return
		}
		var pinned []ed25519.PublicKey
		for _, r := range h.cfg.QRRoots {
			k, err := qr.ParsePublicKey(r)
			if err != nil {
				h.qr.err = fmt.Errorf("edge: qr_roots: %w", err)
				return
			}
			pinned = append(pinned, k)
		}
		h.qr.trust, h.qr.err = qr.LoadTrustBundle(h.trust, pinned, h.now())
		if h.qr.err != nil {
			h.log.Error("edge: the trust bundle does not load", "err", h.qr.err.Error())
			h.qr.err = fmt.Errorf("edge: trust bundle: %w", errcode.New(errcode.Internal, "internal error"))
			return
		}
		// An expired bundle loads, and Verify rejects signed codes with
		// qr_expired/trust_bundle; the operator needs to hear of it first.
		b := h.qr.trust.Bundle()
		switch left := b.ExpiresAt.Sub(h.now()); {
		case left <= 0:
			h.qr.staleLogged.Store(true)
			h.log.Error("edge: the trust bundle has expired: signed QR codes are rejected (qr_expired) until a newer bundle is deployed",
				"version", b.Version, "expires_at", b.ExpiresAt.Format(time.RFC3339))
		case left < staleWarning:
			h.log.Warn("edge: the trust bundle expires soon: deploy a newer one ('sealpay registry bundle')",
				"version", b.Version, "expires_at", b.ExpiresAt.Format(time.RFC3339))
		}
	})
	return h.qr.trust, h.qr.err
}

// qrTrust answers GET /v1/qr/trust with the registry's signed trust bundle,
// the bytes it was configured with (docs/qr-v1.md §4.4: a deployment
// refreshes it by deploying a newer file or secret and restarting).
func (h *Handler) qrTrust(c *call) (*response, error) {
	if h.trust == nil {
		return nil, errQRDisabled
	}
	hd := http.Header{}
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "public, max-age=300")
	return &response{status: http.StatusOK, header: hd, raw: h.trust}, nil
}

// qrVerifyRequest is the body of POST /v1/qr/verify.
type qrVerifyRequest struct {
	Payload string `json:"payload"`
	Expect  *struct {
		Payee    string   `json:"payee"`
		Amount   string   `json:"amount"`
		Currency string   `json:"currency"`
		Domains  []string `json:"domains"`
	} `json:"expect,omitempty"`
	Lang string `json:"lang,omitempty"`
}

// qrVerify answers POST /v1/qr/verify with the SDK's verdict (200 whatever
// the verdict; a verdict is an answer about the code, not an error).
//
// The route is open, for shoppers' apps. Only the checkout's own verify —
// with the merchant's secret key, of the merchant's own code — records a
// dynamic code's nonce and rejects a replay; anyone else's only looks it
// up, and a code already used at the checkout verifies with a qr_replayed
// warning. So nobody can use up a code by verifying it first.
func (h *Handler) qrVerify(c *call) (*response, error) {
	checkout := ""
	if key, ok := bearer(c.r); ok && strings.HasPrefix(key, "sk_") {
		m := h.cfg.lookupKey(key, secretKind)
		if m == nil {
			return nil, errUnauthorized
		}
		checkout = m.ID
	}
	var req qrVerifyRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return nil, err
	}
	if req.Payload == "" {
		return nil, fmt.Errorf("edge: missing \"payload\": %w", ErrBadRequest)
	}
	trust, err := h.trustBundle()
	if err != nil {
		return nil, err
	}
	opts := qr.VerifyOptions{Nonces: &sqlNonces{ex: h.store, ctx: c.r.Context(), now: c.now}, Checkout: checkout, Now: c.now, Lang: req.Lang}
	if opts.Lang == "" {
		opts.Lang = c.r.Header.Get("Accept-Language")
	}
	if e := req.Expect; e != nil {
		opts.Expect = &qr.Expectation{Payee: e.Payee, Amount: e.Amount, Currency: e.Currency, Domains: e.Domains}
	}
	v := qr.Verify(req.Payload, trust, opts)
	if checkout != "" && v.Status == qr.Rejected {
		if err := h.qrRejectedEvent(c.r.Context(), h.merchant(checkout), req.Payload, v, c.now); err != nil {
			return nil, err
		}
	}
	for _, r := range v.Reasons {
		if r.Detail == "trust_bundle" && !h.qr.staleLogged.Swap(true) {
			h.log.Error("edge: the trust bundle has expired while in use: signed QR codes are rejected (qr_expired) until a newer bundle is deployed")
		}
	}
	return &response{status: http.StatusOK, body: v}, nil
}

// qrSignRequest is the body of POST /v1/qr.
type qrSignRequest struct {
	Amount     string `json:"amount"`
	Currency   string `json:"currency,omitempty"`
	Reference  string `json:"reference,omitempty"`
	TTLSeconds int    `json:"ttl_seconds,omitempty"`
	Size       int    `json:"size,omitempty"`
}

// qrSign answers POST /v1/qr: a signed dynamic code for an amount, as the
// payload and a PNG (base64).
func (h *Handler) qrSign(c *call) (*response, error) {
	c.target = "qr"
	var req qrSignRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return nil, err
	}
	if req.TTLSeconds < 0 || req.TTLSeconds > 86400 || req.Size < 0 || req.Size > 2048 {
		return nil, fmt.Errorf("edge: ttl_seconds must be 0–86400 and size 0–2048: %w", ErrBadRequest)
	}
	mq, err := h.merchantQR(c.merchant)
	if err != nil {
		return nil, err
	}
	payload, err := qr.Sign(c.merchant.QR.BasePayload, mq.key, mq.cert, qr.SignOptions{
		Amount: req.Amount, Currency: req.Currency, Reference: req.Reference,
		TTL: time.Duration(req.TTLSeconds) * time.Second, Now: c.now,
	})
	if err != nil {
		return nil, err
	}
	size := req.Size
	if size == 0 {
		size = qrpng.DefaultSize
	}
	png, err := qrpng.Render(payload, size)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, body: map[string]string{
		"payload": payload,
		"png":     base64.StdEncoding.EncodeToString(png),
	}}, nil
}

// merchantQR parses m's QR key and certificate once.
func (h *Handler) merchantQR(m *Merchant) (*merchantQR, error) {
	if m.QR == nil || len(m.QR.Key) == 0 || len(m.QR.Certificate) == 0 || m.QR.BasePayload == "" {
		return nil, errQRDisabled
	}
	h.qr.keysMu.Lock()
	defer h.qr.keysMu.Unlock()
	if mq, ok := h.qr.keys[m.ID]; ok {
		return mq, nil
	}
	key, err := qr.ParseMerchantKey(m.QR.Key)
	if err != nil {
		return nil, fmt.Errorf("edge: merchant QR key: %w", err)
	}
	cert, err := qr.ParseCertificate(m.QR.Certificate)
	if err != nil {
		return nil, fmt.Errorf("edge: merchant QR certificate: %w", err)
	}
	if h.qr.keys == nil {
		h.qr.keys = map[string]*merchantQR{}
	}
	mq := &merchantQR{key, cert}
	h.qr.keys[m.ID] = mq
	return mq, nil
}

// sqlNonces is a qr.NonceStore in the qr_nonces table.
type sqlNonces struct {
	ex  sqlunit.Executor
	ctx context.Context
	now time.Time
}

// Recorded reports whether the checkout recorded nonce and it is still in
// date. It only reads.
func (s *sqlNonces) Recorded(nonce string) (bool, error) {
	rows, err := s.ex.Query(s.ctx, `SELECT 1 FROM qr_nonces WHERE nonce = ? AND expires_at >= ?`, nonce, s.now.Unix())
	if err != nil {
		return false, fmt.Errorf("edge: looking up a QR nonce: %w", err)
	}
	return len(rows) > 0, nil
}

func (s *sqlNonces) Seen(nonce string, exp time.Time) (bool, error) {
	rows, err := s.ex.Exec(s.ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
		`INSERT INTO qr_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT(nonce) DO NOTHING RETURNING 1`,
		nonce, exp.Unix())}})
	if err != nil {
		return false, fmt.Errorf("edge: recording a QR nonce: %w", err)
	}
	return len(rows[0]) == 0, nil
}
