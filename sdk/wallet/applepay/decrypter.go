package applepay

import (
	"bytes"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"
)

// DefaultSigningTimeWindow is the [Config.SigningTimeWindow] used when it is
// zero: Apple asks merchants to refuse a signing time more than "a few
// minutes" from the transaction time.
const DefaultSigningTimeWindow = 5 * time.Minute

// Config configures a [Decrypter].
type Config struct {
	// Keys are the merchant's payment processing keys, all usable at once so
	// that keys rotate: add the new key, have Apple issue its certificate,
	// retire the old one when Apple's certificate for it is revoked. A token
	// names its key by publicKeyHash.
	Keys []*MerchantKey

	// MerchantID is the merchant identifier registered with Apple, such as
	// "merchant.com.example". The KDF uses its SHA-256 as party V info for
	// keys given without a certificate; keys with one use the certificate's
	// merchant identifier, which must then be the same.
	MerchantID string

	// SigningTimeWindow bounds how far the CMS signing time may be from the
	// clock, either way. Zero means [DefaultSigningTimeWindow].
	SigningTimeWindow time.Duration

	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// UnsafeTestRootPEM replaces the pinned Apple Root CA – G3 with another
	// PEM root. Only for tests against a stand-in for Apple; production
	// configuration must leave it empty.
	UnsafeTestRootPEM []byte
}

// A Decrypter verifies and decrypts the Apple Pay tokens of one merchant.
// It is safe for concurrent use.
type Decrypter struct {
	keys   []decrypterKey
	root   *x509.Certificate
	window time.Duration
	now    func() time.Time
	chains chainCache
}

type decrypterKey struct {
	k      *MerchantKey
	partyV []byte
}

// NewDecrypter checks cfg and returns a Decrypter. It fails with
// [ErrInvalidKey] for no keys, two keys with one publicKeyHash, a key that
// has neither a certificate nor cfg.MerchantID, or a certificate whose
// merchant identifier is not cfg.MerchantID's.
func NewDecrypter(cfg Config) (*Decrypter, error) {
	if len(cfg.Keys) == 0 {
		return nil, fmt.Errorf("%w: no payment processing keys", ErrInvalidKey)
	}
	d := &Decrypter{window: cfg.SigningTimeWindow, now: cfg.Now}
	if d.window == 0 {
		d.window = DefaultSigningTimeWindow
	}
	if d.window < 0 {
		return nil, fmt.Errorf("applepay: negative signing time window")
	}
	if d.now == nil {
		d.now = time.Now
	}
	var err error
	if len(cfg.UnsafeTestRootPEM) > 0 {
		d.root, err = parseRootPEM(cfg.UnsafeTestRootPEM)
	} else {
		d.root, err = pinnedRoot()
	}
	if err != nil {
		return nil, err
	}
	var configured []byte
	if cfg.MerchantID != "" {
		configured = merchantIDHash(cfg.MerchantID)
	}
	for i, k := range cfg.Keys {
		if k == nil {
			return nil, fmt.Errorf("%w: key %d is nil", ErrInvalidKey, i)
		}
		for _, o := range d.keys {
			if o.k.hash == k.hash {
				return nil, fmt.Errorf("%w: key %d is configured twice", ErrInvalidKey, i)
			}
		}
		partyV := k.merchantID
		switch {
		case partyV == nil && configured == nil:
			return nil, fmt.Errorf("%w: key %d has no certificate and no merchant identifier is configured", ErrInvalidKey, i)
		case partyV == nil:
			partyV = configured
		case configured != nil && !bytes.Equal(partyV, configured):
			return nil, fmt.Errorf("%w: key %d's certificate is for merchant identifier hash %s, not the configured one", ErrInvalidKey, i, hex.EncodeToString(partyV))
		}
		d.keys = append(d.keys, decrypterKey{k: k, partyV: partyV})
	}
	return d, nil
}

// Decrypt verifies paymentData, the paymentData object of a PKPaymentToken
// (the JSON {"version":"EC_v1","data":…,"signature":…,"header":{…}}), and
// decrypts it. The package documentation lists the checks in order; every
// error wraps one of the package's sentinels.
func (d *Decrypter) Decrypt(paymentData []byte) (*Payment, error) {
	t, err := parseToken(paymentData)
	if err != nil {
		return nil, err
	}
	signingTime, err := verifySignature(t, d.root, &d.chains)
	if err != nil {
		return nil, err
	}
	now := d.now()
	if signingTime.Before(now.Add(-d.window)) || signingTime.After(now.Add(d.window)) {
		return nil, fmt.Errorf("%w: signed %s from now, the bound is %s", ErrMessageExpired, now.Sub(signingTime).Round(time.Second), d.window)
	}
	var key *decrypterKey
	for i := range d.keys {
		if subtle.ConstantTimeCompare(d.keys[i].k.hash[:], t.Header.PublicKeyHash) == 1 {
			key = &d.keys[i]
		}
	}
	if key == nil {
		return nil, ErrUnknownKey
	}
	plain, err := decrypt(t, key.k, key.partyV)
	if err != nil {
		return nil, err
	}
	p, err := parsePlaintext(plain)
	clear(plain)
	if err != nil {
		return nil, err
	}
	p.TransactionID = hex.EncodeToString(t.Header.TransactionID)
	if t.Header.ApplicationData != nil {
		p.ApplicationData = hex.EncodeToString(t.Header.ApplicationData)
	}
	p.SigningTime = signingTime.UTC()
	p.Expires = p.SigningTime.Add(d.window)
	p.PublicKeyHash = key.k.PublicKeyHash()
	return &p, nil
}
