package applepay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/smallstep/pkcs7"
)

// Apple's marker OIDs. Their values do not matter, only their presence.
var (
	oidLeafMarker         = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 29}
	oidIntermediateMarker = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 14}
)

// verifySignature checks the token's CMS signature and Apple's chain, and
// returns the CMS signing time.
func verifySignature(t *paymentToken, root *x509.Certificate, cache *chainCache) (time.Time, error) {
	p7, err := pkcs7.Parse(t.Signature)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: signature is not a CMS structure", ErrSignature)
	}
	if len(p7.Signers) != 1 {
		return time.Time{}, fmt.Errorf("%w: signature has %d signers, want 1", ErrSignature, len(p7.Signers))
	}
	if len(p7.Content) != 0 {
		return time.Time{}, fmt.Errorf("%w: signature is not detached", ErrSignature)
	}
	if !p7.Signers[0].DigestAlgorithm.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA256) {
		return time.Time{}, fmt.Errorf("%w: digest algorithm is not SHA-256", ErrSignature)
	}
	leaf := p7.GetOnlySigner()
	if leaf == nil {
		return time.Time{}, fmt.Errorf("%w: no certificate for the signer", ErrSignature)
	}
	var signingTime time.Time
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signingTime); err != nil {
		return time.Time{}, fmt.Errorf("%w: no signing time", ErrSignature)
	}

	// The certificates, checked before the signature as Apple lists the
	// steps: the marker OIDs, then a chain leaf → intermediate → root that
	// is valid at the signing time.
	if !hasExtension(leaf, oidLeafMarker) {
		return time.Time{}, fmt.Errorf("%w: leaf lacks OID 1.2.840.113635.100.6.29", ErrCertificate)
	}
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		return time.Time{}, fmt.Errorf("%w: leaf key is not P-256 ECDSA", ErrCertificate)
	}
	var inters []*x509.Certificate
	for _, c := range p7.Certificates {
		if c != leaf && hasExtension(c, oidIntermediateMarker) {
			inters = append(inters, c)
		}
	}
	if len(inters) == 0 {
		return time.Time{}, fmt.Errorf("%w: no intermediate with OID 1.2.840.113635.100.6.2.14", ErrCertificate)
	}
	if err := cache.verify(leaf, inters, root, signingTime); err != nil {
		return time.Time{}, err
	}

	p7.Content = t.signedContent()
	if err := p7.VerifyWithChainAtTime(nil, signingTime); err != nil {
		return time.Time{}, fmt.Errorf("%w: signature does not cover the token", ErrSignature)
	}
	return signingTime, nil
}

// maxCachedChains bounds a [chainCache]. Apple signs every token with one
// leaf and one intermediate for years at a time.
const maxCachedChains = 16

// A chainCache remembers the chains crypto/x509 verified, by the exact
// bytes of the leaf and intermediates a token carried, so that the next
// token with the same certificates does not verify the same certificate
// signatures again (the root's P-384 signature on the intermediate is
// most of a token's cost: BENCHMARKS.md). A verified chain stays
// verified at any time its certificates are all valid, which is the one
// thing crypto/x509 checks that depends on the time; a cached chain not
// valid at a token's signing time is verified afresh, so the result is
// always the one verifyChain gives.
type chainCache struct {
	mu     sync.Mutex
	chains map[[32]byte][]*x509.Certificate
}

// verify is verifyChain, through the cache.
func (cc *chainCache) verify(leaf *x509.Certificate, inters []*x509.Certificate, root *x509.Certificate, signingTime time.Time) error {
	key := chainKey(leaf, inters)
	cc.mu.Lock()
	ch := cc.chains[key]
	cc.mu.Unlock()
	if ch != nil && validAt(ch, signingTime) {
		return nil
	}
	ch, err := verifyChain(leaf, inters, root, signingTime)
	if err != nil {
		return err
	}
	cc.mu.Lock()
	if cc.chains == nil || len(cc.chains) >= maxCachedChains {
		cc.chains = map[[32]byte][]*x509.Certificate{}
	}
	cc.chains[key] = ch
	cc.mu.Unlock()
	return nil
}

// chainKey hashes the leaf and the intermediates, each length-prefixed.
func chainKey(leaf *x509.Certificate, inters []*x509.Certificate) [32]byte {
	h := sha256.New()
	for _, c := range append([]*x509.Certificate{leaf}, inters...) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(c.Raw))))
		h.Write(c.Raw)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// validAt reports whether every certificate of chain is valid at t, as
// crypto/x509 judges it.
func validAt(chain []*x509.Certificate, t time.Time) bool {
	for _, c := range chain {
		if t.Before(c.NotBefore) || t.After(c.NotAfter) {
			return false
		}
	}
	return true
}

// verifyChain checks that leaf chains through one Apple intermediate to
// root, every certificate valid at signingTime, and returns the chain.
func verifyChain(leaf *x509.Certificate, inters []*x509.Certificate, root *x509.Certificate, signingTime time.Time) ([]*x509.Certificate, error) {
	if ch := chainAt(leaf, inters, root, signingTime); ch != nil {
		return ch, nil
	}
	// Tell an expired (or not yet valid) chain from a wrong one: does it
	// verify at the latest start of validity of its candidates?
	start, end := root.NotBefore, root.NotAfter
	for _, c := range append([]*x509.Certificate{leaf}, inters...) {
		if c.NotBefore.After(start) {
			start = c.NotBefore
		}
		if c.NotAfter.Before(end) {
			end = c.NotAfter
		}
	}
	if !start.After(end) && chainAt(leaf, inters, root, start) != nil {
		return nil, fmt.Errorf("%w: a certificate of the chain is not valid at the signing time", ErrCertificateExpired)
	}
	return nil, fmt.Errorf("%w: no chain from the leaf through an Apple intermediate to the root", ErrCertificate)
}

// chainAt returns the chain leaf → intermediate → root that crypto/x509
// finds valid at t, or nil.
func chainAt(leaf *x509.Certificate, inters []*x509.Certificate, root *x509.Certificate, t time.Time) []*x509.Certificate {
	ip, rp := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range inters {
		ip.AddCert(c)
	}
	rp.AddCert(root)
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         rp,
		Intermediates: ip,
		CurrentTime:   t,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil
	}
	for _, ch := range chains {
		if len(ch) == 3 && hasExtension(ch[1], oidIntermediateMarker) && ch[2].Equal(root) {
			return ch
		}
	}
	return nil
}

func hasExtension(c *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}
