package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pixStatic is the Banco Central do Brasil's static BR Code example
// (Manual de Padrões para Iniciação do Pix).
const pixStatic = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

// pixKey is the Pix key in pixStatic's template 26.
const pixKey = "123e4567-e12b-12d1-a456-426655440000"

// beltranoStatic is a static Pix code made for these tests (Pix key
// beltrano@cafe.example, payee Beltrano Cafe).
const beltranoStatic = "00020126430014br.gov.bcb.pix0121beltrano@cafe.example5204000053039865802BR5913Beltrano Cafe6009SAO PAULO62070503***6304D359"

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
		"--account", "br.gov.bcb.pix="+pixKey,
		"--domain", "fulano.example", "--key-out", filepath.Join(dir, "fulano.key.jwk"), "--cert-out", filepath.Join(dir, "certs", "m_fulano.json"))
	var c struct {
		Kid      string
		Accounts []string
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Kid == "" || len(c.Accounts) != 1 || c.Accounts[0] != "26580014br.gov.bcb.pix0136"+pixKey {
		t.Fatalf("certify output %q: %v, want a kid and the Pix account", out, err)
	}
	r.fulanoKid = c.Kid
	r.fulanoKey, r.fulanoCert = filepath.Join(dir, "fulano.key.jwk"), filepath.Join(dir, "certs", "m_fulano.json")
	beltranoBase := filepath.Join(t.TempDir(), "beltrano-static.txt")
	os.WriteFile(beltranoBase, []byte(beltranoStatic+"\n"), 0o644)
	mustRun(t, "", "registry", "certify", "--root", r.root, "--merchant", "m_beltrano", "--name", "Beltrano Cafe",
		"--accounts-from", beltranoBase,
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
	Warnings []struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	} `json:"warnings"`
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
		"--account", "br.gov.bcb.pix="+pixKey, "--key-out", r.fulanoKey, "--cert-out", filepath.Join(t.TempDir(), "x.json"))
	if code != 2 {
		t.Errorf("certify over an existing key file: exit %d, want 2", code)
	}
	// Outputs never carry private key material.
	key, _ := os.ReadFile(r.root)
	var j struct{ D string }
	json.Unmarshal(key, &j)
	out := mustRun(t, "", "registry", "certify", "--root", r.root, "--merchant", "m_y", "--name", "Y",
		"--account", "br.gov.bcb.pix="+pixKey, "--key-out", filepath.Join(t.TempDir(), "y.jwk"), "--cert-out", filepath.Join(t.TempDir(), "y.json"))
	if j.D == "" || strings.Contains(out, j.D) {
		t.Error("certify output contains the root's private key")
	}
	// Bad merchant IDs are refused.
	_, stderr, code := sealpay(t, "", "registry", "certify", "--root", r.root, "--merchant", "bad id", "--name", "Y",
		"--account", "br.gov.bcb.pix="+pixKey, "--key-out", filepath.Join(t.TempDir(), "z.jwk"), "--cert-out", filepath.Join(t.TempDir(), "z.json"))
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

