package qr

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

//go:generate go test -run ^TestTrustVectors$ -update-trust-vectors

var updateTrustVectors = flag.Bool("update-trust-vectors", false, "rewrite testdata/trust from the fixture")

const trustDir = "testdata/trust"

// vectorFile is testdata/trust/vectors.json.
type vectorFile struct {
	Source string      `json:"source"`
	Keys   []vectorKey `json:"keys"`
	Cases  []trustCase `json:"cases"`
	// Bundles are trust bundle files and what loading them, pinning the
	// root, must give.
	Bundles []bundleCase `json:"bundles"`
}

// bundleCase is a trust bundle file and the outcome of loading it at Now
// with the root pinned: "loads", or the error code.
type bundleCase struct {
	Name   string    `json:"name"`
	Bundle string    `json:"bundle"`
	Now    time.Time `json:"now"`
	Expect string    `json:"expect"`
}

type vectorKey struct {
	Name string `json:"name"`
	Seed string `json:"seed_hex"`
	Kid  string `json:"kid"`
}

type trustCase struct {
	Name    string       `json:"name"`
	Payload string       `json:"payload"`
	Now     time.Time    `json:"now"`
	Expect  *Expectation `json:"expect,omitempty"`
	Status  Status       `json:"status"`
	Reasons []wantReason `json:"reasons"`
	// Warnings are those of a verified verdict.
	Warnings []wantReason `json:"warnings,omitempty"`
}

