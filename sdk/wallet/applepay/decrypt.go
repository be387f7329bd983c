package applepay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
)

// The KDF's fixed inputs (Payment Token Format Reference, "Decrypt the
// payment data"): the algorithm ID is the length-prefixed
// "id-aes256-GCM", party U is "Apple".
const (
	kdfAlgorithmID = "\x0did-aes256-GCM"
	kdfPartyU      = "Apple"
)

// decrypt derives the symmetric key from the merchant key and the token's
// ephemeral key, and opens data with AES-256-GCM under a 16-byte zero IV.
func decrypt(t *paymentToken, k *MerchantKey, partyV []byte) ([]byte, error) {
	pub, err := x509.ParsePKIXPublicKey(t.Header.EphemeralPublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: ephemeralPublicKey is not a public key", ErrDecrypt)
	}
	ep, ok := pub.(*ecdsa.PublicKey)
	if !ok || ep.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: ephemeralPublicKey is not a P-256 key", ErrDecrypt)
	}
	eph, err := ep.ECDH()
	if err != nil {
		return nil, fmt.Errorf("%w: ephemeralPublicKey is not a P-256 point", ErrDecrypt)
	}
	z, err := k.priv.ECDH(eph)
	if err != nil {
		return nil, ErrDecrypt
	}
	key := concatKDF(z, partyV)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, ErrDecrypt
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, 16)
	if err != nil {
		return nil, ErrDecrypt
	}
	plain, err := gcm.Open(nil, make([]byte, 16), t.Data, nil)
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}

// concatKDF is the NIST SP 800-56A (rev. 3, §5.8.2.1.1) single-step KDF with
// SHA-256 for a 256-bit key: one block, SHA-256(counter 1 ‖ Z ‖ OtherInfo),
// OtherInfo = algorithm ID ‖ party U info ‖ party V info.
func concatKDF(z, partyV []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{0, 0, 0, 1})
	h.Write(z)
	h.Write([]byte(kdfAlgorithmID))
	h.Write([]byte(kdfPartyU))
	h.Write(partyV)
	var out [32]byte
	h.Sum(out[:0])
	return out
}
