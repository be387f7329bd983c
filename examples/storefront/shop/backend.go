package shop

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sealpay/sealpay/examples/storefront/samplepsp"
	"github.com/sealpay/sealpay/sdk/token"
	"github.com/sealpay/sealpay/sdk/webhook"
)

// BackendOptions configure a [Backend].
type BackendOptions struct {
	// Edge is the edge's origin, e.g. "https://edge.example".
	Edge string
	// SecretKey is the merchant's secret key, sk_…: server only.
	SecretKey string
	// SigningSecret is the secret the edge signs forwarded requests with.
	SigningSecret []byte
	// OldSigningSecret, while the secret is being rotated, is accepted
	// too: set it to the current secret and SigningSecret to the new one,
	// switch the edge to the new one, then remove this.
	OldSigningSecret []byte
	// ProviderURL is the payment provider's charge endpoint, reached only
	// through the edge's relay; its host must be on the merchant's relay
	// allowlist at the edge.
	ProviderURL string
	// ProviderKey is the provider API key the relay sends along.
	ProviderKey string
	// StateFile keeps customers and their saved cards (tokens, never card
	// data) across restarts; empty keeps them in memory.
	StateFile string
	// Requests, if set, receives one JSON line per request the backend
	// received (route, signature check, raw body), for audits and for the
	// tests that prove no card number ever arrives here.
	Requests io.Writer
	// Client calls the edge; nil uses a client with a 30 s timeout.
	Client *http.Client
	// Logger gets one line per order; never tokens or card data.
	Logger *slog.Logger
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
}

// Backend is the merchant's server: the edge forwards the shop page's
// requests to it, signed, with card data already replaced by tokens. It
// charges through the edge's relay, so no card number ever reaches it.
//
// Its routes are the targets of the edge's forward routes:
//
//	POST /sealpay/checkout  pay for an order with a new token or a saved card
//	POST /sealpay/cards     list a customer's saved cards (no tokens)
//	POST /sealpay/forget    delete a saved card (and its token at the edge)
type Backend struct {
	opts BackendOptions
	edge *edgeClient
	mux  *http.ServeMux
	log  *slog.Logger

	mu        sync.Mutex
	customers map[string]*customer
	seen      map[string]time.Time // request ids, for replay protection
	pruned    time.Time            // when seen was last pruned
	reqLog    sync.Mutex
}

// customer is a returning shopper, known by an opaque random id that the
// shop page keeps in localStorage.
type customer struct {
	ID    string       `json:"id"`
	Cards []*savedCard `json:"cards"`
}

// savedCard is a card on file: the reusable token and its metadata.
type savedCard struct {
	ID    string    `json:"id"`
	Token string    `json:"token"`
	Card  cardMeta  `json:"card"`
	Saved time.Time `json:"saved"`
}

// NewBackend returns the merchant backend for opts, loading saved
// customers from opts.StateFile when it exists.
func NewBackend(opts BackendOptions) (*Backend, error) {
	if opts.Edge == "" || opts.SecretKey == "" || len(opts.SigningSecret) == 0 || opts.ProviderURL == "" {
		return nil, errors.New("shop: NewBackend needs Edge, SecretKey, SigningSecret and ProviderURL")
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b := &Backend{
		opts:      opts,
		edge:      &edgeClient{base: strings.TrimRight(opts.Edge, "/"), secret: opts.SecretKey, http: opts.Client},
		mux:       http.NewServeMux(),
		log:       opts.Logger,
		customers: map[string]*customer{},
		seen:      map[string]time.Time{},
	}
	if opts.StateFile != "" {
		data, err := os.ReadFile(opts.StateFile)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("shop: reading the state file: %w", err)
		default:
			var cs []*customer
			if err := json.Unmarshal(data, &cs); err != nil {
				return nil, fmt.Errorf("shop: the state file is not valid JSON: %w", err)
			}
			for _, c := range cs {
				b.customers[c.ID] = c
			}
		}
	}
	b.mux.HandleFunc("POST /sealpay/checkout", b.signed("checkout", b.checkout))
	b.mux.HandleFunc("POST /sealpay/cards", b.signed("cards", b.cards))
	b.mux.HandleFunc("POST /sealpay/forget", b.signed("forget", b.forget))
	b.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "not_found", "no such route")
	})
	return b, nil
}

