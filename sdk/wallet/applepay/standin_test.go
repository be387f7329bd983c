package applepay

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/wallet"
	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
)

// These tests use applepaytest, a stand-in for Apple with its own root,
// intermediate and leaf, to make every bad-input class.

const testMerchantID = "merchant.com.sealpay.test"

type fixture struct {
	apple *applepaytest.Apple
	key   *applepaytest.MerchantKey
}

func newFixture(t testing.TB, o applepaytest.Options) *fixture {
	t.Helper()
	a, err := applepaytest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	k, err := applepaytest.GenerateMerchantKey()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{apple: a, key: k}
}

func (f *fixture) token(t testing.TB, o applepaytest.TokenOptions) ([]byte, time.Time) {
	t.Helper()
	tok, err := f.apple.Token(f.key, testMerchantID, applepaytest.Sample3DS(), o)
	if err != nil {
		t.Fatal(err)
	}
	st, err := applepaytest.SigningTime(tok)
	if err != nil && !o.NoSignedAttributes {
		t.Fatal(err)
	}
	return tok, st
}

// decrypter trusts the stand-in's root (the only place tests replace the
// pinned root) and holds f's key.
func (f *fixture) decrypter(t testing.TB, now time.Time, keys ...*applepaytest.MerchantKey) *Decrypter {
	t.Helper()
	if len(keys) == 0 {
		keys = []*applepaytest.MerchantKey{f.key}
	}
	cfg := Config{MerchantID: testMerchantID, Now: func() time.Time { return now }, UnsafeTestRootPEM: f.apple.RootPEM()}
	for _, k := range keys {
		mk, err := ParseMerchantKeyPEM(k.PEM(), nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Keys = append(cfg.Keys, mk)
	}
	d, err := NewDecrypter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStandInDecrypts(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	appData := make([]byte, 32)
	rand.Read(appData)
	for _, o := range []applepaytest.TokenOptions{{}, {ApplicationData: appData}} {
		tok, st := f.token(t, o)
		p, err := f.decrypter(t, st).Decrypt(tok)
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		want := applepaytest.Sample3DS()
		if p.AccountNumber != want.ApplicationPrimaryAccountNumber || p.Cryptogram != want.PaymentData["onlinePaymentCryptogram"] {
			t.Fatal("account number or cryptogram differs from what the stand-in sealed")
		}
		if p.ECI != "7" || p.ExpYear != 2031 || p.ExpMonth != 12 || p.ExpDay != 31 || p.CurrencyCode != "978" || p.TransactionAmount != 1250 || p.Type != Type3DSecure {
			t.Errorf("payment = %v", p)
		}
		if (p.ApplicationData != "") != (o.ApplicationData != nil) {
			t.Errorf("ApplicationData = %q", p.ApplicationData)
		}
		if !p.SigningTime.Equal(st) || p.PublicKeyHash != f.key.PublicKeyHash() {
			t.Errorf("SigningTime %v PublicKeyHash %s", p.SigningTime, p.PublicKeyHash)
		}
	}
}

func TestStandInEMV(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	p := applepaytest.Sample3DS()
	p.PaymentDataType = "EMV"
	p.PaymentData = map[string]any{"emvData": "n0ABAp8CBgAAAAASNF8qAgn4", "encryptedPINData": "0a1b2c"}
	tok, err := f.apple.Token(f.key, testMerchantID, p, applepaytest.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := applepaytest.SigningTime(tok)
	got, err := f.decrypter(t, st).Decrypt(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != TypeEMV || got.EMVData != "n0ABAp8CBgAAAAASNF8qAgn4" || got.EncryptedPINData != "0a1b2c" || got.Cryptogram != "" {
		t.Errorf("EMV payment = %+v", got.String())
	}
}

// TestKeyRotation: with two keys configured, a token to either decrypts.
func TestKeyRotation(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	old := f.key
	next, err := applepaytest.GenerateMerchantKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []*applepaytest.MerchantKey{old, next} {
		f.key = k
		tok, st := f.token(t, applepaytest.TokenOptions{})
		p, err := f.decrypter(t, st, next, old).Decrypt(tok)
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if p.PublicKeyHash != k.PublicKeyHash() {
			t.Error("decrypted with another key")
		}
	}
}

// TestMerchantCertificate: party V comes from the certificate's merchant
// identifier extension when the key has one.
func TestMerchantCertificate(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	tok, st := f.token(t, applepaytest.TokenOptions{})
	for _, c := range []struct {
		name, certFor, configured string
		wantNew, want             error
	}{
		{"certificate only", testMerchantID, "", nil, nil},
		{"certificate and the same id", testMerchantID, testMerchantID, nil, nil},
		{"certificate of another merchant", "merchant.com.other", "", nil, ErrDecrypt},
		{"certificate disagrees with configured id", "merchant.com.other", testMerchantID, ErrInvalidKey, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			certPEM, err := f.apple.Certificate(f.key, c.certFor)
			if err != nil {
				t.Fatal(err)
			}
			mk, err := ParseMerchantKeyPEM(f.key.PEM(), certPEM)
			if err != nil {
				t.Fatal(err)
			}
			d, err := NewDecrypter(Config{Keys: []*MerchantKey{mk}, MerchantID: c.configured, Now: func() time.Time { return st }, UnsafeTestRootPEM: f.apple.RootPEM()})
			if !errors.Is(err, c.wantNew) || (c.wantNew == nil) != (err == nil) {
				t.Fatalf("NewDecrypter = %v, want %v", err, c.wantNew)
			}
			if err != nil {
				return
			}
			_, err = d.Decrypt(tok)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("Decrypt = %v, want %v", err, c.want)
			}
		})
	}
}

// mutate decodes a token's JSON, applies fn and encodes it again.
func mutate(t testing.TB, tok []byte, fn func(m map[string]any, h map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(tok, &m); err != nil {
		t.Fatal(err)
	}
	fn(m, m["header"].(map[string]any))
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flipB64 flips one bit of a base64 field's decoded bytes at index i
// (negative counts from the end).
func flipB64(s string, i int) string {
	b, _ := base64.StdEncoding.DecodeString(s)
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 1
	return base64.StdEncoding.EncodeToString(b)
}

// TestTampering changes each signed field, the unsigned publicKeyHash and
// the signature itself.
func TestTampering(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	appData := make([]byte, 32)
	rand.Read(appData)
	tok, st := f.token(t, applepaytest.TokenOptions{ApplicationData: appData})
	other, err := applepaytest.GenerateMerchantKey()
	if err != nil {
		t.Fatal(err)
	}
	otherTok, _ := f.token(t, applepaytest.TokenOptions{})
	var otherM map[string]any
	json.Unmarshal(otherTok, &otherM)
	otherH := otherM["header"].(map[string]any)

	cases := []struct {
		name string
		fn   func(m, h map[string]any)
		want error
	}{
		{"data bit", func(m, h map[string]any) { m["data"] = flipB64(m["data"].(string), 0) }, ErrSignature},
		{"data tag bit", func(m, h map[string]any) { m["data"] = flipB64(m["data"].(string), -1) }, ErrSignature},
		{"data of another token", func(m, h map[string]any) { m["data"] = otherM["data"] }, ErrSignature},
		{"ephemeralPublicKey of another token", func(m, h map[string]any) { h["ephemeralPublicKey"] = otherH["ephemeralPublicKey"] }, ErrSignature},
		{"ephemeralPublicKey bit", func(m, h map[string]any) { h["ephemeralPublicKey"] = flipB64(h["ephemeralPublicKey"].(string), -1) }, ErrSignature},
		{"transactionId", func(m, h map[string]any) { h["transactionId"] = otherH["transactionId"] }, ErrSignature},
		{"applicationData changed", func(m, h map[string]any) { h["applicationData"] = strings.Repeat("00", 32) }, ErrSignature},
		{"applicationData removed", func(m, h map[string]any) { delete(h, "applicationData") }, ErrSignature},
		{"signature of another token", func(m, h map[string]any) { m["signature"] = otherM["signature"] }, ErrSignature},
		{"signature value bit", func(m, h map[string]any) { m["signature"] = flipB64(m["signature"].(string), -1) }, ErrSignature},
		{"publicKeyHash of another key", func(m, h map[string]any) { h["publicKeyHash"] = other.PublicKeyHash() }, ErrUnknownKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.decrypter(t, st).Decrypt(mutate(t, tok, c.fn))
			if !errors.Is(err, c.want) {
				t.Fatalf("Decrypt = %v, want %v", err, c.want)
			}
		})
	}
	t.Run("publicKeyHash of another configured key", func(t *testing.T) {
		// The hash is not signed: pointing it at another key of the
		// merchant fails at decryption.
		b := mutate(t, tok, func(m, h map[string]any) { h["publicKeyHash"] = other.PublicKeyHash() })
		_, err := f.decrypter(t, st, f.key, other).Decrypt(b)
		if !errors.Is(err, ErrDecrypt) {
			t.Fatalf("Decrypt = %v, want ErrDecrypt", err)
		}
	})
	t.Run("untampered", func(t *testing.T) {
		if _, err := f.decrypter(t, st).Decrypt(mutate(t, tok, func(m, h map[string]any) {})); err != nil {
			t.Fatalf("Decrypt of the re-encoded token: %v", err)
		}
	})
}

func TestBadSignatures(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	stranger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		o    applepaytest.TokenOptions
	}{
		{"signed by another key than the leaf's", applepaytest.TokenOptions{SignWith: stranger}},
		{"no signed attributes, no signing time", applepaytest.TokenOptions{NoSignedAttributes: true}},
		{"content attached", applepaytest.TokenOptions{AttachContent: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok, _ := f.token(t, c.o)
			_, err := f.decrypter(t, time.Now()).Decrypt(tok)
			if !errors.Is(err, ErrSignature) {
				t.Fatalf("Decrypt = %v, want ErrSignature", err)
			}
		})
	}
	t.Run("signature not CMS", func(t *testing.T) {
		tok, st := f.token(t, applepaytest.TokenOptions{})
		for _, sig := range []string{"AAAA", base64.StdEncoding.EncodeToString([]byte("MIAGCSqGSIb3DQEHAqCAMIACAQEx")), base64.StdEncoding.EncodeToString(f.apple.Leaf.Raw)} {
			b := mutate(t, tok, func(m, h map[string]any) { m["signature"] = sig })
			if _, err := f.decrypter(t, st).Decrypt(b); !errors.Is(err, ErrSignature) {
				t.Errorf("Decrypt = %v, want ErrSignature", err)
			}
		}
	})
}

func TestCertificates(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		name string
		o    applepaytest.Options
		want error
	}{
		{"leaf without its marker OID", applepaytest.Options{NoLeafMarker: true}, ErrCertificate},
		{"intermediate without its marker OID", applepaytest.Options{NoIntermediateMarker: true}, ErrCertificate},
		{"leaf signed by the root directly", applepaytest.Options{DirectLeaf: true}, ErrCertificate},
		{"leaf expired", applepaytest.Options{LeafNotBefore: now.Add(-48 * time.Hour), LeafNotAfter: now.Add(-time.Minute)}, ErrCertificateExpired},
		{"leaf not yet valid", applepaytest.Options{LeafNotBefore: now.Add(time.Hour)}, ErrCertificateExpired},
		{"intermediate expired", applepaytest.Options{IntermediateNotBefore: now.Add(-48 * time.Hour), IntermediateNotAfter: now.Add(-time.Minute), LeafNotBefore: now.Add(-47 * time.Hour)}, ErrCertificateExpired},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.o)
			tok, st := f.token(t, applepaytest.TokenOptions{})
			_, err := f.decrypter(t, st).Decrypt(tok)
			if !errors.Is(err, c.want) {
				t.Fatalf("Decrypt = %v, want %v", err, c.want)
			}
		})
	}
	t.Run("stand-in chain against the pinned root", func(t *testing.T) {
		f := newFixture(t, applepaytest.Options{})
		tok, st := f.token(t, applepaytest.TokenOptions{})
		mk, _ := ParseMerchantKeyPEM(f.key.PEM(), nil)
		d, err := NewDecrypter(Config{Keys: []*MerchantKey{mk}, MerchantID: testMerchantID, Now: func() time.Time { return st }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Decrypt(tok); !errors.Is(err, ErrCertificate) {
			t.Fatalf("Decrypt = %v, want ErrCertificate", err)
		}
	})
	t.Run("chain to another stand-in's root", func(t *testing.T) {
		f := newFixture(t, applepaytest.Options{})
		g := newFixture(t, applepaytest.Options{})
		tok, st := f.token(t, applepaytest.TokenOptions{})
		g.key = f.key
		if _, err := g.decrypter(t, st).Decrypt(tok); !errors.Is(err, ErrCertificate) {
			t.Fatalf("Decrypt = %v, want ErrCertificate", err)
		}
	})
	t.Run("real Apple token against a stand-in root", func(t *testing.T) {
		f := newFixture(t, applepaytest.Options{})
		k, _ := ParseMerchantKeyPEM(readTestdata(t, "gala-merchant-key.pem"), readTestdata(t, "gala-merchant-cert.pem"))
		d, err := NewDecrypter(Config{Keys: []*MerchantKey{k}, Now: func() time.Time { return galaSigningTime }, UnsafeTestRootPEM: f.apple.RootPEM()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Decrypt(readTestdata(t, "gala-token.json")); !errors.Is(err, ErrCertificate) {
			t.Fatalf("Decrypt = %v, want ErrCertificate", err)
		}
	})
}

// TestSigningTimeWindow: the window's boundaries, default and configured.
func TestSigningTimeWindow(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	tok, st := f.token(t, applepaytest.TokenOptions{})
	mk, _ := ParseMerchantKeyPEM(f.key.PEM(), nil)
	for _, c := range []struct {
		window, offset time.Duration
		want           error
	}{
		{0, 0, nil},
		{0, 5 * time.Minute, nil},
		{0, -5 * time.Minute, nil},
		{0, 5*time.Minute + time.Second, ErrMessageExpired},
		{0, -5*time.Minute - time.Second, ErrMessageExpired},
		{time.Minute, time.Minute, nil},
		{time.Minute, time.Minute + time.Second, ErrMessageExpired},
		{time.Minute, -time.Minute - time.Second, ErrMessageExpired},
		{time.Hour, 59 * time.Minute, nil},
	} {
		d, err := NewDecrypter(Config{Keys: []*MerchantKey{mk}, MerchantID: testMerchantID, SigningTimeWindow: c.window,
			Now: func() time.Time { return st.Add(c.offset) }, UnsafeTestRootPEM: f.apple.RootPEM()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.Decrypt(tok)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("window %v, clock at signing time %+v: Decrypt = %v, want %v", c.window, c.offset, err, c.want)
		}
	}
}

func TestUnknownKey(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	tok, st := f.token(t, applepaytest.TokenOptions{})
	other, _ := applepaytest.GenerateMerchantKey()
	_, err := f.decrypter(t, st, other).Decrypt(tok)
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Decrypt = %v, want ErrUnknownKey", err)
	}
	if errcode.Of(err) != errcode.WalletKeyUnknown {
		t.Errorf("code %s", errcode.Of(err))
	}
}

func TestWrongMerchantID(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	tok, err := f.apple.Token(f.key, "merchant.com.someone-else", applepaytest.Sample3DS(), applepaytest.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := applepaytest.SigningTime(tok)
	if _, err := f.decrypter(t, st).Decrypt(tok); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Decrypt = %v, want ErrDecrypt", err)
	}
}

func TestMalformed(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	tok, st := f.token(t, applepaytest.TokenOptions{})
	set := func(field string, v any) []byte {
		return mutate(t, tok, func(m, h map[string]any) {
			if name, ok := strings.CutPrefix(field, "header."); ok {
				if v == nil {
					delete(h, name)
				} else {
					h[name] = v
				}
				return
			}
			if v == nil {
				delete(m, field)
			} else {
				m[field] = v
			}
		})
	}
	s := string(tok)
	cases := map[string][]byte{
		"empty":                    nil,
		"not JSON":                 []byte("EC_v1"),
		"array":                    []byte("[]"),
		"truncated":                tok[:len(tok)-1],
		"trailing garbage":         append(append([]byte{}, tok...), '}'),
		"duplicate member":         []byte(strings.Replace(s, `"version":"EC_v1"`, `"version":"EC_v1","version":"EC_v1"`, 1)),
		"unknown member":           set("extra", "x"),
		"unknown header member":    set("header.wrappedKey", "AAAA"),
		"version RSA_v1":           set("version", "RSA_v1"),
		"version EC_v2":            set("version", "EC_v2"),
		"version missing":          set("version", nil),
		"version a number":         set("version", 1),
		"data missing":             set("data", nil),
		"data not base64":          set("data", "!!!!"),
		"data base64url":           set("data", strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 31)))),
		"data short":               set("data", "AAAA"),
		"signature not base64":     set("signature", "not base64"),
		"signature missing":        set("signature", nil),
		"header missing":           set("header", nil),
		"header a string":          set("header", "x"),
		"ephemeralPublicKey bad":   set("header.ephemeralPublicKey", "%%%"),
		"ephemeralPublicKey gone":  set("header.ephemeralPublicKey", nil),
		"publicKeyHash short":      set("header.publicKeyHash", "AAAA"),
		"publicKeyHash not base64": set("header.publicKeyHash", "*"),
		"transactionId not hex":    set("header.transactionId", "xyz"),
		"transactionId odd hex":    set("header.transactionId", "abc"),
		"transactionId missing":    set("header.transactionId", nil),
		"applicationData not hex":  set("header.applicationData", "zz"),
		"applicationData number":   set("header.applicationData", 12),
		"invalid UTF-8":            []byte(strings.Replace(s, `"EC_v1"`, "\"EC_v1\xff\"", 1)),
		"too large":                append([]byte(`{"version":"EC_v1","data":"`), append([]byte(strings.Repeat("A", MaxPaymentDataSize)), `"}`...)...),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := f.decrypter(t, st).Decrypt(b)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decrypt = %v, want ErrMalformed", err)
			}
		})
	}
}