type wantReason struct {
	Code   errcode.Code `json:"code"`
	Detail string       `json:"detail,omitempty"`
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

// trustVectors builds every vector from the fixture.
func trustVectors(t testing.TB, f *fixture) vectorFile {
	signed := f.signFixed(t, "verified pix", pixBase, f.fulano, f.certFulano,
		SignOptions{Amount: "49.90", Currency: "BRL", Reference: "PEDIDO123", TTL: 15 * time.Minute})
	p := mustParse(t, signed)

	tampered := mustBuild(t, withObject(p.Objects, Object{ID: "54", Value: "4.99"}))
	badCRC := signed[:len(signed)-1] + string("0123456789ABCDEF"[(strings.IndexByte("0123456789ABCDEF", signed[len(signed)-1])+1)%16])
	// An extra object after the signature templates, CRC recomputed.
	moved := mustBuild(t, append(withoutCRC(p.Objects), Object{ID: "99", Value: "x"}))
	// Signed with a key certified by a root the verifier does not pin.
	stray := f.signFixed(t, "stray root", pixBase, f.uncertified, f.certStray, SignOptions{Amount: "49.90", Currency: "BRL"})
	revoked := f.signFixed(t, "revoked", pixBase, f.revoked, f.certRevoked, SignOptions{Amount: "49.90", Currency: "BRL"})
	old := f.signFixed(t, "old certificate", pixBase, f.old, f.certOld, SignOptions{Amount: "49.90", Currency: "BRL",
		Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), TTL: 24 * time.Hour})
	otherMID := forge(t, "other merchant id", mustBuild(t, withObject(p.Objects, Object{ID: "54", Value: "49.90"})), f.beltrano, "m_fulano")
	otherPayee := forge(t, "other payee", pixBase, f.beltrano, "m_beltrano")
	beltrano := f.signFixed(t, "beltrano", f.beltranoBase, f.beltrano, f.certBeltrano, SignOptions{Amount: "12", Currency: "986", Reference: "MESA 4"})
	// Fulano's own key and merchant ID, but the money goes elsewhere: what
	// a leaked key or an insider could make without going through Sign.
	withoutAccount := mustBuild(t, slices.DeleteFunc(withoutCRC(p.Objects), func(o Object) bool { return o.ID == "26" || isSigTemplate(o) }))
	otherAccount := forge(t, "other account", rebase(t, pixBase, muleAccount), f.fulano, "m_fulano")
	extraAccount := forge(t, "extra account", rebase(t, pixBase, Object{ID: "27", Value: muleAccount.Value}), f.fulano, "m_fulano")
	noAccount := forge(t, "no account", withoutAccount, f.fulano, "m_fulano")
	// The registered template under another ID in 26–51.
	movedBase := rebase(t, withoutAccount, Object{ID: "27", Value: pixAccount.Value})
	movedAccount := f.signFixed(t, "account in 27", movedBase, f.fulano, f.certFulano, SignOptions{Amount: "49.90", Currency: "BRL"})
	// Signed shortly before the bundle expires, valid for an hour.
	lateSigned := f.signFixed(t, "near bundle expiry", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "49.90", Currency: "BRL",
		Now: fxBundleExpires.Add(-10 * time.Minute), TTL: time.Hour})

	at := func(d time.Duration) time.Time { return fxNow.Add(d) }
	cases := []trustCase{
		{Name: "verified Pix, 49.90 BRL", Payload: signed, Now: at(time.Minute), Status: Verified},
		{Name: "verified, checkout expectation met", Payload: signed, Now: at(time.Minute),
			Expect: &Expectation{Payee: "m_fulano", Amount: "49.9", Currency: "BRL"}, Status: Verified},
		{Name: "verified, second merchant, numeric currency", Payload: beltrano, Now: at(time.Minute), Status: Verified},
		{Name: "unsigned static Pix", Payload: pixBase, Now: fxNow, Status: Unsigned,
			Reasons: []wantReason{{Code: errcode.QRUnsigned}}},
		{Name: "unsigned, amount expected", Payload: pixBase, Now: fxNow, Expect: &Expectation{Amount: "49.90"}, Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRUnsigned}, {Code: errcode.QRMismatch, Detail: "amount"}}},
		{Name: "amount changed, CRC recomputed", Payload: tampered, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRBadSignature}}},
		{Name: "CRC wrong", Payload: badCRC, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRBadCRC}}},
		{Name: "truncated", Payload: signed[:len(signed)-20], Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRMalformed}}},
		{Name: "object after the signature templates", Payload: moved, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRMalformed, Detail: "signature"}}},
		{Name: "key certified by an unpinned root", Payload: stray, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRUnknownKey}}},
		{Name: "revoked key", Payload: revoked, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRRevoked}}},
		{Name: "signature expired", Payload: signed, Now: at(15*time.Minute + clockSkew + time.Second), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRExpired, Detail: "signature"}}},
		{Name: "signature within clock skew", Payload: signed, Now: at(15*time.Minute + clockSkew), Status: Verified},
		{Name: "certificate expired", Payload: old, Now: fxNow, Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRExpired, Detail: "signature"}, {Code: errcode.QRExpired, Detail: "certificate"}}},
		{Name: "another merchant's key, this merchant's ID", Payload: otherMID, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRBadSignature, Detail: "merchant_id"}}},
		{Name: "another merchant's key, this merchant's payee", Payload: otherPayee, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRBadSignature, Detail: "payee_name"}}},
		{Name: "this merchant's key, another account", Payload: otherAccount, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRBadSignature, Detail: "payee_account"}}},
		{Name: "this merchant's key, an extra account", Payload: extraAccount, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRBadSignature, Detail: "payee_account"}}},
		{Name: "this merchant's key, no account", Payload: noAccount, Now: at(time.Minute), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRBadSignature, Detail: "payee_account"}}},
		{Name: "registered account in template 27", Payload: movedAccount, Now: at(time.Minute), Status: Verified},
		{Name: "trust bundle expired", Payload: lateSigned, Now: fxBundleExpires.Add(clockSkew + time.Second), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRExpired, Detail: "trust_bundle"}}},
		{Name: "trust bundle within clock skew", Payload: lateSigned, Now: fxBundleExpires.Add(clockSkew), Status: Verified},
		{Name: "trust bundle and signature expired", Payload: signed, Now: fxBundleExpires.Add(24 * time.Hour), Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRExpired, Detail: "trust_bundle"}, {Code: errcode.QRExpired, Detail: "signature"}}},
		{Name: "trust bundle expired, unsigned code", Payload: pixBase, Now: fxBundleExpires.Add(24 * time.Hour), Status: Unsigned,
			Reasons: []wantReason{{Code: errcode.QRUnsigned}}},
		{Name: "amount not what the checkout expects", Payload: signed, Now: at(time.Minute),
			Expect: &Expectation{Amount: "50.00"}, Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRMismatch, Detail: "amount"}}},
		{Name: "payee not what the checkout expects", Payload: beltrano, Now: at(time.Minute),
			Expect: &Expectation{Payee: "Fulano de Tal", Currency: "BRL"}, Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRMismatch, Detail: "payee"}}},
		{Name: "link to a look-alike of a certified domain", Payload: "https://fu1ano.example/pay", Now: fxNow, Status: Rejected,
			Reasons: []wantReason{{Code: errcode.QRSuspiciousURL, Detail: "lookalike"}}},
		{Name: "Alipay link", Payload: "https://qr.alipay.com/bax03431ljhokirwl38f00a7", Now: fxNow, Status: Unsigned,
			Reasons: []wantReason{{Code: errcode.QRUnsigned}}},
	}
	for i := range cases {
		if cases[i].Reasons == nil {
			cases[i].Reasons = []wantReason{}
		}
	}
	bundles := trustBundleVectors(t, f)

	var keys []vectorKey
	for _, k := range []struct {
		name string
		k    signingKey
	}{{"root", f.root.k}, {"fulano", f.fulano.k}, {"beltrano", f.beltrano.k}, {"revoked", f.revoked.k}, {"old", f.old.k}, {"other root", f.otherRoot.k}, {"uncertified", f.uncertified.k}, {"ciclano", f.ciclano.k}} {
		keys = append(keys, vectorKey{Name: k.name, Seed: hexString(k.k.priv.Seed()), Kid: k.k.kid})
	}
	return vectorFile{
		Source: "Generated by TestTrustVectors in sdk/qr (go test -run ^TestTrustVectors$ -update-trust-vectors) " +
			"from the test keys below, which are published test keys: seed = SHA-256(\"sealpay/qr test key/\" + name), " +
			"nonce = SHA-256(\"sealpay/qr test nonce/\" + case)[:12]. Verify each payload with bundle.json, " +
			"pinning root.pub.jwk, at the case's time. Format: docs/qr-v1.md.",
		Keys:    keys,
		Cases:   cases,
		Bundles: bundles,
	}
}

