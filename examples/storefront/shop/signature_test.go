package shop

import (
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerifySignature(t *testing.T) {
	secret := []byte("whsec_test_secret_0123456789abcdef")
	body := []byte(`{"token":"tok_0123456789abcdefghijkl","product":"matcha-bowl"}`)
	now := time.Unix(1_790_000_000, 0)
	good := Sign(secret, now, body)
	_, v1, _ := strings.Cut(good, ",")
	ts := "t=" + strconv.FormatInt(now.Unix(), 10)
	other := Sign([]byte("whsec_other"), now, body)
	_, otherV1, _ := strings.Cut(other, ",")
	tests := []struct {
		name   string
		header string
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"valid", good, body, now, true},
		{"valid within tolerance", good, body, now.Add(SignatureTolerance), true},
		{"valid with a second, rotated signature", ts + "," + otherV1 + "," + v1, body, now, true},
		{"spaces after commas", ts + ", " + v1, body, now, true},
		{"wrong secret", other, body, now, false},
		{"body changed", good, []byte(strings.Replace(string(body), "matcha", "matchA", 1)), now, false},
		{"body with a trailing newline", good, append(body, '\n'), now, false},
		{"too old", good, body, now.Add(SignatureTolerance + time.Second), false},
		{"from the future", good, body, now.Add(-SignatureTolerance - time.Second), false},
		{"timestamp changed", "t=" + strconv.FormatInt(now.Unix()+1, 10) + "," + v1, body, now, false},
		{"no timestamp", v1, body, now, false},
		{"no signature", ts, body, now, false},
		{"two timestamps", ts + "," + ts + "," + v1, body, now, false},
		{"signature not hex", ts + ",v1=" + strings.Repeat("z", 64), body, now, false},
		{"signature too short", ts + ",v1=abcd", body, now, false},
		{"upper-case key", strings.ToUpper(good), body, now, false},
		{"empty", "", body, now, false},
		{"not key=value", "garbage", body, now, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySignature(secret, tc.header, tc.body, tc.now)
			if tc.ok && err != nil {
				t.Fatalf("VerifySignature = %v, want nil", err)
			}
			if !tc.ok && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("VerifySignature = %v, want ErrBadSignature", err)
			}
			if err != nil && strings.Contains(err.Error(), string(secret)) {
				t.Errorf("error message holds the secret")
			}
		})
	}
	if err := VerifySignature(nil, good, body, now); err == nil {
		t.Errorf("VerifySignature with no secret = nil, want an error")
	}
}

type signatureVector struct {
	T      int64  `json:"t"`
	Body   string `json:"body"`
	Header string `json:"header"`
}

func loadSignatureVectors(t testing.TB) (secret []byte, cases []signatureVector) {
	b, err := os.ReadFile("testdata/signatures.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Secret string
		Cases  []signatureVector
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Cases) == 0 {
		t.Fatalf("testdata/signatures.json: no vectors (%v)", err)
	}
	return []byte(doc.Secret), doc.Cases
}

// TestSignatureVectors checks Sign and VerifySignature against HMACs
// computed by an independent implementation.
func TestSignatureVectors(t *testing.T) {
	secret, cases := loadSignatureVectors(t)
	for i, v := range cases {
		now := time.Unix(v.T, 0)
		if got := Sign(secret, now, []byte(v.Body)); got != v.Header {
			t.Errorf("vector %d: Sign = %s, want %s", i, got, v.Header)
		}
		if err := VerifySignature(secret, v.Header, []byte(v.Body), now.Add(time.Minute)); err != nil {
			t.Errorf("vector %d: VerifySignature = %v, want nil", i, err)
		}
	}
}

// FuzzVerifySignature: Sign then VerifySignature round-trips for any
// body, any change to the body is refused, and any header gives nil or
// ErrBadSignature.
func FuzzVerifySignature(f *testing.F) {
	secret, cases := loadSignatureVectors(f)
	for _, v := range cases {
		f.Add([]byte(v.Body), v.Header, v.T)
	}
	f.Fuzz(func(t *testing.T, body []byte, header string, ts int64) {
		now := time.Unix(ts%(1<<40), 0)
		h := Sign(secret, now, body)
		if err := VerifySignature(secret, h, body, now); err != nil {
			t.Fatalf("VerifySignature(Sign(body)) = %v", err)
		}
		if len(body) > 0 {
			changed := append([]byte(nil), body...)
			changed[len(changed)/2] ^= 0x01
			if VerifySignature(secret, h, changed, now) == nil {
				t.Fatalf("VerifySignature accepted a changed body")
			}
		}
		if err := VerifySignature(secret, header, body, now); err != nil && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("VerifySignature(%q) = %v, want nil or ErrBadSignature", header, err)
		}
	})
}
