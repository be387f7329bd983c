package qr

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

const (
	// bundleInfo is the domain-separation prefix of the bytes a root
	// signs in a trust bundle, and the bundle's "format" member.
	bundleInfo   = "sealpay/qr/trust/v1\x00"
	bundleFormat = "sealpay/qr/trust/v1"
	// maxBundleSize bounds what LoadTrustBundle reads: about 6,000
	// certificates.
	maxBundleSize = 4 << 20
	// maxFutureIssue is how far in the future a bundle's issue date may
	// be; beyond it the registry's or the device's clock is wrong.
	maxFutureIssue = 24 * time.Hour
)

// Trust bundles expire, so that a verifier that stops receiving bundles
// learns that it may be missing revocations instead of trusting its last
// bundle for ever. [RootKey.SignBundle] gives a bundle without an expiry
// DefaultBundleTTL; no bundle may be valid for longer than MaxBundleTTL.
const (
	DefaultBundleTTL = 30 * 24 * time.Hour
	MaxBundleTTL     = 90 * 24 * time.Hour
)

// Revocation withdraws a certified merchant key: QR codes it signed are
// rejected with qr_revoked from then on, whenever they were signed.
type Revocation struct {
	KeyID     string
	RevokedAt time.Time
	// Reason is a short note for operators, such as "key_compromise".
	Reason string
}

// Bundle is the content of a trust bundle, as signed by
// [RootKey.SignBundle] and returned by [TrustBundle.Bundle].
type Bundle struct {
	// Version increases with every bundle the registry publishes.
	Version  int64
	IssuedAt time.Time
	// ExpiresAt is when verifiers stop trusting the bundle: after it (and
	// the clock skew), [Verify] rejects signed codes with qr_expired,
	// detail "trust_bundle". It is after IssuedAt and at most MaxBundleTTL
	// later; zero in [RootKey.SignBundle] means IssuedAt + DefaultBundleTTL.
	ExpiresAt time.Time
	// Roots are the root keys whose certificates count. SignBundle adds
	// the signing root when it is missing.
	Roots        []ed25519.PublicKey
	Certificates []Certificate
	Revocations  []Revocation
}

type rootJSON struct {
	KeyID string `json:"kid"`
	X     string `json:"x"`
}

type revocationJSON struct {
	KeyID     string `json:"kid"`
	RevokedAt int64  `json:"revoked_at"`
	Reason    string `json:"reason,omitempty"`
}

type bundleJSON struct {
	Format       string           `json:"format"`
	Version      int64            `json:"version"`
	IssuedAt     int64            `json:"issued_at"`
	ExpiresAt    int64            `json:"expires_at"`
	Roots        []rootJSON       `json:"roots"`
	Certificates []Certificate    `json:"certificates"`
	Revocations  []revocationJSON `json:"revocations"`
}

type bundleSig struct {
	KeyID     string `json:"kid"`
	Signature string `json:"sig"`
}

type signedBundleJSON struct {
	Signed     json.RawMessage `json:"signed"`
	Signatures []bundleSig     `json:"signatures"`
}