// TestMalformedPlaintext: what decrypts must be Apple's payment data, or it
// is a decryption failure (wallet_decrypt_failed, as for Google Pay).
func TestMalformedPlaintext(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	base := applepaytest.Sample3DS()
	edit := func(fn func(p *applepaytest.Payment)) []byte {
		p := base
		p.PaymentData = map[string]any{"onlinePaymentCryptogram": "AgAAAAAABk4DWZ4C28yUQAAAAAA=", "eciIndicator": "7"}
		fn(&p)
		b, _ := json.Marshal(p)
		return b
	}
	for name, plain := range map[string][]byte{
		"not JSON":                []byte("4111111111111111"),
		"duplicate member":        []byte(`{"applicationPrimaryAccountNumber":"4111111111111111","applicationPrimaryAccountNumber":"4111111111111111"}`),
		"account number missing":  edit(func(p *applepaytest.Payment) { p.ApplicationPrimaryAccountNumber = "" }),
		"account number letters":  edit(func(p *applepaytest.Payment) { p.ApplicationPrimaryAccountNumber = "41111111111111a1" }),
		"account number too long": edit(func(p *applepaytest.Payment) { p.ApplicationPrimaryAccountNumber = strings.Repeat("4", 20) }),
		"expiry month 13":         edit(func(p *applepaytest.Payment) { p.ApplicationExpirationDate = "311331" }),
		"expiry day 00":           edit(func(p *applepaytest.Payment) { p.ApplicationExpirationDate = "311200" }),
		"expiry 31 February":      edit(func(p *applepaytest.Payment) { p.ApplicationExpirationDate = "310231" }),
		"expiry MMYY":             edit(func(p *applepaytest.Payment) { p.ApplicationExpirationDate = "1231" }),
		"currency letters":        edit(func(p *applepaytest.Payment) { p.CurrencyCode = "EUR" }),
		"amount negative":         edit(func(p *applepaytest.Payment) { p.TransactionAmount = -1 }),
		"unknown paymentDataType": edit(func(p *applepaytest.Payment) { p.PaymentDataType = "Magic" }),
		"cryptogram missing":      edit(func(p *applepaytest.Payment) { delete(p.PaymentData, "onlinePaymentCryptogram") }),
		"cryptogram not base64":   edit(func(p *applepaytest.Payment) { p.PaymentData["onlinePaymentCryptogram"] = "?" }),
		"eci not digits":          edit(func(p *applepaytest.Payment) { p.PaymentData["eciIndicator"] = "x" }),
		"EMV without emvData":     edit(func(p *applepaytest.Payment) { p.PaymentDataType = "EMV" }),
		"amount a string":         []byte(strings.Replace(string(edit(func(*applepaytest.Payment) {})), `"transactionAmount":1250`, `"transactionAmount":"1250"`, 1)),
		"amount a fraction":       []byte(strings.Replace(string(edit(func(*applepaytest.Payment) {})), `"transactionAmount":1250`, `"transactionAmount":12.5`, 1)),
		"device id not hex":       edit(func(p *applepaytest.Payment) { p.DeviceManufacturerIdentifier = "not hex" }),
	} {
		t.Run(name, func(t *testing.T) {
			tok, err := f.apple.Token(f.key, testMerchantID, base, applepaytest.TokenOptions{Plaintext: plain})
			if err != nil {
				t.Fatal(err)
			}
			st, _ := applepaytest.SigningTime(tok)
			_, err = f.decrypter(t, st).Decrypt(tok)
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Decrypt = %v, want ErrDecrypt", err)
			}
			if strings.Contains(err.Error(), "4111111111111111") {
				t.Error("card number found in the error message")
			}
		})
	}
}

