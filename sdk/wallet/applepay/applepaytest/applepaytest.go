// Package applepaytest is a stand-in for Apple, for tests only: it makes
// Apple Pay EC_v1 payment tokens the way Apple's servers do, signed by its
// own root, intermediate and leaf certificates (with Apple's marker OIDs)
// instead of Apple's. Tokens it makes verify only against its own root
// (applepay.Config.UnsafeTestRootPEM), never against the pinned Apple Root
// CA – G3.
//
// For most uses, call [New], [GenerateMerchantKey] and [Apple.Token].
package applepaytest

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/smallstep/pkcs7"
)

// Apple's marker OIDs and the merchant identifier extension.
var (
	OIDLeafMarker         = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 29}
	OIDIntermediateMarker = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 14}
	OIDMerchantID         = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 32}
)

// Options shape the stand-in's certificates. Zero values give a good chain:
// every certificate valid from an hour ago for a day, with the marker OIDs.
type Options struct {
	NoLeafMarker         bool // leave OID 1.2.840.113635.100.6.29 off the leaf
	NoIntermediateMarker bool // leave OID 1.2.840.113635.100.6.2.14 off the intermediate
	DirectLeaf           bool // have the root sign the leaf; no intermediate

	// Validity periods; zero times mean one hour ago and a day from now.
	LeafNotBefore, LeafNotAfter                 time.Time
	IntermediateNotBefore, IntermediateNotAfter time.Time
}

// Apple is the stand-in: a certificate chain and its keys.
type Apple struct {
	Root, Intermediate, Leaf *x509.Certificate
	rootKey, leafKey         *ecdsa.PrivateKey
}

// New makes a stand-in with a fresh chain.
func New(opts Options) (*Apple, error) {
	now := time.Now()
	rootKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	root, err := makeCert(&x509.Certificate{
		Subject:               pkix.Name{CommonName: "Stand-in Apple Root CA - G3 (test only)"},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, rootKey, rootKey)
	if err != nil {
		return nil, err
	}
	return (&Apple{Root: root, rootKey: rootKey}).Reissue(opts)
}

// Reissue returns a stand-in with the same root and a new intermediate
// and leaf shaped by opts: to make, under the root an edge trusts, a chain
// that is expired or lacks an OID.
func (a *Apple) Reissue(opts Options) (*Apple, error) {
	now := time.Now()
	def := func(t, d time.Time) time.Time {
		if t.IsZero() {
			return d
		}
		return t
	}
	root, rootKey := a.Root, a.rootKey
	a = &Apple{Root: root, rootKey: rootKey}
	var err error
	issuer, issuerKey := root, rootKey
	if !opts.DirectLeaf {
		interKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{
			Subject:               pkix.Name{CommonName: "Stand-in Apple Application Integration CA - G3 (test only)"},
			NotBefore:             def(opts.IntermediateNotBefore, now.Add(-time.Hour)),
			NotAfter:              def(opts.IntermediateNotAfter, now.Add(24*time.Hour)),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		if !opts.NoIntermediateMarker {
			tmpl.ExtraExtensions = []pkix.Extension{{Id: OIDIntermediateMarker, Value: []byte{5, 0}}}
		}
		if a.Intermediate, err = makeCert(tmpl, root, interKey, rootKey); err != nil {
			return nil, err
		}
		issuer, issuerKey = a.Intermediate, interKey
	}
	if a.leafKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:   pkix.Name{CommonName: "stand-in ecc-smp-broker-sign (test only)"},
		NotBefore: def(opts.LeafNotBefore, now.Add(-time.Hour)),
		NotAfter:  def(opts.LeafNotAfter, now.Add(24*time.Hour)),
		KeyUsage:  x509.KeyUsageDigitalSignature,
	}
	if !opts.NoLeafMarker {
		tmpl.ExtraExtensions = []pkix.Extension{{Id: OIDLeafMarker, Value: []byte{5, 0}}}
	}
	if a.Leaf, err = makeCert(tmpl, issuer, a.leafKey, issuerKey); err != nil {
		return nil, err
	}
	return a, nil
}

func makeCert(tmpl, parent *x509.Certificate, key any, parentKey *ecdsa.PrivateKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
	}
	pub := key
	if k, ok := key.(*ecdsa.PrivateKey); ok {
		pub = &k.PublicKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// RootPEM returns the stand-in's root certificate in PEM.
func (a *Apple) RootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Root.Raw})
}

// A MerchantKey is a payment processing key the stand-in encrypts to.
type MerchantKey struct {
	Private *ecdsa.PrivateKey
}

// GenerateMerchantKey makes a P-256 payment processing key.
func GenerateMerchantKey() (*MerchantKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &MerchantKey{Private: k}, nil
}