// SignBundle checks b and returns it as a signed trust bundle file (see
// docs/qr-v1.md): the certificates must be signed by listed roots and bind
// payee accounts, key IDs must be unique, the version at least 1, and the
// expiry after the issue time by at most [MaxBundleTTL].
func (k *RootKey) SignBundle(b Bundle) ([]byte, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("qr: trust bundle: "+format+": %w", append(a, ErrMalformedBundle)...)
	}
	if b.Version < 1 {
		return nil, bad("version %d, want at least 1", b.Version)
	}
	if b.IssuedAt.Unix() < 1 {
		return nil, bad("issued_at missing")
	}
	exp := b.ExpiresAt
	if exp.IsZero() {
		exp = b.IssuedAt.Add(DefaultBundleTTL)
	}
	if err := checkBundleTimes(b.IssuedAt.Unix(), exp.Unix()); err != nil {
		return nil, bad("%v", err)
	}
	j := bundleJSON{Format: bundleFormat, Version: b.Version, IssuedAt: b.IssuedAt.Unix(), ExpiresAt: exp.Unix(),
		Roots: []rootJSON{}, Certificates: []Certificate{}, Revocations: []revocationJSON{}}
	roots := map[string]ed25519.PublicKey{}
	addRoot := func(pub ed25519.PublicKey) error {
		if err := checkPublicKey(pub); err != nil {
			return bad("root key: %v", err)
		}
		kid := keyID(pub)
		if _, dup := roots[kid]; !dup {
			roots[kid] = pub
			j.Roots = append(j.Roots, rootJSON{KeyID: kid, X: b64.EncodeToString(pub)})
		}
		return nil
	}
	for _, r := range b.Roots {
		if err := addRoot(r); err != nil {
			return nil, err
		}
	}
	if err := addRoot(k.Public()); err != nil {
		return nil, err
	}
	kids := map[string]bool{}
	for i := range b.Certificates {
		c := b.Certificates[i].clone()
		if err := c.check(); err != nil {
			return nil, bad("certificate %d: %v", i, err)
		}
		root, ok := roots[c.RootID]
		if !ok || !c.verify(root) {
			return nil, bad("certificate %d (kid %s): not signed by a listed root", i, c.KeyID)
		}
		if kids[c.KeyID] {
			return nil, bad("certificate %d: duplicate kid %s", i, c.KeyID)
		}
		kids[c.KeyID] = true
		j.Certificates = append(j.Certificates, c)
	}
	revoked := map[string]bool{}
	for _, r := range b.Revocations {
		if !validKeyID(r.KeyID) || revoked[r.KeyID] {
			return nil, bad("revocation of key %q: malformed or duplicate key ID", truncate(r.KeyID, 16))
		}
		if r.Reason != "" && !validText(r.Reason, 64) {
			return nil, bad("revocation of key %s: reason is not short text", r.KeyID)
		}
		revoked[r.KeyID] = true
		j.Revocations = append(j.Revocations, revocationJSON{KeyID: r.KeyID, RevokedAt: r.RevokedAt.Unix(), Reason: r.Reason})
	}
	return k.signBundleJSON(j)
}

// signBundleJSON writes j as the signed part of a bundle file, signs it and
// assembles the file. It checks nothing: SignBundle does.
func (k *RootKey) signBundleJSON(j bundleJSON) ([]byte, error) {
	signed, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("qr: trust bundle: %w", err)
	}
	sig := ed25519.Sign(k.k.priv, append([]byte(bundleInfo), signed...))
	sigs, err := json.Marshal([]bundleSig{{KeyID: k.k.kid, Signature: b64.EncodeToString(sig)}})
	if err != nil {
		return nil, fmt.Errorf("qr: trust bundle: %w", err)
	}
	// The document is assembled by hand so that the signed bytes appear in
	// it exactly as signed: encoding/json would re-indent a RawMessage.
	var out bytes.Buffer
	out.WriteString("{\n\"signed\": ")
	out.Write(signed)
	out.WriteString(",\n\"signatures\": ")
	out.Write(sigs)
	out.WriteString("\n}\n")
	return out.Bytes(), nil
}

// TrustBundle is a loaded, verified trust bundle: the certified merchant
// keys and revocations that [Verify] checks signed QR codes against. It is
// immutable and safe for concurrent use.
type TrustBundle struct {
	signed  []byte
	expires time.Time
	pinned  []ed25519.PublicKey
	content Bundle
	certs   map[string]*trustedCert
	revoked map[string]Revocation
	domains []string
}

// trustedCert is a certificate that counts: its root's signature and its
// key's strength checked once, at load, so that Verify does one Ed25519
// verification per code and no other public-key work.
type trustedCert struct {
	Certificate
	key ed25519.PublicKey
}

// verify reports whether s is a valid signature by the certificate's key
// of the code whose signed part is prefix.
func (c *trustedCert) verify(s *sigFields, prefix string) bool {
	// The signed message is built on the stack: payloads are at most 512
	// characters, so most messages fit in 1 KiB.
	var buf [1024]byte
	msg := s.appendMessage(buf[:0], prefix)
	return ed25519.Verify(c.key, msg, s.sig[:])
}