func TestNewDecrypterRefuses(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	mk, _ := ParseMerchantKeyPEM(f.key.PEM(), nil)
	for name, cfg := range map[string]Config{
		"no keys":           {MerchantID: testMerchantID},
		"no merchant id":    {Keys: []*MerchantKey{mk}},
		"a key twice":       {Keys: []*MerchantKey{mk, mk}, MerchantID: testMerchantID},
		"a nil key":         {Keys: []*MerchantKey{nil}, MerchantID: testMerchantID},
		"negative window":   {Keys: []*MerchantKey{mk}, MerchantID: testMerchantID, SigningTimeWindow: -time.Second},
		"test root not PEM": {Keys: []*MerchantKey{mk}, MerchantID: testMerchantID, UnsafeTestRootPEM: []byte("root")},
	} {
		if _, err := NewDecrypter(cfg); err == nil {
			t.Errorf("%s: NewDecrypter succeeded", name)
		}
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := NewMerchantKey(p384, nil); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("NewMerchantKey(P-384) = %v", err)
	}
	otherCert, _ := f.apple.Certificate(&applepaytest.MerchantKey{Private: p384}, testMerchantID)
	if _, err := ParseMerchantKeyPEM(f.key.PEM(), otherCert); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("ParseMerchantKeyPEM with another key's certificate = %v", err)
	}
	if _, err := ParseMerchantKeyPEM([]byte("no pem"), nil); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("ParseMerchantKeyPEM(garbage) = %v", err)
	}
	if s := mk.String() + mk.GoString(); strings.Contains(s, "PRIVATE") {
		t.Error("key material found in MerchantKey.String")
	}
}

