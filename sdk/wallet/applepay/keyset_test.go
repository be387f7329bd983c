package applepay

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
)

// TestKeySetLifecycle: generate a key and its CSR, attach the certificate
// "Apple" (the stand-in) issues, decrypt a token with the set's keys,
// rotate, retire, and round-trip the file.
func TestKeySetLifecycle(t *testing.T) {
	a, err := applepaytest.New(applepaytest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewKeySet()
	now := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	hash, csrPEM, err := s.Generate("m_shop", now)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(csrPEM)
	csr, err := x509.ParseCertificateRequest(blk.Bytes)
	if err != nil || csr.CheckSignature() != nil {
		t.Fatalf("CSR: %v", err)
	}
	// The stand-in issues a certificate for the CSR's key.
	certPEM, err := a.CertificateFor(csr.PublicKey, testMerchantID)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ = pem.Decode(certPEM)
	got, err := s.AttachCertificate(blk.Bytes) // DER, as Apple's portal gives it
	if err != nil || got != hash {
		t.Fatalf("AttachCertificate = %q, %v; want %q", got, err, hash)
	}
	if _, err := s.AttachCertificate(certPEM); err != nil {
		t.Fatalf("AttachCertificate(PEM): %v", err)
	}
	other, _ := applepaytest.GenerateMerchantKey()
	otherCert, _ := a.Certificate(other, testMerchantID)
	if _, err := s.AttachCertificate(otherCert); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("AttachCertificate of another key's certificate = %v", err)
	}

	b, err := s.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ParseKeySet(b)
	if err != nil {
		t.Fatal(err)
	}
	if b2, _ := s2.MarshalPrivate(); string(b2) != string(b) {
		t.Error("key set file does not round-trip")
	}
	info := s2.Info()
	if len(info) != 1 || info[0].PublicKeyHash != hash || !info[0].HasCertificate || info[0].MerchantID != "m_shop" || !info[0].Created.Equal(now) || info[0].NotAfter.IsZero() {
		t.Fatalf("Info = %+v", info)
	}
	if strings.Contains(s2.String()+s2.GoString(), "PRIVATE") {
		t.Error("key material found in KeySet.String")
	}

	// A token to the set's key decrypts with the merchant identifier from
	// the certificate.
	mk := s2.Keys("m_shop")
	if len(mk) != 1 || len(s2.Keys("m_other")) != 0 {
		t.Fatalf("Keys: %d", len(mk))
	}
	tok := tokenTo(t, a, s2, "m_shop")
	st, _ := applepaytest.SigningTime(tok)
	d, err := NewDecrypter(Config{Keys: mk, Now: func() time.Time { return st }, UnsafeTestRootPEM: a.RootPEM()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decrypt(tok); err != nil {
		t.Fatalf("Decrypt: %v", err)
	}

	// Rotate: a second key; retire the first.
	hash2, _, err := s2.Generate("m_shop", now)
	if err != nil || hash2 == hash {
		t.Fatal(err)
	}
	if len(s2.Keys("m_shop")) != 2 {
		t.Fatal("the new key is not enabled")
	}
	if err := s2.Retire(hash); err != nil {
		t.Fatal(err)
	}
	if ks := s2.Keys("m_shop"); len(ks) != 1 || ks[0].PublicKeyHash() != hash2 {
		t.Fatal("Retire left the old key enabled")
	}
	if err := s2.Retire("nope"); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Retire(unknown) = %v", err)
	}
}

// tokenTo makes a stand-in token to merchant mid's first key of s.
func tokenTo(t *testing.T, a *applepaytest.Apple, s *KeySet, mid string) []byte {
	t.Helper()
	for _, k := range s.keys {
		if k.mid == mid {
			tok, err := a.Token(&applepaytest.MerchantKey{Private: k.priv}, testMerchantID, applepaytest.Sample3DS(), applepaytest.TokenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
	}
	t.Fatal("no key")
	return nil
}

func TestParseKeySetRefuses(t *testing.T) {
	k, _ := applepaytest.GenerateMerchantKey()
	key := strings.ReplaceAll(string(k.PEM()), "\n", `\n`)
	for name, f := range map[string]string{
		"not JSON":       `keys`,
		"unknown member": `{"keys":[],"extra":1}`,
		"no mid":         `{"keys":[{"status":"enabled","private_key":"` + key + `"}]}`,
		"bad status":     `{"keys":[{"mid":"m","status":"primary","private_key":"` + key + `"}]}`,
		"no key":         `{"keys":[{"mid":"m","status":"enabled","private_key":""}]}`,
		"a key twice":    `{"keys":[{"mid":"m","status":"enabled","private_key":"` + key + `"},{"mid":"n","status":"enabled","private_key":"` + key + `"}]}`,
	} {
		if _, err := ParseKeySet([]byte(f)); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: ParseKeySet = %v", name, err)
		}
	}
}
