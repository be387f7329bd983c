// Package hpkesender is the sending half of HPKE ([RFC 9180]) in mode_base,
// single-shot, for one ciphersuite: DHKEM(X25519, HKDF-SHA256) 0x0020,
// HKDF-SHA256 0x0001 and ChaCha20Poly1305 0x0003.
//
// It exists for the browser's card module, which only seals: crypto/hpke's
// package-level KEMs keep P-256, P-384, P-521 and ML-KEM linked into any
// program that imports it, which costs the module about 100 KB on the wire.
// This package composes the same construction from crypto/ecdh, crypto/hkdf
// and golang.org/x/crypto/chacha20poly1305, and nothing else. Opening stays
// with crypto/hpke (package envelope), and the tests hold this package to
// the RFC 9180 test vectors and to crypto/hpke, byte for byte.
//
// For most uses, call [Seal].
//
// [RFC 9180]: https://www.rfc-editor.org/rfc/rfc9180.html
package hpkesender

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"

	"golang.org/x/crypto/chacha20poly1305"
)

// The ciphersuite's identifiers (RFC 9180, Section 7).
const (
	KEMID  = 0x0020 // DHKEM(X25519, HKDF-SHA256)
	KDFID  = 0x0001 // HKDF-SHA256
	AEADID = 0x0003 // ChaCha20Poly1305
)

// Sizes of the suite (RFC 9180, Section 7): Nenc = Npk = Nsecret = Nh = Nk
// = 32, Nn = 12.
const (
	encSize    = 32 // Nenc: the encapsulated key, an X25519 public key
	secretSize = 32 // Nsecret and Nh: the KEM shared secret, HKDF-SHA256 output
	keySize    = chacha20poly1305.KeySize
	nonceSize  = chacha20poly1305.NonceSize
)

// versionLabel prefixes every labeled HKDF input (RFC 9180, Section 4).
const versionLabel = "HPKE-v1"

// kemSuiteID is "KEM" || I2OSP(kem_id, 2), the suite_id of the DHKEM's own
// derivations (RFC 9180, Section 4.1); hpkeSuiteID is "HPKE" ||
// I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2), the suite_id
// of the key schedule (Section 5.1).
var (
	kemSuiteID  = []byte{'K', 'E', 'M', KEMID >> 8, KEMID & 0xff}
	hpkeSuiteID = []byte{'H', 'P', 'K', 'E', KEMID >> 8, KEMID & 0xff, KDFID >> 8, KDFID & 0xff, AEADID >> 8, AEADID & 0xff}
)

// modeBase is mode_base (RFC 9180, Section 5): no PSK, no sender key.
const modeBase = 0x00

// ErrLowOrder is returned by [Seal] when the recipient key is a low-order
// X25519 point, whose shared secret is all zeros whatever the ephemeral key
// (RFC 9180, Section 7.1.4).
var ErrLowOrder = errors.New("hpke: recipient X25519 key has low order")

// Seal encrypts pt to the X25519 public key pkR with a fresh ephemeral key
// from crypto/rand, info as the HPKE info and aad as additional data. It is
// SetupBaseS followed by one ContextS.Seal, at sequence number 0 (RFC 9180,
// Sections 5.1.1 and 5.2): enc is the 32-byte encapsulated key and ct the
// ciphertext with its 16-byte tag.
//
// Each call draws a new ephemeral key, so each call derives a new AEAD key,
// and the nonce for sequence number 0 (base_nonce itself) is used once per
// key. The result is what crypto/hpke's NewSender and Sender.Seal return for
// the same ephemeral key: the ephemeral key is drawn the same way,
// ecdh.X25519().GenerateKey(rand.Reader).
func Seal(pkR *ecdh.PublicKey, info, aad, pt []byte) (enc, ct []byte, err error) {
	if pkR == nil || pkR.Curve() != ecdh.X25519() {
		return nil, nil, errors.New("hpke: recipient key is not an X25519 key")
	}
	skE, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	return seal(skE, pkR, info, aad, pt)
}

// seal is Seal with the ephemeral key skE given. Only Seal and the tests
// call it: a fixed ephemeral key would repeat AEAD keys and nonces.
func seal(skE *ecdh.PrivateKey, pkR *ecdh.PublicKey, info, aad, pt []byte) (enc, ct []byte, err error) {
	sharedSecret, enc, err := encap(skE, pkR)
	if err != nil {
		return nil, nil, err
	}
	key, baseNonce, _, err := keySchedule(sharedSecret, info)
	if err != nil {
		return nil, nil, err
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, nil, err
	}
	// Sequence number 0: the nonce is base_nonce XOR I2OSP(0, Nn), which is
	// base_nonce (RFC 9180, Section 5.2).
	return enc, aead.Seal(nil, baseNonce, pt, aad), nil
}

