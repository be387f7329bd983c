package webhook

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// The v2 vector of docs/edge-api.md ("Test vectors"), computed
// independently with
//
//	printf 'sealpay/forward/v2\n1800000000\nPOST\ncheckout\n/pay\ntok_0000000000000000000000\n{"card":"tok_0000000000000000000000"}' | openssl dgst -sha256 -hmac whsec_test
var vectorV2 = struct {
	secret string
	m      Message
	now    time.Time
	header string
}{
	"whsec_test",
	Message{Method: "POST", Route: "checkout", Path: "/pay", Tokens: "tok_0000000000000000000000", Body: []byte(`{"card":"tok_0000000000000000000000"}`)},
	time.Unix(1800000000, 0),
	"t=1800000000,v1=9f70404d9200f586bcb8d44f7cf598848c293222c303edea954e8cd614f8eede,v2=ae8f76baa6c22e1deb7468804b75641c49e2d86ee908d22c3cacfa374886cd75",
}

func TestSignForwardVector(t *testing.T) {
	got, err := SignForward([][]byte{[]byte(vectorV2.secret)}, vectorV2.m, vectorV2.now)
	if err != nil {
		t.Fatal(err)
	}
	if got != vectorV2.header {
		t.Errorf("SignForward = %s, want %s (computed with openssl)", got, vectorV2.header)
	}
	v, err := VerifyMessage(vectorV2.header, vectorV2.m, []byte(vectorV2.secret), 0, vectorV2.now)
	if err != nil {
		t.Fatalf("VerifyMessage(vector) = %v, want nil", err)
	}
	if v.Route != "checkout" || !slices.Equal(v.Tokens, []string{"tok_0000000000000000000000"}) || !v.Time.Equal(vectorV2.now) {
		t.Errorf("VerifyMessage(vector) = %+v, want route checkout, the one token, t", v)
	}
}

// TestV2CoversEverything derives negative cases from the vector: each
// part of the request the edge signs, changed, no longer verifies — the
// method, the route, the path, the tokens the edge vouches for, the body,
// the timestamp. v1 (the old scheme) still verifies all but the last two,
// which is the weakness v2 fixes.
func TestV2CoversEverything(t *testing.T) {
	base := vectorV2.m
	secret := []byte(vectorV2.secret)
	tests := []struct {
		name     string
		change   func(m *Message) string // returns the header to check
		v1Passes bool
	}{
		{"method", func(m *Message) string { m.Method = "PUT"; return vectorV2.header }, true},
		{"route", func(m *Message) string { m.Route = "refund"; return vectorV2.header }, true},
		{"path", func(m *Message) string { m.Path = "/refund"; return vectorV2.header }, true},
		{"query", func(m *Message) string { m.Path = "/pay?x=1"; return vectorV2.header }, true},
		{"a token added", func(m *Message) string {
			m.Tokens += ",tok_1111111111111111111111"
			return vectorV2.header
		}, true},
		{"tokens dropped", func(m *Message) string { m.Tokens = ""; return vectorV2.header }, true},
		{"body", func(m *Message) string {
			m.Body = []byte(`{"card":"tok_1111111111111111111111"}`)
			return vectorV2.header
		}, false},
		{"timestamp", func(m *Message) string { return strings.Replace(vectorV2.header, "t=1800000000", "t=1800000001", 1) }, false},
		{"v1 only", func(m *Message) string { h, _, _ := strings.Cut(vectorV2.header, ",v2="); return h }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			h := tc.change(&m)
			if _, err := VerifyMessage(h, m, secret, 0, vectorV2.now); !errors.Is(err, ErrNoValidSignature) {
				t.Errorf("VerifyMessage after changing the %s = %v, want ErrNoValidSignature", tc.name, err)
			}
			if err := VerifySignature(h, m.Body, secret, 0, vectorV2.now); (err == nil) != tc.v1Passes {
				t.Errorf("VerifySignature (v1) after changing the %s = %v, want passes=%t", tc.name, err, tc.v1Passes)
			}
			// Signing the changed request gives another v2 value.
			again, err := SignForward([][]byte{secret}, m, vectorV2.now)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name != "timestamp" && tc.name != "v1 only" && v2Of(again) == v2Of(vectorV2.header) {
				t.Errorf("changing the %s left the v2 signature as it was", tc.name)
			}
		})
	}
}

func v2Of(h string) string {
	_, v, _ := strings.Cut(h, ",v2=")
	return v
}

