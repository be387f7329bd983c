package qr

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"filippo.io/edwards25519"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// smallOrderEncodings returns every encoding of a point of small order
// that a decoder might accept: the canonical encodings of the eight points
// of the 8-torsion subgroup (found as the torsion components of arbitrary
// curve points), both sign bits of the x = 0 points, and the non-canonical
// encodings y + p of y = 0 and y = 1, with both sign bits.
func smallOrderEncodings(t *testing.T) [][]byte {
	t.Helper()
	seen := map[string]bool{}
	var out [][]byte
	addEnc := func(b []byte) {
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	torsion := 0
	for i := 0; torsion < 8 && i < 10000; i++ {
		h := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		p, err := new(edwards25519.Point).SetBytes(h[:])
		if err != nil {
			continue
		}
		q := new(edwards25519.Point).ScalarMult(lMinus1, p)
		q.Add(q, p)
		b := q.Bytes()
		if !seen[string(b)] {
			torsion++
			addEnc(b)
		}
	}
	if torsion != 8 {
		t.Fatalf("found %d torsion points, want 8", torsion)
	}
	withSign := func(b []byte) []byte {
		c := bytes.Clone(b)
		c[31] |= 0x80
		return c
	}
	identity := edwards25519.NewIdentityPoint().Bytes()
	order2, _ := hex.DecodeString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") // y = p − 1
	addEnc(withSign(identity))
	addEnc(withSign(order2))
	for _, y := range []byte{0, 1} {
		// y + p, little-endian: p = 2^255 − 19 is ed ff … ff 7f.
		b, _ := hex.DecodeString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
		b[0] += y
		addEnc(b)
		addEnc(withSign(b))
	}
	return out
}

func TestCheckPublicKeyRefusesSmallOrder(t *testing.T) {
	encs := smallOrderEncodings(t)
	// Cross-check with the order-8 points listed in libsodium's
	// blocklist (crypto_sign/ed25519/ref10/open.c, and Chalkias et al.,
	// "Taming the many EdDSAs", 2020, Table 6).
	for _, h := range []string{
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	} {
		b, _ := hex.DecodeString(h)
		found := false
		for _, e := range encs {
			found = found || bytes.Equal(e, b)
		}
		if !found {
			t.Errorf("computed small-order encodings miss %s", h)
		}
	}
	if len(encs) < 12 {
		t.Fatalf("%d small-order encodings, want at least 12", len(encs))
	}
	for _, b := range encs {
		if err := checkPublicKey(b); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("checkPublicKey(%x) = %v, want ErrInvalidKey", b, err)
		}
	}
}

