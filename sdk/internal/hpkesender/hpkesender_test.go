package hpkesender

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"testing/cryptotest"
)

// vectorFile is testdata/rfc9180-a21.json: RFC 9180's vector for this
// suite in mode_base; its "source" member says where it comes from.
type vectorFile struct {
	Source  string   `json:"source"`
	Vectors []vector `json:"vectors"`
}

type vector struct {
	Mode           int    `json:"mode"`
	KEMID          uint16 `json:"kem_id"`
	KDFID          uint16 `json:"kdf_id"`
	AEADID         uint16 `json:"aead_id"`
	Info           string `json:"info"`
	SkEm           string `json:"skEm"`
	PkEm           string `json:"pkEm"`
	SkRm           string `json:"skRm"`
	PkRm           string `json:"pkRm"`
	Enc            string `json:"enc"`
	SharedSecret   string `json:"shared_secret"`
	Key            string `json:"key"`
	BaseNonce      string `json:"base_nonce"`
	ExporterSecret string `json:"exporter_secret"`
	Encryptions    []struct {
		AAD   string `json:"aad"`
		CT    string `json:"ct"`
		Nonce string `json:"nonce"`
		PT    string `json:"pt"`
	} `json:"encryptions"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc9180-a21.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return f.Vectors
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC9180Vectors reproduces, from the vector's skEm and pkRm, every
// value this package computes: enc and the shared secret (Encap), key,
// base_nonce and exporter_secret (KeySchedule), and the ciphertext of
// sequence number 0 (Seal).
func TestRFC9180Vectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.Mode != modeBase || v.KEMID != KEMID || v.KDFID != KDFID || v.AEADID != AEADID {
			t.Fatalf("vector for mode %d, suite %#04x/%#04x/%#04x; this package has mode 0, %#04x/%#04x/%#04x",
				v.Mode, v.KEMID, v.KDFID, v.AEADID, KEMID, KDFID, AEADID)
		}
		skE, err := ecdh.X25519().NewPrivateKey(unhex(t, v.SkEm))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hex.EncodeToString(skE.PublicKey().Bytes()), v.PkEm; got != want {
			t.Errorf("public key of skEm = %s, want pkEm %s", got, want)
		}
		skR, err := ecdh.X25519().NewPrivateKey(unhex(t, v.SkRm))
		if err != nil {
			t.Fatal(err)
		}
		pkR, err := ecdh.X25519().NewPublicKey(unhex(t, v.PkRm))
		if err != nil {
			t.Fatal(err)
		}
		if !skR.PublicKey().Equal(pkR) {
			t.Errorf("pkRm is not the public key of skRm")
		}
		info := unhex(t, v.Info)

		ss, enc, err := encap(skE, pkR)
		if err != nil {
			t.Fatalf("encap: %v", err)
		}
		if got, want := hex.EncodeToString(enc), v.Enc; got != want {
			t.Errorf("encap enc = %s, want %s", got, want)
		}
		if got, want := hex.EncodeToString(ss), v.SharedSecret; got != want {
			t.Errorf("encap shared_secret = %s, want %s", got, want)
		}

		key, baseNonce, exporterSecret, err := keySchedule(ss, info)
		if err != nil {
			t.Fatalf("keySchedule: %v", err)
		}
		for _, c := range []struct{ name, got, want string }{
			{"key", hex.EncodeToString(key), v.Key},
			{"base_nonce", hex.EncodeToString(baseNonce), v.BaseNonce},
			{"exporter_secret", hex.EncodeToString(exporterSecret), v.ExporterSecret},
		} {
			if c.got != c.want {
				t.Errorf("keySchedule %s = %s, want %s", c.name, c.got, c.want)
			}
		}

		e := v.Encryptions[0]
		if e.Nonce != v.BaseNonce {
			t.Fatalf("the first encryption's nonce %s is not base_nonce %s: it is not sequence number 0", e.Nonce, v.BaseNonce)
		}
		enc, ct, err := seal(skE, pkR, info, unhex(t, e.AAD), unhex(t, e.PT))
		if err != nil {
			t.Fatalf("seal: %v", err)
		}
		if got, want := hex.EncodeToString(enc), v.Enc; got != want {
			t.Errorf("seal enc = %s, want %s", got, want)
		}
		if got, want := hex.EncodeToString(ct), e.CT; got != want {
			t.Errorf("seal ct = %s, want %s", got, want)
		}
	}
}

// TestLowOrder checks that Seal refuses the low-order X25519 points, whose
// shared secret is all zeros (RFC 9180, Section 7.1.4): 0, 1, the two
// points of order 8, and p-1 (order 2). crypto/ecdh accepts them as public
// keys; the exchange is what refuses.
func TestLowOrder(t *testing.T) {
	points := []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	}
	for _, p := range points {
		pk, err := ecdh.X25519().NewPublicKey(unhex(t, p))
		if err != nil {
			t.Fatalf("NewPublicKey(%s): %v", p, err)
		}
		if _, _, err := Seal(pk, nil, nil, []byte("x")); !errors.Is(err, ErrLowOrder) {
			t.Errorf("Seal to low-order point %s: err = %v, want ErrLowOrder", p, err)
		}
	}
}

func TestWrongCurve(t *testing.T) {
	k, err := ecdh.P256().GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Seal(k.PublicKey(), nil, nil, nil); err == nil {
		t.Errorf("Seal to a P-256 key succeeded, want an error")
	}
	if _, _, err := Seal(nil, nil, nil, nil); err == nil {
		t.Errorf("Seal to nil succeeded, want an error")
	}
}

// stdSuite is crypto/hpke's instance of the same suite.
var (
	stdKEM  = hpke.DHKEM(ecdh.X25519())
	stdKDF  = hpke.HKDFSHA256()
	stdAEAD = hpke.ChaCha20Poly1305()
)

func TestSuiteIDs(t *testing.T) {
	if stdKEM.ID() != KEMID || stdKDF.ID() != KDFID || stdAEAD.ID() != AEADID {
		t.Errorf("crypto/hpke IDs %#04x/%#04x/%#04x, want %#04x/%#04x/%#04x", stdKEM.ID(), stdKDF.ID(), stdAEAD.ID(), KEMID, KDFID, AEADID)
	}
}

// FuzzSealMatchesCryptoHPKE seals the same input with this package and with
// crypto/hpke, both drawing their ephemeral key from the same deterministic
// crypto/rand stream (cryptotest.SetGlobalRandom), and wants identical enc
// and ct; then crypto/hpke opens this package's output to the plaintext,
// and refuses it under other additional data or info.
func FuzzSealMatchesCryptoHPKE(f *testing.F) {
	f.Add(uint64(0), []byte("recipient"), []byte("sealpay/envelope/v1"), []byte("sp1.e30"), []byte(`{"number":"4242424242424242"}`))
	f.Add(uint64(1), []byte{}, []byte{}, []byte{}, []byte{})
	f.Add(uint64(1<<63), []byte("k"), bytes.Repeat([]byte{0xff}, 300), []byte{0}, bytes.Repeat([]byte("card"), 1000))
	f.Fuzz(func(t *testing.T, seed uint64, recipient, info, aad, pt []byte) {
		// Any input names a recipient key: the SHA-256 of it is a valid
		// X25519 private key.
		d := sha256.Sum256(recipient)
		skR, err := ecdh.X25519().NewPrivateKey(d[:])
		if err != nil {
			t.Fatal(err)
		}
		pkR := skR.PublicKey()

		cryptotest.SetGlobalRandom(t, seed)
		enc, ct, err := Seal(pkR, info, aad, pt)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}

		cryptotest.SetGlobalRandom(t, seed)
		stdPK, err := stdKEM.NewPublicKey(pkR.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		stdEnc, sender, err := hpke.NewSender(stdPK, stdKDF, stdAEAD, info)
		if err != nil {
			t.Fatal(err)
		}
		stdCT, err := sender.Seal(aad, pt)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, stdEnc) {
			t.Errorf("enc = %x, crypto/hpke enc = %x", enc, stdEnc)
		}
		if !bytes.Equal(ct, stdCT) {
			t.Errorf("ct differs from crypto/hpke's (%d and %d bytes)", len(ct), len(stdCT))
		}

		stdSK, err := stdKEM.NewPrivateKey(d[:])
		if err != nil {
			t.Fatal(err)
		}
		r, err := hpke.NewRecipient(enc, stdSK, stdKDF, stdAEAD, info)
		if err != nil {
			t.Fatalf("crypto/hpke NewRecipient: %v", err)
		}
		got, err := r.Open(aad, ct)
		if err != nil {
			t.Fatalf("crypto/hpke Open: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("crypto/hpke opened %d bytes, sealed %d, and they differ", len(got), len(pt))
		}
		r, err = hpke.NewRecipient(enc, stdSK, stdKDF, stdAEAD, info)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Open(append(aad[:len(aad):len(aad)], 0), ct); err == nil {
			t.Errorf("crypto/hpke opened the ciphertext under other additional data")
		}
		r, err = hpke.NewRecipient(enc, stdSK, stdKDF, stdAEAD, append(info[:len(info):len(info)], 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Open(aad, ct); err == nil {
			t.Errorf("crypto/hpke opened the ciphertext under another info")
		}
	})
}

// TestFreshEphemeral checks that two Seal calls to one key, without a fixed
// random stream, use different ephemeral keys, so never the same AEAD key
// and nonce.
func TestFreshEphemeral(t *testing.T) {
	sk, err := ecdh.X25519().GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	enc1, ct1, err1 := Seal(sk.PublicKey(), nil, nil, []byte("same"))
	enc2, ct2, err2 := Seal(sk.PublicKey(), nil, nil, []byte("same"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if bytes.Equal(enc1, enc2) || bytes.Equal(ct1, ct2) {
		t.Errorf("two seals repeated enc or ct")
	}
}