func TestRegistryAccounts(t *testing.T) {
	r := newRegistry(t)
	// certify certifies m_z with args and returns the output, the
	// certificate file and the exit status.
	certify := func(t *testing.T, args ...string) (string, string, int) {
		t.Helper()
		dir := t.TempDir()
		args = append([]string{"registry", "certify", "--root", r.root, "--merchant", "m_z", "--name", "Fulano de Tal",
			"--key-out", filepath.Join(dir, "z.jwk"), "--cert-out", filepath.Join(dir, "z.json")}, args...)
		out, _, code := sealpay(t, "", args...)
		return out, filepath.Join(dir, "z.json"), code
	}

	t.Run("account forms", func(t *testing.T) {
		_, cert, code := certify(t, "--account", "A000000677010111/02=0105536012345", "--account", "04=5204123412341234",
			"--account", "br.gov.bcb.pix="+pixKey)
		if code != 0 {
			t.Fatalf("certify exit %d", code)
		}
		b, _ := os.ReadFile(cert)
		var c struct{ Accounts []string }
		json.Unmarshal(b, &c)
		want := []string{"26370016A00000067701011102130105536012345", "04165204123412341234", "26580014br.gov.bcb.pix0136" + pixKey}
		if strings.Join(c.Accounts, " ") != strings.Join(want, " ") {
			t.Errorf("accounts = %q, want %q", c.Accounts, want)
		}
	})
	t.Run("bad account flags", func(t *testing.T) {
		for _, f := range []string{"nope", "=x", "br.gov.bcb.pix=", "br.gov.bcb.pix/1=x", "br.gov.bcb.pix/00=x", "01=x", "26=x", "/01=x"} {
			if _, _, code := certify(t, "--account", f); code != 2 {
				t.Errorf("--account %q: exit %d, want 2", f, code)
			}
		}
		// A value the certificate refuses (over 99 characters with its GUID).
		if _, _, code := certify(t, "--account", "br.gov.bcb.pix="+strings.Repeat("k", 90)); code != 1 {
			t.Errorf("--account with a 90-character key: exit %d, want 1", code)
		}
	})
	t.Run("accounts-from a code without accounts", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "none.txt")
		noAccount := "000201520400005303986" + "5802BR5913Fulano de Tal6008BRASILIA6304"
		os.WriteFile(f, []byte(noAccount+crcOf(noAccount)), 0o644)
		if _, _, code := certify(t, "--accounts-from", f); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
	t.Run("checked against the scheme's rules", func(t *testing.T) {
		for _, tc := range []struct {
			name, flag string
			code       int
		}{
			{"Pix CPF", "br.gov.bcb.pix=12345678909", 0},
			{"Pix CNPJ", "br.gov.bcb.pix=12345678000195", 0},
			{"Pix phone", "br.gov.bcb.pix=+5561988887777", 0},
			{"Pix e-mail", "br.gov.bcb.pix=fulano@example.com", 0},
			{"Pix random key", "br.gov.bcb.pix=" + pixKey, 0},
			{"Pix GUID in capitals", "BR.GOV.BCB.PIX=" + pixKey, 0},
			{"Pix key of no kind", "br.gov.bcb.pix=fulano", 1},
			{"Pix phone without +55", "br.gov.bcb.pix=+15551234567", 1},
			{"Pix CPF one digit short", "br.gov.bcb.pix=1234567890", 1},
			{"Pix key in the wrong sub-object", "br.gov.bcb.pix/02=" + pixKey, 1},
			{"PromptPay mobile", "A000000677010111/01=0066812345678", 0},
			{"PromptPay mobile in local form", "A000000677010111/01=0812345678", 1},
			{"PromptPay tax ID", "A000000677010111/02=0105536012345", 0},
			{"PromptPay tax ID of 12 digits", "A000000677010111/02=010553601234", 1},
			{"PromptPay e-wallet", "A000000677010111/03=140000000000001", 0},
			{"PromptPay proxy 05", "A000000677010111/05=1234", 1},
			{"GUID with a space", "com.example pay=123", 1},
			{"GUID of 33 characters", strings.Repeat("g", 33) + "=123", 1},
			{"unknown scheme", "com.example.pay=ACCT-123", 0},
			{"card network", "02=4000123412341234", 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, code := certify(t, "--account", tc.flag)
				if code != tc.code {
					t.Errorf("--account %s: exit %d, want %d", tc.flag, code, tc.code)
				}
			})
		}
	})
	t.Run("name only is refused", func(t *testing.T) {
		out, cert, code := certify(t)
		if code != 2 || out != "" {
			t.Errorf("certify without accounts: exit %d, %s, want 2 and nothing", code, out)
		}
		if _, err := os.Stat(cert); err == nil {
			t.Error("certify without accounts wrote a certificate")
		}
	})
}

func TestQRSignOtherAccount(t *testing.T) {
	r := newRegistry(t)
	mule := strings.Replace(pixStatic, "0136"+pixKey, "0116pix@mula.example", 1)
	mule = strings.Replace(mule, "26580014", "26380014", 1)
	mule = mule[:len(mule)-4] + crcOf(mule[:len(mule)-4])
	base := filepath.Join(t.TempDir(), "mule.txt")
	os.WriteFile(base, []byte(mule), 0o644)
	_, stderr, code := sealpay(t, "", "qr", "sign", "--key", r.fulanoKey, "--cert", r.fulanoCert, "--amount", "1", "--currency", "BRL", "--base", base)
	if code != 1 || errorCode(t, stderr) != "bad_request" || !strings.Contains(stderr, "payee account") {
		t.Errorf("signing a code that pays another account: exit %d %s, want 1 bad_request", code, stderr)
	}
	// The signed code of Fulano's own static code verifies, with no warning.
	v, code := verifyCLI(t, r, r.sign(t, r.fulanoKey, r.fulanoCert))
	if v.Status != "verified" || code != 0 || len(v.Warnings) != 0 {
		t.Errorf("Fulano's code: %s exit %d warnings %+v", v.Status, code, v.Warnings)
	}
}

