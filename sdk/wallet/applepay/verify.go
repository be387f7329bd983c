package applepay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
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
func verifySignature(t *Token, root *x509.Certificate) (time.Time, error) {
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
	if err := verifyChain(leaf, inters, root, signingTime); err != nil {
		return time.Time{}, err
	}

	p7.Content = t.signedContent()
	if err := p7.VerifyWithChainAtTime(nil, signingTime); err != nil {
		return time.Time{}, fmt.Errorf("%w: signature does not cover the token", ErrSignature)
	}
	return signingTime, nil
}

// verifyChain checks that leaf chains through one Apple intermediate to
// root, every certificate valid at signingTime.
func verifyChain(leaf *x509.Certificate, inters []*x509.Certificate, root *x509.Certificate, signingTime time.Time) error {
	if chainAt(leaf, inters, root, signingTime) {
		return nil
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
	if !start.After(end) && chainAt(leaf, inters, root, start) {
		return fmt.Errorf("%w: a certificate of the chain is not valid at the signing time", ErrCertificateExpired)
	}
	return fmt.Errorf("%w: no chain from the leaf through an Apple intermediate to the root", ErrCertificate)
}

// chainAt reports whether crypto/x509 finds a chain leaf → intermediate →
// root valid at t.
func chainAt(leaf *x509.Certificate, inters []*x509.Certificate, root *x509.Certificate, t time.Time) bool {
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
		return false
	}
	for _, ch := range chains {
		if len(ch) == 3 && hasExtension(ch[1], oidIntermediateMarker) && ch[2].Equal(root) {
			return true
		}
	}
	return false
}

func hasExtension(c *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}