// ServeHTTP serves the backend's routes.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.mux.ServeHTTP(w, r) }

// maxRequest caps a forwarded request body.
const maxRequest = 16 << 10

// apiError is a failure answered to the page (through the edge).
type apiError struct {
	status  int
	code    string
	message string
	decline string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// signed reads the body, records it, checks the Sealpay-Signature (v2:
// method, path, route, the tokens the edge minted and the body) and the
// request id, and runs fn.
func (b *Backend) signed(route string, fn func(ctx context.Context, body []byte) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
		if err != nil || len(body) > maxRequest {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "payload_too_large", "request too large")
			return
		}
		now := b.opts.Now()
		// The edge signs what it forwards; anything else is refused before
		// it is even parsed.
		v, sigErr := webhook.VerifyRequest(r, body, b.opts.SigningSecret, webhook.DefaultTolerance, now)
		if sigErr != nil && len(b.opts.OldSigningSecret) > 0 {
			v, sigErr = webhook.VerifyRequest(r, body, b.opts.OldSigningSecret, webhook.DefaultTolerance, now)
		}
		if sigErr == nil && v.Route != route {
			// Signed, but for another of the shop's routes.
			sigErr = errors.New("shop: signed for another route")
		}
		b.record(route, sigErr == nil, body, now)
		if sigErr != nil {
			b.log.Warn("refused a request with a bad signature", "route", route)
			writeAPIError(w, http.StatusUnauthorized, "unauthorized", "bad or missing Sealpay-Signature")
			return
		}
		out, err := fn(r.Context(), body)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				b.log.Error("request failed", "route", route, "err", err.Error())
				ae = &apiError{status: http.StatusBadGateway, code: "upstream_error", message: "the payment could not be processed"}
			}
			writeAPIErrorDecline(w, ae)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// record appends a received request to opts.Requests.
func (b *Backend) record(route string, sigOK bool, body []byte, now time.Time) {
	if b.opts.Requests == nil {
		return
	}
	var raw json.RawMessage = body
	if !json.Valid(body) {
		raw, _ = json.Marshal(string(body))
	}
	line, _ := json.Marshal(struct {
		Time        time.Time       `json:"time"`
		Route       string          `json:"route"`
		SignatureOK bool            `json:"signature_ok"`
		Body        json.RawMessage `json:"body"`
	}{now.UTC(), route, sigOK, raw})
	b.reqLog.Lock()
	b.opts.Requests.Write(append(line, '\n'))
	b.reqLog.Unlock()
}

// checkoutRequest is what the shop page posts to the edge's "checkout"
// forward route.
type checkoutRequest struct {
	// RequestID is a random id per attempt: the backend refuses one it
	// has seen, so a captured signed request cannot be replayed.
	RequestID string `json:"request_id"`
	Product   string `json:"product"`
	Currency  string `json:"currency"`
	Locale    string `json:"locale"`
	// Token is a new card's token from the hosted fields, or
	Token string `json:"token,omitempty"`
	// SavedCard is the id of one of Customer's saved cards.
	SavedCard string `json:"saved_card,omitempty"`
	Customer  string `json:"customer,omitempty"`
	SaveCard  bool   `json:"save_card,omitempty"`
}

