package contentcoding

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

var all = []Coding{Brotli, Gzip, Identity}

// negotiateCases are the vectors of testdata/negotiate.json, which the
// Worker's entry (edge/workerjs/assets.test.mjs) reads too.
type negotiateCases struct {
	Cases []struct {
		Name           string   `json:"name"`
		AcceptEncoding []string `json:"accept_encoding"` // nil: no field
		Available      []Coding `json:"available"`
		Want           Coding   `json:"want"` // "": none acceptable
	} `json:"cases"`
}

func TestNegotiate(t *testing.T) {
	b, err := os.ReadFile("testdata/negotiate.json")
	if err != nil {
		t.Fatal(err)
	}
	var v negotiateCases
	if err := json.Unmarshal(b, &v); err != nil || len(v.Cases) == 0 {
		t.Fatalf("testdata/negotiate.json: %d cases, %v", len(v.Cases), err)
	}
	for _, tc := range v.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			got, ok := Negotiate(tc.AcceptEncoding, tc.Available)
			if got != tc.Want || ok != (tc.Want != "") {
				t.Errorf("Negotiate(%q, %v) = %q, %v; want %q, %v", tc.AcceptEncoding, tc.Available, got, ok, tc.Want, tc.Want != "")
			}
		})
	}
}

func TestETag(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	seen := map[string]bool{}
	for _, c := range all {
		tag := ETag(sum, c)
		if seen[tag] || !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || strings.Count(tag, `"`) != 2 {
			t.Errorf("ETag(%s) = %s: want a distinct quoted strong tag per coding", c, tag)
		}
		seen[tag] = true
	}
	if got, want := ETag(sum, Identity), fmt.Sprintf(`"%x"`, sum[:16]); got != want {
		t.Errorf("ETag(identity) = %s, want %s (the tag of earlier releases)", got, want)
	}
}

// FuzzNegotiate checks that any field gives a coding that is available
// and not refused by name.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "br", "gzip;q=0.5, br;q=0.6", "*;q=0", "identity;q=0", "x-gzip", "br;q=1.0,gzip;q=0.999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		c, ok := Negotiate([]string{field}, all)
		if !ok {
			if c != "" {
				t.Fatalf("Negotiate(%q) = %q, false", field, c)
			}
			return
		}
		found := false
		for _, a := range all {
			found = found || a == c
		}
		if !found {
			t.Fatalf("Negotiate(%q) = %q, not an available coding", field, c)
		}
		last := map[Coding]int{}
		for _, m := range strings.Split(field, ",") {
			if name, q, ok := parseMember(m); ok {
				if name == "x-gzip" {
					name = "gzip"
				}
				last[Coding(name)] = q
			}
		}
		if q, named := last[c]; named && q == 0 {
			t.Fatalf("Negotiate(%q) = %q, which the field refuses", field, c)
		}
	})
}
