package envelope

import (
	"crypto/ecdh"
	"crypto/hpke"
	"errors"
)

// envelopeInfo is the HPKE info string of envelope v1. It separates these
// HPKE contexts from any other use of the same keys.
const envelopeInfo = "sealpay/envelope/v1"

// x25519Size is the size of X25519 public keys, private keys and enc.
const x25519Size = 32

// suite is an HPKE ciphersuite. Envelope v1 fixes [v1Suite]; the RFC 9180
// vector tests run the same code with the vectors' other AEADs.
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

// sender sets up a base-mode HPKE sending context to pk. crypto/hpke draws a
// fresh ephemeral key for every call, so each envelope has its own enc and
// AEAD key, and the fixed nonce schedule never repeats under one key.
func (s suite) sender(pk hpke.PublicKey, info []byte) (enc []byte, _ *hpke.Sender, _ error) {
	return hpke.NewSender(pk, s.kdf, s.aead, info)
}

// recipient sets up a base-mode HPKE receiving context for enc. It fails for
// a low-order enc, whose shared secret would be all zeros.
func (s suite) recipient(sk hpke.PrivateKey, enc, info []byte) (*hpke.Recipient, error) {
	return hpke.NewRecipient(enc, sk, s.kdf, s.aead, info)
}

// newPublicKey builds an HPKE public key from the 32 bytes of an X25519
// public key, refusing what should never be sealed to: a non-canonical
// encoding (top bit set, or a value not below 2^255-19) and the low-order
// points, whose shared secrets are predictable.
func (s suite) newPublicKey(x []byte) (hpke.PublicKey, error) {
	if len(x) != x25519Size {
		return nil, errors.New("X25519 public key is not 32 bytes")
	}
	if !canonicalX25519(x) {
		return nil, errors.New("X25519 public key is not canonical")
	}
	pub, err := ecdh.X25519().NewPublicKey(x)
	if err != nil {
		return nil, errors.New("X25519 public key is malformed")
	}
	// Every X25519 scalar is a multiple of the cofactor 8 after clamping, so
	// a point of order 1, 2, 4 or 8 gives an all-zero result for any scalar,
	// which crypto/ecdh refuses. Any point of larger order gives a non-zero
	// result. One exchange with a fixed scalar therefore finds them all.
	probe, err := ecdh.X25519().NewPrivateKey(lowOrderProbe[:])
	if err != nil {
		return nil, err
	}
	if _, err := probe.ECDH(pub); err != nil {
		return nil, errors.New("X25519 public key has low order")
	}
	return s.kem.NewPublicKey(x)
}

// lowOrderProbe is an arbitrary fixed scalar, not a secret.
var lowOrderProbe = [x25519Size]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}

// newPrivateKey builds an HPKE private key from the 32 bytes of an X25519
// private key (RFC 8037 "d"), and returns its public key bytes.
func (s suite) newPrivateKey(d []byte) (hpke.PrivateKey, []byte, error) {
	if len(d) != x25519Size {
		return nil, nil, errors.New("X25519 private key is not 32 bytes")
	}
	sk, err := s.kem.NewPrivateKey(d)
	if err != nil {
		return nil, nil, errors.New("X25519 private key is malformed")
	}
	return sk, sk.PublicKey().Bytes(), nil
}

// fieldPrime is 2^255 - 19, little-endian.
var fieldPrime = [x25519Size]byte{0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}

// canonicalX25519 reports whether the little-endian u-coordinate x is below
// 2^255 - 19 (which also means its top bit is clear). Public keys are not
// secret, so this need not run in constant time.
func canonicalX25519(x []byte) bool {
	for i := x25519Size - 1; i >= 0; i-- {
		if x[i] != fieldPrime[i] {
			return x[i] < fieldPrime[i]
		}
	}
	return false // equal to p
}