func TestCheckPublicKey(t *testing.T) {
	good := ed25519.NewKeyFromSeed(testSeed("good")).Public().(ed25519.PublicKey)
	// good + a point of order 8: on the curve, canonical, large order, but
	// with a torsion component.
	p, _ := new(edwards25519.Point).SetBytes(good)
	t8, _ := new(edwards25519.Point).SetBytes(mustHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"))
	mixed := new(edwards25519.Point).Add(p, t8).Bytes()
	notOnCurve := bytes.Clone(good)
	for i := byte(0); ; i++ {
		notOnCurve[0] = i
		if _, err := new(edwards25519.Point).SetBytes(notOnCurve); err != nil {
			break
		}
	}
	tests := []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"generated key", good, true},
		{"31 bytes", good[:31], false},
		{"33 bytes", append(bytes.Clone(good), 0), false},
		{"empty", nil, false},
		{"not on the curve", notOnCurve, false},
		{"torsion component", mixed, false},
	}
	// Non-canonical encodings y + p of curve points with 2 ≤ y < 19.
	for y := byte(2); y < 19; y++ {
		b := mustHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
		b[0] += y
		if _, err := new(edwards25519.Point).SetBytes(b); err == nil {
			tests = append(tests, struct {
				name string
				key  []byte
				ok   bool
			}{"non-canonical y = p + " + string('0'+rune(y/10)) + string('0'+rune(y%10)), b, false})
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkPublicKey(tc.key)
			if (err == nil) != tc.ok {
				t.Errorf("checkPublicKey = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidKey) {
				t.Errorf("error %v does not wrap ErrInvalidKey", err)
			}
		})
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestKeyFiles(t *testing.T) {
	root, err := GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	priv := root.ExportPrivateJWK()
	back, err := ParseRootKey(priv)
	if err != nil {
		t.Fatalf("ParseRootKey(ExportPrivateJWK()) = %v", err)
	}
	if back.KeyID() != root.KeyID() || !bytes.Equal(back.Public(), root.Public()) {
		t.Errorf("root key round trip changed the key")
	}
	pub, err := ParsePublicKey(root.PublicJWK())
	if err != nil || !bytes.Equal(pub, root.Public()) {
		t.Errorf("ParsePublicKey(PublicJWK()) = %v", err)
	}
	if strings.Contains(root.String(), b64.EncodeToString(root.k.priv.Seed())) {
		t.Error("String() reveals the private key")
	}
	mk, _ := GenerateMerchantKey()
	if _, err := ParseMerchantKey(mk.ExportPrivateJWK()); err != nil {
		t.Errorf("ParseMerchantKey(ExportPrivateJWK()) = %v", err)
	}

	var j jwk
	_ = json.Unmarshal(priv, &j)
	edit := func(f func(*jwk)) []byte {
		c := j
		f(&c)
		b, _ := json.Marshal(c)
		return b
	}
	other, _ := GenerateRootKey()
	bad := []struct {
		name string
		b    []byte
	}{
		{"public key where a private one is needed", root.PublicJWK()},
		{"kid of another key", edit(func(k *jwk) { k.Kid = other.KeyID() })},
		{"d of another key", edit(func(k *jwk) { k.D = b64.EncodeToString(other.k.priv.Seed()) })},
		{"X25519 curve", edit(func(k *jwk) { k.Crv = "X25519" })},
		{"padded base64", edit(func(k *jwk) { k.X += "=" })},
		{"small-order x", edit(func(k *jwk) { k.X = b64.EncodeToString(edwards25519.NewIdentityPoint().Bytes()) })},
		{"duplicate member", []byte(`{"kty":"OKP","kty":"OKP","crv":"Ed25519","kid":"` + j.Kid + `","x":"` + j.X + `","d":"` + j.D + `"}`)},
		{"not JSON", []byte("kty=OKP")},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseRootKey(tc.b); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("ParseRootKey = %v, want ErrInvalidKey", err)
			}
		})
	}
	if _, err := ParsePublicKey(priv); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("ParsePublicKey(private JWK) = %v, want ErrInvalidKey", err)
	}
}

