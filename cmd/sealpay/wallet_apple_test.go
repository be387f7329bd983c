package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/applepay"
	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
)

// TestWalletKeysApplePay: a key and its CSR, the certificate the stand-in
// for Apple issues for the CSR, rotation and retirement, and a key set the
// edge can decrypt with.
func TestWalletKeysApplePay(t *testing.T) {
	dir := t.TempDir()
	file, csrFile := filepath.Join(dir, "apple-pay-keys.json"), filepath.Join(dir, "m_shop.csr")
	out, stderr, code := sealpay(t, "", "wallet", "keys", "new", "--wallet", "apple_pay", "--keys", file, "--merchant", "m_shop", "--csr", csrFile)
	if code != 0 {
		t.Fatalf("wallet keys new = %d %s", code, stderr)
	}
	if strings.Contains(out+stderr, "PRIVATE") {
		t.Error("wallet keys new printed key material")
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key set file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	var list struct {
		Keys []struct {
			KID, Merchant, Status string
			Certificate           bool
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Keys) != 1 || list.Keys[0].Certificate || list.Keys[0].Status != "enabled" {
		t.Fatalf("wallet keys new printed %s", out)
	}
	csrPEM, err := os.ReadFile(csrFile)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(csrPEM)
	csr, err := x509.ParseCertificateRequest(blk.Bytes)
	if err != nil || csr.CheckSignature() != nil {
		t.Fatalf("CSR: %v", err)
	}
	// Without --csr the CSR goes to stdout.
	out, _, code = sealpay(t, "", "wallet", "keys", "new", "--wallet", "apple_pay", "--keys", file, "--merchant", "m_shop")
	if code != 0 || !strings.HasPrefix(out, "-----BEGIN CERTIFICATE REQUEST-----") {
		t.Fatalf("wallet keys new without --csr = %d, printed %.40q", code, out)
	}

	// Apple (the stand-in) issues the certificate; cert attaches it.
	apple, err := applepaytest.New(applepaytest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := apple.CertificateFor(csr.PublicKey, "merchant.com.example")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ = pem.Decode(certPEM)
	cerFile := filepath.Join(dir, "apple_pay.cer")
	os.WriteFile(cerFile, blk.Bytes, 0o644) // DER, as Apple's portal gives it
	out, stderr, code = sealpay(t, "", "wallet", "keys", "cert", "--wallet", "apple_pay", "--keys", file, "--cert", cerFile)
	if code != 0 {
		t.Fatalf("wallet keys cert = %d %s", code, stderr)
	}
	json.Unmarshal([]byte(out), &list)
	if len(list.Keys) != 2 || !list.Keys[0].Certificate || list.Keys[1].Certificate {
		t.Fatalf("after cert: %s", out)
	}
	ks, err := applepay.ReadKeySetFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := applepay.NewDecrypter(applepay.Config{Keys: ks.Keys("m_shop")[:1], Now: time.Now}); err != nil {
		t.Errorf("the certified key does not make a decrypter without a merchant identifier: %v", err)
	}
	// Retire the first key.
	if _, stderr, code := sealpay(t, "", "wallet", "keys", "retire", "--wallet", "apple_pay", "--keys", file, "--kid", list.Keys[0].KID); code != 0 {
		t.Fatalf("retire = %d %s", code, stderr)
	}
	out, _, _ = sealpay(t, "", "wallet", "keys", "list", "--wallet", "apple_pay", "--keys", file)
	json.Unmarshal([]byte(out), &list)
	if list.Keys[0].Status != "retired" || list.Keys[1].Status != "enabled" {
		t.Errorf("after retire: %s", out)
	}
	// Bad uses.
	for _, args := range [][]string{
		{"wallet", "keys", "new", "--wallet", "apple_pay", "--keys", file},
		{"wallet", "keys", "cert", "--wallet", "apple_pay", "--keys", file},
		{"wallet", "keys", "cert", "--wallet", "apple_pay", "--keys", file, "--cert", csrFile},
		{"wallet", "keys", "retire", "--wallet", "apple_pay", "--keys", file, "--kid", "nope"},
		{"wallet", "keys", "promote", "--wallet", "apple_pay", "--keys", file},
		{"wallet", "keys", "list", "--wallet", "samsung_pay", "--keys", file},
	} {
		if _, _, code := sealpay(t, "", args...); code != 2 {
			t.Errorf("sealpay %s = exit %d, want 2", strings.Join(args, " "), code)
		}
	}
	os.Chmod(file, 0o644)
	if _, stderr, code := sealpay(t, "", "wallet", "keys", "list", "--wallet", "apple_pay", "--keys", file); code != 1 || errorCode(t, stderr) != "insecure_key_file" {
		t.Errorf("list of a world-readable key set = exit %d %s, want 1 insecure_key_file", code, errorCode(t, stderr))
	}
}