// TestQRVerifyVectors runs sdk/qr's published vectors (docs/qr-v1.md, "Test
// vectors") through 'qr verify', each at its own time.
func TestQRVerifyVectors(t *testing.T) {
	dir := filepath.Join("..", "..", "sdk", "qr", "testdata", "trust")
	b, err := os.ReadFile(filepath.Join(dir, "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	type reason struct{ Code, Detail string }
	var vf struct {
		Cases []struct {
			Name, Payload, Status string
			Now                   time.Time
			Expect                *struct{ Payee, Amount, Currency string }
			Reasons, Warnings     []reason
		}
	}
	if err := json.Unmarshal(b, &vf); err != nil || len(vf.Cases) < 20 {
		t.Fatalf("vectors.json: %v, %d cases", err, len(vf.Cases))
	}
	for _, tc := range vf.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			args := []string{"qr", "verify", "--trust", filepath.Join(dir, "bundle.json"), "--pin", filepath.Join(dir, "root.pub.jwk")}
			if e := tc.Expect; e != nil {
				for flag, v := range map[string]string{"--expect-payee": e.Payee, "--expect-amount": e.Amount, "--expect-currency": e.Currency} {
					if v != "" {
						args = append(args, flag, v)
					}
				}
			}
			var out, errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(tc.Payload + "\n"), Stdout: &out, Stderr: &errb, Now: func() time.Time { return tc.Now }}
			code := run(env, args)
			var v verdict
			if err := json.Unmarshal(out.Bytes(), &v); err != nil {
				t.Fatalf("output is not a verdict: %v (stderr %s)", err, errb.String())
			}
			wantCode := 0
			if tc.Status == "rejected" {
				wantCode = 1
			}
			if v.Status != tc.Status || code != wantCode {
				t.Errorf("status %s exit %d, want %s exit %d (%+v)", v.Status, code, tc.Status, wantCode, v.Reasons)
			}
			var got, gotW []reason
			for _, r := range v.Reasons {
				got = append(got, reason{r.Code, r.Detail})
			}
			for _, r := range v.Warnings {
				gotW = append(gotW, reason{r.Code, r.Detail})
			}
			if !equalReasonLists(got, tc.Reasons) || !equalReasonLists(gotW, tc.Warnings) {
				t.Errorf("reasons %v warnings %v, want %v and %v", got, gotW, tc.Reasons, tc.Warnings)
			}
		})
	}
}

func equalReasonLists[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRegistryBundleTTL(t *testing.T) {
	r := newRegistry(t)
	day := 24 * time.Hour
	tests := []struct {
		name    string
		args    []string
		code    int
		expires time.Duration // after fixedNow
	}{
		{"default: 30 days", nil, 0, 30 * day},
		{"one hour", []string{"--ttl", "1h"}, 0, time.Hour},
		{"90 days", []string{"--ttl", "2160h"}, 0, 90 * day},
		{"under an hour", []string{"--ttl", "59m"}, 2, 0},
		{"over 90 days", []string{"--ttl", "2160h1s"}, 2, 0},
		{"negative", []string{"--ttl", "-1h"}, 2, 0},
		{"not a duration", []string{"--ttl", "30d"}, 2, 0},
	}
	version := 1
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"registry", "bundle", "--root", r.root, "--certs", filepath.Join(r.dir, "certs"), "--out", r.trust}, tc.args...)
			out, _, code := sealpay(t, "", args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d", code, tc.code)
			}
			if code != 0 {
				return
			}
			version++
			var got struct {
				Version             int
				IssuedAt, ExpiresAt time.Time
			}
			json.Unmarshal([]byte(strings.NewReplacer(`"issued_at"`, `"IssuedAt"`, `"expires_at"`, `"ExpiresAt"`).Replace(out)), &got)
			want := fixedNow.Truncate(time.Second).Add(tc.expires)
			if got.Version != version || !got.IssuedAt.Equal(fixedNow.Truncate(time.Second)) || !got.ExpiresAt.Equal(want) {
				t.Errorf("bundle summary %s, want version %d expiring at %s", out, version, want.Format(time.RFC3339))
			}
			b, _ := os.ReadFile(r.trust)
			if field := fmt.Sprintf(`"expires_at": %d,`, want.Unix()); !strings.Contains(string(b), field) {
				t.Errorf("bundle file lacks %s", field)
			}
		})
	}
}

