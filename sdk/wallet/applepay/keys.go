package applepay

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
)

// oidMerchantID is the extension of Apple's payment processing (and merchant
// identity) certificates that holds the hex SHA-256 of the merchant
// identifier.
var oidMerchantID = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 32}

// ErrInvalidKey is returned by [NewMerchantKey], [ParseMerchantKeyPEM] and
// [NewDecrypter] for a key that is not P-256, a certificate that does not
// match its key, or a merchant identifier that disagrees with a certificate.
var ErrInvalidKey = errors.New("applepay: invalid merchant key")

// A MerchantKey is one Apple Pay payment processing key: a P-256 private key
// and, optionally, the payment processing certificate Apple issued for it.
// String redacts; the private key never leaves.
type MerchantKey struct {
	priv       *ecdh.PrivateKey
	hash       [32]byte // SHA-256 of the DER SubjectPublicKeyInfo: publicKeyHash
	merchantID []byte   // party V info from the certificate; nil without one
}

// NewMerchantKey returns a key from a P-256 private key and, if not nil, its
// payment processing certificate, whose public key must be priv's and whose
// merchant identifier extension (OID 1.2.840.113635.100.6.32) then gives
// the KDF's party V info.
func NewMerchantKey(priv *ecdsa.PrivateKey, cert *x509.Certificate) (*MerchantKey, error) {
	if priv == nil || priv.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: not a P-256 key", ErrInvalidKey)
	}
	ek, err := priv.ECDH()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	k := &MerchantKey{priv: ek, hash: sha256.Sum256(spki)}
	if cert != nil {
		if subtle.ConstantTimeCompare(cert.RawSubjectPublicKeyInfo, spki) != 1 {
			return nil, fmt.Errorf("%w: the certificate is for another key", ErrInvalidKey)
		}
		if k.merchantID, err = certMerchantID(cert); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// certMerchantID reads the merchant identifier extension: a UTF8String of
// 64 hex digits, the SHA-256 of the merchant identifier.
func certMerchantID(cert *x509.Certificate) ([]byte, error) {
	for _, e := range cert.Extensions {
		if !e.Id.Equal(oidMerchantID) {
			continue
		}
		var s string
		rest, err := asn1.UnmarshalWithParams(e.Value, &s, "utf8")
		if err != nil || len(rest) != 0 {
			// Some certificates carry the hex digits bare.
			s = string(e.Value)
		}
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("%w: the certificate's merchant identifier is not 64 hex digits", ErrInvalidKey)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%w: the certificate has no merchant identifier (OID 1.2.840.113635.100.6.32)", ErrInvalidKey)
}

// ParseMerchantKeyPEM parses a PEM private key ("PRIVATE KEY", PKCS #8, or
// "EC PRIVATE KEY", SEC 1) and, if certPEM is not empty, its PEM payment
// processing certificate. Other PEM blocks and text around them (such as
// the "Bag Attributes" openssl pkcs12 writes) are skipped.
func ParseMerchantKeyPEM(keyPEM, certPEM []byte) (*MerchantKey, error) {
	priv, err := parsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	var cert *x509.Certificate
	if len(certPEM) > 0 {
		if cert, err = parseCertificatePEM(certPEM); err != nil {
			return nil, err
		}
	}
	return NewMerchantKey(priv, cert)
}

// parsePrivateKeyPEM returns the first EC private key of keyPEM.
func parsePrivateKeyPEM(keyPEM []byte) (*ecdsa.PrivateKey, error) {
	for rest := keyPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("%w: no PRIVATE KEY or EC PRIVATE KEY block", ErrInvalidKey)
		}
		switch b.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: PKCS #8: %v", ErrInvalidKey, err)
			}
			ek, ok := k.(*ecdsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("%w: not an EC key", ErrInvalidKey)
			}
			return ek, nil
		case "EC PRIVATE KEY":
			k, err := x509.ParseECPrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: SEC 1: %v", ErrInvalidKey, err)
			}
			return k, nil
		}
	}
}

// parseCertificatePEM returns the first certificate of certPEM.
func parseCertificatePEM(certPEM []byte) (*x509.Certificate, error) {
	for rest := certPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("%w: no CERTIFICATE block", ErrInvalidKey)
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: certificate: %v", ErrInvalidKey, err)
		}
		return c, nil
	}
}

// PublicKeyHash returns the key's publicKeyHash as Apple writes it in token
// headers: base64 of the SHA-256 of its DER SubjectPublicKeyInfo.
func (k *MerchantKey) PublicKeyHash() string {
	return base64.StdEncoding.EncodeToString(k.hash[:])
}

// HasCertificate reports whether the key was given its certificate, and so
// knows its merchant identifier.
func (k *MerchantKey) HasCertificate() bool { return k.merchantID != nil }

// String describes the key by its publicKeyHash only.
func (k *MerchantKey) String() string {
	return "applepay.MerchantKey{" + k.PublicKeyHash() + "}"
}

// GoString is String, so that %#v redacts too.
func (k *MerchantKey) GoString() string { return k.String() }

// merchantIDHash is the KDF's party V info for a merchant identifier
// string: its SHA-256.
func merchantIDHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}