// PEM returns the private key in PKCS #8 PEM.
func (k *MerchantKey) PEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		panic(err) // a P-256 key always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// PublicKeyHash is the key's publicKeyHash, as Apple writes it in headers.
func (k *MerchantKey) PublicKeyHash() string {
	spki, err := x509.MarshalPKIXPublicKey(&k.Private.PublicKey)
	if err != nil {
		panic(err)
	}
	h := sha256.Sum256(spki)
	return base64.StdEncoding.EncodeToString(h[:])
}

// Certificate returns a payment processing certificate for the key, issued
// by the stand-in's root (Apple's come from another CA; the decrypter reads
// only the key and the extension), with the merchant identifier extension holding
// the hex SHA-256 of merchantID as Apple writes it.
func (a *Apple) Certificate(k *MerchantKey, merchantID string) ([]byte, error) {
	return a.CertificateFor(&k.Private.PublicKey, merchantID)
}

// CertificateFor is [Apple.Certificate] for a public key, such as the one
// of a certificate signing request.
func (a *Apple) CertificateFor(pub crypto.PublicKey, merchantID string) ([]byte, error) {
	h := sha256.Sum256([]byte(merchantID))
	val, err := asn1.MarshalWithParams(fmt.Sprintf("%X", h[:]), "utf8")
	if err != nil {
		return nil, err
	}
	c, err := makeCert(&x509.Certificate{
		Subject:         pkix.Name{CommonName: "Apple Pay Payment Processing:" + merchantID + " (stand-in)"},
		NotBefore:       time.Now().Add(-time.Hour),
		NotAfter:        time.Now().Add(24 * time.Hour),
		KeyUsage:        x509.KeyUsageKeyAgreement,
		ExtraExtensions: []pkix.Extension{{Id: OIDMerchantID, Value: val}},
	}, a.Root, pub, a.rootKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), nil
}

// Payment is the plaintext payment data, as Apple's JSON has it.
type Payment struct {
	ApplicationPrimaryAccountNumber string         `json:"applicationPrimaryAccountNumber"`
	ApplicationExpirationDate       string         `json:"applicationExpirationDate"`
	CurrencyCode                    string         `json:"currencyCode"`
	TransactionAmount               int64          `json:"transactionAmount"`
	CardholderName                  string         `json:"cardholderName,omitempty"`
	DeviceManufacturerIdentifier    string         `json:"deviceManufacturerIdentifier"`
	PaymentDataType                 string         `json:"paymentDataType"`
	PaymentData                     map[string]any `json:"paymentData"`
}

// Sample3DS is a 3DSecure payment with a test card number.
func Sample3DS() Payment {
	return Payment{
		ApplicationPrimaryAccountNumber: "4111111111111111",
		ApplicationExpirationDate:       "311231",
		CurrencyCode:                    "978",
		TransactionAmount:               1250,
		DeviceManufacturerIdentifier:    "040010030273",
		PaymentDataType:                 "3DSecure",
		PaymentData: map[string]any{
			"onlinePaymentCryptogram": "AgAAAAAABk4DWZ4C28yUQAAAAAA=",
			"eciIndicator":            "7",
		},
	}
}

// TokenOptions vary one token.
type TokenOptions struct {
	// Plaintext replaces the JSON of the payment, to make malformed ones.
	Plaintext []byte
	// ApplicationData is the header's applicationData (hashed by the caller,
	// as Apple does); nil leaves it out.
	ApplicationData []byte
	// SignWith signs with another key than the leaf's (a bad signature).
	SignWith crypto.Signer
	// NoSignedAttributes signs the content without signed attributes, and
	// so without a signing time.
	NoSignedAttributes bool
	// AttachContent makes the CMS structure carry the content (not detached).
	AttachContent bool
	// SigningTime, if not zero, is the CMS signing time instead of now.
	SigningTime time.Time
}

