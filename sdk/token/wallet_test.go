package token_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/token"
)

const (
	testCryptogram = "AgAAAAAABk4DWZ4C28yUQAAAAAA="
	walletNumber   = "4895370012003478"
)

func walletCard() card.Card { return card.Card{Number: walletNumber, ExpMonth: 12, ExpYear: 2032} }

// TestWalletCryptogram: a wallet token's cryptogram and ECI are filled
// once, with the number, then gone; the number stays.
func TestWalletCryptogram(t *testing.T) {
	clk := newClock()
	v, db, path := newVault(t, clk)
	s, err := v.Tokenize(ctx, "m", walletCard(), "visa", token.TokenizeOptions{Cryptogram: testCryptogram, ECI: "05"})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := []byte(`{"n":"{{` + s.Token + `:number}}","c":"{{` + s.Token + `:cryptogram}}","e":"{{` + s.Token + `:eci}}"}`)
	body, rev, err := v.FillSecrets(ctx, "m", tmpl, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"n":"` + walletNumber + `","c":"` + testCryptogram + `","e":"05"}`; string(body) != want {
		t.Errorf("FillSecrets filled the template wrong (%d bytes, want %d)", len(body), len(want))
	}
	if len(rev.Cryptograms) != 1 || rev.Cryptograms[0] != testCryptogram || len(rev.Numbers) != 1 {
		t.Errorf("FillSecrets revealed %d cryptograms and %d numbers, want 1 and 1", len(rev.Cryptograms), len(rev.Numbers))
	}
	for _, f := range []string{"cryptogram", "eci"} {
		_, _, err := v.FillSecrets(ctx, "m", []byte(`{"x":"{{`+s.Token+`:`+f+`}}"}`), nil)
		if !errors.Is(err, token.ErrNoCryptogram) {
			t.Errorf("second fill of %s = %v, want ErrNoCryptogram", f, err)
		}
	}
	if _, _, err := v.FillSecrets(ctx, "m", []byte(`{"n":"{{`+s.Token+`:number}}"}`), nil); err != nil {
		t.Errorf("the number after the cryptogram was taken: %v", err)
	}
	if n := count(t, db, "vault_wallet_creds"); n != 0 {
		t.Errorf("%d wallet rows after the fill, want 0", n)
	}
	db.Close()
	scanFile(t, path)
}

// TestWalletCryptogramLifetime: the cryptogram lives as long as a CVC,
// another merchant cannot take it, a delete and a purge remove it, and
// a card without one gives ErrNoCryptogram.
func TestWalletCryptogramLifetime(t *testing.T) {
	clk := newClock()
	v, db, _ := newVault(t, clk)
	opts := token.TokenizeOptions{Cryptogram: testCryptogram, ECI: "05"}
	a, _ := v.Tokenize(ctx, "m", walletCard(), "visa", opts)
	b, _ := v.Tokenize(ctx, "m", walletCard(), "visa", opts)
	c, _ := v.Tokenize(ctx, "m", walletCard(), "visa", opts)
	plain, _ := v.Tokenize(ctx, "m", walletCard(), "visa", token.TokenizeOptions{})
	fill := func(merchant, tok string) error {
		_, _, err := v.FillSecrets(ctx, merchant, []byte(`{"c":"{{`+tok+`:cryptogram}}"}`), nil)
		return err
	}
	if err := fill("m2", a.Token); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("another merchant's fill = %v, want ErrNotFound", err)
	}
	if err := fill("m", plain.Token); !errors.Is(err, token.ErrNoCryptogram) {
		t.Errorf("fill of a token without a cryptogram = %v, want ErrNoCryptogram", err)
	}
	if err := v.Delete(ctx, "m", b.Token); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "vault_wallet_creds"); n != 2 {
		t.Errorf("%d wallet rows after a delete, want 2", n)
	}
	clk.Add(token.DefaultCVCTTL)
	if err := fill("m", c.Token); !errors.Is(err, token.ErrNoCryptogram) {
		t.Errorf("fill after the CVC lifetime = %v, want ErrNoCryptogram", err)
	}
	if n, err := v.Purge(ctx, clk.Now()); err != nil || n < 2 {
		t.Errorf("Purge = %d, %v; want the two expired wallet rows at least", n, err)
	}
	if n := count(t, db, "vault_wallet_creds"); n != 0 {
		t.Errorf("%d wallet rows after the purge, want 0", n)
	}
	// Bad shapes are refused before anything is stored.
	for _, o := range []token.TokenizeOptions{{Cryptogram: "bad\ncryptogram"}, {Cryptogram: strings.Repeat("A", 256)}, {ECI: "5x"}} {
		if _, err := v.Tokenize(ctx, "m", walletCard(), "visa", o); err == nil {
			t.Errorf("Tokenize with a bad cryptogram or ECI = nil error")
		}
	}
}

// TestWalletSingleUse: consuming a single-use wallet token takes its
// cryptogram with it.
func TestWalletSingleUse(t *testing.T) {
	clk := newClock()
	v, db, _ := newVault(t, clk)
	s, _ := v.Tokenize(ctx, "m", walletCard(), "visa", token.TokenizeOptions{SingleUse: true, Cryptogram: testCryptogram})
	if _, _, err := v.FillSecrets(ctx, "m", []byte(`{"n":"{{`+s.Token+`:number}}"}`), nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "vault_wallet_creds"); n != 0 {
		t.Errorf("%d wallet rows after the single-use token was used, want 0", n)
	}
}

func TestRedactCryptograms(t *testing.T) {
	url := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace("ab/cd+efgh=="), "=")
	for _, tc := range []struct{ name, body string }{
		{"plain", `{"c":"ab/cd+efgh=="}`},
		{"json escaped", `{"c":"ab\/cd\u002befgh\u003d\u003d"}`},
		{"percent", `c=ab%2Fcd%2Befgh%3D%3D`},
		{"url alphabet", `{"c":"` + url + `"}`},
		{"unpadded", `{"c":"ab/cd+efgh"}`},
		{"hex", `{"c":"` + hex.EncodeToString(mustDecodeB64(t, "ab/cd+efgh==")) + `"}`},
		{"hex upper", `{"c":"` + strings.ToUpper(hex.EncodeToString(mustDecodeB64(t, "ab/cd+efgh=="))) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := token.RedactCryptograms([]byte(tc.body), []string{"ab/cd+efgh=="})
			if len(got) != len(tc.body) || bytes.Contains(got, []byte("efgh")) || strings.Count(string(got), "*") < 8 {
				t.Errorf("RedactCryptograms(%s) = %s, want the cryptogram masked in place", tc.body, got)
			}
		})
	}
	if got := token.RedactCryptograms([]byte(`{"id":"ch_1"}`), []string{"ab/cd+efgh=="}); string(got) != `{"id":"ch_1"}` {
		t.Errorf("RedactCryptograms changed an answer without the cryptogram: %s", got)
	}
}

