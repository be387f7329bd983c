package qr

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// conformanceCase is one entry of testdata/emv/*.json. Each file names the
// source of every payload; testdata/emv/README.md describes the format.
type conformanceCase struct {
	Name    string `json:"name"`
	Source  string `json:"source"`
	Payload string `json:"payload"`
	Mode    string `json:"mode"`   // "lenient" or "strict"
	Expect  string `json:"expect"` // "ok", "qr_malformed" or "qr_bad_crc"
	Scheme  string `json:"scheme"`
	// Warnings, when present, says whether a Lenient parse must report
	// deviations (true) or none (false).
	Warnings *bool `json:"warnings"`
	// Fields maps typed accessors to their expected values; "lookup" maps
	// slash-separated ID paths ("62/05") to values.
	Fields map[string]any `json:"fields"`
}

func loadConformance(tb testing.TB) []conformanceCase {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "emv", "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var all []conformanceCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		var cs []conformanceCase
		if err := dec.Decode(&cs); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		all = append(all, cs...)
	}
	if len(all) == 0 {
		tb.Fatal("no conformance cases in testdata/emv")
	}
	return all
}

func parseMode(tb testing.TB, m string) Mode {
	switch m {
	case "lenient":
		return Lenient
	case "strict":
		return Strict
	}
	tb.Fatalf("unknown mode %q", m)
	return 0
}

func expectErr(tb testing.TB, e string) error {
	switch e {
	case "ok":
		return nil
	case "qr_malformed":
		return ErrMalformed
	case "qr_bad_crc":
		return ErrBadCRC
	}
	tb.Fatalf("unknown expect %q", e)
	return nil
}

func TestConformance(t *testing.T) {
	cases := loadConformance(t)
	seen := map[string]bool{}
	schemes := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.Name] {
			t.Errorf("duplicate case name %q", tc.Name)
		}
		seen[tc.Name] = true
		if tc.Source == "" {
			t.Errorf("case %q names no source", tc.Name)
		}
		t.Run(tc.Name, func(t *testing.T) {
			mode := parseMode(t, tc.Mode)
			want := expectErr(t, tc.Expect)
			p, err := Parse(tc.Payload, mode)
			if want != nil {
				if !errors.Is(err, want) {
					t.Fatalf("Parse(%s) = %v, want %v", tc.Mode, err, want)
				}
				if got := errcode.Of(err); string(got) != tc.Expect {
					t.Errorf("errcode.Of(err) = %q, want %q", got, tc.Expect)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%s) = %v, want success", tc.Mode, err)
			}
			schemes[p.Scheme().ID] = true
			if got := p.Scheme().ID; got != tc.Scheme {
				t.Errorf("Scheme().ID = %q, want %q", got, tc.Scheme)
			}
			checkFields(t, p, tc.Fields)
			lp, err := Parse(tc.Payload, Lenient)
			if err != nil {
				t.Fatalf("Parse(Lenient) = %v, want success", err)
			}
			if tc.Warnings != nil && (len(lp.Warnings) > 0) != *tc.Warnings {
				t.Errorf("Lenient warnings = %q, want warnings: %v", lp.Warnings, *tc.Warnings)
			}
			if mode == Strict && len(lp.Warnings) > 0 {
				t.Errorf("Strict accepts it but Lenient warns %q", lp.Warnings)
			}
			checkRoundTrip(t, tc.Payload, p)
		})
	}
	if len(schemes) < 10 {
		t.Errorf("conformance suite covers %d schemes, want at least 10", len(schemes))
	}
}

// checkRoundTrip checks that Build of the parsed objects without "63" gives
// back the payload, with the CRC in upper case.
func checkRoundTrip(t *testing.T, in string, p *Payload) {
	t.Helper()
	n := len(p.Objects)
	got, err := Build(p.Objects[:n-1])
	if err != nil {
		t.Fatalf("Build(Parse(payload).Objects) = %v", err)
	}
	if want := in[:len(in)-4] + strings.ToUpper(in[len(in)-4:]); got != want {
		t.Errorf("Build(Parse(payload).Objects) = %q, want %q", got, want)
	}
}

