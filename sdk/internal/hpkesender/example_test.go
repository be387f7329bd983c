package hpkesender_test

import (
	"crypto/ecdh"
	"crypto/hpke"
	"fmt"

	"github.com/sealpay/sealpay/sdk/internal/hpkesender"
)

func ExampleSeal() {
	// The recipient's key pair; in Sealpay the public key comes from the
	// edge's JWK Set and the private key stays at the edge.
	skR, err := ecdh.X25519().GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	info, aad := []byte("example info"), []byte("example header")
	enc, ct, err := hpkesender.Seal(skR.PublicKey(), info, aad, []byte("hello"))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(enc), len(ct))

	// Any RFC 9180 implementation opens it; here crypto/hpke.
	sk, err := hpke.NewDHKEMPrivateKey(skR)
	if err != nil {
		panic(err)
	}
	r, err := hpke.NewRecipient(enc, sk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), info)
	if err != nil {
		panic(err)
	}
	pt, err := r.Open(aad, ct)
	fmt.Println(string(pt), err)
	// Output:
	// 32 21
	// hello <nil>
}
