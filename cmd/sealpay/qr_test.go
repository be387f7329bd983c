package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pixStatic is the Banco Central do Brasil's static BR Code example
// (Manual de Padrões para Iniciação do Pix).
const pixStatic = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

type registryFixture struct {
	dir, root, trust         string
	fulanoKey, fulanoCert    string
	beltranoKey, beltranoCer string
	fulanoKid                string
}

func newRegistry(t *testing.T) *registryFixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "registry")
	r := &registryFixture{dir: dir, root: filepath.Join(dir, "root.jwk"), trust: filepath.Join(dir, "trust.json")}
	mustRun(t, "", "registry", "init", "--out", dir)
	out := mustRun(t, "", "registry", "certify", "--root", r.root, "--merchant", "m_fulano", "--name", "Fulano de Tal",
		"--domain", "fulano.example", "--key-out", filepath.Join(dir, "fulano.key.jwk"), "--cert-out", filepath.Join(dir, "certs", "m_fulano.json"))
	var c struct{ Kid string }
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Kid == "" {
		t.Fatalf("certify output %q: %v", out, err)
	}
	r.fulanoKid = c.Kid
	r.fulanoKey, r.fulanoCert = filepath.Join(dir, "fulano.key.jwk"), filepath.Join(dir, "certs", "m_fulano.json")
	mustRun(t, "", "registry", "certify", "--root", r.root, "--merchant", "m_beltrano", "--name", "Beltrano Cafe",
		"--key-out", filepath.Join(dir, "beltrano.key.jwk"), "--cert-out", filepath.Join(dir, "certs", "m_beltrano.json"))
	r.beltranoKey, r.beltranoCer = filepath.Join(dir, "beltrano.key.jwk"), filepath.Join(dir, "certs", "m_beltrano.json")
	mustRun(t, "", "registry", "bundle", "--root", r.root, "--certs", filepath.Join(dir, "certs"), "--out", r.trust)
	return r
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, stderr, code := sealpay(t, stdin, args...)
	if code != 0 {
		t.Fatalf("sealpay %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return out
}

func (r *registryFixture) sign(t *testing.T, key, cert string, extra ...string) string {
	t.Helper()
	base := filepath.Join(t.TempDir(), "base.txt")
	os.WriteFile(base, []byte(pixStatic+"\n"), 0o644)
	args := append([]string{"qr", "sign", "--key", key, "--cert", cert, "--amount", "49.90", "--currency", "BRL",
		"--ref", "PEDIDO123", "--base", base}, extra...)
	return strings.TrimSpace(mustRun(t, "", args...))
}

type verdict struct {
	Status   string `json:"status"`
	Headline string `json:"headline"`
	Merchant string `json:"merchant"`
	Reasons  []struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	} `json:"reasons"`
}

func verifyCLI(t *testing.T, r *registryFixture, payload string, extra ...string) (verdict, int) {
	t.Helper()
	out, stderr, code := sealpay(t, payload+"\n", append([]string{"qr", "verify", "--trust", r.trust}, extra...)...)
	var v verdict
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("verify output is not a verdict: %v (stderr %s)", err, stderr)
	}
	if stderr != "" {
		t.Errorf("verify wrote to stderr: %s", stderr)
	}
	return v, code
}

func TestQRSignVerify(t *testing.T) {
	r := newRegistry(t)
	png := filepath.Join(t.TempDir(), "code.png")
	signed := r.sign(t, r.fulanoKey, r.fulanoCert, "--png", png)
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("--png wrote no PNG: %v", err)
	}
	// Tampered amount, CRC recomputed by a second 'qr sign'-free edit.
	tampered := strings.Replace(signed, "540549.90", "540549.00", 1)
	tampered = tampered[:len(tampered)-4] + crcOf(tampered[:len(tampered)-4])

	tests := []struct {
		name     string
		payload  string
		args     []string
		status   string
		code     int
		reason   string
		headline string
	}{
		{"verified", signed, nil, "verified", 0, "", "Verified: Fulano de Tal"},
		{"verified, pinned explicitly, Japanese", signed, []string{"--pin", filepath.Join(r.dir, "root.pub.jwk"), "--lang", "ja-JP"}, "verified", 0, "", "確認済み：Fulano de Tal"},
		{"expectation met", signed, []string{"--expect-amount", "49.9", "--expect-currency", "986", "--expect-payee", "m_fulano"}, "verified", 0, "", ""},
		{"amount tampered", tampered, nil, "rejected", 1, "qr_bad_signature", ""},
		{"amount not expected", signed, []string{"--expect-amount", "10.00"}, "rejected", 1, "qr_mismatch", ""},
		{"unsigned", pixStatic, nil, "unsigned", 0, "qr_unsigned", ""},
		{"unsigned, signature required", pixStatic, []string{"--require-signed"}, "unsigned", 1, "qr_unsigned", ""},
		{"look-alike link", "https://fu1ano.example/pay", nil, "rejected", 1, "qr_suspicious_url", ""},
		{"bad CRC", pixStatic[:len(pixStatic)-1] + "E", nil, "rejected", 1, "qr_bad_crc", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, code := verifyCLI(t, r, tc.payload, tc.args...)
			if v.Status != tc.status || code != tc.code {
				t.Errorf("status %s exit %d, want %s exit %d (%+v)", v.Status, code, tc.status, tc.code, v.Reasons)
			}
			if tc.reason != "" && (len(v.Reasons) == 0 || v.Reasons[0].Code != tc.reason) {
				t.Errorf("reasons %+v, want %s first", v.Reasons, tc.reason)
			}
			if tc.headline != "" && v.Headline != tc.headline {
				t.Errorf("headline %q, want %q", v.Headline, tc.headline)
			}
		})
	}
}