func checkFields(t *testing.T, p *Payload, fields map[string]any) {
	t.Helper()
	langPref, langName, langCity, _ := p.AlternateLanguage()
	getters := map[string]string{
		"merchant_name":      p.MerchantName(),
		"city":               p.City(),
		"mcc":                p.MCC(),
		"currency":           p.Currency(),
		"currency_code":      p.CurrencyCode(),
		"amount":             p.Amount(),
		"country":            p.Country(),
		"reference":          p.Reference(),
		"postal_code":        p.PostalCode(),
		"lang_preference":    langPref,
		"lang_merchant_name": langName,
		"lang_city":          langCity,
	}
	for k, v := range fields {
		if k == "lookup" {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("fields.lookup is %T, want an object", v)
			}
			for path, want := range m {
				got, ok := p.Lookup(strings.Split(path, "/")...)
				if !ok || got != want {
					t.Errorf("Lookup(%s) = %q, %v, want %q, true", path, got, ok, want)
				}
			}
			continue
		}
		got, ok := getters[k]
		if !ok {
			t.Fatalf("unknown field %q", k)
		}
		if got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

// TestConformanceMutations derives negative cases from every accepted
// payload: a changed CRC digit, every truncation, data after the CRC, a
// duplicated object and a lengthened first length.
func TestConformanceMutations(t *testing.T) {
	for _, tc := range loadConformance(t) {
		if tc.Expect != "ok" {
			continue
		}
		t.Run(tc.Name, func(t *testing.T) {
			in := tc.Payload
			flip := in[:len(in)-1] + string("10"[boolIndex(in[len(in)-1] == '1')])
			if _, err := Parse(flip, Lenient); !errors.Is(err, ErrBadCRC) {
				t.Errorf("Parse(CRC digit changed) = %v, want %v", err, ErrBadCRC)
			}
			for i := range len(in) {
				_, err := Parse(in[:i], Lenient)
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadCRC) {
					t.Fatalf("Parse(first %d bytes) = %v, want an error", i, err)
				}
			}
			if _, err := Parse(in+"0000", Lenient); !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(payload + \"0000\") = %v, want %v", err, ErrMalformed)
			}
			p, err := Parse(in, Lenient)
			if err != nil {
				t.Fatalf("Parse(Lenient) = %v", err)
			}
			dup := append([]Object{}, p.Objects[:len(p.Objects)-1]...)
			dup = append(dup, dup[len(dup)-1])
			var b strings.Builder
			for _, o := range dup {
				b.WriteString(o.ID + twoDigitLen(o.Value) + o.Value)
			}
			if _, err := Parse(withCRC(b.String()), Lenient); !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(last object duplicated) = %v, want %v", err, ErrMalformed)
			}
			if _, err := Build(dup); !errors.Is(err, ErrMalformed) {
				t.Errorf("Build(last object duplicated) = %v, want %v", err, ErrMalformed)
			}
			long := withCRC("0003010" + in[6:len(in)-8])
			if _, err := Parse(long, Lenient); !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(00 lengthened to 03) = %v, want %v", err, ErrMalformed)
			}
		})
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestStrictImpliesLenient checks, over the whole suite, that Strict accepts
// exactly the payloads Lenient accepts without warnings.
func TestStrictImpliesLenient(t *testing.T) {
	for _, tc := range loadConformance(t) {
		lp, lerr := Parse(tc.Payload, Lenient)
		sp, serr := Parse(tc.Payload, Strict)
		switch {
		case lerr != nil && serr == nil:
			t.Errorf("%s: Strict accepts, Lenient says %v", tc.Name, lerr)
		case lerr == nil && (len(lp.Warnings) == 0) != (serr == nil):
			t.Errorf("%s: Lenient warnings %q, Strict error %v", tc.Name, lp.Warnings, serr)
		case lerr == nil && serr == nil && !reflect.DeepEqual(lp.Objects, sp.Objects):
			t.Errorf("%s: Lenient and Strict objects differ", tc.Name)
		}
	}
}