func TestV2LineFeeds(t *testing.T) {
	for _, m := range []Message{
		{Method: "POST\n", Path: "/pay"},
		{Method: "POST", Route: "a\nb", Path: "/pay"},
		{Method: "POST", Path: "/pay\n"},
		{Method: "POST", Path: "/pay", Tokens: "tok_a\ntok_b"},
	} {
		if _, err := SignForward([][]byte{[]byte("s")}, m, vectorV2.now); !errors.Is(err, ErrMalformedHeader) {
			t.Errorf("SignForward(%q) = %v, want ErrMalformedHeader", m.Method+m.Route+m.Path+m.Tokens, err)
		}
	}
	// A body may hold anything: it is last.
	if _, err := SignForward([][]byte{[]byte("s")}, Message{Method: "POST", Path: "/", Body: []byte("a\nb")}, vectorV2.now); err != nil {
		t.Errorf("SignForward with a line feed in the body = %v, want nil", err)
	}
}

func TestV2Rotation(t *testing.T) {
	old, cur, other := []byte("old-secret-0123456789abcdef012345"), []byte("new-secret-0123456789abcdef012345"), []byte("unrelated-secret-0123456789abcdef")
	m := vectorV2.m
	h, err := SignForward([][]byte{old, cur}, m, vectorV2.now)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(h, "v2=") != 2 || strings.Count(h, "v1=") != 2 {
		t.Fatalf("SignForward with 2 secrets = %d v1 and %d v2 values, want 2 each", strings.Count(h, "v1="), strings.Count(h, "v2="))
	}
	for _, tc := range []struct {
		name   string
		secret []byte
		want   error
	}{
		{"old secret", old, nil},
		{"new secret", cur, nil},
		{"other secret", other, ErrNoValidSignature},
		{"empty secret", nil, ErrNoValidSignature},
	} {
		if _, err := VerifyMessage(h, m, tc.secret, 0, vectorV2.now); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := VerifyMessage(h, m, cur, 0, vectorV2.now.Add(DefaultTolerance+time.Second)); !errors.Is(err, ErrStale) {
		t.Errorf("VerifyMessage past the tolerance = %v, want ErrStale", err)
	}
}

// TestVerifyRequest checks the request a backend receives: method, target
// as received, and the two headers.
func TestVerifyRequest(t *testing.T) {
	secret := []byte(vectorV2.secret)
	m := vectorV2.m
	m.Tokens = "tok_0000000000000000000000,tok_1111111111111111111111"
	m.Path = "/pay?order=A%2F1"
	sig, err := SignForward([][]byte{secret}, m, vectorV2.now)
	if err != nil {
		t.Fatal(err)
	}
	req := func(method, target string, hdr map[string]string) *http.Request {
		r := httptest.NewRequest(method, target, bytes.NewReader(m.Body))
		r.Header.Set(Header, sig)
		r.Header.Set(RouteHeader, m.Route)
		r.Header.Set(TokensHeader, m.Tokens)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return r
	}
	tests := []struct {
		name string
		r    *http.Request
		want error
	}{
		{"as sent", req("POST", m.Path, nil), nil},
		{"another method", req("PUT", m.Path, nil), ErrNoValidSignature},
		{"another path", req("POST", "/refund?order=A%2F1", nil), ErrNoValidSignature},
		{"the query unescaped", req("POST", "/pay?order=A/1", nil), ErrNoValidSignature},
		{"another route header", req("POST", m.Path, map[string]string{RouteHeader: "refund"}), ErrNoValidSignature},
		{"a token the page added", req("POST", m.Path, map[string]string{TokensHeader: m.Tokens + ",tok_2222222222222222222222"}), ErrNoValidSignature},
		{"no signature", req("POST", m.Path, map[string]string{Header: ""}), ErrMalformedHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := VerifyRequest(tc.r, m.Body, secret, 0, vectorV2.now)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("VerifyRequest = %v, want %v", err, tc.want)
			}
			if err != nil {
				return
			}
			for _, tok := range []string{"tok_0000000000000000000000", "tok_1111111111111111111111"} {
				if !v.Vouches(tok) {
					t.Errorf("Vouches(minted token) = false, want true")
				}
			}
			for _, tok := range []string{"tok_2222222222222222222222", "", "tok_0000000000000000000000,tok_1111111111111111111111"} {
				if v.Vouches(tok) {
					t.Errorf("Vouches(%.4s…) = true for a token the edge did not mint", tok)
				}
			}
		})
	}
}