func crcOf(s string) string {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	const hex = "0123456789ABCDEF"
	return string([]byte{hex[crc>>12], hex[crc>>8&15], hex[crc>>4&15], hex[crc&15]})
}

func TestRegistryRevoke(t *testing.T) {
	r := newRegistry(t)
	signed := r.sign(t, r.fulanoKey, r.fulanoCert)

	mustRun(t, "", "registry", "revoke", "--root", r.root, "--kid", r.fulanoKid, "--reason", "key_compromise")
	out := mustRun(t, "", "registry", "bundle", "--root", r.root, "--certs", filepath.Join(r.dir, "certs"), "--out", r.trust)
	if !strings.Contains(out, `"version": 2`) {
		t.Errorf("second bundle: %s, want version 2", out)
	}
	v, code := verifyCLI(t, r, signed)
	if v.Status != "rejected" || code != 1 || v.Reasons[0].Code != "qr_revoked" {
		t.Errorf("after revocation: %s exit %d %+v, want rejected qr_revoked", v.Status, code, v.Reasons)
	}
	// The registry refuses to build on top of a bundle it did not sign.
	other := filepath.Join(t.TempDir(), "other")
	mustRun(t, "", "registry", "init", "--out", other)
	_, stderr, code := sealpay(t, "", "registry", "bundle", "--root", filepath.Join(other, "root.jwk"), "--certs", filepath.Join(r.dir, "certs"), "--out", r.trust)
	if code != 1 || errorCode(t, stderr) != "qr_unknown_key" {
		t.Errorf("bundle over a foreign bundle: exit %d, %s", code, stderr)
	}
}

func TestRegistryFiles(t *testing.T) {
	r := newRegistry(t)
	for _, f := range []string{r.root, r.fulanoKey} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(f), st.Mode().Perm())
		}
	}
	// Refuses to overwrite keys.
	_, _, code := sealpay(t, "", "registry", "init", "--out", r.dir)
	if code == 0 {
		t.Error("registry init over an existing registry succeeded")
	}
	_, _, code = sealpay(t, "", "registry", "certify", "--root", r.root, "--merchant", "m_x", "--name", "X",
		"--key-out", r.fulanoKey, "--cert-out", filepath.Join(t.TempDir(), "x.json"))
	if code != 2 {
		t.Errorf("certify over an existing key file: exit %d, want 2", code)
	}
	// Outputs never carry private key material.
	key, _ := os.ReadFile(r.root)
	var j struct{ D string }
	json.Unmarshal(key, &j)
	out := mustRun(t, "", "registry", "certify", "--root", r.root, "--merchant", "m_y", "--name", "Y",
		"--key-out", filepath.Join(t.TempDir(), "y.jwk"), "--cert-out", filepath.Join(t.TempDir(), "y.json"))
	if j.D == "" || strings.Contains(out, j.D) {
		t.Error("certify output contains the root's private key")
	}
	// Bad merchant IDs are refused.
	_, stderr, code := sealpay(t, "", "registry", "certify", "--root", r.root, "--merchant", "bad id", "--name", "Y",
		"--key-out", filepath.Join(t.TempDir(), "z.jwk"), "--cert-out", filepath.Join(t.TempDir(), "z.json"))
	if code != 1 || errorCode(t, stderr) != "bad_request" {
		t.Errorf("certify with a bad merchant ID: exit %d %s", code, stderr)
	}
}

func TestQRParse(t *testing.T) {
	out := mustRun(t, pixStatic+"\n", "qr", "parse", "--strict")
	var doc struct {
		Scheme   struct{ ID string }
		CRCValid bool              `json:"crc_valid"`
		Fields   map[string]string `json:"fields"`
		Objects  []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Scheme.ID != "pix" || !doc.CRCValid || doc.Fields["merchant_name"] != "Fulano de Tal" || doc.Fields["currency_code"] != "BRL" || len(doc.Objects) != 9 {
		t.Errorf("qr parse = %s", out)
	}
	for _, tc := range []struct{ name, in, code string }{
		{"bad CRC", pixStatic[:len(pixStatic)-1] + "E", "qr_bad_crc"},
		{"truncated", pixStatic[:40], "qr_malformed"},
		{"empty", "", "qr_malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := sealpay(t, tc.in, "qr", "parse")
			if code != 1 || out != "" || errorCode(t, stderr) != tc.code {
				t.Errorf("exit %d, stderr %s, want 1 and %s", code, stderr, tc.code)
			}
		})
	}
}

func TestQRSignWithoutBase(t *testing.T) {
	r := newRegistry(t)
	out := mustRun(t, "", "qr", "sign", "--key", r.beltranoKey, "--cert", r.beltranoCer, "--amount", "12", "--currency", "BRL",
		"--city", "SAO PAULO", "--country", "br")
	v, code := verifyCLI(t, r, strings.TrimSpace(out), "--expect-payee", "Beltrano Cafe")
	if v.Status != "verified" || code != 0 || v.Merchant != "Beltrano Cafe" {
		t.Errorf("minimal signed code: %+v exit %d", v, code)
	}
	// Another merchant's key and certificate cannot sign Fulano's code.
	base := filepath.Join(t.TempDir(), "base.txt")
	os.WriteFile(base, []byte(pixStatic), 0o644)
	_, stderr, code := sealpay(t, "", "qr", "sign", "--key", r.beltranoKey, "--cert", r.beltranoCer, "--amount", "1", "--currency", "BRL", "--base", base)
	if code != 1 || errorCode(t, stderr) != "bad_request" {
		t.Errorf("signing another payee: exit %d %s", code, stderr)
	}
	_, _, code = sealpay(t, "", "qr", "sign", "--key", r.beltranoKey)
	if code != 2 {
		t.Errorf("qr sign without flags: exit %d, want 2", code)
	}
}
