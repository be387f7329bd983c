package envelope

import (
	"crypto/ecdh"
	"crypto/hpke"
	"errors"

	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// suite is an HPKE ciphersuite, for opening. Envelope v1 fixes [v1Suite];
// the RFC 9180 vector tests run the same code with the vectors' other AEADs.
// Sealing does not use crypto/hpke: sdk/internal/sealer seals with
// sdk/internal/hpkesender, which the tests hold to crypto/hpke byte for byte,
// so that the browser's card module links no crypto/hpke.
type suite struct {
	kem  hpke.KEM
	kdf  hpke.KDF
	aead hpke.AEAD
}

// v1Suite is DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305:
// 0x0020, 0x0001, 0x0003. ChaCha20Poly1305 is fast in constant time without
// AES hardware, which matters in WebAssembly.
var v1Suite = suite{
	kem:  hpke.DHKEM(ecdh.X25519()),
	kdf:  hpke.HKDFSHA256(),
	aead: hpke.ChaCha20Poly1305(),
}

// recipient sets up a base-mode HPKE receiving context for enc. It fails for
// a low-order enc, whose shared secret would be all zeros.
func (s suite) recipient(sk hpke.PrivateKey, enc, info []byte) (*hpke.Recipient, error) {
	return hpke.NewRecipient(enc, sk, s.kdf, s.aead, info)
}

// newPrivateKey builds an HPKE private key from the 32 bytes of an X25519
// private key (RFC 8037 "d"), and returns its public key bytes.
func (s suite) newPrivateKey(d []byte) (hpke.PrivateKey, []byte, error) {
	if len(d) != sealer.X25519Size {
		return nil, nil, errors.New("X25519 private key is not 32 bytes")
	}
	sk, err := s.kem.NewPrivateKey(d)
	if err != nil {
		return nil, nil, errors.New("X25519 private key is malformed")
	}
	return sk, sk.PublicKey().Bytes(), nil
}
