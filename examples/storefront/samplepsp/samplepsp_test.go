package samplepsp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Test numbers from the card networks' and Stripe's published test cards
// (https://docs.stripe.com/testing).
const (
	visa    = "4242424242424242"
	decline = "4000000000000002"
	funds   = "4000000000009995"
)

var fixedNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func post(t *testing.T, s *Server, key, body string) (*httptest.ResponseRecorder, ChargeResponse) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/v1/charges", strings.NewReader(body))
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	r.Header.Set("User-Agent", "Sealpay-Edge/1")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var cr ChargeResponse
	json.Unmarshal(w.Body.Bytes(), &cr)
	return w, cr
}

func chargeBody(number string, month, year int, cvc string, stored bool) string {
	b, _ := json.Marshal(ChargeRequest{Amount: 3800, Currency: "USD", Reference: "ord_1", StoredCredential: stored,
		Card: ChargeCard{Number: number, ExpMonth: month, ExpYear: year, CVC: cvc}})
	return string(b)
}

func TestCharge(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantResult string
		wantCode   string
	}{
		{"approved", chargeBody(visa, 12, 2030, "123", false), 200, StatusApproved, ""},
		{"approved with spaces", chargeBody("4242 4242 4242 4242", 12, 2030, "123", false), 200, StatusApproved, ""},
		{"expiry month is still valid", chargeBody(visa, 11, 2026, "123", false), 200, StatusApproved, ""},
		{"saved card without cvc", chargeBody(visa, 12, 2030, "", true), 200, StatusApproved, ""},
		{"luhn failure", chargeBody("4242424242424241", 12, 2030, "123", false), 402, StatusDeclined, DeclineInvalidNumber},
		{"too short", chargeBody("42424242", 12, 2030, "123", false), 402, StatusDeclined, DeclineInvalidNumber},
		{"letters", chargeBody("4242abcd42424242", 12, 2030, "123", false), 402, StatusDeclined, DeclineInvalidNumber},
		{"expired last month", chargeBody(visa, 10, 2026, "123", false), 402, StatusDeclined, DeclineExpiredCard},
		{"month 13", chargeBody(visa, 13, 2030, "123", false), 402, StatusDeclined, DeclineExpiredCard},
		{"month 00", chargeBody(visa, 0, 2030, "123", false), 402, StatusDeclined, DeclineExpiredCard},
		{"missing cvc", chargeBody(visa, 12, 2030, "", false), 402, StatusDeclined, DeclineIncorrectCVC},
		{"cvc letters", chargeBody(visa, 12, 2030, "12a", false), 402, StatusDeclined, DeclineIncorrectCVC},
		{"generic decline card", chargeBody(decline, 12, 2030, "123", false), 402, StatusDeclined, DeclineGeneric},
		{"insufficient funds card", chargeBody(funds, 12, 2030, "123", false), 402, StatusDeclined, DeclineInsufficientFunds},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{APIKey: "psp_test_k", Now: func() time.Time { return fixedNow }})
			w, cr := post(t, s, "psp_test_k", tc.body)
			if w.Code != tc.wantStatus || cr.Status != tc.wantResult || cr.DeclineCode != tc.wantCode {
				t.Fatalf("POST /v1/charges = %d %s/%s, want %d %s/%s", w.Code, cr.Status, cr.DeclineCode, tc.wantStatus, tc.wantResult, tc.wantCode)
			}
			if !cr.Sample {
				t.Errorf("answer does not say it comes from a stand-in")
			}
			if tc.wantResult == StatusApproved && (cr.Authorization == "" || !strings.HasPrefix(cr.ID, "ch_")) {
				t.Errorf("approved charge has id %q and authorization %q, want ch_… and a code", cr.ID, cr.Authorization)
			}
			if got := len(s.Charges()); got != 1 {
				t.Errorf("recorded %d charges, want 1", got)
			}
		})
	}
}

func TestChargeRefusals(t *testing.T) {
	tests := []struct {
		name, key, body string
		want            int
	}{
		{"no api key", "", chargeBody(visa, 12, 2030, "123", false), 401},
		{"wrong api key", "psp_test_x", chargeBody(visa, 12, 2030, "123", false), 401},
		{"not json", "psp_test_k", "amount=1", 400},
		{"unknown field", "psp_test_k", `{"amount":1,"currency":"USD","card":{},"extra":1}`, 400},
		{"zero amount", "psp_test_k", `{"amount":0,"currency":"USD","card":{"number":"4242424242424242"}}`, 400},
		{"bad currency", "psp_test_k", `{"amount":1,"currency":"US","card":{"number":"4242424242424242"}}`, 400},
		{"oversized", "psp_test_k", `{"amount":1,"currency":"USD","reference":"` + strings.Repeat("x", maxBody) + `"}`, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{APIKey: "psp_test_k"})
			w, _ := post(t, s, tc.key, tc.body)
			if w.Code != tc.want {
				t.Fatalf("POST /v1/charges = %d, want %d", w.Code, tc.want)
			}
			if got := len(s.Charges()); got != 0 {
				t.Errorf("recorded %d charges for a refused request, want 0", got)
			}
		})
	}
}

// TestRecordHoldsNoCardData checks that the record and the log line keep
// the number's hash and last four, and neither the number nor the CVC.
func TestRecordHoldsNoCardData(t *testing.T) {
	var log bytes.Buffer
	s := New(Options{Log: &log, Now: func() time.Time { return fixedNow }})
	post(t, s, "", chargeBody(visa, 12, 2030, "987", false))
	cs := s.Charges()
	if len(cs) != 1 {
		t.Fatalf("recorded %d charges, want 1", len(cs))
	}
	if got, want := cs[0].NumberMAC, s.NumberMAC(visa); got != want {
		// Neither value: a wrong one may be the number itself.
		t.Errorf("NumberMAC is %d characters, not the server's HMAC of the number", len(got))
	}
	if got, want := cs[0].Last4, "4242"; got != want {
		t.Errorf("Last4 = %s, want %s", got, want)
	}
	if !cs[0].CVCGiven || cs[0].UserAgent != "Sealpay-Edge/1" {
		t.Errorf("record: cvc_given %v, User-Agent %q; want true and the edge's", cs[0].CVCGiven, cs[0].UserAgent)
	}
	// An unsalted hash of the number is as good as the number: the
	// digits a card number leaves unknown once its prefix and last four
	// are known take seconds to search.
	sum := sha256.Sum256([]byte(visa))
	for _, secret := range []string{visa, "424242424242", hex.EncodeToString(sum[:])} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the charge log holds card data (%d characters: the number, a part or its SHA-256)", len(secret))
		}
	}
	var fields map[string]any
	json.Unmarshal(bytes.TrimSpace(log.Bytes()), &fields)
	for k, v := range fields {
		if v == "987" {
			t.Errorf("the charge log's %q holds the CVC", k)
		}
	}
	var rec Charge
	if err := json.Unmarshal(bytes.TrimSpace(log.Bytes()), &rec); err != nil || rec.ID != cs[0].ID {
		t.Errorf("log line is not the record as JSON (err %v)", err)
	}
	// The key is the server's own: another server's value for the same
	// number differs, so a log line cannot be matched against a table.
	if New(Options{}).NumberMAC(visa) == s.NumberMAC(visa) {
		t.Error("two servers give the same NumberMAC for one number: the key is not random per server")
	}
}