// TestErrorCodes: every sentinel is its own error, a case of the sdk/wallet
// error, and carries that error's code.
func TestErrorCodes(t *testing.T) {
	for _, c := range []struct {
		err, parent error
		code        errcode.Code
	}{
		{ErrMalformed, wallet.ErrMalformed, errcode.WalletTokenMalformed},
		{ErrSignature, wallet.ErrBadSignature, errcode.WalletSignatureInvalid},
		{ErrCertificate, wallet.ErrBadSignature, errcode.WalletSignatureInvalid},
		{ErrCertificateExpired, wallet.ErrKeyExpired, errcode.WalletKeyExpired},
		{ErrMessageExpired, wallet.ErrMessageExpired, errcode.WalletMessageExpired},
		{ErrUnknownKey, wallet.ErrUnknownKey, errcode.WalletKeyUnknown},
		{ErrDecrypt, wallet.ErrDecrypt, errcode.WalletDecryptFailed},
	} {
		wrapped := fmt.Errorf("%w: detail", c.err)
		if !errors.Is(wrapped, c.err) || !errors.Is(wrapped, c.parent) || errcode.Of(wrapped) != c.code {
			t.Errorf("%v: Is(own) %v, Is(wallet) %v, code %s; want code %s", c.err,
				errors.Is(wrapped, c.err), errors.Is(wrapped, c.parent), errcode.Of(wrapped), c.code)
		}
	}
	if errors.Is(ErrSignature, ErrCertificate) || errors.Is(ErrCertificate, ErrSignature) {
		t.Error("ErrSignature and ErrCertificate are not distinct")
	}
}