// Token returns a paymentData JSON object encrypting p to k for merchantID
// (the KDF's party V is SHA-256 of it), signed now by the stand-in.
func (a *Apple) Token(k *MerchantKey, merchantID string, p Payment, o TokenOptions) ([]byte, error) {
	plain := o.Plaintext
	if plain == nil {
		var err error
		if plain, err = json.Marshal(p); err != nil {
			return nil, err
		}
	}
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	mk, err := k.Private.ECDH()
	if err != nil {
		return nil, err
	}
	z, err := eph.ECDH(mk.PublicKey())
	if err != nil {
		return nil, err
	}
	mh := sha256.Sum256([]byte(merchantID))
	h := sha256.New()
	h.Write([]byte{0, 0, 0, 1})
	h.Write(z)
	h.Write([]byte("\x0did-aes256-GCM"))
	h.Write([]byte("Apple"))
	h.Write(mh[:])
	block, err := aes.NewCipher(h.Sum(nil))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, 16)
	if err != nil {
		return nil, err
	}
	data := gcm.Seal(nil, make([]byte, 16), plain, nil)

	ephPub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), eph.PublicKey().Bytes())
	if err != nil {
		return nil, err
	}
	ephDER, err := x509.MarshalPKIXPublicKey(ephPub)
	if err != nil {
		return nil, err
	}
	txID := make([]byte, 32)
	if _, err := rand.Read(txID); err != nil {
		return nil, err
	}
	signed := append(append(append(append([]byte{}, ephDER...), data...), txID...), o.ApplicationData...)
	sig, err := a.Sign(signed, o)
	if err != nil {
		return nil, err
	}
	header := map[string]string{
		"ephemeralPublicKey": base64.StdEncoding.EncodeToString(ephDER),
		"publicKeyHash":      k.PublicKeyHash(),
		"transactionId":      hex.EncodeToString(txID),
	}
	if o.ApplicationData != nil {
		header["applicationData"] = hex.EncodeToString(o.ApplicationData)
	}
	return json.Marshal(map[string]any{
		"version":   "EC_v1",
		"data":      base64.StdEncoding.EncodeToString(data),
		"signature": base64.StdEncoding.EncodeToString(sig),
		"header":    header,
	})
}

// Sign returns a CMS SignedData over content, detached unless
// o.AttachContent, by the leaf with the intermediate in the certificate
// set, its signing time the current time.
func (a *Apple) Sign(content []byte, o TokenOptions) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	var key crypto.Signer = a.leafKey
	if o.SignWith != nil {
		key = o.SignWith
	}
	switch {
	case o.NoSignedAttributes:
		err = sd.SignWithoutAttr(a.Leaf, key, pkcs7.SignerInfoConfig{})
		if err == nil && a.Intermediate != nil {
			sd.AddCertificate(a.Intermediate)
		}
	case a.Intermediate != nil:
		err = sd.AddSignerChain(a.Leaf, key, []*x509.Certificate{a.Intermediate}, pkcs7.SignerInfoConfig{})
	default:
		err = sd.AddSignerChain(a.Leaf, key, []*x509.Certificate{a.Root}, pkcs7.SignerInfoConfig{})
	}
	if err != nil {
		return nil, err
	}
	if !o.SigningTime.IsZero() && !o.NoSignedAttributes {
		if err := resign(sd, key, o.SigningTime); err != nil {
			return nil, err
		}
	}
	if !o.AttachContent {
		sd.Detach()
	}
	return sd.Finish()
}

// resign sets the signer's signing time attribute to t and signs the
// signed attributes again: pkcs7 always signs at the current time. The
// attributes stay in their DER order (a UTCTime's length never changes);
// their encoding is the one pkcs7 verifies, a SET OF in encoding/asn1.
func resign(sd *pkcs7.SignedData, key crypto.Signer, t time.Time) error {
	si := &sd.GetSignedData().SignerInfos[0]
	v, err := asn1.Marshal(t.UTC().Truncate(time.Second))
	if err != nil {
		return err
	}
	found := false
	for i := range si.AuthenticatedAttributes {
		if si.AuthenticatedAttributes[i].Type.Equal(pkcs7.OIDAttributeSigningTime) {
			si.AuthenticatedAttributes[i].Value = asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: v}
			found = true
		}
	}
	if !found {
		return errors.New("applepaytest: no signing time attribute to change")
	}
	set, err := marshalSet(si.AuthenticatedAttributes)
	if err != nil {
		return err
	}
	digest := sha256.Sum256(set)
	si.EncryptedDigest, err = key.Sign(rand.Reader, digest[:], crypto.SHA256)
	return err
}

// marshalSet encodes attrs as a DER SET OF, the bytes a CMS signature over
// signed attributes covers.
func marshalSet[T any](attrs []T) ([]byte, error) {
	b, err := asn1.Marshal(struct {
		A []T `asn1:"set"`
	}{A: attrs})
	if err != nil {
		return nil, err
	}
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(b, &outer); err != nil {
		return nil, err
	}
	return outer.Bytes, nil
}

// SigningTime reads the CMS signing time of a paymentData JSON object,
// without verifying anything.
func SigningTime(paymentData []byte) (time.Time, error) {
	var w struct{ Signature string }
	if err := json.Unmarshal(paymentData, &w); err != nil {
		return time.Time{}, err
	}
	der, err := base64.StdEncoding.DecodeString(w.Signature)
	if err != nil {
		return time.Time{}, err
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return time.Time{}, err
	}
	var t time.Time
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &t); err != nil {
		return time.Time{}, errors.New("applepaytest: no signing time")
	}
	return t, nil
}
