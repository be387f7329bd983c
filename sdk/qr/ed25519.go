package qr

import (
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/subtle"

	"filippo.io/edwards25519"
)

// verifyKey is a certified merchant key made ready for [Verify] when a
// trust bundle is loaded: checkPublicKey has passed, and the point is
// decoded and negated once, instead of in every ed25519.Verify call (the
// decoding is a field exponentiation, about a tenth of a verification).
type verifyKey struct {
	pub  [ed25519.PublicKeySize]byte
	negA edwards25519.Point // −A
}

// set decodes pub into k. pub must be a key that checkPublicKey accepted:
// set checks only that it is 32 bytes encoding a curve point, not that it
// is a strong key.
func (k *verifyKey) set(pub []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return ErrInvalidKey
	}
	A, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return ErrInvalidKey
	}
	copy(k.pub[:], pub)
	k.negA.Negate(A)
	return nil
}

// verify reports whether sig is k's Ed25519 signature of msg, exactly as
// crypto/ed25519.Verify decides (RFC 8032 §5.1.7, cofactorless, S < L
// required). hram must be a buffer holding R ‖ A ‖ msg: sig's first 32
// bytes, then k.pub, then the message, so that the hash input needs no
// copy; verify reads R and A from sig and k, not from hram, and checks that
// they agree.
//
// Verification handles only public data, so the variable-time double
// scalar multiplication is safe, as it is in crypto/ed25519.
func (k *verifyKey) verify(hram []byte, sig *[ed25519.SignatureSize]byte) bool {
	if len(hram) < 64 || subtle.ConstantTimeCompare(hram[:32], sig[:32]) != 1 || subtle.ConstantTimeCompare(hram[32:64], k.pub[:]) != 1 {
		return false
	}
	if sig[63]&0xe0 != 0 {
		return false
	}
	S, err := new(edwards25519.Scalar).SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	h := sha512.Sum512(hram)
	kh, err := new(edwards25519.Scalar).SetUniformBytes(h[:])
	if err != nil {
		return false
	}
	// R' = [S]B − [k]A; the signature is valid when R' encodes as R.
	R := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(kh, &k.negA, S)
	return subtle.ConstantTimeCompare(sig[:32], R.Bytes()) == 1
}