// Receipt is the checkout's answer, shown by the page.
type Receipt struct {
	OrderID       string `json:"order_id"`
	Status        string `json:"status"`
	Product       string `json:"product"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	MinorUnits    int    `json:"minor_units"`
	AmountDecimal string `json:"amount_decimal"`
	Card          struct {
		Brand       string `json:"brand"`
		Last4       string `json:"last4"`
		Fingerprint string `json:"fingerprint"`
	} `json:"card"`
	Authorization string `json:"authorization"`
	Charge        string `json:"charge"`
	Customer      string `json:"customer,omitempty"`
	// SavedCard is set when the card is on file after this order.
	SavedCard *PublicCard `json:"saved_card,omitempty"`
	// PaidWithSaved: the order was paid with a saved card.
	PaidWithSaved bool `json:"paid_with_saved"`
	// AlreadySaved: a new token whose fingerprint matches a saved card.
	AlreadySaved bool `json:"already_saved"`
}

// PublicCard is a saved card as the page sees it: no token.
type PublicCard struct {
	ID          string `json:"id"`
	Brand       string `json:"brand"`
	Last4       string `json:"last4"`
	ExpMonth    int    `json:"exp_month"`
	ExpYear     int    `json:"exp_year"`
	Fingerprint string `json:"fingerprint"`
}

func (s *savedCard) public() *PublicCard {
	return &PublicCard{ID: s.ID, Brand: s.Card.Brand, Last4: s.Card.Last4, ExpMonth: s.Card.ExpMonth, ExpYear: s.Card.ExpYear, Fingerprint: s.Card.Fingerprint}
}

func badRequest(msg string) error {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", message: msg}
}

func (b *Backend) checkout(ctx context.Context, body []byte) (any, error) {
	var req checkoutRequest
	if err := decodeStrict(body, &req); err != nil {
		return nil, badRequest("the order is not the expected JSON")
	}
	if err := b.claimRequestID(req.RequestID); err != nil {
		return nil, err
	}
	product, ok := ProductByID(req.Product)
	if !ok {
		return nil, badRequest("unknown product")
	}
	cur, ok := CurrencyByCode(req.Currency)
	if !ok {
		return nil, badRequest("unsupported currency")
	}
	// The price comes from the catalog, never from the page.
	amount := product.Prices[cur.Code]

	var tok string
	var meta cardMeta
	var saved *savedCard
	switch {
	case req.Token != "" && req.SavedCard == "":
		if !token.ValidTokenID(req.Token) {
			return nil, badRequest("token is not tok_ and 22 base62 characters")
		}
		tok = req.Token
		// The token came from the page (hosted fields mint it before the
		// forward, so the edge does not vouch for it): the edge, asked
		// with the shop's secret key, knows only the shop's own tokens.
		m, singleUse, err := b.edge.tokenInfo(ctx, tok)
		if err != nil {
			return nil, err
		}
		if req.SaveCard && singleUse {
			// tokenize() without { save: true }: it dies after this charge.
			return nil, badRequest("save_card needs a token from tokenize({ save: true })")
		}
		meta = m
	case req.SavedCard != "" && req.Token == "":
		b.mu.Lock()
		saved = b.findCard(req.Customer, req.SavedCard)
		b.mu.Unlock()
		if saved == nil {
			return nil, &apiError{status: http.StatusNotFound, code: "not_found", message: "no such saved card"}
		}
		tok, meta = saved.Token, saved.Card
	default:
		return nil, badRequest("give either token or saved_card")
	}

	orderID := "ord_" + randomID(10)
	charge, err := b.charge(ctx, tok, amount, cur, orderID, saved != nil)
	if err != nil {
		if saved == nil {
			// A declined new card is not kept, saved or not.
			b.dropToken(ctx, tok)
		}
		return nil, err
	}

	rc := &Receipt{
		OrderID: orderID, Status: "approved", Product: product.ID, Amount: amount, Currency: cur.Code, MinorUnits: cur.Minor,
		AmountDecimal: FormatMinor(amount, cur), Authorization: charge.Authorization, Charge: charge.ID,
		PaidWithSaved: saved != nil,
	}
	rc.Card.Brand, rc.Card.Last4, rc.Card.Fingerprint = meta.Brand, meta.Last4, meta.Fingerprint
	switch {
	case saved != nil:
		rc.Customer, rc.SavedCard = req.Customer, saved.public()
	case req.SaveCard:
		b.mu.Lock()
		c := b.customers[req.Customer]
		if c == nil {
			c = &customer{ID: "cus_" + randomID(16)}
			b.customers[c.ID] = c
		}
		rc.Customer = c.ID
		var dup *savedCard
		for _, s := range c.Cards {
			if s.Card.Fingerprint == meta.Fingerprint {
				dup = s
			}
		}
		if dup == nil {
			dup = &savedCard{ID: "card_" + randomID(8), Token: tok, Card: meta, Saved: b.opts.Now().UTC()}
			c.Cards = append(c.Cards, dup)
		} else {
			// The same card again: keep the card on file and drop the
			// new token, so the vault holds one token per card.
			rc.AlreadySaved = true
		}
		rc.SavedCard = dup.public()
		err := b.saveLocked()
		b.mu.Unlock()
		if err != nil {
			b.log.Error("saving customers failed", "err", err.Error())
		}
		if rc.AlreadySaved {
			b.dropToken(ctx, tok)
		}
	default:
		// Not saved: the token has done its job.
		b.dropToken(ctx, tok)
	}
	b.log.Info("order approved", "order", orderID, "amount", rc.AmountDecimal, "currency", cur.Code,
		"brand", meta.Brand, "last4", meta.Last4, "saved_card", saved != nil)
	return rc, nil
}

// charge sends the charge to the provider through the edge's relay.
// The body is a template: the edge replaces the {{tok_…:field}}
// placeholders with the card's data on the way out, so the card number
// exists only inside the edge and at the provider.
func (b *Backend) charge(ctx context.Context, tok string, amount int64, cur Currency, orderID string, stored bool) (*samplepsp.ChargeResponse, error) {
	q := func(s string) string { j, _ := json.Marshal(s); return string(j) }
	var tpl strings.Builder
	fmt.Fprintf(&tpl, `{"amount":%d,"currency":%s,"reference":%s,`, amount, q(cur.Code), q(orderID))
	if stored {
		tpl.WriteString(`"stored_credential":true,`)
	}
	fmt.Fprintf(&tpl, `"card":{"number":"{{%[1]s:number}}","exp_month":{{%[1]s:exp_month}},"exp_year":{{%[1]s:exp_year}}`, tok)
	if !stored {
		// The vault keeps a CVC only until its first use.
		fmt.Fprintf(&tpl, `,"cvc":"{{%s:cvc}}"`, tok)
	}
	tpl.WriteString(`}}`)
	ans, err := b.edge.relay(ctx, relayRequest{
		URL:    b.opts.ProviderURL,
		Method: http.MethodPost,
		Headers: map[string]string{
			"Content-Type":    "application/json",
			"Authorization":   "Bearer " + b.opts.ProviderKey,
			"Idempotency-Key": orderID,
		},
		Body: tpl.String(),
	})
	if err != nil {
		return nil, err
	}
	var cr samplepsp.ChargeResponse
	if err := json.Unmarshal([]byte(ans.Body), &cr); err != nil || cr.Status == "" {
		return nil, fmt.Errorf("shop: provider answered %d without a charge: %w", ans.Status, errEdge)
	}
	if cr.Status != samplepsp.StatusApproved {
		b.log.Info("order declined", "order", orderID, "decline_code", cr.DeclineCode)
		return nil, &apiError{status: http.StatusPaymentRequired, code: "card_declined", message: "the card was declined", decline: cr.DeclineCode}
	}
	return &cr, nil
}

// dropToken deletes a token the shop will not keep.
func (b *Backend) dropToken(ctx context.Context, tok string) {
	if err := b.edge.deleteToken(context.WithoutCancel(ctx), tok); err != nil {
		b.log.Warn("could not delete a token", "err", err.Error())
	}
}

type cardsRequest struct {
	RequestID string `json:"request_id"`
	Customer  string `json:"customer"`
}

func (b *Backend) cards(ctx context.Context, body []byte) (any, error) {
	var req cardsRequest
	if err := decodeStrict(body, &req); err != nil {
		return nil, badRequest("the request is not the expected JSON")
	}
	out := struct {
		Cards []*PublicCard `json:"cards"`
	}{Cards: []*PublicCard{}}
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.customers[req.Customer]; c != nil {
		for _, s := range c.Cards {
			out.Cards = append(out.Cards, s.public())
		}
	}
	return out, nil
}

type forgetRequest struct {
	RequestID string `json:"request_id"`
	Customer  string `json:"customer"`
	Card      string `json:"card"`
}

func (b *Backend) forget(ctx context.Context, body []byte) (any, error) {
	var req forgetRequest
	if err := decodeStrict(body, &req); err != nil {
		return nil, badRequest("the request is not the expected JSON")
	}
	if err := b.claimRequestID(req.RequestID); err != nil {
		return nil, err
	}
	b.mu.Lock()
	s := b.findCard(req.Customer, req.Card)
	if s != nil {
		c := b.customers[req.Customer]
		for i, x := range c.Cards {
			if x == s {
				c.Cards = append(c.Cards[:i], c.Cards[i+1:]...)
				break
			}
		}
		if err := b.saveLocked(); err != nil {
			b.log.Error("saving customers failed", "err", err.Error())
		}
	}
	b.mu.Unlock()
	if s == nil {
		return nil, &apiError{status: http.StatusNotFound, code: "not_found", message: "no such saved card"}
	}
	b.dropToken(ctx, s.Token)
	return map[string]bool{"deleted": true}, nil
}

// findCard returns a customer's saved card; b.mu must be held.
func (b *Backend) findCard(customerID, cardID string) *savedCard {
	c := b.customers[customerID]
	if c == nil {
		return nil
	}
	for _, s := range c.Cards {
		if s.ID == cardID {
			return s
		}
	}
	return nil
}

// claimRequestID refuses a request id seen within twice the signature
// tolerance: together with the signature's timestamp, this stops replays.
func (b *Backend) claimRequestID(id string) error {
	if len(id) < 16 || len(id) > 64 {
		return badRequest("request_id must be 16 to 64 characters")
	}
	now := b.opts.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.pruned) > time.Minute {
		for k, t := range b.seen {
			if now.Sub(t) > 2*webhook.DefaultTolerance {
				delete(b.seen, k)
			}
		}
		b.pruned = now
	}
	if _, dup := b.seen[id]; dup {
		return &apiError{status: http.StatusConflict, code: "replayed", message: "this request was already processed"}
	}
	b.seen[id] = now
	return nil
}

// saveLocked writes the customers to the state file; b.mu must be held.
func (b *Backend) saveLocked() error {
	if b.opts.StateFile == "" {
		return nil
	}
	cs := make([]*customer, 0, len(b.customers))
	for _, c := range b.customers {
		cs = append(cs, c)
	}
	data, err := json.MarshalIndent(cs, "", "  ")
	if err != nil {
		return err
	}
	tmp := b.opts.StateFile + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Clean(b.opts.StateFile))
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// randomID returns n random bytes as lower-case base32-ish text.
func randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[b[i]%32]
	}
	return string(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeAPIError(w http.ResponseWriter, status int, code, msg string) {
	writeAPIErrorDecline(w, &apiError{status: status, code: code, message: msg})
}

func writeAPIErrorDecline(w http.ResponseWriter, e *apiError) {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	out := struct {
		Error       body   `json:"error"`
		DeclineCode string `json:"decline_code,omitempty"`
	}{body{e.code, e.message}, e.decline}
	writeJSON(w, e.status, out)
}