func TestCertify(t *testing.T) {
	f := newFixture(t)
	tmpl := Certificate{MerchantID: "m_1", Name: "Loja", PublicKey: f.fulano.Public(), NotBefore: fxNotBefore, NotAfter: fxNotAfter,
		Domains: []string{"Bücher.Example", "bücher.example."}, Accounts: []Object{pixAccount}}
	c, err := f.root.Certify(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(c.Domains, ","), "xn--bcher-kva.example"; got != want {
		t.Errorf("Domains = %s, want %s", got, want)
	}
	if !c.verify(f.root.Public()) || c.verify(f.otherRoot.Public()) {
		t.Error("certificate signature does not verify under exactly its root")
	}
	b, _ := json.Marshal(c)
	back, err := ParseCertificate(b)
	if err != nil {
		t.Fatalf("ParseCertificate(Marshal) = %v", err)
	}
	if b2, _ := json.Marshal(back); !bytes.Equal(b, b2) {
		t.Errorf("certificate JSON round trip: %s, want %s", b2, b)
	}
	for _, tc := range []struct {
		name string
		edit func(*Certificate)
	}{
		{"empty merchant ID", func(c *Certificate) { c.MerchantID = "" }},
		{"merchant ID with space", func(c *Certificate) { c.MerchantID = "m 1" }},
		{"long name", func(c *Certificate) { c.Name = strings.Repeat("x", 65) }},
		{"payee name over 25", func(c *Certificate) { c.Names = []string{strings.Repeat("x", 26)} }},
		{"control character", func(c *Certificate) { c.Name = "Lo\u0000ja" }},
		{"IP domain", func(c *Certificate) { c.Domains = []string{"192.168.0.1"} }},
		{"weak key", func(c *Certificate) { c.PublicKey = edwards25519.NewIdentityPoint().Bytes() }},
		{"validity reversed", func(c *Certificate) { c.NotBefore, c.NotAfter = c.NotAfter, c.NotBefore }},
		{"no payee accounts", func(c *Certificate) { c.Accounts = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tmpl
			tc.edit(&c)
			if _, err := f.root.Certify(c); !errors.Is(err, ErrInvalidCertificate) {
				t.Errorf("Certify = %v, want ErrInvalidCertificate", err)
			}
		})
	}
}

func TestLoadTrustBundle(t *testing.T) {
	f := newFixture(t)
	pins := []ed25519.PublicKey{f.root.Public()}
	sign := func(b Bundle) []byte {
		out, err := f.root.SignBundle(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	base := f.bundle.Bundle()

	// Round trip: the loaded contents sign to the same bytes.
	if got := sign(base); !bytes.Equal(got, f.bundleJSON) {
		t.Errorf("SignBundle(LoadTrustBundle(b).Bundle()) differs from b")
	}

	tamper := func(old, new string) []byte {
		if !bytes.Contains(f.bundleJSON, []byte(old)) {
			t.Fatalf("bundle has no %q", old)
		}
		return bytes.Replace(f.bundleJSON, []byte(old), []byte(new), 1)
	}
	future := base
	future.IssuedAt = fxNow.Add(25 * time.Hour)
	future.ExpiresAt = future.IssuedAt.Add(DefaultBundleTTL)
	// Bundles SignBundle would refuse, signed anyway.
	signRaw := func(edit func(j *bundleJSON)) []byte {
		j := bundleJSON{Format: bundleFormat, Version: 3, IssuedAt: fxBundleIssued.Unix(), ExpiresAt: fxBundleExpires.Unix(),
			Roots:        []rootJSON{{KeyID: f.root.KeyID(), X: b64.EncodeToString(f.root.Public())}},
			Certificates: []Certificate{*f.certFulano}, Revocations: []revocationJSON{}}
		edit(&j)
		out, err := f.root.signBundleJSON(j)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name string
		b    []byte
		pins []ed25519.PublicKey
		want error
	}{
		{"not pinned", f.bundleJSON, []ed25519.PublicKey{f.otherRoot.Public()}, ErrUntrustedBundle},
		{"no pins", f.bundleJSON, nil, ErrUntrustedBundle},
		{"signed part changed", tamper(`"version": 3`, `"version": 4`), pins, ErrUntrustedBundle},
		{"signature of another root", mustResign(t, f.bundleJSON, f.otherRoot), pins, ErrUntrustedBundle},
		{"duplicate member", tamper(`"signatures":`, `"signatures": [], "signatures":`), pins, ErrMalformedBundle},
		{"not JSON", []byte("version 3"), pins, ErrMalformedBundle},
		{"issued in the future", sign(future), pins, ErrMalformedBundle},
		{"oversized", append(bytes.Clone(f.bundleJSON), bytes.Repeat([]byte(" "), maxBundleSize)...), pins, ErrMalformedBundle},
		{"invalid UTF-8", tamper(`"Beltrano Café"`, "\"Beltrano Caf\xe9\""), pins, ErrMalformedBundle},
		{"as SignBundle writes it", signRaw(func(*bundleJSON) {}), pins, nil},
		{"no expires_at", signRaw(func(j *bundleJSON) { j.ExpiresAt = 0 }), pins, ErrMalformedBundle},
		{"expires when issued", signRaw(func(j *bundleJSON) { j.ExpiresAt = j.IssuedAt }), pins, ErrMalformedBundle},
		{"expires before issued", signRaw(func(j *bundleJSON) { j.ExpiresAt = j.IssuedAt - 1 }), pins, ErrMalformedBundle},
		{"valid for MaxBundleTTL", signRaw(func(j *bundleJSON) { j.ExpiresAt = j.IssuedAt + int64(MaxBundleTTL/time.Second) }), pins, nil},
		{"valid for longer than MaxBundleTTL", signRaw(func(j *bundleJSON) { j.ExpiresAt = j.IssuedAt + int64(MaxBundleTTL/time.Second) + 1 }), pins, ErrMalformedBundle},
		{"certificate without payee accounts", signRaw(func(j *bundleJSON) { j.Certificates = append(j.Certificates, *f.certCiclano) }), pins, ErrMalformedBundle},
		{"certificate without payee accounts, from an unpinned root", signRaw(func(j *bundleJSON) {
			j.Roots = append(j.Roots, rootJSON{KeyID: f.otherRoot.KeyID(), X: b64.EncodeToString(f.otherRoot.Public())})
			j.Certificates = append(j.Certificates, *signCertificateUnchecked(f.otherRoot, Certificate{MerchantID: "m_x", Name: "X",
				PublicKey: f.uncertified.Public(), NotBefore: fxNotBefore, NotAfter: fxNotAfter}))
		}), pins, ErrMalformedBundle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadTrustBundle(tc.b, tc.pins, fxNow)
			if !errors.Is(err, tc.want) {
				t.Errorf("LoadTrustBundle = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := LoadTrustBundle(f.bundleJSON, []ed25519.PublicKey{edwards25519.NewIdentityPoint().Bytes()}, fxNow); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("LoadTrustBundle with a small-order pin = %v, want ErrInvalidKey", err)
	}

	// A bundle past its expiry loads (Verify reports it), with its expiry.
	for _, now := range []time.Time{fxBundleExpires.Add(clockSkew + time.Second), fxBundleExpires.Add(MaxBundleTTL)} {
		tb, err := LoadTrustBundle(f.bundleJSON, pins, now)
		if err != nil {
			t.Fatalf("LoadTrustBundle(expired bundle, %s) = %v, want it loaded", now.Format(time.RFC3339), err)
		}
		if got := tb.Bundle().ExpiresAt; !got.Equal(fxBundleExpires) {
			t.Errorf("ExpiresAt = %s, want %s", got, fxBundleExpires)
		}
	}

	// A certificate with a small-order key, signed by the root anyway.
	weak := *f.certFulano
	weak.PublicKey = edwards25519.NewIdentityPoint().Bytes()
	weak.KeyID = keyID(weak.PublicKey)
	weak.Signature = ed25519.Sign(f.root.k.priv, weak.signedBytes())
	raw := strings.Replace(string(f.bundleJSON), `"x": "`+b64.EncodeToString(f.certFulano.PublicKey)+`"`, `"x": "`+b64.EncodeToString(weak.PublicKey)+`"`, 1)
	raw = strings.Replace(raw, `"kid": "`+f.certFulano.KeyID+`"`, `"kid": "`+weak.KeyID+`"`, 1)
	if _, err := LoadTrustBundle(mustResignBytes(t, []byte(raw), f.root), pins, fxNow); !errors.Is(err, ErrMalformedBundle) {
		t.Errorf("LoadTrustBundle with a small-order certificate key = %v, want ErrMalformedBundle", err)
	}
}

func TestSignBundleExpiry(t *testing.T) {
	f := newFixture(t)
	pins := []ed25519.PublicKey{f.root.Public()}
	issued := fxBundleIssued
	tests := []struct {
		name    string
		expires time.Time
		want    time.Time // zero: refused
	}{
		{"zero: the default TTL", time.Time{}, issued.Add(DefaultBundleTTL)},
		{"one hour", issued.Add(time.Hour), issued.Add(time.Hour)},
		{"MaxBundleTTL", issued.Add(MaxBundleTTL), issued.Add(MaxBundleTTL)},
		{"sub-second part dropped", issued.Add(time.Hour + 900*time.Millisecond), issued.Add(time.Hour)},
		{"longer than MaxBundleTTL", issued.Add(MaxBundleTTL + time.Second), time.Time{}},
		{"at the issue time", issued, time.Time{}},
		{"before the issue time", issued.Add(-time.Hour), time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := f.root.SignBundle(Bundle{Version: 1, IssuedAt: issued, ExpiresAt: tc.expires, Certificates: []Certificate{*f.certFulano}})
			if tc.want.IsZero() {
				if !errors.Is(err, ErrMalformedBundle) {
					t.Errorf("SignBundle = %v, want ErrMalformedBundle", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tb, err := LoadTrustBundle(b, pins, issued)
			if err != nil {
				t.Fatal(err)
			}
			if got := tb.Bundle().ExpiresAt; !got.Equal(tc.want) {
				t.Errorf("ExpiresAt = %s, want %s", got, tc.want)
			}
			if want := fmt.Sprintf(`"expires_at": %d,`, tc.want.Unix()); !bytes.Contains(b, []byte(want)) {
				t.Errorf("bundle file lacks %s", want)
			}
		})
	}
	// A certificate without payee accounts is not published.
	if _, err := f.root.SignBundle(Bundle{Version: 1, IssuedAt: issued, Certificates: []Certificate{*f.certCiclano}}); !errors.Is(err, ErrMalformedBundle) {
		t.Errorf("SignBundle(name-only certificate) = %v, want ErrMalformedBundle", err)
	}
}

func TestTrustBundleUpdate(t *testing.T) {
	f := newFixture(t)
	next := f.bundle.Bundle()
	next.Version = 4
	next.Revocations = append(next.Revocations, Revocation{KeyID: f.beltrano.KeyID(), RevokedAt: fxNow})
	v4, _ := f.root.SignBundle(next)
	older := f.bundle.Bundle()
	older.Version = 2
	older.Revocations = nil
	v2, _ := f.root.SignBundle(older)
	same := f.bundle.Bundle()
	same.Revocations = nil
	v3other, _ := f.root.SignBundle(same)

	tests := []struct {
		name    string
		b       []byte
		wantErr error
		version int64
	}{
		{"newer", v4, nil, 4},
		{"same bytes", f.bundleJSON, nil, 3},
		{"older", v2, ErrBundleRollback, 0},
		{"same version, other contents", v3other, ErrBundleRollback, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := f.bundle.Update(tc.b, fxNow)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Update = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if errcode.Of(err) != errcode.QRReplayed {
					t.Errorf("code = %s, want %s", errcode.Of(err), errcode.QRReplayed)
				}
				return
			}
			if got := n.Bundle().Version; got != tc.version {
				t.Errorf("Version = %d, want %d", got, tc.version)
			}
		})
	}
	// The revocation in version 4 takes effect.
	n, _ := f.bundle.Update(v4, fxNow)
	p := f.signFixed(t, "update", f.beltranoBase, f.beltrano, f.certBeltrano, SignOptions{Amount: "1.00"})
	if v := Verify(p, n, VerifyOptions{Now: fxNow}); v.Status != Rejected || v.Reasons[0].Code != errcode.QRRevoked {
		t.Errorf("after update: %s %v, want rejected qr_revoked", v.Status, v.Reasons)
	}

	// An expired bundle is replaced by a newer one, which is how a verifier
	// recovers; an expired older one is still a rollback.
	late := fxBundleExpires.Add(time.Hour)
	q := f.signFixed(t, "update late", f.beltranoBase, f.beltrano, f.certBeltrano, SignOptions{Amount: "1.00", Now: late})
	if v := Verify(q, f.bundle, VerifyOptions{Now: late}); v.Status != Rejected || v.Reasons[0].Detail != "trust_bundle" {
		t.Errorf("with the expired bundle: %s %v, want rejected qr_expired/trust_bundle", v.Status, v.Reasons)
	}
	fresh := f.bundle.Bundle()
	fresh.Version, fresh.IssuedAt, fresh.ExpiresAt = 4, late, time.Time{}
	v4fresh, err := f.root.SignBundle(fresh)
	if err != nil {
		t.Fatal(err)
	}
	n, err = f.bundle.Update(v4fresh, late)
	if err != nil {
		t.Fatalf("Update(newer, after expiry) = %v", err)
	}
	if v := Verify(q, n, VerifyOptions{Now: late}); v.Status != Verified {
		t.Errorf("with the refreshed bundle: %s %v, want verified", v.Status, v.Reasons)
	}
	if _, err := n.Update(f.bundleJSON, late); !errors.Is(err, ErrBundleRollback) {
		t.Errorf("Update(older, expired) = %v, want ErrBundleRollback", err)
	}
}

// mustResign replaces the bundle's signature with one by root.
func mustResign(t testing.TB, bundle []byte, root *RootKey) []byte {
	return mustResignBytes(t, bundle, root)
}

func mustResignBytes(t testing.TB, bundle []byte, root *RootKey) []byte {
	t.Helper()
	var sb signedBundleJSON
	if err := json.Unmarshal(bundle, &sb); err != nil {
		t.Fatal(err)
	}
	return wrapSigned(sb.Signed, root)
}

// wrapSigned makes a bundle file of arbitrary signed bytes.
func wrapSigned(signed []byte, root *RootKey) []byte {
	sig := ed25519.Sign(root.k.priv, append([]byte(bundleInfo), signed...))
	return []byte(`{"signed":` + string(signed) + `,"signatures":[{"kid":"` + root.KeyID() + `","sig":"` + b64.EncodeToString(sig) + `"}]}`)
}

func FuzzLoadTrustBundle(f *testing.F) {
	fx := newFixture(f)
	var sb signedBundleJSON
	if err := json.Unmarshal(mustRead(f, "bundle.json"), &sb); err != nil || len(sb.Signed) == 0 {
		f.Fatalf("no seed: testdata/trust/bundle.json: %v", err)
	}
	f.Add([]byte(sb.Signed))
	f.Add([]byte(`{"format":"sealpay/qr/trust/v1","version":1,"issued_at":1,"expires_at":2,"roots":[],"certificates":[],"revocations":[]}`))
	f.Add([]byte("0 ")) // white space around the value is not part of it
	f.Add([]byte(`"","0":0`))
	pins := []ed25519.PublicKey{fx.root.Public()}
	f.Fuzz(func(t *testing.T, signed []byte) {
		if _, err := LoadTrustBundle(signed, pins, fxNow); err == nil {
			t.Fatal("unsigned bytes loaded as a bundle")
		}
		// The signed bytes are one JSON value, the member's value, which
		// white space around it is not part of; anything else would change
		// the document around it.
		signed = bytes.Trim(signed, " \t\r\n")
		if !json.Valid(signed) {
			return
		}
		tb, err := LoadTrustBundle(wrapSigned(signed, fx.root), pins, fxNow)
		if err != nil {
			if c := errcode.Of(err); c != errcode.QRMalformed {
				t.Fatalf("error code %s, want %s: %v", c, errcode.QRMalformed, err)
			}
			return
		}
		// Round trip: what loaded signs and loads to the same contents.
		b2, err := fx.root.SignBundle(tb.Bundle())
		if err != nil {
			t.Fatalf("SignBundle(loaded bundle) = %v", err)
		}
		tb2, err := LoadTrustBundle(b2, pins, fxNow)
		if err != nil {
			t.Fatalf("reload = %v", err)
		}
		j1, _ := json.Marshal(bundleView(tb.Bundle()))
		j2, _ := json.Marshal(bundleView(tb2.Bundle()))
		if !bytes.Equal(j1, j2) {
			t.Fatalf("round trip changed the bundle:\n%s\n%s", j1, j2)
		}
	})
}

// bundleView makes a Bundle comparable as JSON.
func bundleView(b Bundle) any {
	type rev struct {
		Kid    string
		At     int64
		Reason string
	}
	var revs []rev
	for _, r := range b.Revocations {
		revs = append(revs, rev{r.KeyID, r.RevokedAt.Unix(), r.Reason})
	}
	return struct {
		Version, IssuedAt, ExpiresAt int64
		Roots                        []ed25519.PublicKey
		Certificates                 []Certificate
		Revocations                  []rev
	}{b.Version, b.IssuedAt.Unix(), b.ExpiresAt.Unix(), b.Roots, b.Certificates, revs}
}