// encap is DHKEM's Encap (RFC 9180, Section 4.1) with the ephemeral key
// skE: the shared secret and enc = SerializePublicKey(pkE).
func encap(skE *ecdh.PrivateKey, pkR *ecdh.PublicKey) (sharedSecret, enc []byte, err error) {
	dh, err := skE.ECDH(pkR)
	if err != nil {
		// crypto/ecdh refuses an all-zero X25519 output, the check RFC
		// 9180 Section 7.1.4 asks of senders; it happens exactly for
		// low-order pkR, since X25519 scalars are multiples of the cofactor.
		return nil, nil, ErrLowOrder
	}
	enc = skE.PublicKey().Bytes()
	kemContext := make([]byte, 0, 2*encSize)
	kemContext = append(kemContext, enc...)
	kemContext = append(kemContext, pkR.Bytes()...)
	// ExtractAndExpand (Section 4.1).
	eaePRK, err := labeledExtract(kemSuiteID, nil, "eae_prk", dh)
	if err != nil {
		return nil, nil, err
	}
	sharedSecret, err = labeledExpand(kemSuiteID, eaePRK, "shared_secret", kemContext, secretSize)
	if err != nil {
		return nil, nil, err
	}
	return sharedSecret, enc, nil
}

// keySchedule is KeySchedule<ROLE>(mode_base, shared_secret, info,
// default_psk, default_psk_id) (RFC 9180, Section 5.1), returning the AEAD
// key, base_nonce and exporter_secret.
func keySchedule(sharedSecret, info []byte) (key, baseNonce, exporterSecret []byte, err error) {
	pskIDHash, err := labeledExtract(hpkeSuiteID, nil, "psk_id_hash", nil) // psk_id = default_psk_id = ""
	if err != nil {
		return nil, nil, nil, err
	}
	infoHash, err := labeledExtract(hpkeSuiteID, nil, "info_hash", info)
	if err != nil {
		return nil, nil, nil, err
	}
	ksContext := make([]byte, 0, 1+2*secretSize)
	ksContext = append(ksContext, modeBase)
	ksContext = append(ksContext, pskIDHash...)
	ksContext = append(ksContext, infoHash...)

	secret, err := labeledExtract(hpkeSuiteID, sharedSecret, "secret", nil) // psk = default_psk = ""
	if err != nil {
		return nil, nil, nil, err
	}
	if key, err = labeledExpand(hpkeSuiteID, secret, "key", ksContext, keySize); err != nil {
		return nil, nil, nil, err
	}
	if baseNonce, err = labeledExpand(hpkeSuiteID, secret, "base_nonce", ksContext, nonceSize); err != nil {
		return nil, nil, nil, err
	}
	if exporterSecret, err = labeledExpand(hpkeSuiteID, secret, "exp", ksContext, secretSize); err != nil {
		return nil, nil, nil, err
	}
	return key, baseNonce, exporterSecret, nil
}

// labeledExtract is LabeledExtract(salt, label, ikm) = Extract(salt,
// "HPKE-v1" || suite_id || label || ikm) (RFC 9180, Section 4). An empty
// salt is HKDF's default, Nh zero bytes, as RFC 5869 and RFC 9180 agree.
func labeledExtract(suiteID, salt []byte, label string, ikm []byte) ([]byte, error) {
	labeled := make([]byte, 0, len(versionLabel)+len(suiteID)+len(label)+len(ikm))
	labeled = append(labeled, versionLabel...)
	labeled = append(labeled, suiteID...)
	labeled = append(labeled, label...)
	labeled = append(labeled, ikm...)
	return hkdf.Extract(sha256.New, labeled, salt)
}

// labeledExpand is LabeledExpand(prk, label, info, L) = Expand(prk,
// I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L) (RFC 9180,
// Section 4).
func labeledExpand(suiteID, prk []byte, label string, info []byte, length int) ([]byte, error) {
	labeled := make([]byte, 0, 2+len(versionLabel)+len(suiteID)+len(label)+len(info))
	labeled = append(labeled, byte(length>>8), byte(length))
	labeled = append(labeled, versionLabel...)
	labeled = append(labeled, suiteID...)
	labeled = append(labeled, label...)
	labeled = append(labeled, info...)
	return hkdf.Expand(sha256.New, prk, string(labeled), length)
}
