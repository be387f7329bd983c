package qr

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// urlCase is one entry of testdata/trust/urls.json.
type urlCase struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Domains []string `json:"domains,omitempty"`
	Details []string `json:"details"`
}

func loadURLCases(t testing.TB) []urlCase {
	t.Helper()
	var file struct {
		Source string    `json:"source"`
		Cases  []urlCase `json:"cases"`
	}
	b, err := os.ReadFile(filepath.Join(trustDir, "urls.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) == 0 {
		t.Fatal("no URL cases in testdata/trust/urls.json")
	}
	return file.Cases
}

func TestCheckURL(t *testing.T) {
	for _, tc := range loadURLCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			rs := urlReasons(tc.URL, tc.Domains)
			got := []string{}
			for _, r := range rs {
				if r.Code != errcode.QRSuspiciousURL {
					t.Errorf("code %s, want %s", r.Code, errcode.QRSuspiciousURL)
				}
				if r.Message == "" {
					t.Errorf("reason %s has no message", r.Detail)
				}
				got = append(got, r.Detail)
			}
			want := tc.Details
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("urlReasons(%q, %q) = %q, want %q", tc.URL, tc.Domains, got, want)
			}
		})
	}
}

func TestSkeleton(t *testing.T) {
	tests := []struct{ a, b string }{
		{"paypal.com", "pаypаl.com"},         // Cyrillic а
		{"example.com", "exarnple.com"},      // rn for m
		{"example.com", "examp1e.com"},       // 1 for l
		{"google.com", "g00gle.com"},         // zeros
		{"shop.example", "shоp.ехample"},     // Cyrillic о, е, х
		{"bücher.example", "bucher.example"}, // marks dropped
		{"wallet.example", "vvallet.example"},
	}
	for _, tc := range tests {
		if sa, sb := skeleton(tc.a), skeleton(tc.b); sa != sb {
			t.Errorf("skeleton(%q) = %q, skeleton(%q) = %q, want equal", tc.a, sa, tc.b, sb)
		}
	}
	if skeleton("shop.example") == skeleton("shoe.example") {
		t.Error("distinct names share a skeleton")
	}
}

func TestMixedScript(t *testing.T) {
	tests := []struct {
		label string
		want  bool
	}{
		{"paypal", false},
		{"pаypal", true}, // Latin + Cyrillic
		{"пример", false},
		{"例え", false},
		{"東京tokyo", false}, // Han + Latin: allowed
		{"ひらがなカタカナ漢字", false},
		{"한국어漢字", false},
		{"ถนน", false},
		{"abcαβγ", true},
		{"123-shop", false},
	}
	for _, tc := range tests {
		if got := mixedScript(tc.label); got != tc.want {
			t.Errorf("mixedScript(%q) = %v, want %v", tc.label, got, tc.want)
		}
	}
}

func FuzzCheckURL(f *testing.F) {
	for _, tc := range loadURLCases(f) {
		f.Add(tc.URL, strings.Join(tc.Domains, ","))
	}
	f.Fuzz(func(t *testing.T, raw, domains string) {
		ds := strings.Split(domains, ",")
		a := urlReasons(raw, ds)
		b := urlReasons(raw, ds)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("CheckURL not deterministic: %v, then %v", a, b)
		}
		seen := map[string]bool{}
		for _, r := range a {
			if r.Code != errcode.QRSuspiciousURL || r.Detail == "" || seen[r.Detail] {
				t.Fatalf("bad reason list %v", a)
			}
			seen[r.Detail] = true
		}
	})
}

// urlReasons runs checkURL and returns one qr_suspicious_url reason per
// distinct finding, as Verify reports them.
func urlReasons(raw string, merchantDomains []string) []Reason {
	var details []string
	checkURL(raw, merchantDomains, func(d string) {
		if !slices.Contains(details, d) {
			details = append(details, d)
		}
	})
	if len(details) == 0 {
		return nil
	}
	rs := make([]Reason, len(details))
	for i, d := range details {
		rs[i] = newReason(errcode.QRSuspiciousURL, d, defaultLang)
	}
	return rs
}

// TestConfusablesData checks that the generated table holds every mapping
// of the committed confusables.txt, and nothing else: run go generate in
// sdk/qr after changing the data file.
func TestConfusablesData(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "unicode", "confusables.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "# Version: "+confusablesVersion+"\n") {
		t.Errorf("confusables.txt is not version %s: run go generate", confusablesVersion)
	}
	m := confusableMap()
	n := 0
	for line := range strings.Lines(string(b)) {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Split(line, ";")
		if len(f) < 3 {
			continue
		}
		n++
		src, err := strconv.ParseUint(strings.TrimSpace(f[0]), 16, 32)
		if err != nil {
			t.Fatalf("bad line %q", line)
		}
		var want strings.Builder
		for _, h := range strings.Fields(f[1]) {
			r, _ := strconv.ParseUint(h, 16, 32)
			want.WriteRune(rune(r))
		}
		if got := m[rune(src)]; got != want.String() {
			t.Errorf("table maps U+%04X to %+q, confusables.txt to %+q: run go generate", src, got, want.String())
		}
	}
	if n < 6000 || len(m) != n {
		t.Errorf("table has %d mappings, confusables.txt %d", len(m), n)
	}
}