// trustBundleVectors builds the bundle-loading vectors. The first is the
// smallest bundle, which docs/qr-v1.md quotes byte for byte.
func trustBundleVectors(t testing.TB, f *fixture) []bundleCase {
	minimal, err := f.root.SignBundle(Bundle{Version: 1, IssuedAt: fxBundleIssued, Certificates: []Certificate{*f.certFulano}})
	if err != nil {
		t.Fatal(err)
	}
	raw := func(edit func(j *bundleJSON)) string {
		j := bundleJSON{Format: bundleFormat, Version: 1, IssuedAt: fxBundleIssued.Unix(), ExpiresAt: fxBundleExpires.Unix(),
			Roots:        []rootJSON{{KeyID: f.root.KeyID(), X: b64.EncodeToString(f.root.Public())}},
			Certificates: []Certificate{*f.certFulano}, Revocations: []revocationJSON{}}
		edit(&j)
		out, err := f.root.signBundleJSON(j)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	stray, err := f.otherRoot.SignBundle(Bundle{Version: 1, IssuedAt: fxBundleIssued, Certificates: []Certificate{*f.certStray}})
	if err != nil {
		t.Fatal(err)
	}
	return []bundleCase{
		{Name: "one certificate, default expiry", Bundle: string(minimal), Now: fxNow, Expect: "loads"},
		{Name: "past its expiry: loads, and Verify rejects signed codes", Bundle: string(minimal), Now: fxBundleExpires.Add(24 * time.Hour), Expect: "loads"},
		{Name: "certificate without payee accounts", Bundle: raw(func(j *bundleJSON) { j.Certificates = []Certificate{*f.certCiclano} }),
			Now: fxNow, Expect: string(errcode.QRMalformed)},
		{Name: "no expires_at", Bundle: raw(func(j *bundleJSON) { j.ExpiresAt = 0 }), Now: fxNow, Expect: string(errcode.QRMalformed)},
		{Name: "valid for 91 days", Bundle: raw(func(j *bundleJSON) { j.ExpiresAt = j.IssuedAt + 91*86400 }), Now: fxNow, Expect: string(errcode.QRMalformed)},
		{Name: "signed by a root that is not pinned", Bundle: string(stray), Now: fxNow, Expect: string(errcode.QRUnknownKey)},
	}
}

func TestTrustVectors(t *testing.T) {
	f := newFixture(t)
	gen := trustVectors(t, f)
	genJSON, err := json.MarshalIndent(gen, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	genJSON = append(genJSON, '\n')
	files := map[string][]byte{
		"vectors.json": genJSON,
		"bundle.json":  f.bundleJSON,
		"root.pub.jwk": f.root.PublicJWK(),
	}
	if *updateTrustVectors {
		if err := os.MkdirAll(trustDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(trustDir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(trustDir, name))
		if err != nil {
			t.Fatalf("%v (run go generate in sdk/qr)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the fixture generates; run go generate in sdk/qr and review the diff", name)
		}
	}

	// Verify the committed vectors with only the committed files.
	var vf vectorFile
	if err := json.Unmarshal(mustRead(t, "vectors.json"), &vf); err != nil {
		t.Fatal(err)
	}
	pin, err := ParsePublicKey(mustRead(t, "root.pub.jwk"))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := LoadTrustBundle(mustRead(t, "bundle.json"), []ed25519.PublicKey{pin}, fxNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(vf.Cases) == 0 {
		t.Fatal("no vectors")
	}
	// docs/qr-v1.md quotes the first vector; keep it in step.
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "qr-v1.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte("payload   "+vf.Cases[0].Payload+"\n")) || !bytes.Contains(doc, []byte("\n## Test vectors\n")) {
		t.Error("docs/qr-v1.md does not quote the first vector's payload under ## Test vectors")
	}
	if !bytes.Contains(doc, []byte("\nsig "+b64.EncodeToString(f.certFulano.Signature)+"\n")) {
		t.Error("docs/qr-v1.md does not quote the signature of m_fulano's certificate")
	}
	if len(vf.Bundles) == 0 || !bytes.Contains(doc, []byte("\n"+vf.Bundles[0].Bundle+"```\n")) {
		t.Error("docs/qr-v1.md does not quote the first bundle vector byte for byte")
	}
	for _, tc := range vf.Bundles {
		t.Run("bundle: "+tc.Name, func(t *testing.T) {
			_, err := LoadTrustBundle([]byte(tc.Bundle), []ed25519.PublicKey{pin}, tc.Now)
			got := "loads"
			if err != nil {
				got = string(errcode.Of(err))
			}
			if got != tc.Expect {
				t.Errorf("LoadTrustBundle = %s (%v), want %s", got, err, tc.Expect)
			}
		})
	}
	for _, tc := range vf.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			v := Verify(tc.Payload, trust, VerifyOptions{Now: tc.Now, Expect: tc.Expect})
			if v.Status != tc.Status {
				t.Errorf("Status = %s, want %s (reasons %v)", v.Status, tc.Status, v.Reasons)
			}
			if got := reasonCodes(v.Reasons); !equalReasons(got, tc.Reasons) {
				t.Errorf("Reasons = %v, want %v", got, tc.Reasons)
			}
			if got, want := reasonCodes(v.Warnings), tc.Warnings; !equalReasons(got, want) && (len(got) > 0 || len(want) > 0) {
				t.Errorf("Warnings = %v, want %v", got, want)
			}
		})
	}
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(trustDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func reasonCodes(rs []Reason) []wantReason {
	out := []wantReason{}
	for _, r := range rs {
		out = append(out, wantReason{Code: r.Code, Detail: r.Detail})
	}
	return out
}

func equalReasons(a, b []wantReason) bool {
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
