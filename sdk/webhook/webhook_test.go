package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

type vectorFile struct {
	Tolerance int `json:"tolerance_seconds"`
	Cases     []struct {
		Name   string `json:"name"`
		Secret string `json:"secret"`
		Body   string `json:"body"`
		Now    int64  `json:"now"`
		Header string `json:"header"`
		Expect string `json:"expect"` // valid | mismatch | stale | malformed
	} `json:"cases"`
}

func loadVectors(t testing.TB) vectorFile {
	b, err := os.ReadFile("testdata/signatures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases in testdata/signatures.json")
	}
	return f
}

func TestVerifySignatureVectors(t *testing.T) {
	f := loadVectors(t)
	want := map[string]error{"valid": nil, "mismatch": ErrNoValidSignature, "stale": ErrStale, "malformed": ErrMalformedHeader}
	for _, tc := range f.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			w, ok := want[tc.Expect]
			if !ok {
				t.Fatalf("unknown expect %q", tc.Expect)
			}
			err := VerifySignature(tc.Header, []byte(tc.Body), []byte(tc.Secret), time.Duration(f.Tolerance)*time.Second, time.Unix(tc.Now, 0))
			if !errors.Is(err, w) || (w == nil) != (err == nil) {
				t.Errorf("VerifySignature = %v, want %v", err, w)
			}
			if err != nil && errcode.Of(err) != errcode.Unauthorized {
				t.Errorf("code %q, want unauthorized", errcode.Of(err))
			}
			if err != nil && strings.Contains(err.Error(), tc.Secret) {
				t.Error("the error contains the secret")
			}
		})
	}
}

func TestSignRequestMatchesVectors(t *testing.T) {
	f := loadVectors(t)
	for _, tc := range f.Cases {
		if tc.Name != "valid" {
			continue
		}
		if got := SignRequest([]byte(tc.Secret), []byte(tc.Body), time.Unix(tc.Now, 0)); got != tc.Header {
			t.Errorf("SignRequest = %q, want %q (computed with openssl)", got, tc.Header)
		}
		return
	}
	t.Fatal("no \"valid\" vector")
}

func TestRotation(t *testing.T) {
	old, cur, other := []byte("old-secret-0123456789abcdef012345"), []byte("new-secret-0123456789abcdef012345"), []byte("unrelated-secret-0123456789abcdef")
	now := time.Unix(1_900_000_000, 0)
	h := SignRequestRotating([][]byte{old, cur}, []byte("{}"), now)
	if strings.Count(h, "v1=") != 2 {
		t.Fatalf("SignRequestRotating with 2 secrets gave %d signatures", strings.Count(h, "v1="))
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
		if err := VerifySignature(h, []byte("{}"), tc.secret, 0, now); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestDefaultTolerance(t *testing.T) {
	s := []byte("secret-0123456789abcdef0123456789")
	t0 := time.Unix(1_900_000_000, 0)
	h := SignRequest(s, nil, t0)
	for _, tc := range []struct {
		at   time.Duration
		want error
	}{
		{5 * time.Minute, nil},
		{5*time.Minute + time.Second, ErrStale},
		{-5*time.Minute - time.Second, ErrStale},
	} {
		if err := VerifySignature(h, nil, s, 0, t0.Add(tc.at)); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("verify at %v: %v, want %v", tc.at, err, tc.want)
		}
	}
}

func TestHeaderLimits(t *testing.T) {
	s := []byte("secret")
	sig := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name, h string
	}{
		{"nine signatures", "t=1" + strings.Repeat(",v1="+sig, 9)},
		{"over 1 KiB", "t=1,x=" + strings.Repeat("a", 1024)},
		{"19-digit timestamp", "t=1234567890123456789,v1=" + sig},
	} {
		if err := VerifySignature(tc.h, nil, s, 0, time.Now()); !errors.Is(err, ErrMalformedHeader) {
			t.Errorf("%s: %v, want ErrMalformedHeader", tc.name, err)
		}
	}
}

// FuzzParseHeader: parse, format, parse again gives the same values; and
// signing then verifying always succeeds.
func FuzzParseHeader(f *testing.F) {
	for _, tc := range loadVectors(f).Cases {
		f.Add(tc.Header, []byte(tc.Body))
	}
	f.Fuzz(func(t *testing.T, h string, body []byte) {
		ts, v1, v2, err := parseHeader(h)
		if err != nil {
			if !errors.Is(err, ErrMalformedHeader) {
				t.Fatalf("parse error %v is not ErrMalformedHeader", err)
			}
		} else {
			again := formatHeader(ts, v1, v2)
			ts2, v1b, v2b, err := parseHeader(again)
			if err != nil || ts2 != ts || len(v1b) != len(v1) || len(v2b) != len(v2) {
				t.Fatalf("parse(format(parse(%q))) = %d, %d+%d sigs, %v", h, ts2, len(v1b), len(v2b), err)
			}
			for i := range v1 {
				if !bytes.Equal(v1[i], v1b[i]) {
					t.Fatalf("v1 signature %d changed in the round trip", i)
				}
			}
			for i := range v2 {
				if !bytes.Equal(v2[i], v2b[i]) {
					t.Fatalf("v2 signature %d changed in the round trip", i)
				}
			}
		}
		now := time.Unix(1_900_000_000, 0)
		if err := VerifySignature(SignRequest([]byte(h+"k"), body, now), body, []byte(h+"k"), 0, now); err != nil {
			t.Fatalf("sign then verify: %v", err)
		}
		m := Message{Method: "POST", Route: "checkout", Path: "/pay", Tokens: "tok_a", Body: body}
		sig, err := SignForward([][]byte{[]byte(h + "k")}, m, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyMessage(sig, m, []byte(h+"k"), 0, now); err != nil {
			t.Fatalf("sign then verify v2: %v", err)
		}
	})
}