// LoadTrustBundle verifies and loads a trust bundle file.
//
// At least one of the bundle's signatures must verify under one of the
// pinned root keys, which the caller ships with its code (pinning is what
// keeps whoever serves the bundle from certifying keys). Certificates count
// only when they are signed by a root that is both pinned and listed in the
// bundle's roots; a root can so be retired without a code update, but never
// added. now bounds the issue date: a bundle issued more than a day after
// now is refused.
//
// A bundle past its expiry loads: [Verify] checks the expiry against its
// own clock at each call, and rejects signed codes with qr_expired (detail
// "trust_bundle") once the bundle has expired, which also covers a bundle
// that expires while it is in use. Fetch a newer one and [TrustBundle.Update].
//
// Errors wrap [ErrMalformedBundle] or [ErrUntrustedBundle]. To replace a
// loaded bundle without allowing a rollback, use [TrustBundle.Update].
func LoadTrustBundle(b []byte, pinned []ed25519.PublicKey, now time.Time) (*TrustBundle, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("qr: trust bundle: "+format+": %w", append(a, ErrMalformedBundle)...)
	}
	if len(b) > maxBundleSize {
		return nil, bad("%d bytes, more than %d", len(b), maxBundleSize)
	}
	pins := map[string]ed25519.PublicKey{}
	for _, p := range pinned {
		if err := checkPublicKey(p); err != nil {
			return nil, fmt.Errorf("qr: pinned root key: %w", err)
		}
		pins[keyID(p)] = bytes.Clone(p)
	}
	if err := checkJSON(b, 8); err != nil {
		return nil, bad("%v", err)
	}
	var sb signedBundleJSON
	if err := json.Unmarshal(b, &sb); err != nil || len(sb.Signed) == 0 {
		return nil, bad("not a signed bundle document")
	}
	signer := ""
	msg := append([]byte(bundleInfo), sb.Signed...)
	for _, s := range sb.Signatures {
		pub, ok := pins[s.KeyID]
		if !ok {
			continue
		}
		sig, ok := decodeB64(s.Signature)
		if ok && ed25519.Verify(pub, msg, sig) {
			signer = s.KeyID
			break
		}
	}
	if signer == "" {
		return nil, fmt.Errorf("qr: trust bundle: %w", ErrUntrustedBundle)
	}

	var j bundleJSON
	if err := json.Unmarshal(sb.Signed, &j); err != nil {
		return nil, bad("signed part: %v", err)
	}
	if j.Format != bundleFormat {
		return nil, bad("format %q, want %q", truncate(j.Format, 32), bundleFormat)
	}
	if j.Version < 1 || j.IssuedAt < 1 {
		return nil, bad("version or issued_at missing")
	}
	if err := checkBundleTimes(j.IssuedAt, j.ExpiresAt); err != nil {
		return nil, bad("%v", err)
	}
	t := &TrustBundle{
		signed:  bytes.Clone(sb.Signed),
		expires: time.Unix(j.ExpiresAt, 0).UTC(),
		content: Bundle{Version: j.Version, IssuedAt: time.Unix(j.IssuedAt, 0).UTC(), ExpiresAt: time.Unix(j.ExpiresAt, 0).UTC()},
		certs:   map[string]*trustedCert{},
		revoked: map[string]Revocation{},
	}
	if t.content.IssuedAt.After(now.Add(maxFutureIssue)) {
		return nil, bad("issued at %s, more than a day from now", t.content.IssuedAt.Format(time.RFC3339))
	}
	for _, p := range pinned {
		t.pinned = append(t.pinned, bytes.Clone(p))
	}
	active := map[string]ed25519.PublicKey{}
	listed := map[string]bool{}
	for _, r := range j.Roots {
		pub, ok := decodeB64(r.X)
		if !ok {
			return nil, bad("root key: x is not canonical base64url")
		}
		if err := checkPublicKey(pub); err != nil {
			return nil, bad("root key: %v", err)
		}
		if keyID(pub) != r.KeyID || listed[r.KeyID] {
			return nil, bad("root key %s: kid does not match the key, or is listed twice", truncate(r.KeyID, 16))
		}
		listed[r.KeyID] = true
		t.content.Roots = append(t.content.Roots, pub)
		if pin, ok := pins[r.KeyID]; ok && bytes.Equal(pin, pub) {
			active[r.KeyID] = pub
		}
	}
	if active[signer] == nil {
		return nil, bad("signing root %s is not listed in the bundle's roots", signer)
	}
	domains := map[string]bool{}
	for i := range j.Certificates {
		c := &j.Certificates[i]
		if !listed[c.RootID] {
			return nil, bad("certificate %d (kid %s): root %s not listed", i, c.KeyID, truncate(c.RootID, 16))
		}
		if _, dup := t.certs[c.KeyID]; dup {
			return nil, bad("certificate %d: duplicate kid %s", i, c.KeyID)
		}
		t.content.Certificates = append(t.content.Certificates, c.clone())
		root, ok := active[c.RootID]
		if !ok {
			continue // certified by a root this caller does not pin
		}
		if !c.verify(root) {
			return nil, bad("certificate %d (kid %s): bad root signature", i, c.KeyID)
		}
		// UnmarshalJSON has refused weak keys (checkPublicKey).
		tc := &trustedCert{Certificate: c.clone()}
		if len(c.PublicKey) != ed25519.PublicKeySize {
			return nil, bad("certificate %d (kid %s): %v", i, c.KeyID, ErrInvalidKey)
		}
		tc.key = ed25519.PublicKey(tc.Certificate.PublicKey)
		t.certs[c.KeyID] = tc
		for _, d := range c.Domains {
			if !domains[d] {
				domains[d] = true
				t.domains = append(t.domains, d)
			}
		}
	}
	for _, r := range j.Revocations {
		if !validKeyID(r.KeyID) {
			return nil, bad("revocation: malformed key ID")
		}
		if _, dup := t.revoked[r.KeyID]; dup {
			return nil, bad("revocation of %s listed twice", r.KeyID)
		}
		if r.Reason != "" && !validText(r.Reason, 64) {
			return nil, bad("revocation of %s: reason is not short text", r.KeyID)
		}
		rv := Revocation{KeyID: r.KeyID, RevokedAt: time.Unix(r.RevokedAt, 0).UTC(), Reason: r.Reason}
		t.revoked[r.KeyID] = rv
		t.content.Revocations = append(t.content.Revocations, rv)
	}
	slices.Sort(t.domains)
	return t, nil
}

