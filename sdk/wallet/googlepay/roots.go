package googlepay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The protocol versions this package handles.
const (
	// ECv2 is the signed and encrypted token of Google Pay API version 2.
	ECv2 = "ECv2"
	// ECv2SigningOnly is a signed, unencrypted message under the same key
	// chain (Google uses it for messages that carry no card).
	ECv2SigningOnly = "ECv2SigningOnly"
)

// senderID is the sender id Google signs with; see signedString.
const senderID = "Google"

// Environment is the Google Pay environment whose root keys a
// [RootKeys] holds.
type Environment string

// The environments. Google publishes one root key file for each:
// https://payments.developers.google.com/paymentmethodtoken/test/keys.json
// and https://payments.developers.google.com/paymentmethodtoken/keys.json.
// This package never fetches them: the operator downloads the file and
// configures it (docs/wallets.md).
const (
	Test       Environment = "TEST"
	Production Environment = "PRODUCTION"
)

// RootKeys are Google's root signing keys, parsed from a key file in
// Google's JSON shape:
//
//	{"keys":[{"keyValue":"<base64 X.509 SubjectPublicKeyInfo>","protocolVersion":"ECv2","keyExpiration":"<ms since epoch>"}]}
//
// Keys of other protocol versions (ECv1) are skipped.
type RootKeys struct {
	env  Environment
	keys []rootKey
}

type rootKey struct {
	pub      *ecdsa.PublicKey
	protocol string
	expires  int64 // ms since the epoch
}

// Environment returns the environment the keys were loaded for.
func (r *RootKeys) Environment() Environment { return r.env }

// ParseRootKeys parses Google's root signing key file for env. An ECv2 or
// ECv2SigningOnly key without a keyExpiration, or whose keyValue is not a
// P-256 public key, is an error; so is a file with no such key.
func ParseRootKeys(env Environment, b []byte) (*RootKeys, error) {
	if env != Test && env != Production {
		return nil, fmt.Errorf("googlepay: environment must be %q or %q", Test, Production)
	}
	var f struct {
		Keys []struct {
			KeyValue        string `json:"keyValue"`
			ProtocolVersion string `json:"protocolVersion"`
			KeyExpiration   string `json:"keyExpiration"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("googlepay: root key file is not JSON of Google's shape: %w", ErrMalformed)
	}
	r := &RootKeys{env: env}
	for i, k := range f.Keys {
		if k.ProtocolVersion != ECv2 && k.ProtocolVersion != ECv2SigningOnly {
			continue
		}
		pub, err := parseSPKI(k.KeyValue)
		if err != nil {
			return nil, fmt.Errorf("googlepay: root key %d: %w", i, err)
		}
		exp, err := parseMillis(k.KeyExpiration)
		if err != nil {
			return nil, fmt.Errorf("googlepay: root key %d: keyExpiration: %w", i, err)
		}
		r.keys = append(r.keys, rootKey{pub: pub, protocol: k.ProtocolVersion, expires: exp})
	}
	if len(r.keys) == 0 {
		return nil, fmt.Errorf("googlepay: root key file has no ECv2 key: %w", ErrMalformed)
	}
	return r, nil
}

// Expirations returns when each root key of protocol expires, for an
// operator's check that the file is current.
func (r *RootKeys) Expirations(protocol string) []time.Time {
	var out []time.Time
	for _, k := range r.keys {
		if k.protocol == protocol {
			out = append(out, time.UnixMilli(k.expires).UTC())
		}
	}
	return out
}

// parseSPKI decodes a base64 X.509 SubjectPublicKeyInfo holding a P-256
// ECDSA key.
func parseSPKI(s string) (*ecdsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("key is not base64: %w", ErrMalformed)
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("key is not an X.509 public key: %w", ErrMalformed)
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("key is not a P-256 ECDSA key: %w", ErrMalformed)
	}
	return pub, nil
}

// parseMillis parses a decimal count of milliseconds since the epoch, as
// Google writes keyExpiration and messageExpiration (a JSON string).
func parseMillis(s string) (int64, error) {
	if s == "" || len(s) > 16 || s[0] == '+' || s[0] == '-' || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("want milliseconds since the epoch as decimal digits: %w", ErrMalformed)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("want milliseconds since the epoch as decimal digits: %w", ErrMalformed)
	}
	return n, nil
}