// TestSigningTimeOption: tokens the stand-in signs at a chosen time verify
// with that signing time, and are judged against the real clock.
func TestSigningTimeOption(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	now := time.Now().Truncate(time.Second)
	mk, _ := ParseMerchantKeyPEM(f.key.PEM(), nil)
	d, err := NewDecrypter(Config{Keys: []*MerchantKey{mk}, MerchantID: testMerchantID, Now: func() time.Time { return now }, UnsafeTestRootPEM: f.apple.RootPEM()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Duration
		want error
	}{
		{-10 * time.Minute, ErrMessageExpired},
		{-5*time.Minute - time.Second, ErrMessageExpired},
		{-5 * time.Minute, nil},
		{-time.Minute, nil},
		{5 * time.Minute, nil},
		{5*time.Minute + time.Second, ErrMessageExpired},
	} {
		tok, st := f.token(t, applepaytest.TokenOptions{SigningTime: now.Add(c.at)})
		if !st.Equal(now.Add(c.at)) {
			t.Fatalf("signing time %v, asked for %v", st, now.Add(c.at))
		}
		p, err := d.Decrypt(tok)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("signed at now%+v: Decrypt = %v, want %v", c.at, err, c.want)
		}
		if err == nil && !p.SigningTime.Equal(st) {
			t.Errorf("SigningTime %v, want %v", p.SigningTime, st)
		}
	}
}