// Update verifies b against the same pinned roots and returns it as the new
// bundle, or an error wrapping [ErrBundleRollback] if its version is lower
// than t's, or equal with other contents. A newer bundle is the only way
// to learn of a revocation, so callers keep the newest bundle they have
// seen and refuse to go back.
func (t *TrustBundle) Update(b []byte, now time.Time) (*TrustBundle, error) {
	n, err := LoadTrustBundle(b, t.pinned, now)
	if err != nil {
		return nil, err
	}
	switch v, cur := n.content.Version, t.content.Version; {
	case v < cur:
		return nil, fmt.Errorf("qr: trust bundle version %d, loaded %d: %w", v, cur, ErrBundleRollback)
	case v == cur && !bytes.Equal(n.signed, t.signed):
		return nil, fmt.Errorf("qr: trust bundle version %d with different contents: %w", v, ErrBundleRollback)
	}
	return n, nil
}

// Bundle returns a copy of the bundle's contents, including certificates
// from roots the caller does not pin (which [Verify] ignores).
func (t *TrustBundle) Bundle() Bundle {
	c := t.content
	c.Roots = make([]ed25519.PublicKey, len(t.content.Roots))
	for i, r := range t.content.Roots {
		c.Roots[i] = bytes.Clone(r)
	}
	c.Certificates = make([]Certificate, len(t.content.Certificates))
	for i := range t.content.Certificates {
		c.Certificates[i] = t.content.Certificates[i].clone()
	}
	c.Revocations = slices.Clone(t.content.Revocations)
	return c
}

// checkBundleTimes checks a bundle's issue and expiry times, in Unix
// seconds: the expiry after the issue, by at most MaxBundleTTL.
func checkBundleTimes(issued, expires int64) error {
	if expires <= issued || expires-issued > int64(MaxBundleTTL/time.Second) {
		return fmt.Errorf("expires_at is not after issued_at by at most %d days", MaxBundleTTL/(24*time.Hour))
	}
	return nil
}

// expired reports whether the bundle's expiry, widened by the clock skew,
// is before now.
func (t *TrustBundle) expired(now time.Time) bool {
	return now.After(t.expires.Add(clockSkew))
}

// validKeyID accepts the shape of a key ID: 11 characters of base64url.
func validKeyID(s string) bool {
	var b [8]byte
	return len(s) == 11 && decodeB64Into(b[:], s)
}