// TestQRVerifyExpiredBundle: a stale bundle loads, and 'qr verify' rejects
// signed codes with qr_expired/trust_bundle until a newer bundle arrives.
func TestQRVerifyExpiredBundle(t *testing.T) {
	r := newRegistry(t)
	mustRun(t, "", "registry", "bundle", "--root", r.root, "--certs", filepath.Join(r.dir, "certs"), "--out", r.trust, "--ttl", "1h")
	signed := r.sign(t, r.fulanoKey, r.fulanoCert, "--ttl", "3h") // outlives the bundle
	verifyAt := func(t *testing.T, at time.Time, payload string) (verdict, int) {
		t.Helper()
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(payload + "\n"), Stdout: &out, Stderr: &errb, Now: func() time.Time { return at }}
		code := run(env, []string{"qr", "verify", "--trust", r.trust})
		var v verdict
		if err := json.Unmarshal(out.Bytes(), &v); err != nil {
			t.Fatalf("output is not a verdict: %v (stderr %s)", err, errb.String())
		}
		return v, code
	}
	expiry := fixedNow.Truncate(time.Second).Add(time.Hour)
	tests := []struct {
		name    string
		at      time.Time
		payload string
		status  string
		detail  string
	}{
		{"before expiry", fixedNow.Add(time.Minute), signed, "verified", ""},
		{"within the clock skew", expiry.Add(5 * time.Minute), signed, "verified", ""},
		{"expired", expiry.Add(5*time.Minute + time.Second), signed, "rejected", "trust_bundle"},
		{"expired, unsigned code", expiry.Add(time.Hour), pixStatic, "unsigned", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, code := verifyAt(t, tc.at, tc.payload)
			if v.Status != tc.status || (code == 1) != (tc.status == "rejected") {
				t.Errorf("status %s exit %d, want %s (%+v)", v.Status, code, tc.status, v.Reasons)
			}
			if tc.detail != "" && (len(v.Reasons) == 0 || v.Reasons[0].Code != "qr_expired" || v.Reasons[0].Detail != tc.detail) {
				t.Errorf("reasons %+v, want qr_expired/%s first", v.Reasons, tc.detail)
			}
			if tc.detail != "" && !strings.Contains(v.Headline, "out of date") {
				t.Errorf("headline %q does not say the list is out of date", v.Headline)
			}
		})
	}
}

// TestQRVerifyMinVersion: a verifier that remembers the newest bundle
// version it accepted refuses an older bundle (rollback).
func TestQRVerifyMinVersion(t *testing.T) {
	r := newRegistry(t) // bundle version 1
	signed := r.sign(t, r.fulanoKey, r.fulanoCert)
	mustRun(t, "", "registry", "bundle", "--root", r.root, "--certs", filepath.Join(r.dir, "certs"), "--out", r.trust) // version 2
	for _, tc := range []struct {
		min  string
		code int
	}{{"0", 0}, {"1", 0}, {"2", 0}, {"3", 1}} {
		t.Run("min "+tc.min, func(t *testing.T) {
			out, stderr, code := sealpay(t, signed+"\n", "qr", "verify", "--trust", r.trust, "--min-version", tc.min)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (%s)", code, tc.code, stderr)
			}
			if code == 0 && !strings.Contains(out, `"status": "verified"`) {
				t.Errorf("output %s, want verified", out)
			}
			if code != 0 && (out != "" || errorCode(t, stderr) != "qr_replayed") {
				t.Errorf("stdout %q, stderr %s, want nothing and qr_replayed", out, stderr)
			}
		})
	}
}
