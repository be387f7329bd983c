package applepay

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"time"
)

// Key statuses in a [KeySet]: enabled keys decrypt, retired ones do not.
const (
	StatusEnabled = "enabled"
	StatusRetired = "retired"
)

// maxSetKeys bounds the keys of one [KeySet].
const maxSetKeys = 256

// A KeySet holds several merchants' Apple Pay payment processing keys, as
// the edge keeps them (a file natively, a secret on the Worker): for each
// key the Sealpay merchant id, its status, the PKCS #8 private key and,
// once Apple has issued it, the payment processing certificate, in PEM.
//
//	{"keys":[{"mid":"m_shop","status":"enabled","created":"2026-12-08T01:00:00Z",
//	  "private_key":"-----BEGIN PRIVATE KEY-----\n…","certificate":"-----BEGIN CERTIFICATE-----\n…"}]}
//
// Rotate as Apple does: [KeySet.Generate] a key and upload its CSR to
// Apple, [KeySet.AttachCertificate] the certificate Apple returns, activate
// it in Apple's portal, and [KeySet.Retire] the old key once Apple no
// longer encrypts to it. String redacts; key bytes leave only through
// [KeySet.MarshalPrivate].
type KeySet struct {
	keys []*setKey
}

type setKey struct {
	mid     string
	status  string
	created time.Time
	keyPEM  []byte
	certPEM []byte // nil until attached
	mk      *MerchantKey
	priv    *ecdsa.PrivateKey
}

type keySetFile struct {
	Keys []keySetEntry `json:"keys"`
}

type keySetEntry struct {
	MID         string    `json:"mid"`
	Status      string    `json:"status"`
	Created     time.Time `json:"created"`
	PrivateKey  string    `json:"private_key"`
	Certificate string    `json:"certificate,omitempty"`
}

// KeyInfo describes a key of a [KeySet] without its private key.
type KeyInfo struct {
	MerchantID     string // the Sealpay merchant id
	PublicKeyHash  string // as in token headers
	Status         string
	Created        time.Time
	HasCertificate bool
	NotAfter       time.Time // the certificate's expiry; zero without one
}

// NewKeySet returns an empty key set.
func NewKeySet() *KeySet { return &KeySet{} }

// ParseKeySet parses a key set file. It fails with [ErrInvalidKey].
func ParseKeySet(b []byte) (*KeySet, error) {
	var f keySetFile
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: Apple Pay key set is not valid JSON of its shape", ErrInvalidKey)
	}
	if len(f.Keys) > maxSetKeys {
		return nil, fmt.Errorf("%w: Apple Pay key set holds over %d keys", ErrInvalidKey, maxSetKeys)
	}
	s := &KeySet{}
	for i, e := range f.Keys {
		if e.MID == "" {
			return nil, fmt.Errorf("%w: Apple Pay key %d has no mid", ErrInvalidKey, i)
		}
		if e.Status != StatusEnabled && e.Status != StatusRetired {
			return nil, fmt.Errorf("%w: Apple Pay key %d has status %q", ErrInvalidKey, i, e.Status)
		}
		k, err := newSetKey(e.MID, []byte(e.PrivateKey), []byte(e.Certificate))
		if err != nil {
			return nil, fmt.Errorf("Apple Pay key %d: %w", i, err)
		}
		k.status, k.created = e.Status, e.Created.UTC()
		if err := s.add(k); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func newSetKey(mid string, keyPEM, certPEM []byte) (*setKey, error) {
	mk, err := ParseMerchantKeyPEM(keyPEM, certPEM)
	if err != nil {
		return nil, err
	}
	priv, err := parsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	k := &setKey{mid: mid, status: StatusEnabled, mk: mk, priv: priv,
		keyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})}
	if len(certPEM) > 0 {
		k.certPEM = certPEM
	}
	return k, nil
}

func (s *KeySet) add(k *setKey) error {
	if len(s.keys) >= maxSetKeys {
		return fmt.Errorf("%w: an Apple Pay key set holds at most %d keys", ErrInvalidKey, maxSetKeys)
	}
	for _, o := range s.keys {
		if o.mk.hash == k.mk.hash {
			return fmt.Errorf("%w: the Apple Pay key set holds key %s twice", ErrInvalidKey, k.mk.PublicKeyHash())
		}
	}
	s.keys = append(s.keys, k)
	return nil
}

