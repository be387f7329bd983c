package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/token"
	"github.com/sealpay/sealpay/sdk/webhook"
)

// envelopeSkew is the clock skew envelope.Open allows; a jti is remembered
// until its envelope's exp plus this, for as long as it could still open.
const envelopeSkew = 300 * time.Second

// keys answers GET /v1/keys: the public JWK Set, primary key first. With
// ?key= naming a valid publishable key, the set also carries the key's
// merchant id as a top-level "merchant" member (RFC 7517 §5 allows extra
// members), which browsers put in the envelopes they seal.
func (h *Handler) keys(c *call) (*response, error) {
	b, err := json.Marshal(h.keys_.Public())
	if err != nil {
		return nil, fmt.Errorf("edge: encoding the public key set: %w", err)
	}
	if pk := c.r.URL.Query().Get("key"); strings.HasPrefix(pk, "pk_") && len(pk) <= 200 {
		if m := h.cfg.lookupKey(pk, publishableKind); m != nil {
			mid, err := json.Marshal(m.ID)
			if err != nil {
				return nil, fmt.Errorf("edge: encoding the merchant id: %w", err)
			}
			// b is a JSON object: add the member before its closing brace.
			b = append(append(append(b[:len(b)-1:len(b)-1], `,"merchant":`...), mid...), '}')
		}
	}
	hd := http.Header{}
	hd.Set("Content-Type", "application/jwk-set+json")
	// Short enough that a rotation reaches browsers well within the
	// longest envelope lifetime (1 h) during which the old key still opens.
	hd.Set("Cache-Control", "public, max-age=300")
	return &response{status: http.StatusOK, header: hd, raw: b}, nil
}

// cardMeta is the card part of a tokenize answer: never the number.
type cardMeta struct {
	Brand       string `json:"brand"`
	Last4       string `json:"last4"`
	ExpMonth    int    `json:"exp_month"`
	ExpYear     int    `json:"exp_year"`
	Fingerprint string `json:"fingerprint"`
}

// tokenAnswer is the answer of POST /v1/tokens and GET /v1/tokens/{token}.
type tokenAnswer struct {
	Token     string   `json:"token"`
	Card      cardMeta `json:"card"`
	SingleUse bool     `json:"single_use,omitempty"`
	// Wallet and AuthMethod are set for a wallet tokenize.
	Wallet     string     `json:"wallet,omitempty"`
	AuthMethod string     `json:"auth_method,omitempty"`
	Created    *time.Time `json:"created,omitempty"`
	Expires    *time.Time `json:"expires,omitempty"`
}

func answerFor(s token.Stored, withTimes bool) tokenAnswer {
	a := tokenAnswer{
		Token:     s.Token,
		Card:      cardMeta{s.Brand, s.Last4, s.ExpMonth, s.ExpYear, s.Fingerprint},
		SingleUse: s.SingleUse,
	}
	if withTimes {
		created := s.Created.UTC()
		a.Created = &created
		if !s.Expires.IsZero() {
			exp := s.Expires.UTC()
			a.Expires = &exp
		}
	}
	return a
}

// tokenizeRequest is the body of POST /v1/tokens.
type tokenizeRequest struct {
	Envelope string `json:"envelope"`
	// Wallet ("google_pay" or "apple_pay") and PaymentData (the wallet's
	// token) stand instead of Envelope for a wallet payment.
	Wallet      string          `json:"wallet,omitempty"`
	PaymentData json.RawMessage `json:"payment_data,omitempty"`
	SingleUse   bool            `json:"single_use,omitempty"`
	// Save says the shopper asked to keep the card for later: only then
	// is a token from the hosted-fields frame reusable.
	Save bool `json:"save,omitempty"`
}

// tokenize answers POST /v1/tokens.
func (h *Handler) tokenize(c *call) (*response, error) {
	c.target = "tokens"
	var req tokenizeRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return nil, err
	}
	isWallet := req.Wallet != "" || len(req.PaymentData) > 0
	switch {
	case isWallet && req.Envelope != "":
		return nil, fmt.Errorf("edge: give \"envelope\" or \"wallet\" and \"payment_data\", not both: %w", ErrBadRequest)
	case isWallet && (req.Wallet == "" || len(req.PaymentData) == 0):
		return nil, fmt.Errorf("edge: a wallet payment needs \"wallet\" and \"payment_data\": %w", ErrBadRequest)
	case !isWallet && req.Envelope == "":
		return nil, fmt.Errorf("edge: missing \"envelope\": %w", ErrBadRequest)
	}
	if req.Save && req.SingleUse {
		return nil, fmt.Errorf("edge: \"save\" and \"single_use\" contradict each other: %w", ErrBadRequest)
	}
	// A card typed into the hosted-fields frame is for this payment
	// unless the shopper asked to save it: its token is single-use (dies
	// after its first relay or after single_use_ttl), so a token that
	// leaks from the page or a log is worth nothing later.
	singleUse := req.SingleUse || (!req.Save && isSameOrigin(c.r, c.r.Header.Get("Origin")))
	if isWallet {
		return h.tokenizeWallet(c, req, singleUse)
	}
	op, err := h.open(c, req.Envelope)
	if err != nil {
		h.risk.attempt(c.r.Context(), c, "", err)
		return nil, err
	}
	ctx := dbContext(c.r.Context())
	s, stmts, err := h.prepare(ctx, c, op, singleUse)
	if err == nil {
		// The jti, the CVC, the token, the card's risk counts and the
		// audit entry: one unit.
		stmts = append(stmts, h.risk.recordStmts(c, s.Fingerprint)...)
		_, err = h.vault.Exec(ctx, sqlunit.Unit{Stmts: stmts, Tail: h.success(c, "tokenize")})
	}
	if err != nil {
		h.risk.attempt(c.r.Context(), c, "", err)
		c.tokens = nil
		return nil, err
	}
	a := answerFor(s, false)
	if s.SingleUse {
		// Say how long it lives, so the page need not guess.
		exp := s.Expires.UTC()
		a.Expires = &exp
	}
	return &response{status: http.StatusCreated, body: a}, nil
}

