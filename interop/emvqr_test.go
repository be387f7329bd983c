package interop

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/qr"
)

// The signed-QR interop test: a Sealpay-signed code must still read as the
// same payment in an independent EMVCo parser — promptparse, from npm, in
// emvqr/ — which knows nothing of the signature templates.

// emvqrStatic is the Banco Central do Brasil's static BR Code example
// (Manual de Padrões para Iniciação do Pix, Anexo II).
const emvqrStatic = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

type emvqrTag struct {
	ID    string     `json:"id"`
	Value string     `json:"value"`
	Sub   []emvqrTag `json:"sub"`
}

type emvqrResult struct {
	OK        bool       `json:"ok"`
	CRCValid  bool       `json:"crc_valid"`
	Payee     string     `json:"payee"`
	City      string     `json:"city"`
	Amount    string     `json:"amount"`
	Currency  string     `json:"currency"`
	Reference string     `json:"reference"`
	Tags      []emvqrTag `json:"tags"`
}

func emvqrParse(t *testing.T, payload string) emvqrResult {
	t.Helper()
	if _, err := os.Stat(filepath.Join("emvqr", "node_modules", "promptparse")); err != nil {
		t.Fatalf("interop/emvqr/node_modules is missing: run make test (or npm ci in interop/emvqr)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: the interop tests need Node 20 or later")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "parse.mjs")
	cmd.Dir = "emvqr"
	cmd.Stdin = strings.NewReader(payload + "\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("node parse.mjs: %v: %s", err, errb.String())
	}
	var r emvqrResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("parse.mjs printed %q: %v", out.String(), err)
	}
	return r
}

func TestSignedQRReadsInIndependentParser(t *testing.T) {
	// Test keys, made fresh for each run.
	root, err := qr.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := qr.GenerateMerchantKey()
	now := time.Now()
	cert, err := root.Certify(qr.Certificate{MerchantID: "m_fulano", Name: "Fulano de Tal", PublicKey: key.Public(),
		Accounts:  []qr.Object{{ID: "26", Value: "0014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"}}, // emvqrStatic's Pix key
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := qr.Sign(emvqrStatic, key, cert, qr.SignOptions{Amount: "49.90", Currency: "BRL", Reference: "PEDIDO123"})
	if err != nil {
		t.Fatal(err)
	}
	// Sanity: our own verifier accepts it.
	bundle, _ := root.SignBundle(qr.Bundle{Version: 1, IssuedAt: now, Certificates: []qr.Certificate{*cert}})
	trust, err := qr.LoadTrustBundle(bundle, []ed25519.PublicKey{root.Public()}, now)
	if err != nil {
		t.Fatal(err)
	}
	if v := qr.Verify(signed, trust, qr.VerifyOptions{}); v.Status != qr.Verified {
		t.Fatalf("Verify = %s %v", v.Status, v.Reasons)
	}

	got := emvqrParse(t, signed)
	want := emvqrResult{OK: true, CRCValid: true, Payee: "Fulano de Tal", City: "BRASILIA", Amount: "49.90", Currency: "986", Reference: "PEDIDO123"}
	got.Tags = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("promptparse read %+v, want %+v", got, want)
	}

	// The parser sees the signature as ordinary unreserved templates.
	full := emvqrParse(t, signed)
	sigTemplates := 0
	for _, tag := range full.Tags {
		if tag.ID >= "80" && tag.ID <= "99" && len(tag.Sub) > 0 && tag.Sub[0].ID == "00" && tag.Sub[0].Value == "com.sealpay.qr1" {
			sigTemplates++
		}
	}
	if sigTemplates == 0 {
		t.Errorf("promptparse found no template with GUID com.sealpay.qr1 in %+v", full.Tags)
	}
	if last := full.Tags[len(full.Tags)-1]; last.ID != "63" {
		t.Errorf("last tag %s, want 63", last.ID)
	}

	// And it really checks the CRC: a changed amount without a new CRC is
	// caught there too.
	bad := strings.Replace(signed, "540549.90", "540549.00", 1)
	if r := emvqrParse(t, bad); r.CRCValid {
		t.Errorf("promptparse accepted a payload with a stale CRC: %+v", r)
	}
}