// scanFile fails t if the database file holds the wallet number or
// cryptogram in the clear.
func scanFile(t *testing.T, path string) {
	t.Helper()
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte(walletNumber)) || bytes.Contains(b, []byte(testCryptogram)) {
			t.Errorf("%s holds the wallet number or cryptogram", p[strings.LastIndex(p, "/")+1:])
		}
	}
}

// TestRewrapWallet: a KEK rotation moves wallet cryptograms too, so that
// the old KEK can go while a cryptogram is still held.
func TestRewrapWallet(t *testing.T) {
	clk := newClock()
	db, _ := openDB(t)
	oldKEK, newKEK := localKEK(t, "kek-old"), localKEK(t, "kek-new")
	before, err := token.NewSQLVault(db, kekSet(t, oldKEK), token.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	s, err := before.Tokenize(ctx, "m", walletCard(), "visa", token.TokenizeOptions{Cryptogram: testCryptogram, ECI: "07"})
	if err != nil {
		t.Fatal(err)
	}
	during, _ := token.NewSQLVault(db, kekSet(t, newKEK, oldKEK), token.Options{Now: clk.Now})
	for {
		n, err := during.Rewrap(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	var old int
	db.QueryRow(`SELECT count(*) FROM vault_wallet_creds WHERE kek_id <> ?`, newKEK.ID()).Scan(&old)
	if old != 0 {
		t.Fatalf("%d wallet rows under the old KEK after Rewrap", old)
	}
	after, _ := token.NewSQLVault(db, kekSet(t, newKEK), token.Options{Now: clk.Now})
	body, _, err := after.FillSecrets(ctx, "m", []byte(`{"c":"{{`+s.Token+`:cryptogram}}","e":"{{`+s.Token+`:eci}}"}`), nil)
	if err != nil || string(body) != `{"c":"`+testCryptogram+`","e":"07"}` {
		t.Errorf("fill after the rotation = %v, want the cryptogram and ECI", err)
	}
}

// TestWalletECIRefusalTakesNothing: a fill asking for the ECI of a token
// that holds no wallet row is refused before its unit runs, like one
// asking for the cryptogram: the token's CVC and a single-use token
// survive the refusal, and no tail (audit entry) is written.
func TestWalletECIRefusalTakesNothing(t *testing.T) {
	clk := newClock()
	v, _, _ := newVault(t, clk)
	cd := walletCard()
	cd.CVC = "123"
	withCVC, err := v.Tokenize(ctx, "m", cd, "visa", token.TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	single, err := v.Tokenize(ctx, "m", walletCard(), "visa", token.TokenizeOptions{SingleUse: true})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := []byte(`{"c":"{{` + withCVC.Token + `:cvc}}","e":"{{` + withCVC.Token + `:eci}}"}`)
	if _, _, err := v.FillSecrets(ctx, "m", tmpl, nil); !errors.Is(err, token.ErrNoCryptogram) {
		t.Fatalf("fill of an ECI the vault does not hold = %v, want ErrNoCryptogram", err)
	}
	if _, _, err := v.FillSecrets(ctx, "m", []byte(`{"c":"{{`+withCVC.Token+`:cvc}}"}`), nil); err != nil {
		t.Errorf("the CVC after a refused fill: %v (the refusal took it)", err)
	}
	if _, _, err := v.FillSecrets(ctx, "m", []byte(`{"e":"{{`+single.Token+`:eci}}"}`), nil); !errors.Is(err, token.ErrNoCryptogram) {
		t.Fatalf("fill of a single-use token's missing ECI = %v, want ErrNoCryptogram", err)
	}
	if _, _, err := v.FillSecrets(ctx, "m", []byte(`{"n":"{{`+single.Token+`:number}}"}`), nil); err != nil {
		t.Errorf("the single-use token after a refused fill: %v (the refusal consumed it)", err)
	}
}

func mustDecodeB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
