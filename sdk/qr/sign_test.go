package qr

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSignLayout(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("m", 32)
	cLong, err := f.root.Certify(Certificate{MerchantID: long, Name: "Fulano de Tal", Accounts: []Object{pixAccount},
		PublicKey: f.fulano.Public(), NotBefore: fxNotBefore, NotAfter: fxNotAfter})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		cert      *Certificate
		templates int
	}{
		{"short merchant ID", f.certFulano, 2},
		{"32-character merchant ID", cLong, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := f.signFixed(t, tc.name, pixBase, f.fulano, tc.cert, SignOptions{Amount: "1.00"})
			p, err := Parse(s, Strict)
			if err != nil {
				t.Fatalf("signed code does not parse strictly: %v", err)
			}
			n := 0
			for _, o := range p.Objects {
				if isSigTemplate(o) {
					n++
					if l := utf8.RuneCountInString(o.Value); l > 99 {
						t.Errorf("template %s of %d characters", o.ID, l)
					}
				}
			}
			if n != tc.templates {
				t.Errorf("%d signature templates, want %d", n, tc.templates)
			}
			var sig sigFields
			found, _, err := findSignature(p, &sig)
			if !found || err != nil || sig.merchantID != tc.cert.MerchantID {
				t.Errorf("findSignature = %v, %v, merchant ID %q", found, err, sig.merchantID)
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		base string
		key  *MerchantKey
		cert *Certificate
		opts SignOptions
		want error
	}{
		{"another key's certificate", pixBase, f.fulano, f.certBeltrano, SignOptions{}, ErrCannotSign},
		{"payee not in certificate", f.beltranoBase, f.fulano, f.certFulano, SignOptions{}, ErrCannotSign},
		{"account not in certificate", rebase(t, pixBase, muleAccount), f.fulano, f.certFulano, SignOptions{}, ErrCannotSign},
		{"an extra account", rebase(t, pixBase, Object{ID: "27", Value: muleAccount.Value}), f.fulano, f.certFulano, SignOptions{}, ErrCannotSign},
		{"no account", noAccountBase(t), f.fulano, f.certFulano, SignOptions{}, ErrCannotSign},
		{"certificate not yet valid", pixBase, f.fulano, f.certFulano, SignOptions{Now: fxNotBefore.Add(-time.Hour)}, ErrCannotSign},
		{"TTL outlives certificate", pixBase, f.fulano, f.certFulano, SignOptions{TTL: 400 * 24 * time.Hour}, ErrCannotSign},
		{"negative TTL", pixBase, f.fulano, f.certFulano, SignOptions{TTL: -time.Minute}, ErrCannotSign},
		{"amount with a comma", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "10,00"}, ErrCannotSign},
		{"amount too long", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "12345678901234"}, ErrCannotSign},
		{"unknown currency", pixBase, f.fulano, f.certFulano, SignOptions{Currency: "XXZ"}, ErrCannotSign},
		{"reference too long", pixBase, f.fulano, f.certFulano, SignOptions{Reference: strings.Repeat("r", 26)}, ErrCannotSign},
		{"no key", pixBase, nil, f.certFulano, SignOptions{}, ErrCannotSign},
		{"bad base CRC", pixBase[:len(pixBase)-1] + "E", f.fulano, f.certFulano, SignOptions{}, ErrBadCRC},
		{"base not EMVCo", "hello", f.fulano, f.certFulano, SignOptions{}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Now.IsZero() {
				tc.opts.Now = fxNow
			}
			_, err := Sign(tc.base, tc.key, tc.cert, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("Sign = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSignSchemes signs every well-formed payload of the EMVCo conformance
// data (testdata/emv) for a merchant certified under its payee name and
// checks that the result verifies, keeps its scheme and fields, and fits
// EMVCo's 512 characters (payloads too long to take a signature are
// skipped, and counted).
func TestSignSchemes(t *testing.T) {
	f := newFixture(t)
	files, _ := filepath.Glob("testdata/emv/*.json")
	signed, tooLong := 0, 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var cases []struct {
			Name, Payload, Expect string
		}
		if err := json.Unmarshal(b, &cases); err != nil {
			continue // not a case list
		}
		for _, c := range cases {
			if c.Expect != "ok" {
				continue
			}
			p, err := Parse(c.Payload, Lenient)
			if err != nil {
				continue
			}
			t.Run(c.Name, func(t *testing.T) {
				name := p.MerchantName()
				if !validText(name, 64) {
					name = "Test Merchant"
				}
				// The merchant registers the accounts of its static code.
				var accounts []Object
				for _, o := range p.Objects {
					if id := idNumber(o.ID); id >= 2 && id <= 51 {
						accounts = append(accounts, o)
					}
				}
				cert, err := f.root.Certify(Certificate{MerchantID: "m_test", Name: name, Accounts: accounts, PublicKey: f.fulano.Public(), NotBefore: fxNotBefore, NotAfter: fxNotAfter})
				if err != nil {
					t.Fatal(err)
				}
				out, err := Sign(c.Payload, f.fulano, cert, SignOptions{Amount: "1.00", Reference: "T1", Now: fxNow})
				if errors.Is(err, ErrMalformed) && strings.Contains(err.Error(), "more than 512") {
					tooLong++
					return
				}
				if err != nil {
					t.Fatalf("Sign = %v", err)
				}
				signed++
				bundle, _ := f.root.SignBundle(Bundle{Version: 1, IssuedAt: fxNow, Certificates: []Certificate{*cert}})
				trust, err := LoadTrustBundle(bundle, []ed25519.PublicKey{f.root.Public()}, fxNow)
				if err != nil {
					t.Fatal(err)
				}
				v := Verify(out, trust, VerifyOptions{Now: fxNow})
				if v.Status != Verified || len(v.Warnings) > 0 {
					t.Fatalf("Verify = %s %v, warnings %v", v.Status, v.Reasons, v.Warnings)
				}
				q, _ := Parse(out, Lenient)
				if q.Scheme() != p.Scheme() || q.City() != p.City() || q.Amount() != "1.00" {
					t.Errorf("signing changed the scheme or fields: %v/%v, %q/%q", q.Scheme(), p.Scheme(), q.City(), p.City())
				}
			})
		}
	}
	if signed < 20 {
		t.Errorf("signed %d conformance payloads (%d too long), want at least 20", signed, tooLong)
	}
	t.Logf("signed %d conformance payloads; %d too long for a signature", signed, tooLong)
}

// noAccountBase is pixBase without its merchant account template.
func noAccountBase(t testing.TB) string {
	return mustBuild(t, slices.DeleteFunc(withoutCRC(mustParse(t, pixBase).Objects), func(o Object) bool { return o.ID == "26" }))
}

func BenchmarkSign(b *testing.B) {
	f := newFixture(b)
	opts := SignOptions{Amount: "49.90", Currency: "BRL", Reference: "PEDIDO123", Now: fxNow}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(pixBase, f.fulano, f.certFulano, opts); err != nil {
			b.Fatal(err)
		}
	}
}
