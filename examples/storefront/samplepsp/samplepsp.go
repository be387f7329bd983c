// Package samplepsp is a stand-in payment provider for the Sealpay
// examples. It is not a payment service and moves no money: it answers
// "approved" or "declined" for a card the way a provider's test mode does,
// so that the storefront example can show a charge going through the
// edge's relay end to end.
//
// For most uses, call [New] and serve the [Server]; the merchant backend
// sends POST /v1/charges through the edge's relay (POST /v1/relay), whose
// placeholders put the card number into the request on its way out.
//
// The server keeps a record of every charge it received ([Server.Charges],
// and one JSON line per charge on [Options.Log]) so that tests can check
// that the card number arrived here and nowhere else. A record holds the
// number's last four digits and an HMAC-SHA256 of it under a key drawn at
// random for each [Server] and never written anywhere, never the number or
// the CVC: even a stand-in should not write card data to disk, in case
// someone types a real card into a demo. A plain hash would not do: card
// numbers have so little entropy (a known prefix, the last four beside it
// and a Luhn digit) that an unkeyed SHA-256 gives the number back in
// seconds.
package samplepsp

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
)

// Outcomes of a charge.
const (
	StatusApproved = "approved"
	StatusDeclined = "declined"
)

// Decline codes, as providers' test modes name them.
const (
	DeclineInvalidNumber     = "invalid_number"
	DeclineExpiredCard       = "expired_card"
	DeclineIncorrectCVC      = "incorrect_cvc"
	DeclineGeneric           = "card_declined"
	DeclineInsufficientFunds = "insufficient_funds"
)

// Published test numbers with a fixed answer, after the conventions of
// Stripe's test mode (https://docs.stripe.com/testing#declined-payments).
// Every other Luhn-valid, unexpired card is approved.
var declineCards = map[string]string{
	"4000000000000002": DeclineGeneric,
	"4000000000009995": DeclineInsufficientFunds,
}

// ChargeRequest is the body of POST /v1/charges.
type ChargeRequest struct {
	// Amount is in the currency's minor units (cents; yen have none).
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// Reference is the merchant's order id.
	Reference string `json:"reference"`
	// StoredCredential marks a charge on a card the merchant saved
	// earlier (card on file): no CVC is sent, since the vault keeps a CVC
	// only until its first use. Other charges need the CVC.
	StoredCredential bool       `json:"stored_credential,omitempty"`
	Card             ChargeCard `json:"card"`
}

// ChargeCard is the card in a [ChargeRequest]. The edge's relay fills in
// its fields from the vault.
type ChargeCard struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc,omitempty"`
}

// ChargeResponse is the answer to POST /v1/charges: 200 when approved, 402
// when declined.
type ChargeResponse struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Authorization is the issuer's approval code (approved charges).
	Authorization string `json:"authorization,omitempty"`
	// DeclineCode says why a charge was declined.
	DeclineCode string `json:"decline_code,omitempty"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Last4       string `json:"last4"`
	// Sample marks every answer as coming from a stand-in.
	Sample bool `json:"sample"`
}

// Charge is the record of one charge request the server received.
type Charge struct {
	Time      time.Time `json:"time"`
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Decline   string    `json:"decline_code,omitempty"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Reference string    `json:"reference"`
	// StoredCredential is the request's flag (a saved card, no CVC).
	StoredCredential bool `json:"stored_credential"`
	// NumberMAC is the hex HMAC-SHA256 of the card number's digits under
	// the server's own random key (see [Server.NumberMAC]), so a test in
	// the same process can recognise a number it knows without the record
	// holding it, and nobody can recover the number from a log line.
	NumberMAC string `json:"number_hmac"`
	Last4     string `json:"last4"`
	CVCGiven  bool   `json:"cvc_given"`
	// UserAgent is the sender's User-Agent (the edge sends "Sealpay-Edge/1").
	UserAgent string `json:"user_agent"`
}

// Options configure a [Server].
type Options struct {
	// APIKey, if set, is the provider secret requests must carry as
	// "Authorization: Bearer <APIKey>".
	APIKey string
	// Log, if set, receives one JSON line per charge (a [Charge]).
	Log io.Writer
	// Now is the clock for expiry checks; nil uses time.Now.
	Now func() time.Time
}

// Server is the stand-in provider's http.Handler.
type Server struct {
	opts Options
	mux  *http.ServeMux

	// macKey keys [Charge.NumberMAC]; it lives only in this process.
	macKey [32]byte

	mu      sync.Mutex
	charges []Charge
}

// New returns a stand-in provider.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, mux: http.NewServeMux()}
	rand.Read(s.macKey[:]) // crypto/rand.Read never returns an error
	s.mux.HandleFunc("POST /v1/charges", s.charge)
	s.mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "Sample payment provider (a stand-in for the Sealpay examples; it moves no money).\nPOST /v1/charges\n")
	})
	return s
}