// Generate makes a P-256 payment processing key for merchant mid (a
// Sealpay merchant id) and returns its publicKeyHash and a PEM certificate
// signing request to upload to Apple ("Apple Pay Payment Processing
// Certificate", ECC 256-bit).
func (s *KeySet) Generate(mid string, now time.Time) (hash string, csrPEM []byte, err error) {
	if mid == "" {
		return "", nil, fmt.Errorf("%w: a key needs a merchant id", ErrInvalidKey)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", nil, err
	}
	k, err := newSetKey(mid, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil)
	if err != nil {
		return "", nil, err
	}
	k.created = now.UTC().Truncate(time.Second)
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "Sealpay Apple Pay payment processing " + mid},
	}, priv)
	if err != nil {
		return "", nil, err
	}
	if err := s.add(k); err != nil {
		return "", nil, err
	}
	return k.mk.PublicKeyHash(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}), nil
}

// AddPEM adds a key made elsewhere (a PEM private key and, if not empty,
// its PEM certificate; see [ParseMerchantKeyPEM]) for merchant mid, enabled,
// and returns its publicKeyHash.
func (s *KeySet) AddPEM(mid string, keyPEM, certPEM []byte, now time.Time) (string, error) {
	if mid == "" {
		return "", fmt.Errorf("%w: a key needs a merchant id", ErrInvalidKey)
	}
	k, err := newSetKey(mid, keyPEM, certPEM)
	if err != nil {
		return "", err
	}
	if k.certPEM != nil {
		c, err := parseCertificatePEM(certPEM)
		if err != nil {
			return "", err
		}
		k.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	k.created = now.UTC().Truncate(time.Second)
	if err := s.add(k); err != nil {
		return "", err
	}
	return k.mk.PublicKeyHash(), nil
}

// AttachCertificate adds the payment processing certificate Apple issued
// (DER, as Apple's portal hands out apple_pay.cer, or PEM) to the key it
// certifies, and returns that key's publicKeyHash.
func (s *KeySet) AttachCertificate(cert []byte) (string, error) {
	der := cert
	if blk, _ := pem.Decode(cert); blk != nil && blk.Type == "CERTIFICATE" {
		der = blk.Bytes
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return "", fmt.Errorf("%w: not a certificate", ErrInvalidKey)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	for i, k := range s.keys {
		if !bytes.Equal(c.RawSubjectPublicKeyInfo, mustSPKI(k.priv)) {
			continue
		}
		nk, err := newSetKey(k.mid, k.keyPEM, certPEM)
		if err != nil {
			return "", err
		}
		nk.status, nk.created = k.status, k.created
		s.keys[i] = nk
		return nk.mk.PublicKeyHash(), nil
	}
	return "", fmt.Errorf("%w: the certificate is for no key of the set", ErrInvalidKey)
}

func mustSPKI(priv *ecdsa.PrivateKey) []byte {
	b, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		panic(err) // a P-256 key always marshals
	}
	return b
}

// Retire stops the key with publicKeyHash hash from decrypting.
func (s *KeySet) Retire(hash string) error {
	for _, k := range s.keys {
		if k.mk.PublicKeyHash() == hash {
			k.status = StatusRetired
			return nil
		}
	}
	return fmt.Errorf("%w: no key %s in the set", ErrInvalidKey, hash)
}

// Keys returns merchant mid's enabled keys, for [Config.Keys].
func (s *KeySet) Keys(mid string) []*MerchantKey {
	var out []*MerchantKey
	for _, k := range s.keys {
		if k.mid == mid && k.status == StatusEnabled {
			out = append(out, k.mk)
		}
	}
	return out
}

// Info describes the keys, in the order of the file.
func (s *KeySet) Info() []KeyInfo {
	var out []KeyInfo
	for _, k := range s.keys {
		ki := KeyInfo{MerchantID: k.mid, PublicKeyHash: k.mk.PublicKeyHash(), Status: k.status, Created: k.created, HasCertificate: k.certPEM != nil}
		if blk, _ := pem.Decode(k.certPEM); blk != nil {
			if c, err := x509.ParseCertificate(blk.Bytes); err == nil {
				ki.NotAfter = c.NotAfter
			}
		}
		out = append(out, ki)
	}
	return out
}

// MarshalPrivate encodes the set as its file, private keys included.
func (s *KeySet) MarshalPrivate() ([]byte, error) {
	f := keySetFile{Keys: []keySetEntry{}}
	for _, k := range s.keys {
		f.Keys = append(f.Keys, keySetEntry{MID: k.mid, Status: k.status, Created: k.created,
			PrivateKey: string(k.keyPEM), Certificate: string(k.certPEM)})
	}
	return json.MarshalIndent(f, "", "  ")
}

// String names the set's size, never its keys.
func (s *KeySet) String() string { return fmt.Sprintf("applepay.KeySet{%d keys}", len(s.keys)) }

// GoString is String.
func (s *KeySet) GoString() string { return s.String() }