// open opens an envelope for c's merchant. A request from one of the
// merchant's pages pins the envelope's aud to the page's origin; a request
// from the edge's own hosted-fields frame (same origin) requires the aud,
// if present, to be one of the merchant's origins.
func (h *Handler) open(c *call, env string) (*envelope.Opened, error) {
	origin := c.r.Header.Get("Origin")
	opts := envelope.OpenOptions{MerchantID: c.merchant.ID, Now: c.now}
	sameOrigin := isSameOrigin(c.r, origin)
	if !sameOrigin {
		opts.Origin, _ = normalizeOrigin(origin)
	}
	op, err := envelope.Open(h.keys_, env, opts)
	if err != nil {
		return nil, err
	}
	if sameOrigin && op.Header.Audience != "" && !c.merchant.allowsOrigin(op.Header.Audience) {
		return nil, envelope.ErrWrongOrigin
	}
	return op, nil
}

// prepare checks an opened envelope's card and returns the token it will
// be and the statements that store it with its jti, for a unit; it adds
// the token to c's audit entry.
func (h *Handler) prepare(ctx context.Context, c *call, op *envelope.Opened, singleUse bool) (token.Stored, []sqlunit.Stmt, error) {
	digits, err := card.Normalize(op.Card.Number)
	if err != nil {
		return token.Stored{}, nil, err
	}
	brand := card.DetectBrand(digits)
	if brand == nil {
		return token.Stored{}, nil, card.ErrUnsupportedBrand
	}
	cd := op.Card
	cd.Number = digits
	s, stmts, err := h.vault.PrepareTokenize(ctx, c.merchant.ID, cd, brand.ID(), token.TokenizeOptions{
		SingleUse:  singleUse,
		JTI:        op.Header.JTI,
		JTIExpires: op.Header.ExpiresAt.Add(envelopeSkew),
	})
	if err != nil {
		return token.Stored{}, nil, err
	}
	c.tokens = append(c.tokens, s.Token)
	return s, stmts, nil
}

// isSameOrigin reports whether origin is the edge's own origin (the
// hosted-fields frame served from the edge).
// fromOwnOrigin reports whether a browser sent r from a page of the edge's
// own origin (its frames): an Origin naming the edge, or, for a GET, which
// browsers send without Origin when it is same-origin, no Origin and
// Sec-Fetch-Site "same-origin" (a header pages cannot set; a page on
// another site makes "cross-site" or "same-site" requests).
func fromOwnOrigin(r *http.Request, origin string) bool {
	if origin == "" {
		return r.Method == http.MethodGet && r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	return isSameOrigin(r, origin)
}

func isSameOrigin(r *http.Request, origin string) bool {
	if origin == "" || r.Host == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// tokenPath returns the {token} path value if it is a well-formed token id.
func tokenPath(c *call) (string, error) {
	tok := c.r.PathValue("token")
	if !token.ValidTokenID(tok) {
		return "", errNotFound
	}
	c.tokens = append(c.tokens, tok)
	return tok, nil
}

// getToken answers GET /v1/tokens/{token}: metadata only.
func (h *Handler) getToken(c *call) (*response, error) {
	c.target = "tokens"
	tok, err := tokenPath(c)
	if err != nil {
		return nil, err
	}
	s, err := h.vault.Get(c.r.Context(), c.merchant.ID, tok)
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusOK, body: answerFor(s, true)}, nil
}

// deleteToken answers DELETE /v1/tokens/{token}.
func (h *Handler) deleteToken(c *call) (*response, error) {
	c.target = "tokens"
	tok, err := tokenPath(c)
	if err != nil {
		return nil, err
	}
	// The stored answers that name the token (its tokenize's, a relay's)
	// go with it, so that a retry with their Idempotency-Key runs anew
	// instead of handing the deleted token's id, last4 and fingerprint
	// out again. The event is queued in the same unit.
	extra := []sqlunit.Stmt{sqlunit.S(`DELETE FROM idempotency_keys WHERE merchant = ? AND instr(body, ?) > 0`, c.merchant.ID, []byte(tok))}
	s, queued := h.eventStmt(c.merchant, webhook.TokenDeleted, webhook.TokenDeletedData{Token: tok}, c.now, "", 0)
	if queued {
		extra = append(extra, s)
	}
	if err := h.vault.DeleteWith(dbContext(c.r.Context()), c.merchant.ID, tok, h.success(c, "delete"), extra...); err != nil {
		return nil, err
	}
	if queued {
		h.eventsQueued()
	}
	return &response{status: http.StatusOK, body: map[string]any{"token": tok, "deleted": true}}, nil
}

// isCardFailure reports whether err is a failure a card-testing run
// produces: a bad card or an envelope that does not open.
func isCardFailure(err error) bool {
	switch errcode.Of(err) {
	case errcode.InvalidCardNumber, errcode.UnsupportedBrand, errcode.InvalidExpiry,
		errcode.CardExpired, errcode.InvalidCVC, errcode.DecryptFailed,
		errcode.InvalidEnvelope, errcode.UnknownKey, errcode.UnsupportedVersion,
		errcode.WalletTokenMalformed, errcode.WalletSignatureInvalid, errcode.WalletKeyExpired,
		errcode.WalletMessageExpired, errcode.WalletRecipientMismatch, errcode.WalletKeyUnknown,
		errcode.WalletDecryptFailed:
		return true
	}
	return false
}
