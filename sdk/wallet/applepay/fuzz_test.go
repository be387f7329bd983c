package applepay

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
)

// decryptCodes are the codes Decrypt may return.
var decryptCodes = map[errcode.Code]bool{
	errcode.WalletTokenMalformed: true, errcode.WalletSignatureInvalid: true, errcode.WalletKeyExpired: true,
	errcode.WalletMessageExpired: true, errcode.WalletKeyUnknown: true, errcode.WalletDecryptFailed: true,
}

// FuzzDecrypt checks that parseToken and Decrypt never panic, that every
// error carries one of Decrypt's codes, and that what parses has the shape
// parseToken promises. The seeds (the public sample, stand-in tokens and
// the files of testdata/fuzz) run with go test.
func FuzzDecrypt(f *testing.F) {
	f.Add(readTestdata(f, "gala-token.json"))
	fx := newFixture(f, applepaytest.Options{})
	tok, st := fx.token(f, applepaytest.TokenOptions{ApplicationData: make([]byte, 32)})
	f.Add(tok)
	f.Add([]byte(`{"version":"EC_v1","data":"","signature":"","header":{}}`))
	f.Add([]byte(`{"version":"EC_v1","data":"AAAAAAAAAAAAAAAAAAAAAA==","signature":"MAA=","header":{"ephemeralPublicKey":"MAA=","publicKeyHash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","transactionId":"00"}}`))
	seeds, _ := filepath.Glob("testdata/fuzz/*.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	gala := galaDecrypter(f, galaSigningTime, true)
	stand := fx.decrypter(f, st)
	f.Fuzz(func(t *testing.T, b []byte) {
		if tk, err := parseToken(b); err == nil {
			if len(tk.Header.PublicKeyHash) != 32 || len(tk.Data) < 16 {
				t.Fatal("parseToken accepted a token of the wrong shape")
			}
		} else if errcode.Of(err) != errcode.WalletTokenMalformed {
			t.Fatalf("parseToken error %q has code %s", err, errcode.Of(err))
		}
		for _, d := range []*Decrypter{gala, stand} {
			p, err := d.Decrypt(b)
			if err != nil {
				if !decryptCodes[errcode.Of(err)] {
					t.Fatalf("Decrypt error %q has code %s", err, errcode.Of(err))
				}
				continue
			}
			if p.AccountNumber == "" || p.SigningTime.IsZero() || p.PublicKeyHash == "" {
				t.Fatal("Decrypt returned an incomplete payment")
			}
		}
	})
}

// FuzzParseKeySet: ParseKeySet never panics, and a set it accepts writes
// out as a file it accepts again, with the same keys.
func FuzzParseKeySet(f *testing.F) {
	ks := NewKeySet()
	if _, _, err := ks.Generate("m_shop", time.Now()); err != nil {
		f.Fatal(err)
	}
	b, err := ks.MarshalPrivate()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"mid":"m","status":"primary","key":"-----BEGIN PRIVATE KEY-----"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ks, err := ParseKeySet(b)
		if err != nil {
			return
		}
		out, err := ks.MarshalPrivate()
		if err != nil {
			t.Fatalf("a parsed set does not marshal: %v", err)
		}
		again, err := ParseKeySet(out)
		if err != nil {
			t.Fatalf("a marshalled set does not parse: %v", err)
		}
		if len(again.Info()) != len(ks.Info()) {
			t.Fatalf("%d keys after a round trip, want %d", len(again.Info()), len(ks.Info()))
		}
	})
}
