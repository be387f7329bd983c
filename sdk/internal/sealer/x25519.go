package sealer

import (
	"crypto/ecdh"
	"errors"
)

// X25519Size is the size of X25519 public keys, private keys and enc.
const X25519Size = 32

// CheckPublicKey reports why the 32 bytes x are not an X25519 public key
// that may be sealed to, or nil: it refuses a non-canonical encoding (top
// bit set, or a value not below 2^255-19) and the low-order points, whose
// shared secrets are predictable.
func CheckPublicKey(x []byte) error {
	if len(x) != X25519Size {
		return errors.New("X25519 public key is not 32 bytes")
	}
	if !canonicalX25519(x) {
		return errors.New("X25519 public key is not canonical")
	}
	pub, err := ecdh.X25519().NewPublicKey(x)
	if err != nil {
		return errors.New("X25519 public key is malformed")
	}
	// Every X25519 scalar is a multiple of the cofactor 8 after clamping, so
	// a point of order 1, 2, 4 or 8 gives an all-zero result for any scalar,
	// which crypto/ecdh refuses. Any point of larger order gives a non-zero
	// result. One exchange with a fixed scalar therefore finds them all.
	probe, err := ecdh.X25519().NewPrivateKey(lowOrderProbe[:])
	if err != nil {
		return err
	}
	if _, err := probe.ECDH(pub); err != nil {
		return errors.New("X25519 public key has low order")
	}
	return nil
}

// lowOrderProbe is an arbitrary fixed scalar, not a secret.
var lowOrderProbe = [X25519Size]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}

// fieldPrime is 2^255 - 19, little-endian.
var fieldPrime = [X25519Size]byte{0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}

// canonicalX25519 reports whether the little-endian u-coordinate x is below
// 2^255 - 19 (which also means its top bit is clear). Public keys are not
// secret, so this need not run in constant time.
func canonicalX25519(x []byte) bool {
	for i := X25519Size - 1; i >= 0; i-- {
		if x[i] != fieldPrime[i] {
			return x[i] < fieldPrime[i]
		}
	}
	return false // equal to p
}