// ServeHTTP serves the provider's API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Charges returns a copy of the records of every charge received so far.
func (s *Server) Charges() []Charge {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Charge(nil), s.charges...)
}

// NumberMAC returns the hex HMAC-SHA256 of a card number's digits under
// this server's key: the value its records hold in [Charge.NumberMAC]. The
// key is random per [Server], so the value means nothing to another
// process or a later run.
func (s *Server) NumberMAC(number string) string {
	digits, _ := card.Normalize(number)
	m := hmac.New(sha256.New, s.macKey[:])
	m.Write([]byte(digits))
	return hex.EncodeToString(m.Sum(nil))
}

// maxBody caps a charge request.
const maxBody = 16 << 10

func (s *Server) charge(w http.ResponseWriter, r *http.Request) {
	if s.opts.APIKey != "" {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.APIKey)) != 1 {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid provider API key"})
			return
		}
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(b) > maxBody {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body unreadable or too large"})
		return
	}
	var req ChargeRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body is not a charge request"})
		return
	}
	if req.Amount <= 0 || len(req.Currency) != 3 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "amount must be positive minor units and currency an ISO 4217 code"})
		return
	}
	resp := s.decide(req)
	rec := Charge{
		Time:             s.opts.Now().UTC(),
		ID:               resp.ID,
		Status:           resp.Status,
		Decline:          resp.DeclineCode,
		Amount:           req.Amount,
		Currency:         req.Currency,
		Reference:        req.Reference,
		StoredCredential: req.StoredCredential,
		NumberMAC:        s.NumberMAC(req.Card.Number),
		Last4:            resp.Last4,
		CVCGiven:         req.Card.CVC != "",
		UserAgent:        r.Header.Get("User-Agent"),
	}
	s.mu.Lock()
	s.charges = append(s.charges, rec)
	if s.opts.Log != nil {
		line, _ := json.Marshal(rec)
		s.opts.Log.Write(append(line, '\n'))
	}
	s.mu.Unlock()
	status := http.StatusOK
	if resp.Status != StatusApproved {
		status = http.StatusPaymentRequired
	}
	writeJSON(w, status, resp)
}

// decide approves or declines a charge.
func (s *Server) decide(req ChargeRequest) ChargeResponse {
	resp := ChargeResponse{ID: "ch_" + randomHex(12), Amount: req.Amount, Currency: req.Currency, Sample: true}
	digits, err := card.Normalize(req.Card.Number)
	if err == nil && len(digits) >= 4 {
		resp.Last4 = card.Last4(digits)
	}
	decline := func(code string) ChargeResponse {
		resp.Status, resp.DeclineCode = StatusDeclined, code
		return resp
	}
	if err != nil || len(digits) < 12 || len(digits) > 19 || !card.Luhn(digits) {
		return decline(DeclineInvalidNumber)
	}
	now := s.opts.Now().UTC()
	if req.Card.ExpMonth < 1 || req.Card.ExpMonth > 12 ||
		req.Card.ExpYear < now.Year() || req.Card.ExpYear == now.Year() && req.Card.ExpMonth < int(now.Month()) {
		return decline(DeclineExpiredCard)
	}
	if !req.StoredCredential && !validCVC(req.Card.CVC) {
		return decline(DeclineIncorrectCVC)
	}
	if code, ok := declineCards[digits]; ok {
		return decline(code)
	}
	resp.Status = StatusApproved
	resp.Authorization = strings.ToUpper(randomHex(3))
	return resp
}

func validCVC(s string) bool {
	if len(s) < 3 || len(s) > 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("samplepsp: internal error: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// RelayRoutes returns the edge configuration's relay_routes for a sample
// provider at host ("127.0.0.1:8703"): POST /v1/charges with a JSON body,
// the card fields at the places a [ChargeRequest] has them and nowhere
// else, and only the members of a [ChargeResponse] (and an error's
// "error") passed back to the merchant. See docs/edge-api.md, "Relay
// routes".
func RelayRoutes(host string) []map[string]any {
	return []map[string]any{{
		"method": http.MethodPost,
		"host":   host,
		"path":   "/v1/charges",
		"format": "json",
		"placeholders": map[string][]string{
			"/card/number":    {"number"},
			"/card/exp_month": {"exp_month"},
			"/card/exp_year":  {"exp_year"},
			"/card/cvc":       {"cvc"},
		},
		"response": map[string]any{"allow": []string{
			"/id", "/status", "/authorization", "/decline_code", "/amount", "/currency", "/last4", "/sample", "/error",
		}},
	}}
}
