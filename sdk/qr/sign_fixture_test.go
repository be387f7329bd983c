package qr

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"maps"
	"strconv"
	"testing"
	"time"
)

// The trust-layer test fixture: keys derived from fixed seeds (test keys,
// published here and in docs/qr-v1.md; never use them for anything else),
// certificates, a bundle and base payloads, all at fixed times.

var (
	fxNow       = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fxNotBefore = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fxNotAfter  = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Base payloads. pixBase is the static Pix example from the Banco Central
// do Brasil's "Manual de Padrões para Iniciação do Pix" (BR Code),
// https://www.bcb.gov.br/content/estabilidadefinanceira/pix/Regulamento_Pix/II_ManualdePadroesparaIniciacaodoPix.pdf;
// the others are built from it with other payee names.
const pixBase = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

// Payee accounts (merchant account template 26). pixAccount is the Pix key
// of pixBase; the others are made-up Pix keys on the reserved .example
// domain.
var (
	pixAccount      = pixKey("123e4567-e12b-12d1-a456-426655440000")
	beltranoAccount = pixKey("beltrano@cafe.example")
	ciclanoAccount  = pixKey("ciclano@bar.example")
	muleAccount     = pixKey("pix@mula.example")
)

// pixKey is the Pix merchant account template for a Pix key.
func pixKey(key string) Object {
	return Object{ID: "26", Value: "0014br.gov.bcb.pix01" + twoDigitLen(key) + key}
}

// testSeed derives a fixed 32-byte seed for a named test key.
func testSeed(name string) []byte {
	h := sha256.Sum256([]byte("sealpay/qr test key/" + name))
	return h[:]
}

// testNonce derives a fixed nonce for a named vector.
func testNonce(name string) *bytes.Reader {
	h := sha256.Sum256([]byte("sealpay/qr test nonce/" + name))
	return bytes.NewReader(h[:nonceSize])
}

type fixture struct {
	root, otherRoot                 *RootKey
	fulano, beltrano, revoked, old  *MerchantKey
	uncertified, ciclano            *MerchantKey
	certFulano, certBeltrano        *Certificate
	certRevoked, certOld, certStray *Certificate
	// certCiclano binds no payee account: Certify refuses to make one and
	// bundles refuse to carry one, so it is signed by hand and is in no
	// bundle.
	certCiclano               *Certificate
	bundleJSON                []byte
	bundle                    *TrustBundle
	beltranoBase, ciclanoBase string
}

// fxBundleIssued and fxBundleExpires bound the fixture's bundle.
var (
	fxBundleIssued  = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	fxBundleExpires = fxBundleIssued.Add(DefaultBundleTTL)
)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{
		root:        &RootKey{newSigningKey(testSeed("root"))},
		otherRoot:   &RootKey{newSigningKey(testSeed("other root"))},
		fulano:      &MerchantKey{newSigningKey(testSeed("fulano"))},
		beltrano:    &MerchantKey{newSigningKey(testSeed("beltrano"))},
		revoked:     &MerchantKey{newSigningKey(testSeed("revoked"))},
		old:         &MerchantKey{newSigningKey(testSeed("old"))},
		uncertified: &MerchantKey{newSigningKey(testSeed("uncertified"))},
		ciclano:     &MerchantKey{newSigningKey(testSeed("ciclano"))},
	}
	certify := func(root *RootKey, k *MerchantKey, mid, name string, names []string, accounts []Object, domains []string, nbf, naf time.Time) *Certificate {
		c, err := root.Certify(Certificate{MerchantID: mid, Name: name, Names: names, Accounts: accounts, Domains: domains,
			PublicKey: k.Public(), NotBefore: nbf, NotAfter: naf})
		if err != nil {
			t.Fatalf("Certify(%s): %v", mid, err)
		}
		return c
	}
	fulanoAccounts := []Object{pixAccount}
	f.certFulano = certify(f.root, f.fulano, "m_fulano", "Fulano de Tal", []string{"FULANO DE TAL LTDA"}, fulanoAccounts, []string{"fulano.example"}, fxNotBefore, fxNotAfter)
	f.certBeltrano = certify(f.root, f.beltrano, "m_beltrano", "Beltrano Café", []string{"Beltrano Cafe"}, []Object{beltranoAccount}, []string{"beltrano.example"}, fxNotBefore, fxNotAfter)
	f.certRevoked = certify(f.root, f.revoked, "m_fulano", "Fulano de Tal", nil, fulanoAccounts, nil, fxNotBefore, fxNotAfter)
	f.certOld = certify(f.root, f.old, "m_fulano", "Fulano de Tal", nil, fulanoAccounts, nil,
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	// A certificate by a root nobody pins: its key is unknown to Verify.
	f.certStray = certify(f.otherRoot, f.uncertified, "m_fulano", "Fulano de Tal", nil, fulanoAccounts, nil, fxNotBefore, fxNotAfter)
	// A certificate that binds the payee name only.
	f.certCiclano = signCertificateUnchecked(f.root, Certificate{MerchantID: "m_ciclano", Name: "Ciclano Lanches",
		PublicKey: f.ciclano.Public(), NotBefore: fxNotBefore, NotAfter: fxNotAfter})

	var err error
	f.bundleJSON, err = f.root.SignBundle(Bundle{
		Version:      3,
		IssuedAt:     fxBundleIssued,
		ExpiresAt:    fxBundleExpires,
		Certificates: []Certificate{*f.certFulano, *f.certBeltrano, *f.certRevoked, *f.certOld},
		Revocations:  []Revocation{{KeyID: f.revoked.KeyID(), RevokedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Reason: "key_compromise"}},
	})
	if err != nil {
		t.Fatalf("SignBundle: %v", err)
	}
	f.bundle, err = LoadTrustBundle(f.bundleJSON, []ed25519.PublicKey{f.root.Public()}, fxNow)
	if err != nil {
		t.Fatalf("LoadTrustBundle: %v", err)
	}
	f.beltranoBase = rebase(t, pixBase, Object{ID: "59", Value: "Beltrano Cafe"}, beltranoAccount)
	f.ciclanoBase = rebase(t, pixBase, Object{ID: "59", Value: "Ciclano Lanches"}, ciclanoAccount)
	return f
}

// signCertificateUnchecked signs tmpl as root without Certify's checks:
// what a registry with a bug, or another implementation, could publish.
func signCertificateUnchecked(root *RootKey, tmpl Certificate) *Certificate {
	c := tmpl.clone()
	c.KeyID = keyID(c.PublicKey)
	c.RootID = root.k.kid
	c.Signature = ed25519.Sign(root.k.priv, c.signedBytes())
	return &c
}

// withNameOnly returns a copy of trust that also counts cert, which
// LoadTrustBundle would refuse: for testing Verify's own defence.
func withNameOnly(trust *TrustBundle, cert *Certificate) *TrustBundle {
	t := *trust
	t.certs = maps.Clone(trust.certs)
	t.certs[cert.KeyID] = &trustedCert{Certificate: cert.clone(), key: cert.PublicKey}
	return &t
}

// rebase returns base with the objects in with replacing those of their
// IDs, and its CRC recomputed.
func rebase(t testing.TB, base string, with ...Object) string {
	t.Helper()
	objs := mustParse(t, base).Objects
	for _, o := range with {
		objs = withObject(objs, o)
	}
	return mustBuild(t, objs)
}

func mustParse(t testing.TB, s string) *Payload {
	t.Helper()
	p, err := Parse(s, Lenient)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

func mustBuild(t testing.TB, objs []Object) string {
	t.Helper()
	s, err := Build(withoutCRC(objs))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return s
}

func withoutCRC(objs []Object) []Object {
	var out []Object
	for _, o := range objs {
		if o.ID != "63" {
			out = append(out, o)
		}
	}
	return out
}

// withObject returns objs with o replacing the object of its ID.
func withObject(objs []Object, o Object) []Object {
	return setObject(withoutCRC(objs), o)
}

// signFixed signs with a fixed nonce.
func (f *fixture) signFixed(t testing.TB, name, base string, k *MerchantKey, c *Certificate, opts SignOptions) string {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = fxNow
	}
	s, err := sign(base, k, c, opts, testNonce(name))
	if err != nil {
		t.Fatalf("sign(%s): %v", name, err)
	}
	return s
}

// forge signs base with key k but with the signature fields of another
// merchant: what an attacker holding one certified key could make without
// going through Sign's checks.
func forge(t testing.TB, name, base string, k *MerchantKey, merchantID string) string {
	t.Helper()
	var objs []Object
	for _, o := range withoutCRC(mustParse(t, base).Objects) {
		if !isSigTemplate(o) {
			objs = append(objs, o)
		}
	}
	unsigned := mustBuild(t, objs)
	prefix := unsigned[:len(unsigned)-8]
	exp := fxNow.Add(time.Hour).Unix()
	s := sigFields{merchantID: merchantID, keyID: k.KeyID(), expiry: exp, expiryText: strconv.FormatInt(exp, 10)}
	nonce := make([]byte, nonceSize)
	testNonce(name).Read(nonce)
	s.nonce = b64.EncodeToString(nonce)
	copy(s.sig[:], ed25519.Sign(k.k.priv, s.appendMessage(nil, prefix)))
	var used [100]bool
	for _, o := range objs {
		used[idNumber(o.ID)] = true
	}
	out, err := s.appendTemplates([]byte(prefix), []byte(b64.EncodeToString(s.sig[:])), &used)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, "6304"...)
	return string(out) + crcHex(crc16(out))
}