// TestReissue: a chain reissued under the trusted root verifies, and an
// expired reissued leaf is expired, not untrusted.
func TestReissue(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	d := f.decrypter(t, time.Now())
	for _, c := range []struct {
		o    applepaytest.Options
		want error
	}{
		{applepaytest.Options{}, nil},
		{applepaytest.Options{LeafNotBefore: time.Now().Add(-48 * time.Hour), LeafNotAfter: time.Now().Add(-time.Minute)}, ErrCertificateExpired},
		{applepaytest.Options{NoLeafMarker: true}, ErrCertificate},
	} {
		a, err := f.apple.Reissue(c.o)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := a.Token(f.key, testMerchantID, applepaytest.Sample3DS(), applepaytest.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Decrypt(tok); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%+v: Decrypt = %v, want %v", c.o, err, c.want)
		}
	}
}

func TestKeySetAddPEM(t *testing.T) {
	f := newFixture(t, applepaytest.Options{})
	certPEM, _ := f.apple.Certificate(f.key, testMerchantID)
	s := NewKeySet()
	hash, err := s.AddPEM("m_shop", f.key.PEM(), certPEM, time.Now())
	if err != nil || hash != f.key.PublicKeyHash() {
		t.Fatalf("AddPEM = %q, %v", hash, err)
	}
	if _, err := s.AddPEM("m_shop", f.key.PEM(), nil, time.Now()); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("AddPEM of the same key again = %v", err)
	}
	tok, st := f.token(t, applepaytest.TokenOptions{})
	d, err := NewDecrypter(Config{Keys: s.Keys("m_shop"), Now: func() time.Time { return st }, UnsafeTestRootPEM: f.apple.RootPEM()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decrypt(tok); err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
}

// TestChainCache: a chain verified once is not verified again, but its
// certificates' validity still is, at each token's signing time; failing
// chains are not remembered; the cache stays bounded.
func TestChainCache(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	f := newFixture(t, applepaytest.Options{LeafNotAfter: now.Add(30 * time.Minute)})
	mk, _ := ParseMerchantKeyPEM(f.key.PEM(), nil)
	clock := now
	d, err := NewDecrypter(Config{Keys: []*MerchantKey{mk}, MerchantID: testMerchantID, Now: func() time.Time { return clock }, UnsafeTestRootPEM: f.apple.RootPEM()})
	if err != nil {
		t.Fatal(err)
	}
	entries := func() int {
		d.chains.mu.Lock()
		defer d.chains.mu.Unlock()
		return len(d.chains.chains)
	}
	for i := 0; i < 2; i++ {
		tok, _ := f.token(t, applepaytest.TokenOptions{SigningTime: now})
		if _, err := d.Decrypt(tok); err != nil {
			t.Fatalf("Decrypt %d: %v", i, err)
		}
	}
	if entries() != 1 {
		t.Fatalf("cache holds %d chains, want 1", entries())
	}
	// The same certificates, signed after the leaf expired.
	clock = now.Add(time.Hour)
	tok, _ := f.token(t, applepaytest.TokenOptions{SigningTime: clock})
	if _, err := d.Decrypt(tok); !errors.Is(err, ErrCertificateExpired) {
		t.Fatalf("Decrypt with the cached chain's leaf expired = %v, want ErrCertificateExpired", err)
	}
	// A chain that fails is not remembered.
	g := newFixture(t, applepaytest.Options{})
	g.key = f.key
	bad, _ := g.token(t, applepaytest.TokenOptions{SigningTime: clock})
	if _, err := d.Decrypt(bad); !errors.Is(err, ErrCertificate) || entries() != 1 {
		t.Fatalf("Decrypt of an untrusted chain = %v with %d cached chains, want ErrCertificate and 1", err, entries())
	}
	// Bounded: more chains than the bound.
	clock = now
	for i := 0; i < maxCachedChains+1; i++ {
		a, err := f.apple.Reissue(applepaytest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := a.Token(f.key, testMerchantID, applepaytest.Sample3DS(), applepaytest.TokenOptions{SigningTime: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Decrypt(tok); err != nil {
			t.Fatal(err)
		}
		if entries() > maxCachedChains {
			t.Fatalf("cache holds %d chains, over %d", entries(), maxCachedChains)
		}
	}
}
